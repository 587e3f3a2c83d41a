//! Exercise 6.2's reference solution: a fair semaphore (the task is in
//! `exercises/ch06_scheduler/2_semaphore.rs`).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use yieldpoint::ch06_scheduler::{SchedError, Waker, park, waker};

/// A task waiting in [`Semaphore::acquire`].
#[derive(Debug)]
struct Waiter {
    /// Wakes the waiting task.
    waker: Waker,
    /// Set by `release` when it hands this waiter a permit.
    granted: Cell<bool>,
}

/// A counter of permits that tasks take and give back, handed out first
/// come, first served.
///
/// Invariant: `permits` is above zero only while nobody waits, since a
/// release with a waiter in the queue hands its permit straight over.
#[derive(Debug)]
pub struct Semaphore {
    /// Permits nobody holds and nobody has been handed.
    permits: Cell<usize>,
    /// The tasks waiting for a permit, first come at the front.
    waiters: RefCell<VecDeque<Rc<Waiter>>>,
}

impl Semaphore {
    /// A semaphore with `permits` permits.
    pub fn new(permits: usize) -> Self {
        Semaphore {
            permits: Cell::new(permits),
            waiters: RefCell::new(VecDeque::new()),
        }
    }

    /// How many permits are free now.
    pub fn available(&self) -> usize {
        self.permits.get()
    }

    /// Takes a permit: at once if one is free, otherwise after every task
    /// that asked before.
    ///
    /// # Errors
    ///
    /// [`SchedError::Cancelled`] if the task is cancelled while it waits
    /// (it then holds no permit); the errors of [`waker`] and [`park`]
    /// outside a task.
    pub fn acquire(&self) -> Result<(), SchedError> {
        if self.permits.get() > 0 {
            self.permits.set(self.permits.get() - 1);
            return Ok(());
        }
        let me = Rc::new(Waiter {
            waker: waker()?,
            granted: Cell::new(false),
        });
        self.waiters.borrow_mut().push_back(Rc::clone(&me));
        match park(None) {
            // Only `release` wakes us, and it hands the permit over first.
            Ok(_) => Ok(()),
            Err(error) => {
                if me.granted.get() {
                    // Handed a permit, then cancelled before we could run:
                    // pass it on, or it is lost for good.
                    self.release();
                } else {
                    self.waiters.borrow_mut().retain(|w| !Rc::ptr_eq(w, &me));
                }
                Err(error)
            }
        }
    }

    /// Gives a permit back: to the task that has waited longest, if any,
    /// else to the pool. Never suspends.
    pub fn release(&self) {
        let next = self.waiters.borrow_mut().pop_front();
        match next {
            Some(waiter) => {
                waiter.granted.set(true);
                waiter.waker.wake();
            }
            None => self.permits.set(self.permits.get() + 1),
        }
    }
}
