//! Exercise 7.3: `shield`, waiting for a task without taking it down.
//!
//! In chapter 7, cancelling a task that waits in `join` cancels the task it
//! joins too, as asyncio's `await task` does. Usually that is what you
//! want; not always. A request handler that is saving to disk should stop
//! waiting when the client hangs up, but the save must finish. asyncio's
//! `shield` is for that. Write `shield(&task)`:
//!
//! - It waits for `task` and returns what `task.join()` would: its value,
//!   its failure, or that it was cancelled (by someone else).
//! - If the caller is cancelled while it waits, it returns
//!   `SchedError::Cancelled` at once, and `task` is not cancelled: it runs
//!   on to its end.
//! - A task that has ended already gives its outcome without suspending.
//! - Waiting for the caller's own task is refused with the error `join`
//!   gives for that (`SchedError::JoinSelf`), instead of waiting forever.
//!
//! `cargo run -- check 7.3` checks your work. Stuck? `cargo run -- hint 7.3`

#![allow(unused_imports, unused_variables)]

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError, park, waker};

/// Waits for `task` and returns its outcome; cancelling the caller does not
/// cancel `task`.
///
/// # Errors
///
/// What `task.join()` gives; [`SchedError::Cancelled`] if the caller is
/// cancelled while it waits; [`SchedError::JoinSelf`] for the caller's own
/// task.
pub fn shield<T: Clone + 'static>(task: &JoinHandle<T>) -> Result<T, SchedError> {
    todo!("wait for the task's end without joining it")
}
