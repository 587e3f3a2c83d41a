//! # Chapter 2: generators are functions that pause (exercise)
//!
//! Your version of `src/ch02_coroutines.rs`. The data types are complete; the
//! methods of [`Generator`], its `Iterator::next` and [`run_round_robin`] are
//! yours to write. Every `// TODO:` says what to do and where to look.
//! Check your work with `cargo run -- check 2` (or
//! `cargo test --features exercise-ch02 --test ch02_coroutines`).
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
//! - [`run_round_robin`] takes turns between generators that yield [`Wait`]
//!   while they are not done: chapter 1's interleaving loop, with generators
//!   in place of lists.
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
#![allow(dead_code, unused_variables)]

#[allow(unused_imports)] // you will need VecDeque in run_round_robin
use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::iter::FusedIterator;
use std::ops::Range;

use corosensei::stack::{DefaultStack, Stack};
#[allow(unused_imports)] // you will need CoroutineResult in resume
use corosensei::{Coroutine, CoroutineResult};

/// The handle a generator's body uses to pause: `yielder.suspend(value)` hands
/// `value` to the caller of [`Generator::resume`] and returns the input of the
/// next resume. This is corosensei's own type, re-exported.
pub use corosensei::Yielder;

/// The stack size a [`Generator::new`] gets: 1 MiB of address space, of which
/// the OS backs only the pages the body touches.
pub const DEFAULT_STACK_SIZE: usize = 1024 * 1024;

/// What one [`Generator::resume`] produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GeneratorState<Y, R> {
    /// The body called `yielder.suspend(value)`: it is paused, and can be
    /// resumed again.
    Yielded(Y),
    /// The body returned this value: the generator has finished.
    Complete(R),
}

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
/// `Drop` code runs. Two things cannot be made safe, and are documented (and
/// tested, each in a child process) instead:
///
/// - **A destructor that panics during that unwinding aborts the process**,
///   as any panic during a panic does: Rust prints the destructor's panic,
///   then `panic in a destructor during cleanup` and `thread caused
///   non-unwinding panic. aborting.`
/// - **A body that catches the unwinding and pauses again never lets the
///   drop return.** corosensei unwinds the stack by resuming the body with a
///   panic of its own at the paused `suspend`. A body that wraps `suspend` in
///   `catch_unwind` inside a loop catches it and suspends again, and
///   corosensei unwinds again, forever: the thread spins at 100% CPU. Let
///   payloads you do not recognise go on with `std::panic::resume_unwind`.
///
/// Why not tell the body it is being dropped, and let it return, as
/// chapter 5's loop tells its tasks they are cancelled? Because a generator's
/// `suspend` returns an input of the caller's type `I`, and no value of an
/// arbitrary `I` means "you are being dropped": unwinding is the only way to
/// run the destructors of a stack whose body will not return by itself.
/// Detecting the second case would need a check in every `suspend`, which
/// is corosensei's own call, and this course keeps the round trip within
/// 1.2 times raw corosensei.
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
    /// The addresses of that stack, for [`Generator::stack_range`].
    stack: Range<usize>,
}

impl<I: 'static, Y: 'static, R: 'static> Generator<I, Y, R> {
    /// Wraps `body` in a generator with a stack of [`DEFAULT_STACK_SIZE`].
    ///
    /// Nothing runs until the first [`resume`](Self::resume): its input is
    /// passed to `body` as the second argument.
    ///
    /// ```no_run
    /// use yieldpoint::ch02_coroutines::{Generator, GeneratorState};
    ///
    /// // Takes words in, yields their lengths, returns how many it saw.
    /// let mut lengths = Generator::new(|yielder, first: &str| {
    ///     let mut seen = 0;
    ///     let mut word = first;
    ///     while !word.is_empty() {
    ///         seen += 1;
    ///         word = yielder.suspend(word.len());
    ///     }
    ///     seen
    /// });
    /// assert!(!lengths.started());
    /// assert_eq!(lengths.resume("pause"), Ok(GeneratorState::Yielded(5)));
    /// assert_eq!(lengths.resume("me"), Ok(GeneratorState::Yielded(2)));
    /// assert_eq!(lengths.resume(""), Ok(GeneratorState::Complete(2)));
    /// assert!(lengths.finished());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if the OS refuses the memory for the stack; use
    /// [`with_stack_size`](Self::with_stack_size) to handle that as an error.
    pub fn new(body: impl FnOnce(&Yielder<I, Y>, I) -> R + 'static) -> Self {
        // TODO: call `Self::with_stack_size` with `DEFAULT_STACK_SIZE`, and turn
        // its error into a panic whose message says the OS refused the stack
        // and includes the error.
        todo!("Generator::new")
    }

    /// Wraps `body` in a generator whose stack holds at least `size` bytes.
    ///
    /// Sizes below corosensei's minimum (4 KiB) are rounded up, and a guard
    /// page is added below the stack: a body that overflows it crashes the
    /// process with a segmentation fault instead of corrupting memory.
    ///
    /// # Errors
    ///
    /// Returns an [`io::ErrorKind::InvalidInput`] error when `size` exceeds
    /// `isize::MAX` (no address space holds such a stack), and the OS's error
    /// when it refuses to map the stack, for example when the process has run
    /// out of address space or memory mappings.
    pub fn with_stack_size(
        size: usize,
        body: impl FnOnce(&Yielder<I, Y>, I) -> R + 'static,
    ) -> io::Result<Self> {
        // TODO: refuse a `size` above `isize::MAX` with an
        // `io::ErrorKind::InvalidInput` error whose message contains
        // "cannot exist". Otherwise map a stack with `DefaultStack::new(size)`
        // (pass its error on with `?`) and put the body on it with
        // `Coroutine::with_stack(stack, body)`. Fill the `stack` field with
        // `stack_range_of(&stack)` before the stack moves into the coroutine.
        todo!("Generator::with_stack_size")
    }
}

impl<I, Y, R> Generator<I, Y, R> {
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
        // TODO: if `self.coroutine.done()`, return `Err(Finished)`: corosensei's
        // own `resume` panics on a finished coroutine. Otherwise call
        // `self.coroutine.resume(input)` and map its `CoroutineResult::Yield`
        // to `GeneratorState::Yielded`, `CoroutineResult::Return` to
        // `GeneratorState::Complete`. (Keep it this small: the benches compare
        // it with raw corosensei.)
        todo!("Generator::resume")
    }

    /// Whether the body has begun: true after the first [`resume`](Self::resume).
    pub fn started(&self) -> bool {
        // TODO: ask the coroutine (`Coroutine::started`).
        todo!("Generator::started")
    }

    /// Whether the body has returned or panicked. A finished generator only
    /// answers [`Finished`].
    pub fn finished(&self) -> bool {
        // TODO: ask the coroutine (`Coroutine::done`).
        todo!("Generator::finished")
    }

    /// The addresses of the generator's stack, from its lowest (the guard
    /// page) up to its base. While the body runs, the stack pointer is inside
    /// this range; an event loop can use that to tell which of its
    /// generators is running. The range stays the same for the generator's
    /// whole life.
    pub fn stack_range(&self) -> Range<usize> {
        self.stack.clone()
    }
}

/// The addresses `stack` covers: corosensei's `limit()` (lowest, including
/// the guard page) to `base()` (highest; stacks grow down).
fn stack_range_of(stack: &DefaultStack) -> Range<usize> {
    stack.limit().get()..stack.base().get()
}

impl<I, Y, R> fmt::Debug for Generator<I, Y, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Generator")
            .field("started", &self.started())
            .field("finished", &self.finished())
            .finish_non_exhaustive()
    }
}

/// A generator that takes no input and returns nothing is a sequence: each
/// `next()` resumes it, and its return ends the sequence.
impl<Y> Iterator for Generator<(), Y, ()> {
    type Item = Y;

    fn next(&mut self) -> Option<Y> {
        // TODO: resume with `()`. A yielded value is the next item; a return
        // or `Err(Finished)` ends the sequence (`None`, and `None` again on
        // every later call).
        todo!("Iterator::next for Generator")
    }
}

/// Once `next` has returned `None`, it returns `None` forever: a finished
/// generator stays finished.
impl<Y> FusedIterator for Generator<(), Y, ()> {}

/// What a generator yields while it is not done yet: Python's `WAIT`.
///
/// A generator of type `Generator<(), Wait, T>` is chapter 1's request
/// rewritten as code: each `yielder.suspend(Wait)` is one "not yet", and the
/// body's return value is the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Wait;

/// Runs the generators interleaved: resumes each unfinished one once per
/// round, in the order given, until every one has returned. A generator that
/// yields [`Wait`] goes to the back of the line; one that returns leaves the
/// rotation. Returns `(index in generators, return value)` pairs in the order
/// the generators finished.
///
/// # Panics
///
/// Panics if a generator in `generators` has already finished (its return
/// value went to whoever finished it), and passes on any panic from a
/// generator's body; the generators still in the rotation are then dropped,
/// which runs the destructors on their stacks.
pub fn run_round_robin<T>(generators: Vec<Generator<(), Wait, T>>) -> Vec<(usize, T)> {
    // TODO: first panic if any generator has already `finished()`, with a
    // message starting "run_round_robin: generator {index} has already
    // finished". Then keep a `VecDeque` of `(index, generator)` pairs: pop the
    // front one, resume it once; on `Yielded(Wait)` push it to the back, on
    // `Complete(value)` record `(index, value)` and do not put it back.
    // Chapter 1's `run_round_robin` is the same loop over lists.
    todo!("run_round_robin")
}
