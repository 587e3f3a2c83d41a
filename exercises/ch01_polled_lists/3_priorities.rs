//! Exercise 1.3: round robin with priorities.
//!
//! Chapter 1's round robin is fair in the simplest way: one poll per request
//! per round. Sometimes one request matters more. Write `run_weighted`,
//! where each request comes with a weight: at its turn, a request of weight
//! `w` is polled up to `w` times in a row, then goes to the back of the line.
//! A request that answers `Ready` during its turn leaves at once (its turn
//! ends early), and the next request's turn begins.
//!
//! Call `on_poll(index, &answer)` after every poll, with the request's
//! position in the input, and return the finished requests in the order
//! they finished, as chapter 1's `run_round_robin_with` does.
//!
//! A weight of 0 would never poll its request, so nothing could finish:
//! refuse it before polling anything, with a panic whose message is exactly
//! `run_weighted: request {index} has weight 0, so it would never be polled;
//! give every request a weight of at least 1` (on one line).
//!
//! `cargo run -- check 1.3` checks your work. Stuck? `cargo run -- hint 1.3`

#![allow(unused_imports, unused_mut, unused_variables)]

use std::collections::VecDeque;

use yieldpoint::ch01_polled_lists::{Completion, Poll, Request};

/// Round robin in which a request of weight `w` gets `w` polls per turn.
pub fn run_weighted<T>(
    requests: Vec<(u32, Request<T>)>,
    on_poll: impl FnMut(usize, &Poll<T>),
) -> Vec<Completion<T>> {
    todo!("give each request up to its weight in polls per turn")
}
