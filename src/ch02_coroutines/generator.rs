//! The functions of chapter 2 that exercise 2.4 asks you to rebuild:
//! [`Generator::new`], [`Generator::with_stack_size`],
//! [`Generator::resume`], [`Generator::started`], [`Generator::finished`],
//! the generator's [`Iterator::next`], and [`run_round_robin`].
//!
//! This file is the reference. With the feature `exercise-ch02`, the chapter's
//! module compiles `exercises/ch02_coroutines/4_rebuild.rs` in its place,
//! and the chapter's tests judge that file instead:
//! `cargo test --features exercise-ch02 --test ch02_coroutines -- --skip exercises::`.

use std::collections::VecDeque;
use std::io;

use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult};

use super::{
    DEFAULT_STACK_SIZE, Finished, Generator, GeneratorState, Wait, Yielder, stack_range_of,
};

impl<I: 'static, Y: 'static, R: 'static> Generator<I, Y, R> {
    /// Wraps `body` in a generator with a stack of [`DEFAULT_STACK_SIZE`].
    ///
    /// Nothing runs until the first [`resume`](Self::resume): its input is
    /// passed to `body` as the second argument.
    ///
    /// ```
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
    #[track_caller]
    pub fn new(body: impl FnOnce(&Yielder<I, Y>, I) -> R + 'static) -> Self {
        Self::with_stack_size(DEFAULT_STACK_SIZE, body).unwrap_or_else(|error| {
            panic!("the OS refused a {DEFAULT_STACK_SIZE}-byte generator stack: {error}")
        })
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
    #[track_caller]
    pub fn with_stack_size(
        size: usize,
        body: impl FnOnce(&Yielder<I, Y>, I) -> R + 'static,
    ) -> io::Result<Self> {
        if size > isize::MAX as usize {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "a generator stack of {size} bytes cannot exist; \
                     ask for a few KiB to a few MiB (the default is {DEFAULT_STACK_SIZE})"
                ),
            ));
        }
        let stack = DefaultStack::new(size)?;
        Ok(Self {
            stack: stack_range_of(&stack),
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

// ANCHOR: round_robin
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
    if let Some(index) = generators.iter().position(Generator::finished) {
        panic!(
            "run_round_robin: generator {index} has already finished, so it has no return \
             value left to give; pass only generators that have not finished"
        );
    }
    let mut completed = Vec::with_capacity(generators.len());
    // The rotation: every generator still running, each with its input index.
    let mut queue: VecDeque<(usize, Generator<(), Wait, T>)> =
        generators.into_iter().enumerate().collect();
    while let Some((index, mut generator)) = queue.pop_front() {
        match generator.resume(()) {
            // Not done: back to the end of the line.
            Ok(GeneratorState::Yielded(Wait)) => queue.push_back((index, generator)),
            // Done: it is not put back, and the next one is already in front.
            Ok(GeneratorState::Complete(value)) => completed.push((index, value)),
            Err(Finished) => unreachable!("only unfinished generators enter the rotation"),
        }
    }
    completed
}
// ANCHOR_END: round_robin
