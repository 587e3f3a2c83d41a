//! Exercise 3.2's reference solution: `yield_from` that transforms each value
//! (the task is in `exercises/ch03_yield_from/2_map_values.rs`).

use yieldpoint::ch02_coroutines::{Finished, Generator, GeneratorState, Yielder};

/// `yield_from`, passing each value up as `f(value)`.
pub fn yield_from_map<I, Y, Z, R>(
    yielder: &Yielder<I, Z>,
    mut inner: Generator<I, Y, R>,
    first: I,
    mut f: impl FnMut(Y) -> Z,
) -> R {
    let mut input = first;
    loop {
        match inner.resume(input) {
            Ok(GeneratorState::Yielded(value)) => input = yielder.suspend(f(value)),
            Ok(GeneratorState::Complete(result)) => return result,
            Err(Finished) => panic!(
                "yield_from_map was given a generator that has already finished; \
                 pass a new Generator"
            ),
        }
    }
}
