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

#![allow(unused_imports, unused_variables, dead_code)]

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;

use yieldpoint::ch12_tokio::UnboundedReceiver;

/// A receiver that makes its task give the thread up every `budget`
/// values. Add the fields you need.
#[derive(Debug)]
pub struct Budgeted<T> {
    receiver: UnboundedReceiver<T>,
}

impl<T> Budgeted<T> {
    /// `receiver`, with a budget of `budget` values (at least one).
    pub fn new(receiver: UnboundedReceiver<T>, budget: u32) -> Self {
        todo!("keep the receiver and the budget")
    }

    /// The next value, or `None` once the channel is closed and empty.
    pub fn recv(&mut self) -> impl Future<Output = Option<T>> + '_ {
        // A future written as a closure: `poll_fn(move |cx| ...)` is polled
        // like any future, and may use `self` inside.
        poll_fn(move |cx| -> Poll<Option<T>> { todo!("spend the budget, or yield once") })
    }
}
