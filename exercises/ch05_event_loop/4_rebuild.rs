//! Exercise 5.4: rebuild chapter 5's loop, and the waits of step 10.
//!
//! This file takes the place of `src/ch05_event_loop/rounds.rs` when the
//! feature `exercise-ch05` is on, so the whole of chapter 5's test suite
//! judges what you write here. The loop's state, `step_entry`, `suspend`
//! and its `unsafe` block, `stop` and the cancellation are given, in
//! `src/ch05_event_loop.rs`; you write:
//!
//! - `EventLoop::run_until_complete`: refuse a loop inside a running loop,
//!   make `main` a task, and run rounds until it settles;
//! - a round: step every task that was queued when the round began, once
//!   each, in order; notice a deadlock (every task only looked at a future
//!   still pending);
//! - `sleep`: the busy kind, which suspends until the loop's clock has
//!   passed its deadline;
//! - `await_future`: suspend until a future settles, then read it.
//!
//! `cargo run -- check 5.4` runs the chapter's tests against this file.
//! Stuck? `cargo run -- hint 5.4`

#![allow(unused_imports, unused_variables, dead_code, missing_docs)]

use std::rc::Rc;
use std::time::Duration;

use super::{
    EventLoop, LoopError, RUNNING, RunningGuard, current_loop, own_yielder, step_entry, suspend,
};
use crate::ch04_future_task::{Future, FutureError};

impl EventLoop {
    pub fn run_until_complete<T: 'static>(
        &self,
        main: impl FnOnce() -> T + 'static,
    ) -> Result<T, LoopError> {
        todo!("make `main` a task, and run rounds until it settles")
    }

    fn run_round(&self) -> Result<(), LoopError> {
        todo!("step each task queued when the round began, once")
    }
}

pub fn sleep(duration: Duration) -> Result<(), LoopError> {
    todo!("suspend until the loop's clock has passed the deadline")
}

pub fn await_future<T: Clone>(future: &Future<T>) -> Result<T, LoopError> {
    todo!("suspend until the future settles, then read it")
}
