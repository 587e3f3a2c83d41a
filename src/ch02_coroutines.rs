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

use std::fmt;
use std::iter::FusedIterator;
use std::ops::Range;

use corosensei::Coroutine;
use corosensei::stack::{DefaultStack, Stack};

/// The handle a generator's body uses to pause: `yielder.suspend(value)` hands
/// `value` to the caller of [`Generator::resume`] and returns the input of the
/// next resume. This is corosensei's own type, re-exported.
pub use corosensei::Yielder;

// The functions the rebuild exercise (2.4) leaves to you live in one file;
// the feature `exercise-ch02` compiles your version in its place.
#[cfg_attr(
    feature = "exercise-ch02",
    path = "../exercises/ch02_coroutines/4_rebuild.rs"
)]
mod generator;

pub use generator::run_round_robin;

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
    // (Only the rebuild exercise's file reads it: unused while that is a stub.)
    #[cfg_attr(feature = "exercise-ch02", allow(dead_code))]
    coroutine: Coroutine<I, Y, R, DefaultStack>,
    /// Where that stack lies, for [`Generator::stack_range`] and for the
    /// stack overflow report, which names the generator by where it was
    /// created.
    stack: GeneratorStack,
}
// ANCHOR_END: generator

impl<I, Y, R> Generator<I, Y, R> {
    /// The addresses of the generator's stack, from its lowest (the guard
    /// page) up to its base. While the body runs, the stack pointer is inside
    /// this range; an event loop can use that to tell which of its
    /// generators is running. The range stays the same for the generator's
    /// whole life.
    pub fn stack_range(&self) -> Range<usize> {
        self.stack.range.clone()
    }

    /// From now on, a stack overflow in this generator is reported as one in
    /// the task `name` (chapters 4 and 5 run their tasks in generators).
    pub(crate) fn name_task(&self, name: &str) {
        self.stack.listing.name_task(name);
    }
}

/// Where a generator's stack lies: its addresses, and its place in the list
/// of this thread's stacks that the stack overflow report reads (see
/// `crate::overflow`), for as long as the generator lives.
#[derive(Debug)]
struct GeneratorStack {
    /// corosensei's `limit()` (lowest, including the guard page) to `base()`
    /// (highest; stacks grow down).
    range: Range<usize>,
    /// Taken off the list when the generator is dropped.
    listing: crate::overflow::Registration,
}

/// Where `stack` lies, listed for the overflow report under the place the
/// generator was created (the caller of `Generator::new` or
/// `with_stack_size`, which pass their caller's location on).
#[cfg_attr(feature = "exercise-ch02", allow(dead_code))] // used by the rebuild exercise
#[track_caller]
fn stack_range_of(stack: &DefaultStack) -> GeneratorStack {
    let range = stack.limit().get()..stack.base().get();
    let listing = crate::overflow::register(
        range.start,
        range.end,
        crate::overflow::Owner::Generator(std::panic::Location::caller()),
    );
    GeneratorStack { range, listing }
}

impl<I, Y, R> fmt::Debug for Generator<I, Y, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Generator")
            .field("started", &self.started())
            .field("finished", &self.finished())
            .finish_non_exhaustive()
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
