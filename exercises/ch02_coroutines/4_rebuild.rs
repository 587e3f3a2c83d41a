//! Exercise 2.4: rebuild chapter 2's `Generator` and its round robin.
//!
//! This file takes the place of `src/ch02_coroutines/generator.rs` when the
//! feature `exercise-ch02` is on, so the whole of chapter 2's test suite
//! judges what you write here. The types (`Generator`, `GeneratorState`,
//! `Finished`, `Wait`) and `stack_range` are given, in
//! `src/ch02_coroutines.rs`; you write the rest, on top of corosensei:
//!
//! - `Generator::with_stack_size` and `Generator::new` put a body on a stack
//!   of its own (nothing runs yet); an impossible size is an error, not a
//!   crash;
//! - `Generator::resume` runs the body to its next pause or its end, and
//!   answers `Err(Finished)` once it has finished; `started` and `finished`
//!   say where it is;
//! - `Iterator::next` makes a generator of `()` in and `()` out a sequence;
//! - `run_round_robin` is chapter 1's round robin, with generators that
//!   yield `Wait` in place of lists.
//!
//! Keep `resume` small: the benches hold it within 1.2 times a raw
//! corosensei round trip.
//!
//! `cargo run -- check 2.4` runs the chapter's tests against this file.
//! Stuck? `cargo run -- hint 2.4`

#![allow(unused_imports, unused_variables, missing_docs)]

use std::collections::VecDeque;
use std::io;

use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult};

use super::{
    DEFAULT_STACK_SIZE, Finished, Generator, GeneratorState, Wait, Yielder, stack_range_of,
};

impl<I: 'static, Y: 'static, R: 'static> Generator<I, Y, R> {
    pub fn new(body: impl FnOnce(&Yielder<I, Y>, I) -> R + 'static) -> Self {
        todo!("a generator on a stack of DEFAULT_STACK_SIZE")
    }

    pub fn with_stack_size(
        size: usize,
        body: impl FnOnce(&Yielder<I, Y>, I) -> R + 'static,
    ) -> io::Result<Self> {
        todo!("a generator on a stack of at least `size` bytes")
    }
}

impl<I, Y, R> Generator<I, Y, R> {
    pub fn resume(&mut self, input: I) -> Result<GeneratorState<Y, R>, Finished> {
        todo!("run the body to its next pause or its end")
    }

    pub fn started(&self) -> bool {
        todo!("has the body begun?")
    }

    pub fn finished(&self) -> bool {
        todo!("has the body returned or panicked?")
    }
}

impl<Y> Iterator for Generator<(), Y, ()> {
    type Item = Y;

    fn next(&mut self) -> Option<Y> {
        todo!("the next value, or None once the body has returned")
    }
}

pub fn run_round_robin<T>(generators: Vec<Generator<(), Wait, T>>) -> Vec<(usize, T)> {
    todo!("resume the generators in turn until every one has returned")
}
