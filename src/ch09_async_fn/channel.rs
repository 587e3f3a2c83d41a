//! Futures that another thread wakes: a one-value [`channel`], and
//! [`sleep_on_thread`], a pause that a helper thread ends.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::Duration;

/// What a [`Sender`] and its [`Receiver`] share.
struct Shared<T> {
    /// The value, once sent and until received.
    value: Option<T>,
    /// The waker of the receiver's latest poll that found nothing.
    waker: Option<Waker>,
    /// Set when the sender is gone, with or without sending.
    closed: bool,
}

/// Makes a channel for one value: the [`Sender`] may go to any thread, and
/// the [`Receiver`] is a future that is ready once the value is there.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Mutex::new(Shared {
        value: None,
        waker: None,
        closed: false,
    }));
    (
        Sender {
            shared: Arc::clone(&shared),
        },
        Receiver { shared },
    )
}

/// Locks the shared state. A panic while it was locked (in a waker's
/// `wake`, say) leaves nothing half-done in it, so a poisoned lock is
/// simply taken over.
fn lock<T>(shared: &Mutex<Shared<T>>) -> MutexGuard<'_, Shared<T>> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The sending half of a [`channel`]: sends one value, from any thread.
pub struct Sender<T> {
    shared: Arc<Mutex<Shared<T>>>,
}

impl<T> Sender<T> {
    /// Sends `value`, and wakes the receiver if it is waiting. The wake
    /// happens after the lock is released: a waker may do anything,
    /// including polling the receiver at once on this very thread.
    pub fn send(self, value: T) {
        let waker = {
            let mut shared = lock(&self.shared);
            shared.value = Some(value);
            shared.closed = true;
            shared.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        // `self` is dropped here; `closed` is already set, so its Drop
        // finds nothing to do.
    }
}

impl<T> Drop for Sender<T> {
    /// A sender dropped without sending wakes the receiver too, which then
    /// finds [`SenderDropped`] instead of waiting forever.
    fn drop(&mut self) {
        let waker = {
            let mut shared = lock(&self.shared);
            if shared.closed {
                return;
            }
            shared.closed = true;
            shared.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

// ANCHOR: receiver
/// The receiving half of a [`channel`]: a future of the value.
#[must_use = "a future does nothing until it is awaited or polled"]
pub struct Receiver<T> {
    shared: Arc<Mutex<Shared<T>>>,
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, SenderDropped>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut shared = lock(&self.shared);
        if let Some(value) = shared.value.take() {
            return Poll::Ready(Ok(value));
        }
        if shared.closed {
            return Poll::Ready(Err(SenderDropped));
        }
        // Not yet: keep this poll's waker for the sender to wake. A poll
        // may come with a different waker than the last (the future was
        // handed to another executor, or another task); the kept one would
        // then wake the wrong party. `will_wake` tells, without a clone.
        match &mut shared.waker {
            Some(kept) if kept.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}
// ANCHOR_END: receiver

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}

/// The error a [`Receiver`] gives when its [`Sender`] was dropped without
/// sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderDropped;

impl fmt::Display for SenderDropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the sender was dropped without sending a value")
    }
}

impl Error for SenderDropped {}

// ANCHOR: sleep_on_thread
/// A pause of `duration` that a helper thread ends: nothing happens until
/// the first poll, which starts the thread; the thread sleeps, then wakes
/// the future through the waker of its latest poll.
///
/// The receiver is polled (and its waker kept) before the thread starts,
/// so the thread can only wake a future that is already waiting: whatever
/// the timing, there are two polls, one `Pending` and one `Ready`.
pub fn sleep_on_thread(duration: Duration) -> SleepOnThread {
    SleepOnThread {
        duration,
        woken_by: None,
    }
}

/// The future of [`sleep_on_thread`].
#[derive(Debug)]
#[must_use = "a future does nothing until it is awaited or polled"]
pub struct SleepOnThread {
    duration: Duration,
    /// Set at the first poll: the channel the helper thread ends the pause on.
    woken_by: Option<Receiver<()>>,
}

impl Future for SleepOnThread {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(receiver) = &mut self.woken_by {
            // The helper thread never drops its sender unsent.
            return Pin::new(receiver).poll(cx).map(|_| ());
        }
        let (sender, mut receiver) = channel();
        // Keep this poll's waker first: nothing is sent yet, so Pending.
        let first = Pin::new(&mut receiver).poll(cx);
        debug_assert!(first.is_pending());
        let duration = self.duration;
        thread::spawn(move || {
            thread::sleep(duration);
            sender.send(());
        });
        self.woken_by = Some(receiver);
        Poll::Pending
    }
}
// ANCHOR_END: sleep_on_thread
