//! Exercise 7.2: a `gather` that cancels the rest when one fails.
//!
//! Chapter 7's `gather` returns the first failure at once and leaves the
//! other tasks running: nobody waits for them, nobody hears how they end.
//! Python 3.11's `TaskGroup` does better, and this is its heart. Write
//! `gather_or_cancel(tasks)`:
//!
//! - If every task succeeds, return their values in argument order.
//! - As soon as one task fails or is cancelled, cancel every other task,
//!   wait until each one has ended (its cleanup, which may sleep, has run),
//!   and only then return that first failure, as `join` gives it. A
//!   failure during the cleanup does not replace it.
//! - If the task calling it is cancelled, cancel every task, wait until
//!   each has ended, and return `SchedError::Cancelled`.
//! - No tasks: an empty `Vec`, at once.
//!
//! Build it from chapter 7's combinators rather than from scratch.
//!
//! `cargo run -- check 7.2` checks your work. Stuck? `cargo run -- hint 7.2`

#![allow(unused_imports, unused_variables)]

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError};
use yieldpoint::ch07_combinators::{as_completed, gather, gather_results};

/// Waits for every task and returns their values in argument order; on the
/// first failure, cancels the others and waits for them before returning
/// it.
///
/// # Errors
///
/// The first failure in time; [`SchedError::Cancelled`] if the caller is
/// cancelled.
pub fn gather_or_cancel<T: Clone + 'static>(tasks: &[JoinHandle<T>]) -> Result<Vec<T>, SchedError> {
    todo!("find the first failure; then cancel everyone and wait for them all")
}
