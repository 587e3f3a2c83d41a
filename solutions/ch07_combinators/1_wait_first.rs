//! Exercise 7.1's reference solution: asyncio's `wait(...,
//! return_when=FIRST_COMPLETED)` (the task is in
//! `exercises/ch07_combinators/1_wait_first.rs`).

use std::cell::Cell;
use std::rc::Rc;

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError, park, waker};

/// Waits until one of `tasks` has ended, and returns its index in `tasks`
/// with its outcome. The other tasks are left as they are, running.
///
/// # Errors
///
/// [`SchedError::Cancelled`] if the caller is cancelled while it waits (the
/// tasks are not cancelled); the errors of [`waker`] outside a task.
///
/// # Panics
///
/// If `tasks` is empty.
pub fn wait_first<T: Clone + 'static>(
    tasks: &[JoinHandle<T>],
) -> Result<(usize, Result<T, SchedError>), SchedError> {
    assert!(
        !tasks.is_empty(),
        "wait_first: no tasks to wait for; give it at least one"
    );
    let first: Rc<Cell<Option<usize>>> = Rc::default();
    let woken = waker()?;
    for (index, task) in tasks.iter().enumerate() {
        let first = Rc::clone(&first);
        let woken = woken.clone();
        // Done callbacks run through the ready queue in the order the tasks
        // end (those that have ended already: now, in argument order). The
        // first to run wins; later ones find the answer taken.
        task.add_done_callback(move |_| {
            if first.get().is_none() {
                first.set(Some(index));
                woken.wake();
            }
        });
    }
    // Only the winning callback wakes us, so one park is enough; a
    // cancellation comes back as an error and leaves the tasks alone.
    park(None)?;
    let index = first.get().expect("the first task's callback woke us");
    Ok((index, tasks[index].join()))
}
