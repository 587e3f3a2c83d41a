//! Exercise 7.2's reference solution: a `gather` that cancels the rest on
//! the first failure, the heart of Python 3.11's `TaskGroup` (the task is
//! in `exercises/ch07_combinators/2_gather_or_cancel.rs`).

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError};
use yieldpoint::ch07_combinators::{as_completed, gather_results};

/// Waits for every task and returns their values in argument order. On the
/// first failure (or cancellation) of a task, cancels every other task,
/// waits until each has ended, and only then returns that first failure.
///
/// # Errors
///
/// The first failure in time, as [`JoinHandle::join`] gives it;
/// [`SchedError::Cancelled`] if the caller is cancelled (every task is
/// cancelled too, and has ended by the time it returns).
pub fn gather_or_cancel<T: Clone + 'static>(tasks: &[JoinHandle<T>]) -> Result<Vec<T>, SchedError> {
    // `as_completed` hands out the outcomes in the order the tasks end, and
    // an `Err` item when the caller itself is cancelled.
    let first_error = as_completed(tasks.to_vec()).find_map(|item| match item {
        Ok((_, Ok(_))) => None,
        Ok((_, Err(failure))) => Some(failure),
        Err(cancelled) => Some(cancelled),
    });
    let Some(error) = first_error else {
        // Every task is done: each join returns its value at once.
        return tasks.iter().map(JoinHandle::join).collect();
    };
    for task in tasks {
        task.cancel();
    }
    // Wait for every one to end, cleanup included; their outcomes (mostly
    // cancellations) matter less than the failure that started it all.
    gather_results(tasks)?;
    Err(error)
}
