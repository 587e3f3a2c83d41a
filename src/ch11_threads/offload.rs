//! Handing work to the pool, and waiting for it without blocking the
//! scheduler: [`to_thread`] in a stackful task, [`ToThread`]'s `poll` in an
//! async one. (This file is the one chapter 11's last exercise has you
//! write again.)
//!
//! ```text
//!   task: to_thread(work) ── a waker for itself, and a promise of a wake (ExpectedWake)
//!         ── submit the job ── park ......................................... take the result
//!   pool thread:                 run work (a panic caught) ── store the outcome ──┤
//!                                ── take the waker, wake it ── keep the promise ──┘
//!   scheduler: the wake comes through its inbox ── the task's step to the back of the ready queue
//! ```

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use crate::ch06_scheduler::{self as ch06, ExpectedWake, SchedError};

use super::pool::{self, Handoff, Job, ToThread, lock, received};

// ANCHOR: job
/// Wraps `work` into a job for the pool: run it (a panic is caught, not
/// let loose on the pool's thread), store its outcome where the task will
/// look, wake the task, and only then keep the promise of a wake, so that
/// the scheduler never sees the promise gone and the wake not yet there.
///
/// A job whose task stopped waiting before a thread took it (the task
/// was cancelled while the job was queued) finds the waker taken back,
/// and skips its work: asyncio's executor skips a cancelled future's work
/// the same way. Once the work has begun, nothing stops it.
fn job<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
    handoff: Arc<Mutex<Handoff<T>>>,
    promise: ExpectedWake,
) -> Job {
    Box::new(move || {
        if lock(&handoff).waker.is_none() {
            // Nobody waits: the work is dropped unrun, here, and then the
            // promise, which the scheduler has stopped counting on.
            drop(work);
            drop(promise);
            return;
        }
        let outcome = panic::catch_unwind(AssertUnwindSafe(work));
        let waker = {
            let mut handoff = lock(&handoff);
            handoff.result = Some(outcome);
            handoff.waker.take()
        };
        // After the lock is let go: a waker may do anything.
        if let Some(waker) = waker {
            waker.wake();
        }
        drop(promise);
        // If the task stopped waiting, the last reference to the handoff
        // goes here, and the result with it, on this thread.
    })
}
// ANCHOR_END: job

// ANCHOR: to_thread
/// Runs `work` on a thread of the pool and waits for its result, in a
/// stackful task: asyncio's `to_thread`, tokio's `spawn_blocking`. While the
/// work runs, the task is parked and every other task runs; the scheduler
/// counts the job as pending work, so it waits for it rather than calling a
/// deadlock, and the virtual clock does not move past it.
///
/// # Errors
///
/// - [`SchedError::JobPanicked`] if `work` panics, with its message.
/// - [`SchedError::Cancelled`] if the task is cancelled while it waits. A
///   job still in the pool's queue then never runs (its work is dropped
///   unrun, on a pool thread, when its turn comes). A job that has begun
///   goes on, on its thread (a thread cannot be stopped from outside), and
///   its result is dropped when it ends; either way the job wakes nobody.
/// - [`SchedError::NotInTask`] outside a task, [`SchedError::InCallback`]
///   in a callback, [`SchedError::InAsyncTask`] in an async task (which
///   awaits [`to_thread_async`](super::to_thread_async) instead),
///   [`SchedError::Unwinding`] in a destructor during a panic: checked
///   before the work is handed over, so it never runs.
/// - [`SchedError::Io`] if the pool has no thread and the OS refuses one.
#[track_caller]
pub fn to_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, SchedError> {
    if std::thread::panicking() {
        return Err(SchedError::Unwinding {
            operation: "to_thread",
        });
    }
    ch06::check_stackful_task("to_thread")?;
    let handoff = Handoff::new(ch06::task_waker()?);
    // Whichever way this function is left, the job must not wake the task
    // afterwards: its next park would end for nothing.
    let _taken_back = TakeBack(&handoff);
    pool::submit(job(work, Arc::clone(&handoff), ch06::expect_wake()?))?;
    // Park first, even if the job may be done already: its wake is on its
    // way whatever happens, and a wake that came after we had gone would
    // end the next wait of this task, whatever that is, for nothing.
    loop {
        ch06::park(None)?;
        if let Some(outcome) = lock(&handoff).result.take() {
            return received(outcome);
        }
    }
}

/// Takes the waker out of a handoff when dropped: the task no longer waits.
struct TakeBack<'a, T>(&'a Arc<Mutex<Handoff<T>>>);

impl<T> Drop for TakeBack<'_, T> {
    fn drop(&mut self) {
        lock(self.0).waker = None;
    }
}
// ANCHOR_END: to_thread

// ANCHOR: poll
impl<T: Send + 'static> Future for ToThread<T> {
    type Output = Result<T, SchedError>;

    /// The first poll hands the work to the pool, with this poll's waker;
    /// the next ones take the result if it is there, or keep the newest
    /// waker.
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(work) = self.work.take() {
            let handed = ch06::check_in_task("to_thread_async")
                .and_then(|()| ch06::expect_wake())
                .and_then(|promise| {
                    let handoff = Handoff::new(cx.waker().clone());
                    pool::submit(job(work, Arc::clone(&handoff), promise))?;
                    Ok(handoff)
                });
            return match handed {
                Ok(handoff) => {
                    self.handoff = Some(handoff);
                    Poll::Pending
                }
                Err(error) => Poll::Ready(Err(error)),
            };
        }
        let Some(handoff) = self.handoff.take() else {
            // Polled again after it was ready: nothing is left to give.
            return Poll::Pending;
        };
        let mut shared = lock(&handoff);
        if let Some(outcome) = shared.result.take() {
            drop(shared);
            return Poll::Ready(received(outcome));
        }
        if !shared
            .waker
            .as_ref()
            .is_some_and(|waker| waker.will_wake(cx.waker()))
        {
            shared.waker = Some(cx.waker().clone());
        }
        drop(shared);
        self.handoff = Some(handoff);
        Poll::Pending
    }
}
// ANCHOR_END: poll
