//! Exercise 12.4: a budget for the course's channel.
//!
//! The course's `UnboundedReceiver` is ready at once whenever a value is
//! queued, so a task that drains a full channel keeps the thread until it
//! is empty. tokio's receiver spends a budget instead: 128 values in one
//! poll of the task, then `Pending`, and the task goes to the back of the
//! queue. Give the course's receiver the same manners:
//!
//! - `Budgeted::new(receiver, budget)` wraps a receiver with a budget of
//!   `budget` values;
//! - `recv()` is ready with the next value while the budget lasts, each
//!   value spending one unit; when it is spent, `recv()` returns `Pending`
//!   once, waking its own waker first (so that the task goes to the back of
//!   the ready queue, and nothing is lost), and the budget is full again;
//! - a `recv()` that has to wait anyway (the channel is empty) fills the
//!   budget again too: the task gives the thread up then, as a poll of a
//!   tokio task that ends does.
//!
//! `cargo run -- check 12.4` checks your work. Stuck? `cargo run -- hint 12.4`

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;

use yieldpoint::ch12_tokio::UnboundedReceiver;

/// A receiver that makes its task give the thread up every `budget`
/// values.
#[derive(Debug)]
pub struct Budgeted<T> {
    receiver: UnboundedReceiver<T>,
    budget: u32,
    left: u32,
}

impl<T> Budgeted<T> {
    /// `receiver`, with a budget of `budget` values (at least one).
    pub fn new(receiver: UnboundedReceiver<T>, budget: u32) -> Self {
        assert!(budget > 0, "a budget of zero would never receive");
        Budgeted {
            receiver,
            budget,
            left: budget,
        }
    }

    /// The next value, or `None` once the channel is closed and empty.
    pub fn recv(&mut self) -> impl Future<Output = Option<T>> + '_ {
        poll_fn(move |cx| {
            if self.left == 0 {
                self.left = self.budget;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            let received = pin!(self.receiver.recv()).poll(cx);
            match received {
                Poll::Ready(value) => {
                    if value.is_some() {
                        self.left -= 1;
                    }
                    Poll::Ready(value)
                }
                Poll::Pending => {
                    self.left = self.budget;
                    Poll::Pending
                }
            }
        })
    }
}
