//! Exercise 8.2's reference solution: a future written by hand that pauses
//! `n` times (the task is in `exercises/ch08_cost_of_a_switch/2_pause.rs`).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A future that returns `Pending` `times` times, asking each time to be
/// polled again, then `Ready(times)`: Python's `Sleep(n)` of step 9, which
/// yields `n` times.
#[derive(Debug)]
#[must_use = "a future does nothing until it is awaited or polled"]
pub struct Pause {
    /// How many pauses it makes in all.
    times: u32,
    /// How many it has made so far.
    made: u32,
}

impl Pause {
    /// A future that pauses `times` times.
    pub fn new(times: u32) -> Self {
        Pause { times, made: 0 }
    }
}

impl Future for Pause {
    type Output = u32;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        if self.made == self.times {
            return Poll::Ready(self.times);
        }
        self.made += 1;
        // Nothing outside will wake us: ask for the next poll ourselves,
        // through the waker of *this* poll (an executor may hand a new one
        // each time).
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
