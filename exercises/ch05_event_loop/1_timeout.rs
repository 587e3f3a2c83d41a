//! Exercise 5.1: a time limit on a wait.
//!
//! asyncio has `wait_for(aw, timeout)`; chapter 5's loop does not. Write
//! `timeout(limit, future)`, called from inside a task of chapter 5's loop:
//! it waits for `future` for at most `limit` on the loop's clock.
//!
//! - If the future settles with a value in time, return the value.
//! - If it settles without one (cancelled, failed), return
//!   `TimeoutError::Loop` with the error `await_future` would give.
//! - If the clock reaches the deadline (`now + limit`, taken when `timeout`
//!   is called) while the future is still pending, cancel the future and
//!   return `TimeoutError::Elapsed` with the limit.
//!
//! Look at the future first and at the clock second, every time the task is
//! resumed: a future that settles exactly at the deadline is in time. Wait
//! with `yield_now`, one round at a time (`await_future` would wait for as
//! long as the future takes).
//!
//! `cargo run -- check 5.1` checks your work. Stuck? `cargo run -- hint 5.1`

#![allow(unused_imports, unused_variables)]

use std::time::Duration;

use yieldpoint::ch04_future_task::Future;
use yieldpoint::ch05_event_loop::{LoopError, current_loop, yield_now};

/// Why [`timeout`] gave no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeoutError {
    /// The limit passed first; the future was cancelled.
    Elapsed {
        /// The limit that passed.
        after: Duration,
    },
    /// The wait itself went wrong, or the future settled without a value.
    Loop(LoopError),
}

impl From<LoopError> for TimeoutError {
    fn from(error: LoopError) -> Self {
        TimeoutError::Loop(error)
    }
}

/// Waits for `future` for at most `limit` on the loop's clock.
pub fn timeout<T: Clone>(limit: Duration, future: &Future<T>) -> Result<T, TimeoutError> {
    todo!("look at the future, then at the clock, and yield a round")
}
