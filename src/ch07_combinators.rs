//! # Chapter 7: gather, as_completed, wait_for, and cancellation
//!
//! Chapter 6's scheduler runs tasks; this chapter waits for *groups* of
//! them, puts a time limit on waiting, and stops tasks that are no longer
//! wanted. Everything here is built from three pieces chapter 6 provides:
//! a task's [`Future`](crate::ch04_future_task::Future) with its done
//! callbacks ([`JoinHandle::future`]), a [`Waker`] with [`park`] to sleep
//! until a callback calls it, and [`JoinHandle::cancel`].
//!
//! The core operations are:
//! - [`gather`] waits for every task and returns their values in argument
//!   order; the first failure comes back at once, while the others keep
//!   running. [`gather_results`] waits for all and returns each `Result`
//!   (asyncio's `return_exceptions=True`).
//! - [`as_completed`] hands the results out in the order the tasks finish.
//! - [`wait_for`] waits with a time limit; when it runs out, the task is
//!   cancelled and its cleanup has finished before `wait_for` returns.
//! - If the task that waits in [`gather`], [`gather_results`] or
//!   [`wait_for`] is itself cancelled, the tasks it waits for are cancelled
//!   too, and their cleanup finishes before the cancellation reaches the
//!   caller (as in asyncio).
//!
//! How a combinator waits for any one of several tasks:
//!
//! ```text
//!   gather(&[a, b, c])                    a finishes ──▶ done callback:
//!     watch: a done callback on each        push 0 on the finished queue,
//!     loop:                                 waker.wake() ──▶ gather is ready
//!       finished queue empty? ─▶ park() ◀────────────────────────┘
//!       pop the index of the task that finished first,
//!       look at its outcome; all done? return the values in argument order
//! ```
//!
//! Cancellation is chapter 6's: `handle.cancel()` makes the suspension point
//! the task waits at return [`SchedError::Cancelled`], once. The task cleans
//! up (it may sleep or join while it does), returns, and ends cancelled:
//!
//! ```text
//!   pending ──cancel()──▶ cancel requested ──next resume──▶ sleep()/join()/park()
//!      │  (never started:                                    returns Err(Cancelled)
//!      │   dropped at once,                                         │
//!      │   never runs)                                   cleanup: destructors, and
//!      │                                                  code that may sleep or join
//!      ▼                                                            ▼
//!   done / panicked                                  returns ──▶ ends cancelled
//!   (cancel() now returns false)                     (whatever it returned)
//! ```
//!
//! Where this is simpler than production code: each combinator waits on a
//! slice of [`JoinHandle`]s of one scheduler, and a task's *failure* is a
//! panic (or a cancellation). A task that returns `Err(..)` has finished
//! fine as far as these combinators know: its value happens to be an error.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Duration;

use crate::ch04_future_task::FutureError;
use crate::ch06_scheduler::{JoinHandle, SchedError, Waker, now, park, waker};

// ANCHOR: finished
/// Hears about tasks finishing: a done callback on each task's future pushes
/// the task's index onto a queue, in the order they finish, and wakes
/// whoever waits.
struct Finished {
    /// Indexes of tasks that have finished and not been taken yet, oldest first.
    queue: Rc<RefCell<VecDeque<usize>>>,
    /// The waker of the task waiting for the next one, if it is parked.
    waiting: Rc<RefCell<Option<Waker>>>,
}

impl Finished {
    /// Puts a done callback on each task. A task that has finished already
    /// is queued at once, in argument order.
    fn watch<T: 'static>(handles: &[JoinHandle<T>]) -> Self {
        let finished = Finished {
            queue: Rc::default(),
            waiting: Rc::default(),
        };
        for (index, handle) in handles.iter().enumerate() {
            let queue = Rc::clone(&finished.queue);
            let waiting = Rc::clone(&finished.waiting);
            handle.future().add_done_callback(move |_| {
                queue.borrow_mut().push_back(index);
                if let Some(waker) = waiting.borrow_mut().take() {
                    waker.wake();
                }
            });
        }
        finished
    }

    /// The index of the next task to finish: at once if one has, otherwise
    /// after parking until one does. `Ok(None)` if `deadline` comes first,
    /// at once if it has passed already (a zero timeout does not wait).
    fn next(&self, deadline: Option<Duration>) -> Result<Option<usize>, SchedError> {
        loop {
            if let Some(index) = self.queue.borrow_mut().pop_front() {
                return Ok(Some(index));
            }
            if let Some(deadline) = deadline
                && deadline <= now()?
            {
                return Ok(None);
            }
            // Whatever wakes us (a done callback, the deadline), look again.
            *self.waiting.borrow_mut() = Some(waker()?);
            park(deadline)?;
        }
    }

    /// Cancels every task of `handles` that has not finished, then waits
    /// until all of them have: when it returns, their cleanup has run.
    fn cancel_and_wait<T>(&self, handles: &[JoinHandle<T>]) -> Result<(), SchedError> {
        for handle in handles {
            handle.cancel();
        }
        while !handles.iter().all(JoinHandle::is_finished) {
            self.next(None)?;
        }
        Ok(())
    }
}
// ANCHOR_END: finished

// ANCHOR: gather
/// Waits for every task and returns their values in argument order, not in
/// the order they finished.
///
/// As asyncio's `gather` does, the first task to fail makes `gather` return
/// that failure at once; the other tasks are not cancelled and keep running.
/// (Join them, or cancel them, if their outcome matters.) If the task
/// calling `gather` is cancelled, every task it gathers is cancelled too,
/// and `gather` returns once their cleanup has finished.
///
/// Tasks that have all finished already give their values at once, without
/// suspending; so does an empty slice (an empty `Vec`).
///
/// # Errors
///
/// The first failure, as [`JoinHandle::join`] gives it
/// (`SchedError::Task(FutureError::Panicked(..))` or `...Cancelled`), and
/// [`SchedError::Cancelled`] if the task calling `gather` is cancelled.
pub fn gather<T: Clone + 'static>(handles: &[JoinHandle<T>]) -> Result<Vec<T>, SchedError> {
    let finished = Finished::watch(handles);
    for _ in 0..handles.len() {
        match finished.next(None) {
            // Finished: `join` returns at once, with the value or the failure.
            Ok(Some(index)) => {
                handles[index].join()?;
            }
            Ok(None) => unreachable!("no deadline, so a task finished"),
            Err(SchedError::Cancelled) => {
                // The caller was cancelled: take the gathered tasks with it.
                finished.cancel_and_wait(handles)?;
                return Err(SchedError::Cancelled);
            }
            // Called from the wrong place: nothing was started, nothing to undo.
            Err(misuse) => return Err(misuse),
        }
    }
    handles.iter().map(JoinHandle::join).collect()
}
// ANCHOR_END: gather

// ANCHOR: gather_results
/// Waits for every task and returns each one's outcome, in argument order:
/// asyncio's `gather(..., return_exceptions=True)`. One task's failure does
/// not hide the others' values.
///
/// # Errors
///
/// Only [`SchedError::Cancelled`], if the task calling it is cancelled; the
/// gathered tasks are then cancelled too, as in [`gather`].
pub fn gather_results<T: Clone + 'static>(
    handles: &[JoinHandle<T>],
) -> Result<Vec<Result<T, SchedError>>, SchedError> {
    let finished = Finished::watch(handles);
    for _ in 0..handles.len() {
        match finished.next(None) {
            Ok(_) => {}
            Err(SchedError::Cancelled) => {
                finished.cancel_and_wait(handles)?;
                return Err(SchedError::Cancelled);
            }
            Err(misuse) => return Err(misuse),
        }
    }
    Ok(handles.iter().map(JoinHandle::join).collect())
}
// ANCHOR_END: gather_results

// ANCHOR: as_completed
/// The results of a group of tasks in the order they finish: asyncio's
/// `as_completed`. Each item is the task's index in the group and its
/// value, or the task's failure.
///
/// Tasks that had finished before `as_completed` was called come first, in
/// argument order. Cancelling the task that iterates does not cancel the
/// group (asyncio's `as_completed` does not either): the next item is
/// [`SchedError::Cancelled`], and then the iterator ends.
pub struct AsCompleted<T> {
    /// The group, in argument order.
    handles: Vec<JoinHandle<T>>,
    /// The order they finish in.
    finished: Finished,
    /// How many results are still to be handed out.
    left: usize,
}

/// Hands out the tasks' results as they finish. See [`AsCompleted`].
pub fn as_completed<T: 'static>(handles: Vec<JoinHandle<T>>) -> AsCompleted<T> {
    let finished = Finished::watch(&handles);
    let left = handles.len();
    AsCompleted {
        handles,
        finished,
        left,
    }
}

impl<T: Clone + 'static> Iterator for AsCompleted<T> {
    type Item = Result<(usize, T), SchedError>;

    /// Waits for the next task to finish and returns its index and value
    /// (or its failure). `None` once every task has been handed out.
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        Some(match self.finished.next(None) {
            Ok(Some(index)) => self.handles[index].join().map(|value| (index, value)),
            Ok(None) => unreachable!("no deadline, so a task finished"),
            Err(error) => {
                // The caller was cancelled: nothing more will come.
                self.left = 0;
                Err(error)
            }
        })
    }
}
// ANCHOR_END: as_completed

impl<T> std::fmt::Debug for AsCompleted<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsCompleted")
            .field("tasks", &self.handles.len())
            .field("left", &self.left)
            .finish_non_exhaustive()
    }
}

// ANCHOR: wait_for
/// Waits for `task`, but for at most `timeout`: asyncio's `wait_for`.
///
/// If the time runs out first, `task` is cancelled, and `wait_for` waits
/// for its cleanup to finish before returning [`SchedError::TimedOut`]. If
/// the task calling `wait_for` is cancelled meanwhile, `task` is cancelled
/// too, in the same way, and `wait_for` returns [`SchedError::Cancelled`].
/// A task that has already finished gives its outcome at once.
///
/// # Errors
///
/// [`SchedError::TimedOut`]; the task's own failure, as
/// [`JoinHandle::join`] gives it (also a panic during its cleanup, which
/// is news the caller should hear, as in asyncio); [`SchedError::Cancelled`].
pub fn wait_for<T: Clone + 'static>(
    task: &JoinHandle<T>,
    timeout: Duration,
) -> Result<T, SchedError> {
    let deadline = now()?.saturating_add(timeout);
    let finished = Finished::watch(std::slice::from_ref(task));
    let why = match finished.next(Some(deadline)) {
        Ok(Some(_)) => return task.join(),
        Ok(None) => SchedError::TimedOut,
        Err(SchedError::Cancelled) => SchedError::Cancelled,
        Err(misuse) => return Err(misuse),
    };
    finished.cancel_and_wait(std::slice::from_ref(task))?;
    match task.join() {
        // It failed in its cleanup: that is the news, not the timeout.
        Err(panic @ SchedError::Task(FutureError::Panicked(_))) => Err(panic),
        // It ended cancelled, as asked (whatever it returned).
        _ => Err(why),
    }
}
// ANCHOR_END: wait_for
