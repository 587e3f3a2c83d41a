//! Exercise 11.4: several jobs at once, one thread each.
//!
//! `to_thread` waits for one job. Write `all_at_once(jobs)`, which hands
//! every job to the pool at once and returns their values in the order of
//! the jobs:
//!
//! - every job runs at the same time as the others (the tests give jobs
//!   that only finish once all of them have started: one after the other,
//!   they never would);
//! - the values come back in the order of `jobs`, whichever ends first;
//! - an empty list gives an empty list.
//!
//! On a machine with `n` cores, `n` CPU-bound jobs so take the time of one:
//! threads in Rust run in parallel, where Python's take turns holding the
//! GIL. `cargo run -- check 11.4` checks your work. Stuck?
//! `cargo run -- hint 11.4`

#![allow(unused_imports, unused_variables, dead_code)]

use yieldpoint::ch06_scheduler::{SchedError, spawn};
use yieldpoint::ch07_combinators::gather;
use yieldpoint::ch11_threads::to_thread;

/// A job for the pool.
pub type Job<T> = Box<dyn FnOnce() -> T + Send>;

/// Every job's value, in order, the jobs run at once.
pub fn all_at_once<T: Clone + Send + 'static>(jobs: Vec<Job<T>>) -> Result<Vec<T>, SchedError> {
    todo!("a task per job, each waiting for its job, and one wait for them all")
}
