//! # Chapter 2: generators are functions that pause
//!
//! A [`Generator`] runs a closure on a stack of its own, so the closure can
//! stop in the middle, hand a value out, and later carry on from the same line
//! with all its local variables intact.
//!
//! The core operations are:
//! - [`Generator::new`] wraps a closure in a coroutine. Nothing runs yet.
//! - [`Generator::resume`] switches onto the generator's stack and runs the
//!   closure until it yields or returns. The first resume's input becomes the
//!   closure's second argument; every later input becomes the value returned
//!   by the `suspend` call the closure is paused in.
//! - [`Yielder::suspend`], called inside the closure, switches back to whoever
//!   resumed, handing them a value.
//!
//! ```text
//!   caller's stack                         generator's stack
//!   ──────────────                         ─────────────────
//!   gen.resume(a) ───── switch ──────────▶ body(yielder, a) starts
//!                                          ...
//!   Ok(Yielded(y)) ◀─── switch ─────────── b = yielder.suspend(y)
//!   gen.resume(b) ───── switch ──────────▶ ...carries on with b
//!                                          ...
//!   Ok(Complete(r)) ◀── switch ─────────── return r
//!   gen.resume(c) ──▶ Err(Finished)        (nothing left to run)
//! ```
//!
//! The state a generator is in:
//!
//! ```text
//!   new ──resume──▶ suspended ──resume──▶ suspended ... ──resume──▶ finished
//!    │                  │                                             ▲
//!    └──────────────────┴──── body returns or panics ─────────────────┘
//!   started() = false   started() = true                finished() = true
//! ```
//!
//! The switch itself is corosensei's: a few instructions that save the
//! callee-saved registers and swap the stack pointer. This module adds only a
//! check that the generator has not finished, and names for the results.

use std::fmt;
use std::io;

use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult};

/// The handle a generator's body uses to pause: `yielder.suspend(value)` hands
/// `value` to the caller of [`Generator::resume`] and returns the input of the
/// next resume. This is corosensei's own type, re-exported.
pub use corosensei::Yielder;

/// The stack size a [`Generator::new`] gets: 1 MiB of address space, of which
/// the OS backs only the pages the body touches.
pub const DEFAULT_STACK_SIZE: usize = 1024 * 1024;

// ANCHOR: state
/// What one [`Generator::resume`] produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GeneratorState<Y, R> {
    /// The body called `yielder.suspend(value)`: it is paused, and can be
    /// resumed again.
    Yielded(Y),
    /// The body returned this value: the generator has finished.
    Complete(R),
}
// ANCHOR_END: state

/// The error of resuming a generator that has already finished, because its
/// body returned or panicked.
///
/// A finished generator has nothing left to run. To run the body again, create
/// a new [`Generator`]. (Python raises `StopIteration` here.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Finished;

impl fmt::Display for Finished {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "resumed a generator that has already finished (its body returned or panicked); \
             create a new Generator to run the body again",
        )
    }
}

impl std::error::Error for Finished {}

// ANCHOR: generator
/// A function that can pause: it takes inputs of type `I`, yields values of
/// type `Y`, and finally returns a value of type `R`.
///
/// The three types are yours to choose. `Generator<(), u32, ()>` is a plain
/// sequence of numbers (and an [`Iterator`]); `Generator<String, (), usize>`
/// receives strings and reports a count at the end.
///
/// # Dropping
///
/// Dropping a generator that is paused in the middle of its body unwinds the
/// body's stack, as a panic would: every value alive there is dropped, and
/// `Drop` code runs. (If one of those destructors panics in turn, the process
/// aborts, as with any panic during a panic.)
///
/// # Not `Send`
///
/// A generator is not `Send`: values on its stack may be tied to the thread
/// that runs it.
///
/// ```compile_fail
/// fn needs_send<T: Send>(_: T) {}
/// let generator = yieldpoint::ch02_coroutines::Generator::new(|_, ()| ());
/// let _: &yieldpoint::ch02_coroutines::Generator<(), (), ()> = &generator;
/// needs_send(generator);
/// ```
pub struct Generator<I, Y, R> {
    /// The coroutine: the body's own stack, and where it is paused.
    coroutine: Coroutine<I, Y, R, DefaultStack>,
}
// ANCHOR_END: generator

impl<I: 'static, Y: 'static, R: 'static> Generator<I, Y, R> {
    /// Wraps `body` in a generator with a stack of [`DEFAULT_STACK_SIZE`].
    ///
    /// Nothing runs until the first [`resume`](Self::resume): its input is
    /// passed to `body` as the second argument.
    ///
    /// # Panics
    ///
    /// Panics if the OS refuses the memory for the stack; use
    /// [`with_stack_size`](Self::with_stack_size) to handle that as an error.
    pub fn new(body: impl FnOnce(&Yielder<I, Y>, I) -> R + 'static) -> Self {
        Self::with_stack_size(DEFAULT_STACK_SIZE, body).unwrap_or_else(|error| {
            panic!("the OS refused a {DEFAULT_STACK_SIZE}-byte generator stack: {error}")
        })
    }

    /// Wraps `body` in a generator whose stack holds at least `size` bytes.
    ///
    /// # Errors
    ///
    /// Returns the OS's error when it refuses to map the stack, for example
    /// when the process has run out of memory mappings.
    pub fn with_stack_size(
        size: usize,
        body: impl FnOnce(&Yielder<I, Y>, I) -> R + 'static,
    ) -> io::Result<Self> {
        let stack = DefaultStack::new(size)?;
        Ok(Self {
            coroutine: Coroutine::with_stack(stack, body),
        })
    }
}

impl<I, Y, R> Generator<I, Y, R> {
    // ANCHOR: resume
    /// Runs the body until it yields or returns.
    ///
    /// The first call starts the body with `input` as its second argument (in
    /// Python the first `send` must be `send(None)`; here the first input is a
    /// real value). Later calls make the paused `suspend` return `input`.
    ///
    /// # Errors
    ///
    /// Returns [`Finished`] if the body has already returned or panicked.
    ///
    /// # Panics
    ///
    /// If the body panics, the panic passes through `resume` to its caller,
    /// and the generator is finished from then on.
    #[inline]
    pub fn resume(&mut self, input: I) -> Result<GeneratorState<Y, R>, Finished> {
        if self.coroutine.done() {
            return Err(Finished);
        }
        Ok(match self.coroutine.resume(input) {
            CoroutineResult::Yield(value) => GeneratorState::Yielded(value),
            CoroutineResult::Return(value) => GeneratorState::Complete(value),
        })
    }
    // ANCHOR_END: resume

    /// Whether the body has begun: true after the first [`resume`](Self::resume).
    pub fn started(&self) -> bool {
        self.coroutine.started()
    }

    /// Whether the body has returned or panicked. A finished generator only
    /// answers [`Finished`].
    pub fn finished(&self) -> bool {
        self.coroutine.done()
    }
}

impl<I, Y, R> fmt::Debug for Generator<I, Y, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Generator")
            .field("started", &self.started())
            .field("finished", &self.finished())
            .finish_non_exhaustive()
    }
}

// ANCHOR: iterator
/// A generator that takes no input and returns nothing is a sequence: each
/// `next()` resumes it, and its return ends the sequence.
impl<Y> Iterator for Generator<(), Y, ()> {
    type Item = Y;

    fn next(&mut self) -> Option<Y> {
        match self.resume(()) {
            Ok(GeneratorState::Yielded(value)) => Some(value),
            Ok(GeneratorState::Complete(())) | Err(Finished) => None,
        }
    }
}
// ANCHOR_END: iterator
