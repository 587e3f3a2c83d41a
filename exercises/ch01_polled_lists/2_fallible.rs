//! Exercise 1.2: requests that can fail.
//!
//! A real request does not always succeed. Here a request's result is a
//! `Result<T, E>`: `Ready(Ok(value))` or `Ready(Err(error))`. Write
//! `round_robin_until_error`, chapter 1's round-robin loop for such
//! requests, with one change: the first request that fails stops everything.
//!
//! - If every request succeeds, return `Ok` with `(index, value)` pairs in
//!   the order the requests finished (the index is the request's position in
//!   the input, from 0).
//! - At the first `Ready(Err(error))`, poll nothing more and return a
//!   [`Failure`]: which request failed, its error, and the indexes of the
//!   requests that had not finished yet, in the order they would have been
//!   polled next. Those requests are dropped unfinished.
//!
//! Every request is polled once per round, in turn, as in the chapter.
//!
//! `cargo run -- check 1.2` checks your work. Stuck? `cargo run -- hint 1.2`

#![allow(unused_imports, unused_mut, unused_variables)]

use std::collections::VecDeque;

use yieldpoint::ch01_polled_lists::{Poll, Request};

/// Why [`round_robin_until_error`] stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure<E> {
    /// The position in the input of the request that failed.
    pub index: usize,
    /// Its error.
    pub error: E,
    /// The positions of the requests still waiting when it failed, in the
    /// order they would have been polled next.
    pub unfinished: Vec<usize>,
}

/// Chapter 1's round robin, stopping at the first request that fails.
pub fn round_robin_until_error<T, E>(
    requests: Vec<Request<Result<T, E>>>,
) -> Result<Vec<(usize, T)>, Failure<E>> {
    todo!("poll in turn; stop at the first Ready(Err(..))")
}
