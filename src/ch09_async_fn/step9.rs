//! Step 9 of the Python path: chapter 3's step 8 written with `async` and
//! `await`, over a hand-made awaitable, and the driver that counts its pauses.

use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

// ANCHOR: sleep
/// Python's `Sleep(n)`: an awaitable that pauses the `async fn` awaiting it
/// `n` times.
///
/// The number is how many pauses are left. A poll that finds it above zero
/// takes one off, asks to be polled again, and returns `Pending`; the poll
/// that finds zero returns `Ready(())`. So `Sleep(n).await` is `n` pauses,
/// and `Sleep(0).await` none. Like the Python original it counts polls, not
/// time: one pause is one round trip to whoever polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a future does nothing until it is awaited or polled"]
pub struct Sleep(pub u32);

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 == 0 {
            return Poll::Ready(());
        }
        self.0 -= 1;
        // Nothing outside is awaited, so the next poll may come at once: say
        // so, as every future that returns Pending must arrange to be woken.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
// ANCHOR_END: sleep

// ANCHOR: a_and_b
/// Step 9's `A`: pauses 5 times, then awaits [`b`] and returns its value.
pub async fn a() -> &'static str {
    Sleep(5).await;
    b().await
}

/// Step 9's `B`: pauses 10 times, then returns `"Hello World"`.
pub async fn b() -> &'static str {
    Sleep(10).await;
    "Hello World"
}
// ANCHOR_END: a_and_b

// ANCHOR: drive
/// Step 9's driver: polls `future` until it is ready, as the Python driver
/// calls `coro.send(None)` until `StopIteration`, and returns its output with
/// the number of polls that returned `Pending` (the cycles).
///
/// Like the Python driver, it polls again at once after every `Pending`, and
/// it hands the future a waker that does nothing ([`Waker::noop`]): it never
/// waits, so it has no use for a wake. That is right for [`Sleep`], which
/// only pauses, and wrong for a future that waits for something outside it.
/// `drive(std::future::pending::<()>())` never returns, exactly as the
/// Python driver never returns from a coroutine that yields forever, and it
/// keeps a CPU busy all the while. [`block_on`](super::block_on) is the
/// driver that waits.
pub fn drive<F: Future>(future: F) -> (F::Output, u32) {
    // Pinned here, on the driver's stack: once polled, it stays put.
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    let mut cycles = 0;
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return (output, cycles),
            Poll::Pending => cycles += 1,
        }
    }
}
// ANCHOR_END: drive
