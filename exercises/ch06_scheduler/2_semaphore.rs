//! Exercise 6.2: a semaphore that is fair, and loses no permit.
//!
//! A semaphore holds a number of permits. A task takes one with `acquire`
//! (waiting while none is free) and gives it back with `release`; so no
//! more than `permits` tasks are ever between the two at once. asyncio's
//! `Semaphore` limits, say, how many downloads run together.
//!
//! Write `Semaphore` on the scheduler's `waker()` and `park()`:
//!
//! - `Semaphore::new(permits)`; `available()` is how many permits are free.
//! - `acquire()` takes a free permit at once, without suspending; with none
//!   free, the task waits, and permits go to the waiting tasks **in the
//!   order they asked**.
//! - `release()` gives a permit back, and never suspends. If a task is
//!   waiting, it gets that permit: a task that calls `acquire` just after
//!   (before the waiter has run) must not take it first.
//! - A waiting task that is cancelled gets `SchedError::Cancelled` from
//!   `acquire`, holds no permit, and no permit is lost: not even one that
//!   had just been handed to it when the cancellation came.
//!
//! `cargo run -- check 6.2` checks your work. Stuck? `cargo run -- hint 6.2`

#![allow(unused_imports, unused_variables)]

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use yieldpoint::ch06_scheduler::{SchedError, Waker, park, waker};

/// A counter of permits that tasks take and give back, first come, first
/// served.
#[derive(Debug)]
pub struct Semaphore {
    // Your fields: the free permits, and who waits for one, in order.
}

impl Semaphore {
    /// A semaphore with `permits` permits.
    pub fn new(permits: usize) -> Self {
        todo!("a semaphore with `permits` free permits and nobody waiting")
    }

    /// How many permits are free now.
    pub fn available(&self) -> usize {
        todo!("the free permits")
    }

    /// Takes a permit: at once if one is free, otherwise after every task
    /// that asked before.
    ///
    /// # Errors
    ///
    /// [`SchedError::Cancelled`] if the task is cancelled while it waits;
    /// `NotInTask` outside a task, when it would have to wait.
    pub fn acquire(&self) -> Result<(), SchedError> {
        todo!("take a free permit, or queue up and park until one is yours")
    }

    /// Gives a permit back: to the task that has waited longest, if any.
    /// Never suspends.
    pub fn release(&self) {
        todo!("hand the permit to the first waiter, or put it back")
    }
}
