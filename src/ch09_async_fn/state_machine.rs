//! What `.await` compiles to: step 9's [`b`](super::b) and [`a`](super::a) as
//! the state machines the compiler makes of them, written by hand.
//!
//! The compiler's own types have no name you can write, and they keep two
//! states these do not need: "panicked" (a poll panicked half-way; polling
//! again panics with "`async fn` resumed after panicking") and the places a
//! borrow across an `.await` makes the future point into itself (see
//! `pin.rs`). Neither `a` nor `b` borrows anything, so these enums are
//! `Unpin`, and their `poll` can reach them through a plain `&mut`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::Sleep;

// ANCHOR: b_future
/// `async fn b()` by hand: one variant per place `b` can be between polls.
///
/// ```text
/// async fn b() -> &'static str {
///     Sleep(10).await;          // Sleeping(Sleep): paused here
///     "Hello World"
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a future does nothing until it is awaited or polled"]
pub enum BFuture {
    /// Created, not polled yet: not one line of `b` has run. (Had `b`
    /// arguments, they would wait here.)
    Start,
    /// Paused at `Sleep(10).await`, holding the `Sleep` it awaits.
    Sleeping(Sleep),
    /// Returned its value: there is nothing left to run.
    Done,
}

impl Future for BFuture {
    type Output = &'static str;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<&'static str> {
        // Nothing in a BFuture points into itself: it is Unpin, so a plain
        // `&mut` to it is safe to have.
        let this = self.get_mut();
        loop {
            match this {
                // From b's first line to its first .await: make the Sleep.
                BFuture::Start => *this = BFuture::Sleeping(Sleep(10)),
                // The .await: poll what is awaited; while it is pending, so
                // is b, and the next poll comes straight back here.
                BFuture::Sleeping(sleep) => {
                    if Pin::new(sleep).poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    // From the .await to the end of b.
                    *this = BFuture::Done;
                    return Poll::Ready("Hello World");
                }
                BFuture::Done => panic!("`async fn` resumed after completion"),
            }
        }
    }
}
// ANCHOR_END: b_future

// ANCHOR: a_future
/// `async fn a()` by hand. Awaiting `b()` puts b's whole state machine
/// inside a's: [`AwaitingB`](AFuture::AwaitingB) holds a [`BFuture`], not a
/// pointer to one.
///
/// ```text
/// async fn a() -> &'static str {
///     Sleep(5).await;           // Sleeping(Sleep): paused here
///     b().await                 // AwaitingB(BFuture): or here
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a future does nothing until it is awaited or polled"]
pub enum AFuture {
    /// Created, not polled yet.
    Start,
    /// Paused at `Sleep(5).await`.
    Sleeping(Sleep),
    /// Paused at `b().await`, with b's state inside.
    AwaitingB(BFuture),
    /// Returned b's value.
    Done,
}

impl Future for AFuture {
    type Output = &'static str;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<&'static str> {
        let this = self.get_mut();
        loop {
            match this {
                AFuture::Start => *this = AFuture::Sleeping(Sleep(5)),
                AFuture::Sleeping(sleep) => {
                    if Pin::new(sleep).poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    // Past the first .await: call b(), which only makes its
                    // state machine, and go on to await it in the same poll.
                    *this = AFuture::AwaitingB(b_by_hand());
                }
                AFuture::AwaitingB(b) => match Pin::new(b).poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(value) => {
                        *this = AFuture::Done;
                        return Poll::Ready(value);
                    }
                },
                AFuture::Done => panic!("`async fn` resumed after completion"),
            }
        }
    }
}
// ANCHOR_END: a_future

/// What calling `b()` does: make its state machine, and run nothing.
pub fn b_by_hand() -> BFuture {
    BFuture::Start
}

/// What calling `a()` does: make its state machine, and run nothing.
pub fn a_by_hand() -> AFuture {
    AFuture::Start
}
