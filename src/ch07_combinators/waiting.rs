//! `gather` and `wait_for`: the two combinators chapter 7's last exercise
//! has you write again. They are built from what the chapter module
//! provides: [`Outcome`] (a group's outcome, settled by done callbacks),
//! [`check_all`], and [`cancel_and_wait`].

use std::rc::Rc;
use std::time::Duration;

use super::{Group, Outcome, cancel_and_wait, check_all};
use crate::ch04_future_task::Status;
use crate::ch06_scheduler::{JoinHandle, Resume, SchedError, now, park, waker};

// ANCHOR: gather
/// Waits for every task of `group` and returns their values in argument
/// order, not in the order they ended: asyncio's `gather`.
///
/// As asyncio's does, the first task to fail (or to be cancelled) makes
/// `gather` return that at once; the other tasks are not cancelled and keep
/// running. (Join them, or cancel them, if their outcome matters.) If the
/// task calling `gather` is cancelled, every task it gathers is cancelled
/// instead, and `gather` returns [`SchedError::Cancelled`] as soon as one of
/// them ends cancelled.
///
/// Like asyncio's, it always waits for the done callbacks, which run a pass
/// after a task ends, even for tasks that have all ended already; only an
/// empty group returns at once.
///
/// # Errors
///
/// The first failure, as [`JoinHandle::join`] gives it
/// ([`SchedError::TaskFailed`] or [`SchedError::TaskCancelled`]);
/// [`SchedError::Cancelled`] if the task calling `gather` is cancelled;
/// [`SchedError::JoinSelf`] or [`SchedError::ForeignTask`] before anything
/// starts, if the group holds the caller or a task of another scheduler.
#[track_caller]
pub fn gather<G: Group + ?Sized>(group: &G) -> Result<G::Values, SchedError> {
    let tasks = group.tasks();
    check_all(&tasks, "gather")?;
    if tasks.is_empty() {
        return group.values();
    }
    let outcome = Rc::new(Outcome::default());
    let count = tasks.len();
    for task in &tasks {
        let outcome = Rc::clone(&outcome);
        task.add_done_callback(move |ended| {
            outcome.ended.set(outcome.ended.get() + 1);
            if outcome.settled.borrow().is_some() {
                return; // gather has returned: a later failure stays unretrieved
            }
            match ended.status() {
                Status::Cancelled if outcome.cancel_requested.get() => {
                    outcome.settle(Err(SchedError::Cancelled));
                }
                Status::Cancelled => outcome.settle(Err(SchedError::TaskCancelled {
                    task: ended.name().to_string(),
                })),
                Status::Failed => {
                    let failure = ended.failure().expect("a failed task has its failure");
                    outcome.settle(Err(SchedError::TaskFailed(failure)));
                }
                _ if outcome.ended.get() == count => {
                    if outcome.cancel_requested.get() {
                        outcome.settle(Err(SchedError::Cancelled));
                    } else {
                        outcome.settle(Ok(()));
                    }
                }
                _ => {}
            }
        });
    }
    outcome.wait(tasks)?;
    group.values()
}
// ANCHOR_END: gather

// ANCHOR: wait_for
/// Waits for `task`, but for at most `timeout`: asyncio's `wait_for`.
///
/// If the time runs out first, `task` is cancelled, and `wait_for` waits
/// for its cleanup to finish before returning [`SchedError::TimedOut`]. If
/// the task calling `wait_for` is cancelled meanwhile, `task` is cancelled
/// too, in the same way, and `wait_for` returns [`SchedError::Cancelled`].
/// A zero timeout does not wait: a task that has ended gives its outcome,
/// any other is cancelled (and its cleanup waited for).
///
/// # Errors
///
/// [`SchedError::TimedOut`]; the task's own failure or cancellation, as
/// [`JoinHandle::join`] gives it (also a failure during the cleanup that
/// followed the timeout, which is news the caller should hear, as in
/// asyncio); [`SchedError::Cancelled`]; the misuses [`JoinHandle::join`]
/// refuses.
#[track_caller]
pub fn wait_for<T: Clone + 'static>(
    task: &JoinHandle<T>,
    timeout: Duration,
) -> Result<T, SchedError> {
    check_all(&[task.task()], "wait_for")?;
    if timeout.is_zero() {
        if task.done() {
            return task.join();
        }
        cancel_and_wait(task)?;
        return timed_out(task.join());
    }
    let deadline = now()?.saturating_add(timeout);
    loop {
        let woken = waker()?;
        task.add_done_callback(move |_| {
            woken.wake();
        });
        match park(Some(deadline)) {
            Ok(Resume::Ready | Resume::TimedOut | Resume::Cancelled) => {}
            Err(SchedError::Cancelled) => {
                // CPython 3.11 returns the task's value here if it has just
                // ended, dropping the cancellation (fixed in 3.12); we do not.
                cancel_and_wait(task)?;
                return Err(SchedError::Cancelled);
            }
            Err(misuse) => return Err(misuse),
        }
        if task.done() {
            return task.join();
        }
        // Whatever woke it, the time is up; or a wake from elsewhere (a
        // chapter 9 waker wakes any park) ended the park early: park again,
        // with a fresh waker, since a waker is good for one wait.
        if now()? >= deadline {
            break;
        }
    }
    cancel_and_wait(task)?;
    timed_out(task.join())
}

/// What a `wait_for` whose time ran out returns, once the task has ended:
/// `TimedOut` if it ended cancelled, as asked; otherwise what it ended with
/// (its cleanup failed, or it swallowed the cancellation and returned a
/// value).
fn timed_out<T>(ended: Result<T, SchedError>) -> Result<T, SchedError> {
    match ended {
        Err(SchedError::TaskCancelled { .. }) => Err(SchedError::TimedOut),
        other => other,
    }
}
// ANCHOR_END: wait_for
