//! Exercise 7.5: rebuild `gather` and `wait_for`.
//!
//! This file takes the place of `src/ch07_combinators/waiting.rs` when the
//! feature `exercise-ch07` is on, so the whole of chapter 7's test suite
//! judges what you write here. The rest of the chapter's module is given:
//! read `gather_results` and `as_completed` first, and the pieces they are
//! built from: `Outcome` (a group's outcome, settled by done callbacks,
//! with the wait that parks until it is), `check_all`, and
//! `cancel_and_wait`.
//!
//! `cargo run -- check 7.5` runs the chapter's tests against this file, as
//! `cargo test --features exercise-ch07 --test ch07_combinators -- --skip exercises::`
//! does. Stuck? `cargo run -- hint 7.5`

#![allow(unused_imports, unused_variables)]

use std::rc::Rc;
use std::time::Duration;

use super::{Group, Outcome, cancel_and_wait, check_all};
use crate::ch04_future_task::Status;
use crate::ch06_scheduler::{JoinHandle, Resume, SchedError, now, park, waker};

/// Waits for every task of `group` and returns their values in argument
/// order: asyncio's `gather`.
///
/// - The first task to fail or to be cancelled, in time, makes it return
///   that failure at once; the others keep running.
/// - If the task calling it is cancelled, the gathered tasks are cancelled
///   instead, and it returns [`SchedError::Cancelled`] once one of them
///   ends cancelled.
/// - It always waits for the tasks' done callbacks, even when every task
///   has ended already; only an empty group returns at once.
///
/// # Errors
///
/// The first failure ([`SchedError::TaskFailed`] or
/// [`SchedError::TaskCancelled`]); [`SchedError::Cancelled`]; the misuses
/// `check_all` refuses, before anything starts.
pub fn gather<G: Group + ?Sized>(group: &G) -> Result<G::Values, SchedError> {
    todo!("gather_results, that settles at the first failure")
}

/// Waits for `task`, but for at most `timeout`: asyncio's `wait_for`.
///
/// - In time: the task's outcome, as `join` gives it.
/// - Out of time: the task is cancelled, and [`SchedError::TimedOut`] comes
///   back once it has ended (unless its cleanup failed, or it swallowed the
///   cancellation: then what it ended with).
/// - The caller cancelled: the task is cancelled too, and
///   [`SchedError::Cancelled`] comes back once it has ended.
/// - A zero timeout does not wait: an ended task's outcome at once; any
///   other task is cancelled as above.
///
/// # Errors
///
/// As above, and the misuses `join` refuses.
pub fn wait_for<T: Clone + 'static>(
    task: &JoinHandle<T>,
    timeout: Duration,
) -> Result<T, SchedError> {
    todo!("park until the task's done callback or the deadline, whichever comes first")
}
