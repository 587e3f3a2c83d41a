//! Exercise 3.4: rebuild chapter 3's two ways to delegate.
//!
//! This file takes the place of `src/ch03_yield_from/delegation.rs` when the
//! feature `exercise-ch03` is on, so the whole of chapter 3's test suite
//! judges what you write here:
//!
//! - `yield_from(yielder, inner, first)` drives `inner` to its end from inside
//!   the generator that owns `yielder`: each value `inner` yields goes up to
//!   the outer generator's resumer, each input the outer generator receives
//!   goes down to `inner`, and `inner`'s return value is `yield_from`'s. An
//!   `inner` that has already finished is a misuse, refused with a panic
//!   that says what to do;
//! - `wait_times(yielder, n)` pauses the generator that owns `yielder`, `n`
//!   times, from wherever it is called.
//!
//! `cargo run -- check 3.4` runs the chapter's tests against this file.
//! Stuck? `cargo run -- hint 3.4`

#![allow(unused_imports, unused_variables, missing_docs)]

use crate::ch02_coroutines::{Finished, Generator, GeneratorState, Yielder};

pub fn yield_from<I, Y, R>(yielder: &Yielder<I, Y>, inner: Generator<I, Y, R>, first: I) -> R {
    todo!("drive `inner` to its end, forwarding values up and inputs down")
}

pub fn wait_times(yielder: &Yielder<(), ()>, n: usize) {
    todo!("pause the generator `n` times")
}
