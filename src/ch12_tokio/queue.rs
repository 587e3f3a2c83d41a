//! An unbounded channel for the async tasks of chapter 6's scheduler, with
//! the shape of `tokio::sync::mpsc::unbounded_channel`, so that a program
//! that drains a channel reads the same on both.
//!
//! It differs from tokio's in the one way chapter 12 is about: receiving
//! from it never costs anything. A receiver whose channel always has a value
//! ready never returns `Pending`, so a task that drains it keeps the thread
//! until the channel is empty. tokio's receiver spends the task's budget
//! instead, and says `Pending` once it is spent.
//!
//! ```text
//!   recv().await   a value is queued ──▶ Ready(Some(value)), at once, every time
//!                  empty, senders left ─▶ keep the waker, Pending; `send` wakes it
//!                  empty, no sender ────▶ Ready(None)
//! ```
//!
//! One thread only: the halves hold an `Rc`, as every task of chapter 6's
//! scheduler may.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// What the two halves share.
struct Channel<T> {
    /// The values sent and not received yet, oldest first.
    values: VecDeque<T>,
    /// The receiver's waker, while it waits on an empty channel.
    waiting: Option<Waker>,
    /// How many senders are alive: at zero, an empty channel is closed.
    senders: usize,
}

/// An unbounded channel: sending never waits, receiving waits only while
/// the channel is empty. See the module docs.
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let channel = Rc::new(RefCell::new(Channel {
        values: VecDeque::new(),
        waiting: None,
        senders: 1,
    }));
    (
        UnboundedSender {
            channel: Rc::clone(&channel),
        },
        UnboundedReceiver { channel },
    )
}

/// The sending half of [`unbounded_channel`]. Clone it for more senders;
/// when the last one is dropped, the receiver gets `None` once the values
/// sent before are all received.
pub struct UnboundedSender<T> {
    channel: Rc<RefCell<Channel<T>>>,
}

impl<T> UnboundedSender<T> {
    /// Queues `value` and wakes the receiver if it waits. Never waits.
    pub fn send(&self, value: T) {
        let waiting = {
            let mut channel = self.channel.borrow_mut();
            channel.values.push_back(value);
            channel.waiting.take()
        };
        // Woken after the borrow ends: a wake may poll the receiver at once.
        if let Some(waker) = waiting {
            waker.wake();
        }
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        self.channel.borrow_mut().senders += 1;
        UnboundedSender {
            channel: Rc::clone(&self.channel),
        }
    }
}

impl<T> Drop for UnboundedSender<T> {
    fn drop(&mut self) {
        let waiting = {
            let mut channel = self.channel.borrow_mut();
            channel.senders -= 1;
            if channel.senders == 0 {
                channel.waiting.take()
            } else {
                None
            }
        };
        if let Some(waker) = waiting {
            waker.wake();
        }
    }
}

/// The receiving half of [`unbounded_channel`].
pub struct UnboundedReceiver<T> {
    channel: Rc<RefCell<Channel<T>>>,
}

impl<T> UnboundedReceiver<T> {
    // ANCHOR: recv
    /// Receives the next value: `Some(value)`, or `None` once every sender
    /// is gone and every value received. Ready at once whenever a value is
    /// queued, however many came before: nothing here ever asks the task
    /// to give up the thread.
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv { receiver: self }
    }
    // ANCHOR_END: recv

    /// How many values wait to be received.
    pub fn len(&self) -> usize {
        self.channel.borrow().values.len()
    }

    /// Whether no value waits to be received.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The future [`UnboundedReceiver::recv`] returns.
#[must_use = "a future does nothing until it is awaited or polled"]
pub struct Recv<'r, T> {
    receiver: &'r mut UnboundedReceiver<T>,
}

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut channel = self.receiver.channel.borrow_mut();
        if let Some(value) = channel.values.pop_front() {
            return Poll::Ready(Some(value));
        }
        if channel.senders == 0 {
            return Poll::Ready(None);
        }
        channel.waiting = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for UnboundedReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedReceiver")
            .field("queued", &self.len())
            .finish()
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv").finish_non_exhaustive()
    }
}
