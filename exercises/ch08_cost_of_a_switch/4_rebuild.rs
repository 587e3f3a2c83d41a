//! Exercise 8.4: rebuild the stackless generator's resume, the poll by hand,
//! and the smallest executor.
//!
//! This file takes the place of `src/ch08_cost_of_a_switch/by_hand.rs` when
//! the feature `exercise-ch08` is on, so the whole of chapter 8's test
//! suite judges what you write here. The types (`Counter`, `Stepper`) and
//! the thread's wake counter (`WAKES`, a `WakeCount` that counts its wakes)
//! are given, in `src/ch08_cost_of_a_switch.rs`; you write:
//!
//! - `Counter::resume`: one step of the state machine for the Python
//!   `counter` generator in `Counter`'s docs;
//! - `Stepper::step`: one poll of the future it holds;
//! - `block_on`: poll a future until it is ready.
//!
//! `cargo run -- check 8.4` runs the chapter's tests against this file, as
//! `cargo test --features exercise-ch08 --test ch08_cost_of_a_switch -- --skip exercises::`
//! does. Stuck? `cargo run -- hint 8.4`

#![allow(unused_imports, unused_variables)]

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::{Counter, Stepper, WAKES};
use crate::ch02_coroutines::{Finished, GeneratorState};

impl Counter {
    /// Runs the generator to its next pause: yields the next value of the
    /// loop, or returns the total of the values sent in. The first resume's
    /// input is ignored, like the `None` of Python's first `send`; every
    /// later input is the value of the `yield` the generator is paused at.
    ///
    /// # Errors
    ///
    /// [`Finished`] once the generator has returned.
    pub fn resume(&mut self, input: u64) -> Result<GeneratorState<u64, u64>, Finished> {
        todo!("one arm per state: run to the next pause, and leave the state there")
    }
}

impl<F: Future> Stepper<F> {
    /// Polls the future once, with a waker that does nothing, and says what
    /// the poll returned.
    ///
    /// # Errors
    ///
    /// [`Finished`] if the future was already ready: a future must not be
    /// polled again after it returned `Ready`.
    pub fn step(&mut self) -> Result<Poll<F::Output>, Finished> {
        todo!("refuse once ready; else one poll, remembering whether it was ready")
    }
}

/// Polls `future` until it is ready and returns its output: the smallest
/// executor there is. It never waits: between two polls it only checks
/// that the future asked to be polled again.
///
/// # Panics
///
/// If a poll returns `Pending` without waking the waker: such a future
/// waits for something this executor cannot wait for, and polling it again
/// would spin forever. The message says so, and names a real runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    todo!("pin it, poll it with a waker that counts, and check the count after each Pending")
}
