//! Exercise 8.1's reference solution: chapter 2's Fibonacci generator as a
//! stackless state machine (the task is in
//! `exercises/ch08_cost_of_a_switch/1_fibonacci_by_hand.rs`).

use yieldpoint::ch08_cost_of_a_switch::{Finished, GeneratorState};

/// The Fibonacci numbers that fit in a `u64`, as the state machine of this
/// generator:
///
/// ```python
/// def fibonacci():
///     current, next = 0, 1
///     while True:
///         yield current                 # pause 1
///         if current + next > 2**64 - 1:
///             yield next                # pause 2
///             return
///         current, next = next, current + next
/// ```
///
/// One variant per place the generator can be, each holding the locals
/// alive there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fibonacci {
    /// Not yet resumed: there are no locals yet.
    Start,
    /// Paused at `yield current`, with the pair the loop goes on with.
    Yielded {
        /// The number just yielded.
        current: u64,
        /// The one after it.
        next: u64,
    },
    /// Paused at `yield next`, the last number: nothing is alive any more.
    Last,
    /// Returned.
    Done,
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
        let (state, step) = match std::mem::replace(self, Fibonacci::Done) {
            Fibonacci::Start => (
                Fibonacci::Yielded {
                    current: 0,
                    next: 1,
                },
                GeneratorState::Yielded(0),
            ),
            Fibonacci::Yielded { current, next } => match current.checked_add(next) {
                Some(after) => (
                    Fibonacci::Yielded {
                        current: next,
                        next: after,
                    },
                    GeneratorState::Yielded(next),
                ),
                None => (Fibonacci::Last, GeneratorState::Yielded(next)),
            },
            Fibonacci::Last => (Fibonacci::Done, GeneratorState::Complete(())),
            Fibonacci::Done => return Err(Finished),
        };
        *self = state;
        Ok(step)
    }
}

impl Default for Fibonacci {
    fn default() -> Self {
        Fibonacci::new()
    }
}
