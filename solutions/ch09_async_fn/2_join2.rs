//! Exercise 9.2's reference solution: two futures awaited at once (the
//! task is in `exercises/ch09_async_fn/2_join2.rs`).

use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll};

/// One side of a [`Join2`]: still running, done with its output kept, or
/// its output handed out.
enum Side<F: Future> {
    Running(Pin<Box<F>>),
    Ready(F::Output),
    Taken,
}

impl<F: Future> Side<F> {
    /// Polls the future if it is still running; whether its output is in.
    fn poll(&mut self, cx: &mut Context<'_>) -> bool {
        match self {
            Side::Running(future) => {
                if let Poll::Ready(output) = future.as_mut().poll(cx) {
                    *self = Side::Ready(output);
                    true
                } else {
                    false
                }
            }
            // Never polled again: its future may panic if it were.
            Side::Ready(_) => true,
            Side::Taken => panic!("join2 polled after it returned Ready"),
        }
    }

    /// The output, which must be in.
    fn take(&mut self) -> F::Output {
        match mem::replace(self, Side::Taken) {
            Side::Ready(output) => output,
            _ => unreachable!("taken only once both are ready"),
        }
    }
}

/// Two futures polled together, ready with both outputs once both are.
pub struct Join2<A: Future, B: Future> {
    a: Side<A>,
    b: Side<B>,
}

// Nothing is ever pinned in place inside a Join2: each future is pinned in
// its own box, and the outputs are only moved. So a Join2 may move even
// once polled, which lets `poll` reach its fields through `get_mut`.
impl<A: Future, B: Future> Unpin for Join2<A, B> {}

/// Awaits `a` and `b` at once: each poll polls whichever is still running.
pub fn join2<A: Future, B: Future>(a: A, b: B) -> Join2<A, B> {
    Join2 {
        a: Side::Running(Box::pin(a)),
        b: Side::Running(Box::pin(b)),
    }
}

impl<A: Future, B: Future> Future for Join2<A, B> {
    type Output = (A::Output, B::Output);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        // Both, every time: b must not wait for a. Each keeps `cx`'s waker,
        // so whichever is woken wakes the Join2.
        let a_ready = this.a.poll(cx);
        let b_ready = this.b.poll(cx);
        if a_ready && b_ready {
            Poll::Ready((this.a.take(), this.b.take()))
        } else {
            Poll::Pending
        }
    }
}
