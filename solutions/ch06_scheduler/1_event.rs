//! Exercise 6.1's reference solution: asyncio's `Event` (the task is in
//! `exercises/ch06_scheduler/1_event.rs`).

use std::cell::{Cell, RefCell};

use yieldpoint::ch06_scheduler::{SchedError, Waker, park, waker};

/// A flag that tasks can wait for, set once: asyncio's `Event`.
#[derive(Debug, Default)]
pub struct Event {
    /// Whether `set` has been called.
    set: Cell<bool>,
    /// The wakers of the tasks parked in `wait`, in the order they came.
    waiters: RefCell<Vec<Waker>>,
}

impl Event {
    /// An event that is not set.
    pub fn new() -> Self {
        Event::default()
    }

    /// Whether the event has been set.
    pub fn is_set(&self) -> bool {
        self.set.get()
    }

    /// Sets the event and wakes every task waiting for it, in the order they
    /// began to wait. Never suspends: a callback may call it.
    pub fn set(&self) {
        self.set.set(true);
        // Each wake puts a step at the back of the ready queue; nobody runs
        // here. A waker whose task was cancelled meanwhile does nothing.
        for waiter in self.waiters.take() {
            waiter.wake();
        }
    }

    /// Waits until the event is set; returns at once, without suspending,
    /// if it is set already.
    ///
    /// # Errors
    ///
    /// [`SchedError::Cancelled`] if the task is cancelled while it waits;
    /// the errors of [`waker`] and [`park`] outside a task.
    pub fn wait(&self) -> Result<(), SchedError> {
        while !self.set.get() {
            self.waiters.borrow_mut().push(waker()?);
            park(None)?;
        }
        Ok(())
    }
}
