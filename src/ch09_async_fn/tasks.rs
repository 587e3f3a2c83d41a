//! The futures an async task of chapter 6's scheduler awaits: [`sleep`] and
//! [`yield_now`], beside `JoinHandle` (a future through `IntoFuture`, in
//! chapter 6's `async_task.rs`) and [`spawn_async`](crate::ch06_scheduler::spawn_async).
//!
//! They are built from the scheduler's public API, as asyncio builds its
//! own: `sleep` is a timer callback that calls the task's waker (asyncio's
//! `call_later(delay, future.set_result)`), and `yield_now` wakes its own
//! task before it returns `Pending` (asyncio's bare `yield`).
//!
//! ```text
//!   sleep(d).await   first poll: call_at(now + d, wake the waker) ─▶ Pending
//!                    the timer fires: its callback runs in a pass, wakes the task,
//!                    whose poll comes in the next pass ─▶ Ready(Ok(()))
//!                    dropped before that: the callback is cancelled, its timer stale
//!
//!   yield_now().await  wake the own waker, Pending: to the back of the ready queue
//! ```

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use crate::ch06_scheduler::{self as ch06, CallbackHandle, SchedError};

// ANCHOR: sleep
/// Sleeps for `duration` on the running scheduler's clock: the async twin of
/// [`ch06_scheduler::sleep`](crate::ch06_scheduler::sleep), awaited as
/// `sleep(d).await?`. `sleep(Duration::ZERO)` is [`yield_now`], as
/// `asyncio.sleep(0)` is. Dropping it before it is over (a cancelled task, a
/// lost race) cancels its timer.
pub fn sleep(duration: Duration) -> Delay {
    Delay {
        duration,
        state: DelayState::NotStarted,
        waker: Rc::default(),
    }
}

/// The future [`sleep`] returns.
pub struct Delay {
    /// How long to sleep.
    duration: Duration,
    /// Where the sleep is.
    state: DelayState,
    /// The waker of the latest poll, which the timer's callback calls.
    waker: Rc<RefCell<Option<Waker>>>,
}

/// Where a [`Delay`] is.
enum DelayState {
    /// Not polled yet.
    NotStarted,
    /// A zero sleep that has given up its turn.
    Yielded,
    /// Waiting for its timer: the deadline, and the timer's callback
    /// (cancelled if the sleep is dropped early).
    Waiting(Duration, CallbackHandle),
}

impl Future for Delay {
    type Output = Result<(), SchedError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let now = match ch06::now() {
            Ok(now) => now,
            Err(error) => return Poll::Ready(Err(error)),
        };
        match &self.state {
            DelayState::Yielded => Poll::Ready(Ok(())),
            DelayState::Waiting(deadline, _) if now >= *deadline => Poll::Ready(Ok(())),
            DelayState::Waiting(..) => {
                // Polled before the timer fired: wait on, with this waker.
                *self.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
            DelayState::NotStarted if self.duration.is_zero() => {
                // asyncio.sleep(0): one turn at the back of the ready queue.
                self.state = DelayState::Yielded;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            DelayState::NotStarted => {
                let deadline = now.saturating_add(self.duration);
                *self.waker.borrow_mut() = Some(cx.waker().clone());
                let waker = Rc::clone(&self.waker);
                let timer = ch06::call_at(deadline, move || {
                    if let Some(waker) = waker.borrow_mut().take() {
                        waker.wake();
                    }
                });
                match timer {
                    Ok(timer) => {
                        self.state = DelayState::Waiting(deadline, timer);
                        Poll::Pending
                    }
                    Err(error) => Poll::Ready(Err(error)),
                }
            }
        }
    }
}

impl Drop for Delay {
    fn drop(&mut self) {
        if let DelayState::Waiting(_, timer) = &self.state {
            timer.cancel();
        }
    }
}
// ANCHOR_END: sleep

impl std::fmt::Debug for Delay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let deadline = match &self.state {
            DelayState::Waiting(deadline, _) => Some(*deadline),
            _ => None,
        };
        f.debug_struct("Delay")
            .field("duration", &self.duration)
            .field("deadline", &deadline)
            .finish_non_exhaustive()
    }
}

// ANCHOR: yield_now
/// Gives every task that is ready a turn before this one goes on: the async
/// twin of [`ch06_scheduler::yield_now`](crate::ch06_scheduler::yield_now),
/// awaited as `yield_now().await?`. It wakes its own task, then returns
/// `Pending`: the scheduler puts the task at the back of the ready queue.
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future [`yield_now`] returns.
#[derive(Debug)]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = Result<(), SchedError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.yielded {
            return Poll::Ready(Ok(()));
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
// ANCHOR_END: yield_now
