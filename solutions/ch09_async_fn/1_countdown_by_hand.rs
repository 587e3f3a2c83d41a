//! Exercise 9.1's reference solution: `countdown` as the state machine the
//! compiler makes of it (the task is in
//! `exercises/ch09_async_fn/1_countdown_by_hand.rs`).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use yieldpoint::ch09_async_fn::Sleep;

/// `countdown(from)` by hand: one variant per place it can be between polls,
/// each holding exactly the locals alive there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountdownFuture {
    /// Not polled yet: only the argument exists.
    Start {
        /// The argument.
        from: u32,
    },
    /// Paused at `Sleep(1).await` in the round of `i`. The range has handed
    /// out `from` down to `i`, so `i` alone says what is left of it.
    Sleeping {
        /// The loop variable.
        i: u32,
        /// The sum of the rounds before this one.
        total: u32,
        /// The `Sleep` being awaited.
        sleep: Sleep,
    },
    /// Returned.
    Done,
}

/// What calling `countdown(from)` does: make the state machine, run nothing.
pub fn countdown_by_hand(from: u32) -> CountdownFuture {
    CountdownFuture::Start { from }
}

impl Future for CountdownFuture {
    type Output = u32;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        // Every variant is plain data: CountdownFuture is Unpin.
        let this = self.get_mut();
        loop {
            match this {
                // An empty range: the loop never runs, total stays 0.
                CountdownFuture::Start { from: 0 } => {
                    *this = CountdownFuture::Done;
                    return Poll::Ready(0);
                }
                // Into the first round, up to its .await.
                CountdownFuture::Start { from } => {
                    *this = CountdownFuture::Sleeping {
                        i: *from,
                        total: 0,
                        sleep: Sleep(1),
                    };
                }
                CountdownFuture::Sleeping { i, total, sleep } => {
                    if Pin::new(sleep).poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    // After the .await: the rest of the round, then the
                    // loop's test, then either the next .await or the end.
                    let total = *total + *i;
                    if *i == 1 {
                        *this = CountdownFuture::Done;
                        return Poll::Ready(total);
                    }
                    *this = CountdownFuture::Sleeping {
                        i: *i - 1,
                        total,
                        sleep: Sleep(1),
                    };
                }
                CountdownFuture::Done => panic!("`async fn` resumed after completion"),
            }
        }
    }
}
