//! Exercise 7.4: retry, with a time limit on each attempt.
//!
//! Write `retry_with_limit(attempts, limit, start)`, which makes up to
//! `attempts` attempts at some work, each one a task of its own:
//!
//! - Attempt `n` (counting from 1) is the task that `start(n)` spawns; it
//!   has `limit` to end. An attempt that runs out of time is cancelled, and
//!   the next one begins only once it has ended (its cleanup has run).
//! - The first attempt that succeeds gives the value. If none does, return
//!   the last attempt's error: `SchedError::TimedOut` if it ran out of
//!   time, or its failure.
//! - If the task calling it is cancelled, the running attempt is cancelled
//!   too, no more attempts are made, and it returns
//!   `SchedError::Cancelled` once that attempt has ended. If `start` cannot
//!   spawn, return its error.
//! - 0 attempts would never try: panic with exactly
//!   `retry_with_limit: 0 attempts would never try; allow at least 1`.
//!
//! `cargo run -- check 7.4` checks your work. Stuck? `cargo run -- hint 7.4`

#![allow(unused_imports, unused_variables, unused_mut)]

use std::time::Duration;

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError};
use yieldpoint::ch07_combinators::wait_for;

/// Makes up to `attempts` attempts, attempt `n` being the task `start(n)`
/// spawns, each given `limit` to end; returns the first value.
///
/// # Errors
///
/// The last attempt's error if none succeeds; [`SchedError::Cancelled`] if
/// the caller is cancelled; what `start` returns if it cannot spawn.
///
/// # Panics
///
/// If `attempts` is 0.
pub fn retry_with_limit<T: Clone + 'static>(
    attempts: u32,
    limit: Duration,
    mut start: impl FnMut(u32) -> Result<JoinHandle<T>, SchedError>,
) -> Result<T, SchedError> {
    todo!("for each attempt: spawn it, wait for it with a limit, and decide")
}
