//! The functions of chapter 4 that exercise 4.4 asks you to rebuild: how a
//! [`Future`] settles and is read (`settle`, [`Future::add_done_callback`],
//! [`Future::take_result`], [`Future::result`]), how a [`Task`] steps and is
//! cancelled ([`Task::step`], [`Task::cancel`]), and [`await_future`].
//!
//! This file is the reference. With the feature `exercise-ch04`, the chapter's
//! module compiles `exercises/ch04_future_task/4_rebuild.rs` in its place,
//! and the chapter's tests judge that file instead:
//! `cargo test --features exercise-ch04 --test ch04_future_task -- --skip exercises::`.

use std::panic::{self, AssertUnwindSafe};

use super::{Future, FutureError, Slot, Step, Task, panic_message, run_callbacks};
use crate::ch02_coroutines::{GeneratorState, Yielder};

impl<T> Future<T> {
    // ANCHOR: settle
    /// Settles a pending future with `slot` and runs the callbacks.
    pub(super) fn settle(&self, slot: Slot<T>) -> Result<(), FutureError> {
        let callbacks = {
            let mut inner = self.inner.borrow_mut();
            if !matches!(inner.slot, Slot::Pending) {
                drop(inner);
                return Err(FutureError::AlreadySettled(self.status()));
            }
            inner.slot = slot;
            std::mem::take(&mut inner.callbacks)
        };
        // The borrow has ended before any callback runs: a callback may read
        // this future, or add another callback (which then runs at once).
        run_callbacks(self, callbacks);
        Ok(())
    }
    // ANCHOR_END: settle

    // ANCHOR: add_done_callback
    /// Calls `callback` with this future once it has settled.
    ///
    /// Callbacks run exactly once each, in the order they were added. A
    /// callback added to a future that has already settled runs at once,
    /// before this method returns; that includes a callback added by another
    /// callback, which therefore runs before the callbacks still waiting
    /// their turn.
    ///
    /// # Panics
    ///
    /// If a callback panics while the future settles, the remaining callbacks
    /// still run, and then the first panic continues out of whatever settled
    /// the future. A callback that runs at once here panics out of this call.
    pub fn add_done_callback(&self, callback: impl FnOnce(&Future<T>) + 'static) {
        let mut inner = self.inner.borrow_mut();
        if matches!(inner.slot, Slot::Pending) {
            inner.callbacks.push(Box::new(callback));
        } else {
            drop(inner); // the callback may read the future
            callback(self);
        }
    }
    // ANCHOR_END: add_done_callback

    /// Takes the value out of a done future, for when one party reads it and
    /// `T` is not `Clone`. The future stays done, but its value is gone.
    ///
    /// # Errors
    ///
    /// The same as [`result`](Self::result), and [`FutureError::Taken`] if the
    /// value was taken already.
    pub fn take_result(&self) -> Result<T, FutureError> {
        let mut inner = self.inner.borrow_mut();
        match &mut inner.slot {
            Slot::Pending => Err(FutureError::NotReady),
            Slot::Done(value) => value.take().ok_or(FutureError::Taken),
            Slot::Unfulfilled(error) => Err(error.clone()),
        }
    }
}

impl<T: Clone> Future<T> {
    // ANCHOR: result
    /// The value of a done future.
    ///
    /// # Errors
    ///
    /// [`FutureError::NotReady`] while the future is pending,
    /// [`FutureError::Cancelled`] if it was cancelled, the failure
    /// ([`FutureError::Failed`] or [`FutureError::Panicked`]) it was settled
    /// with, and [`FutureError::Taken`] if [`take_result`](Self::take_result)
    /// took the value.
    pub fn result(&self) -> Result<T, FutureError> {
        match &self.inner.borrow().slot {
            Slot::Pending => Err(FutureError::NotReady),
            Slot::Done(Some(value)) => Ok(value.clone()),
            Slot::Done(None) => Err(FutureError::Taken),
            Slot::Unfulfilled(error) => Err(error.clone()),
        }
    }
    // ANCHOR_END: result
}

impl<T> Task<T> {
    // ANCHOR: step
    /// Resumes the coroutine once.
    ///
    /// Returns [`Step::Pending`] if it suspended and [`Step::Settled`] if the
    /// task's future has settled: the body returned (done), panicked
    /// (failed), or the task's future was cancelled (before or during this
    /// step; the coroutine is then dropped, running the destructors on its
    /// stack).
    ///
    /// # Panics
    ///
    /// A panic in the body does not come out here: it becomes the future's
    /// error. A panic in one of the future's done callbacks does come out
    /// here, after the future has settled.
    pub fn step(&mut self) -> Step {
        if self.future.is_settled() {
            // Cancelled from outside: drop the coroutine, running the
            // destructors of everything on its stack.
            self.coroutine = None;
            return Step::Settled;
        }
        let Some(coroutine) = self.coroutine.as_mut() else {
            return Step::Settled;
        };
        match panic::catch_unwind(AssertUnwindSafe(|| coroutine.resume(()))) {
            Ok(Ok(GeneratorState::Yielded(()))) if self.future.is_settled() => {
                // The body cancelled its own future, then suspended.
                self.coroutine = None;
                Step::Settled
            }
            Ok(Ok(GeneratorState::Yielded(()))) => Step::Pending,
            Ok(Ok(GeneratorState::Complete(value))) => {
                self.coroutine = None;
                // Fails only if the future was cancelled during this step;
                // then the value is dropped and the future stays cancelled.
                let _ = self.future.set_result(value);
                Step::Settled
            }
            Ok(Err(finished)) => {
                unreachable!("a task's coroutine is dropped once it finishes: {finished}")
            }
            Err(payload) => {
                self.coroutine = None;
                let message = panic_message(payload.as_ref());
                let _ = self
                    .future
                    .settle(Slot::Unfulfilled(FutureError::Panicked(message)));
                Step::Settled
            }
        }
    }
    // ANCHOR_END: step

    // ANCHOR: task_cancel
    /// Cancels the task: the coroutine is dropped, running the destructors of
    /// the values on its stack, and then its future becomes cancelled and its
    /// done callbacks run (so they see the cleanup finished, as in Python,
    /// where a cancelled coroutine's `finally` blocks run first).
    ///
    /// Returns whether the task's future was still pending. Cancelling a
    /// settled task returns `false` and keeps its result.
    ///
    /// # Panics
    ///
    /// Passes on a done callback's panic, as [`Future::cancel`] does.
    pub fn cancel(&mut self) -> bool {
        self.coroutine = None;
        self.future.cancel()
    }
    // ANCHOR_END: task_cancel
}

// ANCHOR: await_future
/// Waits inside a coroutine until `future` settles, then returns its result.
///
/// Each time the future is still pending, the coroutine suspends with `()`:
/// "not ready, step me again later". This is what `await` does to a future in
/// Python: `yield` until done, then `return future.result()`. A future that
/// has already settled is read at once, without suspending.
///
/// # Errors
///
/// What [`Future::result`] gives: [`FutureError::Cancelled`] or the failure.
pub fn await_future<T: Clone>(
    yielder: &Yielder<(), ()>,
    future: &Future<T>,
) -> Result<T, FutureError> {
    while !future.is_settled() {
        yielder.suspend(());
    }
    future.result()
}
// ANCHOR_END: await_future
