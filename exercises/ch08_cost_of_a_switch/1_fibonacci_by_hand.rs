//! Exercise 8.1: a generator with no stack, written by hand.
//!
//! Exercise 2.1 wrote the Fibonacci numbers as a stackful generator: its
//! locals waited on a stack of its own between resumes. Write the same
//! generator the way chapter 8's `Counter` is written, as the state machine
//! a compiler would make of it:
//!
//! ```python
//! def fibonacci():
//!     current, next = 0, 1
//!     while True:
//!         yield current                 # pause 1
//!         if current + next > 2**64 - 1:
//!             yield next                # pause 2
//!             return
//!         current, next = next, current + next
//! ```
//!
//! - `Fibonacci` is an enum with one variant for each place the generator
//!   can be (not started, at each pause, returned), each holding exactly
//!   the locals still needed from there on. Add the variants.
//! - `resume()` runs from where it is to the next pause and yields the
//!   number there (0, 1, 1, 2, 3, ... up to the largest that fits in a
//!   `u64`), or returns `()` after the last; after that it answers
//!   `Err(Finished)`.
//! - The whole state fits in 24 bytes, and a copy taken halfway carries on
//!   on its own: it is a plain value.
//!
//! `cargo run -- check 8.1` checks your work. Stuck? `cargo run -- hint 8.1`

#![allow(unused_imports)]

use yieldpoint::ch08_cost_of_a_switch::{Finished, GeneratorState};

/// The Fibonacci numbers that fit in a `u64`, as a state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fibonacci {
    /// Not yet resumed: there are no locals yet.
    Start,
    // Your variants: one per pause, with the locals alive there, and one
    // for after it has returned.
}

impl Fibonacci {
    /// A generator that has run nothing yet.
    pub fn new() -> Self {
        Fibonacci::Start
    }

    /// Runs to the next pause: yields the next number, or returns.
    ///
    /// # Errors
    ///
    /// [`Finished`] once it has returned.
    pub fn resume(&mut self) -> Result<GeneratorState<u64, ()>, Finished> {
        todo!("match on where it is, run to the next pause, and store where that is")
    }
}

impl Default for Fibonacci {
    fn default() -> Self {
        Fibonacci::new()
    }
}
