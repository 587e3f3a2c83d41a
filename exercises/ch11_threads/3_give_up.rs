//! Exercise 11.3: give up on a job that takes too long.
//!
//! A thread cannot be stopped from outside, but the task waiting for it
//! can stop waiting. Write `to_thread_within(limit, work)`:
//!
//! - it runs `work` on a thread of the pool and returns its value, if the
//!   value comes within `limit`;
//! - otherwise it returns `Err(SchedError::TimedOut)` once `limit` has
//!   passed. The job is then the pool's: if a thread has begun it, it
//!   runs on to its end and its value is dropped on its thread; if it
//!   was still queued, it never runs.
//!
//! Chapter 7 has the piece that gives up; it waits for a task, not for a
//! job. `cargo run -- check 11.3` checks your work. Stuck?
//! `cargo run -- hint 11.3`

#![allow(unused_imports, unused_variables, dead_code)]

use std::time::Duration;

use yieldpoint::ch06_scheduler::{SchedError, spawn};
use yieldpoint::ch07_combinators::wait_for;
use yieldpoint::ch11_threads::to_thread;

/// `work`'s value, if it comes within `limit`.
pub fn to_thread_within<T: Clone + Send + 'static>(
    limit: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, SchedError> {
    todo!("a task that waits for the job, and a wait for that task with a limit")
}
