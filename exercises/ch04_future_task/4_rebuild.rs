//! Exercise 4.4: rebuild how a future settles, and how a task steps.
//!
//! This file takes the place of `src/ch04_future_task/settling.rs` when the
//! feature `exercise-ch04` is on, so the whole of chapter 4's test suite
//! judges what you write here. The types, their error messages, the small
//! accessors and `run_callbacks` are given, in `src/ch04_future_task.rs`;
//! you write:
//!
//! - `Future::settle`, which every `set_result`, `set_error`, `set_panicked`
//!   and `cancel` goes through: a pending future settles once, and its done
//!   callbacks run after it has;
//! - `Future::add_done_callback`, `Future::take_result` and `Future::result`;
//! - `Task::step`, which resumes the task's coroutine once and settles the
//!   task's future when the coroutine returns, panics, or was cancelled;
//! - `Task::cancel`, whose cleanup runs before the callbacks hear of it;
//! - `await_future`, which waits inside a coroutine until a future settles.
//!
//! `cargo run -- check 4.4` runs the chapter's tests against this file.
//! Stuck? `cargo run -- hint 4.4`

#![allow(unused_imports, unused_variables, missing_docs)]

use std::panic::{self, AssertUnwindSafe};

use super::{Future, FutureError, Slot, Step, Task, panic_message, run_callbacks};
use crate::ch02_coroutines::{GeneratorState, Yielder};

impl<T> Future<T> {
    pub(super) fn settle(&self, slot: Slot<T>) -> Result<(), FutureError> {
        todo!("settle a pending future once, then run its callbacks")
    }

    pub fn add_done_callback(&self, callback: impl FnOnce(&Future<T>) + 'static) {
        todo!("keep the callback, or call it now if the future has settled")
    }

    pub fn take_result(&self) -> Result<T, FutureError> {
        todo!("move the value out, or say why there is none")
    }
}

impl<T: Clone> Future<T> {
    pub fn result(&self) -> Result<T, FutureError> {
        todo!("a copy of the value, or why there is none")
    }
}

impl<T> Task<T> {
    pub fn step(&mut self) -> Step {
        todo!("resume the coroutine once, and settle the future when it ends")
    }

    pub fn cancel(&mut self) -> bool {
        todo!("drop the coroutine, then cancel the future")
    }
}

pub fn await_future<T: Clone>(
    yielder: &Yielder<(), ()>,
    future: &Future<T>,
) -> Result<T, FutureError> {
    todo!("suspend while the future is pending, then read it")
}
