//! The functions of chapter 5 that exercise 5.4 asks you to rebuild: the
//! loop itself ([`EventLoop::run_until_complete`] and its rounds), and the
//! two waits of step 10 ([`sleep`] and [`await_future`]).
//!
//! This file is the reference. With the feature `exercise-ch05`, the chapter's
//! module compiles `exercises/ch05_event_loop/4_rebuild.rs` in its place,
//! and the chapter's tests judge that file instead:
//! `cargo test --features exercise-ch05 --test ch05_event_loop -- --skip exercises::`.

use std::rc::Rc;
use std::time::Duration;

use super::{
    EventLoop, LoopError, RUNNING, RunningGuard, current_loop, own_yielder, step_entry, suspend,
};
use crate::ch04_future_task::{Future, FutureError};

impl EventLoop {
    // ANCHOR: run_until_complete
    /// Runs `main` as a task, and every other task in round-robin order,
    /// until `main` settles; returns its value.
    ///
    /// Tasks still queued when `main` finishes stay queued: run the loop
    /// again to carry on with them, or [`stop`](Self::stop) it.
    ///
    /// # Errors
    ///
    /// - [`LoopError::NestedLoop`] if a loop is already running on this thread.
    /// - [`LoopError::Stopped`] if a task stopped the loop (with
    ///   [`LoopHandle::stop`](super::LoopHandle::stop)) before `main` finished.
    /// - [`LoopError::Deadlock`] if every task waits on a future that nothing
    ///   will settle.
    /// - [`LoopError::Future`] if `main` panicked ([`FutureError::Panicked`])
    ///   or was cancelled.
    pub fn run_until_complete<T: 'static>(
        &self,
        main: impl FnOnce() -> T + 'static,
    ) -> Result<T, LoopError> {
        let already_running = RUNNING.with(|running| running.borrow().event_loop.is_some());
        if already_running {
            return Err(LoopError::NestedLoop);
        }
        RUNNING.with(|running| running.borrow_mut().event_loop = Some(Rc::downgrade(&self.shared)));
        let _clear_on_exit = RunningGuard;
        self.shared.stop_requested.set(false);

        let main = self.create_task("main", main);
        while !main.is_settled() {
            self.run_round()?;
            if self.shared.stop_requested.get() {
                self.shared.cancel_all();
                self.shared.stop_requested.set(false);
            }
        }
        match main.take_result() {
            Ok(value) => Ok(value),
            Err(FutureError::Cancelled) => Err(LoopError::Stopped),
            Err(error) => Err(LoopError::Future(error)),
        }
    }
    // ANCHOR_END: run_until_complete

    // ANCHOR: run_round
    /// Steps every task that was queued when the round began, once each.
    fn run_round(&self) -> Result<(), LoopError> {
        let shared = &self.shared;
        let queued = shared.queue.borrow().len();
        let mut all_stalled = queued > 0;
        for _ in 0..queued {
            let Some(mut entry) = shared.queue.borrow_mut().pop_front() else {
                break;
            };
            let stalled = step_entry(shared, &mut entry);
            let finished = stalled.is_none();
            all_stalled &= stalled == Some(true);
            if !finished {
                shared.queue.borrow_mut().push_back(entry);
            }
            if shared.stop_requested.get() {
                return Ok(());
            }
        }
        shared.rounds.set(shared.rounds.get().saturating_add(1));
        // New tasks joined during the round: that is progress, not a stall.
        all_stalled &= shared.queue.borrow().len() == queued;
        if all_stalled {
            let names = shared
                .queue
                .borrow()
                .iter()
                .map(|e| e.name.to_string())
                .collect();
            shared.cancel_all();
            return Err(LoopError::Deadlock(names));
        }
        Ok(())
    }
    // ANCHOR_END: run_round
}

// ANCHOR: sleep
/// Waits until `duration` has passed on the loop's clock, the busy way: the
/// task yields every round and looks at the clock each time it is resumed.
/// `sleep(Duration::ZERO)` returns at once, without yielding. A duration
/// whose deadline would lie past the end of time (`Duration::MAX`, say)
/// sleeps until the end of time: for as long as the loop runs.
///
/// # Errors
///
/// [`LoopError::NotInTask`] outside a task; [`LoopError::NotOnTaskStack`]
/// inside a coroutine nested in a task (even for a zero duration).
pub fn sleep(duration: Duration) -> Result<(), LoopError> {
    own_yielder("sleep")?; // misuse is an error even when there is no wait
    let event_loop = current_loop()?;
    // A deadline past the end of time is the end of time: the task sleeps
    // for as long as the loop runs (as chapter 6's sleep does).
    let deadline = event_loop.now()?.saturating_add(duration);
    while event_loop.now()? < deadline {
        suspend("sleep", false)?;
    }
    Ok(())
}
// ANCHOR_END: sleep

// ANCHOR: await_future
/// Waits until `future` settles and returns its value: Python's
/// `await future`. A task's future, from [`EventLoop::create_task`], works
/// the same way.
///
/// # Errors
///
/// [`LoopError::Future`] with [`FutureError::Cancelled`] or the failure if
/// the future did not complete with a value; [`LoopError::NotInTask`] or
/// [`LoopError::NotOnTaskStack`] if called from the wrong place (even when
/// the future has already settled).
pub fn await_future<T: Clone>(future: &Future<T>) -> Result<T, LoopError> {
    own_yielder("await_future")?; // misuse is an error even when it is settled
    let mut stalled = false;
    while !future.is_settled() {
        suspend("await_future", stalled)?;
        // If the future is still pending when we are next resumed, this
        // step did nothing but look at it.
        stalled = true;
    }
    Ok(future.result()?)
}
// ANCHOR_END: await_future
