//! Exercise 9.4: `timeout(limit, future)`, for an async task on chapter 6's
//! scheduler.
//!
//! Chapter 7's `wait_for` waits for a *task* with a time limit, and cancels
//! it when the time is up. Write the async way, tokio's `timeout`: a future
//! that polls the future it wraps, and gives up on it after `limit`:
//!
//! - `Ok(output)` if the future is ready first (even if it is ready at the
//!   very first poll, with a zero limit);
//! - `Err(SchedError::TimedOut)` once `limit` has passed on the scheduler's
//!   clock, and then the future is dropped, where it waits (that is how an
//!   async task is cancelled);
//! - nothing left behind: the timer it set is cancelled when it ends, either
//!   way, and when it is dropped early.
//!
//! The timer: chapter 6's `call_later(limit, callback)`, whose callback runs
//! on the scheduler and may call a waker. Chapter 9's `sleep` (in
//! `src/ch09_async_fn/tasks.rs`) is built the same way.
//!
//! `cargo run -- check 9.4` checks your work. Stuck? `cargo run -- hint 9.4`

#![allow(unused_imports, unused_variables, unused_mut, dead_code)]

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
        todo!("set the timer at the first poll; poll the future; give up once the time is up")
    }
}

impl<F: Future> Drop for Timeout<F> {
    fn drop(&mut self) {
        // Leave no timer behind.
    }
}
