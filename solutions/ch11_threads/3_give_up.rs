//! Exercise 11.3's reference solution: the job waited for by a task of its
//! own, and that task waited for with `wait_for`.

use std::time::Duration;

use yieldpoint::ch06_scheduler::{SchedError, spawn};
use yieldpoint::ch07_combinators::wait_for;
use yieldpoint::ch11_threads::to_thread;

/// `work`'s value, if it comes within `limit`. On a timeout, `wait_for`
/// cancels the waiting task; `to_thread` returns `Cancelled` to it, and the
/// job, which no one can stop once begun, runs on and drops its value when
/// it ends (a job still queued is skipped instead).
pub fn to_thread_within<T: Clone + Send + 'static>(
    limit: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, SchedError> {
    let waiting = spawn("to_thread_within", move || to_thread(work))?;
    wait_for(&waiting, limit)
}
