//! Exercise 9.4, solved: `timeout(limit, future)` for an async task on
//! chapter 6's scheduler.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use yieldpoint::ch06_scheduler::{self as ch06, CallbackHandle, SchedError};

/// Runs `future` for at most `limit` on the running scheduler's clock.
pub fn timeout<F: Future>(limit: Duration, future: F) -> Timeout<F> {
    Timeout {
        limit,
        future: Some(Box::pin(future)),
        timer: None,
        expired: Rc::new(RefCell::new((false, None))),
    }
}

/// The future [`timeout`] returns.
pub struct Timeout<F: Future> {
    limit: Duration,
    /// The future, until it is ready or the time is up (then dropped).
    future: Option<Pin<Box<F>>>,
    /// The timer's callback, once the first poll set it.
    timer: Option<CallbackHandle>,
    /// Whether the time is up, and the waker the timer's callback wakes.
    expired: Rc<RefCell<(bool, Option<Waker>)>>,
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, SchedError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.timer.is_none() {
            let expired = Rc::clone(&self.expired);
            let timer = ch06::call_later(self.limit, move || {
                let mut expired = expired.borrow_mut();
                expired.0 = true;
                if let Some(waker) = expired.1.take() {
                    waker.wake();
                }
            });
            match timer {
                Ok(timer) => self.timer = Some(timer),
                Err(error) => return Poll::Ready(Err(error)),
            }
        }
        let Some(future) = self.future.as_mut() else {
            return Poll::Ready(Err(SchedError::TimedOut));
        };
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            self.future = None;
            if let Some(timer) = self.timer.take() {
                timer.cancel();
            }
            return Poll::Ready(Ok(output));
        }
        let mut expired = self.expired.borrow_mut();
        if expired.0 {
            drop(expired);
            // The time is up: the future is dropped where it waits.
            self.future = None;
            return Poll::Ready(Err(SchedError::TimedOut));
        }
        expired.1 = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<F: Future> Drop for Timeout<F> {
    fn drop(&mut self) {
        if let Some(timer) = self.timer.take() {
            timer.cancel();
        }
    }
}
