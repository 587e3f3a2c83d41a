//! Exercise 7.3's reference solution: asyncio's `shield` (the task is in
//! `exercises/ch07_combinators/3_shield.rs`).

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError, park, waker};

/// Waits for `task` and returns its outcome, as `task.join()` does, except
/// that cancelling the caller does not cancel `task`: the caller stops
/// waiting at once, and `task` runs on.
///
/// # Errors
///
/// What `task.join()` gives; [`SchedError::Cancelled`] if the caller is
/// cancelled while it waits; [`SchedError::JoinSelf`] (and the other
/// misuses `join` refuses) before anything waits.
pub fn shield<T: Clone + 'static>(task: &JoinHandle<T>) -> Result<T, SchedError> {
    if !task.done() {
        task.task().check_awaitable("shield")?;
        // Not `join`: a task cancelled while it joins passes the
        // cancellation on to the task it joins. A done callback and a park
        // wait for the task without the scheduler knowing for what.
        let woken = waker()?;
        task.add_done_callback(move |_| {
            woken.wake();
        });
        park(None)?;
    }
    task.join()
}
