//! Exercise 3.1's reference solution: three levels of delegation, both ways
//! (the task is in `exercises/ch03_yield_from/1_three_levels.rs`).

use yieldpoint::ch02_coroutines::{Generator, GeneratorState, Yielder};
use yieldpoint::ch03_yield_from::yield_from;

/// Waits five times at `level`: each wait yields the level's number.
fn wait_five(yielder: &Yielder<(), u8>, level: u8) {
    for _ in 0..5 {
        yielder.suspend(level);
    }
}

/// Level 3 as a plain function.
fn c(yielder: &Yielder<(), u8>) -> &'static str {
    wait_five(yielder, 3);
    "Hello World"
}

/// Level 2 as a plain function.
fn b(yielder: &Yielder<(), u8>) -> &'static str {
    wait_five(yielder, 2);
    c(yielder)
}

/// Three levels in one generator: B and C are plain calls.
pub fn three_levels_stackful() -> Generator<(), u8, &'static str> {
    Generator::new(|yielder, ()| {
        wait_five(yielder, 1);
        b(yielder)
    })
}

/// Level `level` as a generator of its own, delegating to the next level.
fn level(level: u8) -> Generator<(), u8, &'static str> {
    Generator::new(move |yielder, ()| {
        wait_five(yielder, level);
        if level == 3 {
            "Hello World"
        } else {
            yield_from(yielder, self::level(level + 1), ())
        }
    })
}

/// Three levels as three generators, each `yield_from` the next.
pub fn three_levels_yield_from() -> Generator<(), u8, &'static str> {
    level(1)
}

/// Resumes `generator` until it returns: the waits of levels 1, 2 and 3, and
/// the value it returned.
pub fn count_by_level(
    mut generator: Generator<(), u8, &'static str>,
) -> ([usize; 3], &'static str) {
    let mut waits = [0; 3];
    loop {
        match generator.resume(()) {
            Ok(GeneratorState::Yielded(level)) => waits[usize::from(level) - 1] += 1,
            Ok(GeneratorState::Complete(result)) => return (waits, result),
            Err(finished) => panic!("count_by_level: {finished}"),
        }
    }
}
