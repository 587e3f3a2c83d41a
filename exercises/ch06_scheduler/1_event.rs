//! Exercise 6.1: an event that tasks wait for, as asyncio's `Event`.
//!
//! Chapter 6's tasks wait for a timer (`sleep`), for another task (`join`)
//! or for a turn (`yield_now`). Write `Event`, a flag that any number of
//! tasks can wait for until some code sets it:
//!
//! - `Event::new()` is not set; `is_set()` says whether it is.
//! - `wait()` suspends the calling task until the event is set. On an event
//!   that is set already, it returns at once, without suspending.
//! - `set()` sets it and makes every waiting task ready, in the order they
//!   began to wait. It never suspends, so a callback (`call_later`) can
//!   call it too. Setting it twice is setting it once.
//! - A task cancelled while it waits gets `SchedError::Cancelled` from
//!   `wait`; the others still wake when the event is set.
//!
//! Build it on what the scheduler gives every task for waiting on something
//! it does not know about: `waker()` and `park()`.
//!
//! `cargo run -- check 6.1` checks your work. Stuck? `cargo run -- hint 6.1`

#![allow(unused_imports)]

use std::cell::{Cell, RefCell};

use yieldpoint::ch06_scheduler::{SchedError, Waker, park, waker};

/// A flag that tasks can wait for, set once: asyncio's `Event`.
#[derive(Debug, Default)]
pub struct Event {
    // Your fields: what must `wait` find out, and whom must `set` reach?
}

impl Event {
    /// An event that is not set.
    pub fn new() -> Self {
        Event::default()
    }

    /// Whether the event has been set.
    pub fn is_set(&self) -> bool {
        todo!("has set() been called?")
    }

    /// Sets the event and wakes every task waiting for it, in the order they
    /// began to wait. Never suspends.
    pub fn set(&self) {
        todo!("remember it is set, then make every waiter ready")
    }

    /// Waits until the event is set; returns at once if it is set already.
    ///
    /// # Errors
    ///
    /// [`SchedError::Cancelled`] if the task is cancelled while it waits;
    /// `NotInTask` outside a task.
    pub fn wait(&self) -> Result<(), SchedError> {
        todo!("until the event is set: leave a way to wake you, then park")
    }
}
