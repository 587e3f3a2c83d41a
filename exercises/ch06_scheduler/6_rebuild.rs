//! Exercise 6.6: rebuild the scheduler's iteration, asyncio's `_run_once`.
//!
//! This file takes the place of `src/ch06_scheduler/iteration.rs` when the
//! feature `exercise-ch06` is on, so the whole of chapter 6's test suite
//! judges what you write here. Everything else of the scheduler is given:
//! the state (`Shared`, `Core`, in `mod.rs`), the ready queue's entries and
//! `step` (`step.rs`), the timer heap and the idle wait (`clock.rs`), the
//! task table and its entries (`task.rs`), and cancellation (`cancel.rs`).
//! Read the diagrams at the top of `mod.rs` and `step.rs` first.
//!
//! You write four methods of `Shared`:
//!
//! - `run_once`: one iteration. Wait if nothing is ready (or report a
//!   deadlock if nothing ever will be), let the timers that are due join
//!   the ready queue, then run the pass.
//! - `run_ready`: the pass: the entries that were in the queue when it
//!   began, front first, and no more.
//! - `file`: where a task that has just suspended waits, by what it waits
//!   for (the four kinds of `Wait`).
//! - `timer_hop`: what a fired timer does for the task it wakes.
//!
//! `cargo run -- check 6.6` runs the chapter's tests against this file, as
//! `cargo test --features exercise-ch06 --test ch06_scheduler -- --skip exercises::`
//! does. Stuck? `cargo run -- hint 6.6`

#![allow(unused_imports, unused_variables, dead_code)]

use super::error::SchedError;
use super::step::Ready;
use super::task::OnDone;
use super::trace::{Cause, EventKind};
use super::{Resume, Shared, Wait};
use crate::ch04_future_task::Status;

impl Shared {
    /// One iteration of the loop, as asyncio's `_run_once`.
    ///
    /// - Nothing ready and no timer pending: no task can ever go on. Return
    ///   `SchedError::Deadlock` naming the stuck tasks, once they have been
    ///   ended (their destructors run).
    /// - Nothing ready but a timer pending: wait for the earliest one.
    /// - Then the due timers go to the back of the ready queue, and the
    ///   entries in the queue now (not the ones they add) run, front first:
    ///   a task's step, a fired timer's hop, or a callback.
    ///
    /// Never hold a borrow of `self.core` while a task or a callback runs:
    /// they spawn, sleep and wake, which borrow it again.
    ///
    /// Two calls belong to chapter 9 (async tasks woken from other
    /// threads), and the chapter 6 tests pass without them: first thing,
    /// `self.take_outside_wakes()`; and with nothing ready and no timer,
    /// `self.wait_for_outside_wakes()` before you call it a deadlock (it
    /// returns whether something can still happen).
    ///
    /// `Core` (in `mod.rs`) has what you need for the timers:
    /// `tidy_timers`, `earliest_deadline` and `fire_due_timers` (in
    /// `clock.rs`); `Shared` has `now`, `idle_until`, `stuck_tasks` and
    /// `cancel_all`.
    pub(super) fn run_once(&self) -> Result<(), SchedError> {
        todo!("the iteration: idle or deadlock, due timers, then run_ready")
    }

    /// Runs the first `ntodo` entries of the ready queue, front first:
    /// a task's step (`step.rs`), a fired timer's hop (`timer_hop`), or a
    /// callback (`run_callback`).
    ///
    /// `step` takes the borrow of `self.core` you popped its entry with
    /// (a `RefMut<'_, Core>`), and lets it go before the task runs; for the
    /// other two, let it go yourself before you call them.
    fn run_ready(&self, ntodo: usize) {
        todo!("one pass over the ready queue")
    }

    /// Puts the task in `slot`, which has just suspended with `token`,
    /// where it waits for what it yielded:
    ///
    /// - a turn: the back of the ready queue;
    /// - a deadline: the timer heap;
    /// - another task: that task's list of joiners, if it is still pending
    ///   (otherwise it is ready at once);
    /// - its waker, with or without a deadline: nowhere (and the heap, for
    ///   the deadline), unless its waker was called while it ran.
    ///
    /// A task that waits somewhere remembers what it waits for. A task that
    /// asked for its own cancellation while it ran has the wait it just
    /// began cancelled at once.
    pub(super) fn file(&self, slot: u32, token: u64, wait: Wait) {
        todo!("file the task by what it waits for")
    }

    /// A fired timer's entry in the ready queue: if the task in `slot`
    /// still waits with `token` (nothing else woke it meanwhile), its step
    /// goes to the back of the queue, told that its time ran out. Record
    /// the wake-up in the trace.
    fn timer_hop(&self, slot: u32, token: u64) {
        todo!("a sleeper's timer fired: queue its step, if it still waits")
    }
}
