//! Exercise 7.1: wait for the first of several tasks to end.
//!
//! asyncio's `wait(tasks, return_when=FIRST_COMPLETED)` returns as soon as
//! any one of the tasks has ended, and leaves the others running. Write
//! `wait_first(tasks)`, which does the same for chapter 6's tasks:
//!
//! - It returns the index in `tasks` of the first task to end, with that
//!   task's outcome: its value, or the error `join` gives for it. A task
//!   that fails first is the answer, not an error of `wait_first`.
//! - "First" is the order in which the tasks end, which is the order their
//!   done callbacks run, not their order in `tasks`. Like asyncio's `wait`,
//!   it learns of the end of a task through a done callback, even for tasks
//!   that have ended before the call: those win in argument order, a pass
//!   later.
//! - The other tasks are not cancelled, not even when the task calling
//!   `wait_first` is cancelled: it then returns `SchedError::Cancelled`.
//! - An empty slice is refused, before anything else, with a panic whose
//!   message is exactly `wait_first: no tasks to wait for; give it at least one`.
//!
//! `cargo run -- check 7.1` checks your work. Stuck? `cargo run -- hint 7.1`

#![allow(unused_imports, unused_variables)]

use std::cell::Cell;
use std::rc::Rc;

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError, park, waker};

/// Waits until one of `tasks` has ended, and returns its index in `tasks`
/// with its outcome. The other tasks are left running.
///
/// # Errors
///
/// [`SchedError::Cancelled`] if the caller is cancelled while it waits.
///
/// # Panics
///
/// If `tasks` is empty.
pub fn wait_first<T: Clone + 'static>(
    tasks: &[JoinHandle<T>],
) -> Result<(usize, Result<T, SchedError>), SchedError> {
    todo!("a done callback on each task; the first to run wakes you")
}
