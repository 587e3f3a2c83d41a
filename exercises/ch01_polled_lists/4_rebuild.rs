//! Exercise 1.4: rebuild chapter 1's four key functions.
//!
//! This file takes the place of `src/ch01_polled_lists/polling.rs` when the
//! feature `exercise-ch01` is on, so the whole of chapter 1's test suite
//! judges what you write here:
//!
//! - `Request::new` checks that a list of answers is a request (zero or more
//!   `Wait`, then exactly one `Ready`, last) and says what is wrong if not;
//! - `Request::poll` hands out the next answer, counts it, and panics with a
//!   clear message once the `Ready` has gone;
//! - `run_blocking_with` polls each request to the end before the next;
//! - `run_round_robin_with` polls the requests in turn, one answer each,
//!   until all are ready, and never skips a neighbour.
//!
//! `cargo run -- check 1.4` runs the chapter's tests against this file.
//! Stuck? `cargo run -- hint 1.4`

#![allow(unused_imports, unused_mut, unused_variables)]

use std::collections::VecDeque;

use super::{Completion, Poll, Request, RequestError};

impl<T> Request<T> {
    /// Checks that `items` is a request and wraps it.
    ///
    /// # Errors
    ///
    /// The [`RequestError`] that says what is wrong with the list.
    pub fn new(items: Vec<Poll<T>>) -> Result<Self, RequestError> {
        todo!("check the list, then wrap it")
    }

    /// Hands out the next answer.
    ///
    /// # Panics
    ///
    /// Once the request has handed out its `Ready`.
    pub fn poll(&mut self) -> Poll<T> {
        todo!("hand out the next answer")
    }
}

/// Runs the requests one after the other, calling `on_poll` after every poll.
pub fn run_blocking_with<T>(
    requests: Vec<Request<T>>,
    on_poll: impl FnMut(usize, &Poll<T>),
) -> Vec<Completion<T>> {
    todo!("poll each request to the end, one after the other")
}

/// Runs the requests in turn, calling `on_poll` after every poll.
pub fn run_round_robin_with<T>(
    requests: Vec<Request<T>>,
    on_poll: impl FnMut(usize, &Poll<T>),
) -> Vec<Completion<T>> {
    todo!("poll the requests in turn until every one is ready")
}
