//! Exercise 12.6: rebuild the model of tokio's current-thread loop.
//!
//! This file takes the place of `src/ch12_tokio/model.rs` when the feature
//! `exercise-ch12` is on, so the whole of chapter 12's test suite judges
//! what you write here, against tokio itself. Scripts (`Script`, `Step`,
//! `Script::check`, `ScriptError`) are given, in `src/ch12_tokio/script.rs`.
//! You write:
//!
//! - `tokio_order`: the order in which tokio 1.54.1's current-thread
//!   runtime, its clock paused, polls the tasks of a script: each task's
//!   name once per poll. Keep whatever state you need in a struct of your
//!   own: the run queue, the deferred tasks, whether `main` was woken, the
//!   timers and the paused clock, each task's next step and who joins it.
//!
//! The chapter's section "tokio's loop, as a model" has the rules, and
//! tokio's `src/runtime/scheduler/current_thread/mod.rs` (`CoreGuard::
//! block_on`) the real loop. `cargo run -- check 12.6` runs the chapter's
//! tests against this file. Stuck? `cargo run -- hint 12.6`

#![allow(unused_imports, unused_variables, dead_code, missing_docs)]

use std::collections::VecDeque;

use super::script::{Script, ScriptError, Step};

pub fn tokio_order(script: &Script, event_interval: u32) -> Result<Vec<&'static str>, ScriptError> {
    todo!("block_on's loop: poll main when woken, then up to event_interval tasks, then the driver")
}
