//! Exercise 11.4's reference solution: one task per job, gathered.

use yieldpoint::ch06_scheduler::{SchedError, spawn};
use yieldpoint::ch07_combinators::gather;
use yieldpoint::ch11_threads::to_thread;

/// A job for the pool.
pub type Job<T> = Box<dyn FnOnce() -> T + Send>;

/// Every job's value, in order, the jobs run at once: each task hands its
/// job over in its first step, so every job is on the pool before any
/// task waits, and `gather` gives the values in argument order.
pub fn all_at_once<T: Clone + Send + 'static>(jobs: Vec<Job<T>>) -> Result<Vec<T>, SchedError> {
    let mut tasks = Vec::new();
    for job in jobs {
        tasks.push(spawn("job", move || to_thread(job))?);
    }
    gather(&tasks)
}
