//! Exercise 2.3's reference solution: `zip` over generators (the task is in
//! `exercises/ch02_coroutines/3_zip.rs`).

use yieldpoint::ch02_coroutines::{Generator, GeneratorState, Yielder};

/// Pairs of values from `a` and `b`, until either one returns.
pub fn zip<A: 'static, B: 'static>(
    mut a: Generator<(), A, ()>,
    mut b: Generator<(), B, ()>,
) -> Generator<(), (A, B), ()> {
    Generator::new(move |yielder: &Yielder<(), (A, B)>, ()| {
        // Both are iterators too (`a.zip(b)` would do); resuming them by
        // hand shows the order: `a` first, and `b` only if `a` had a value.
        while let Ok(GeneratorState::Yielded(x)) = a.resume(()) {
            let Ok(GeneratorState::Yielded(y)) = b.resume(()) else {
                return;
            };
            yielder.suspend((x, y));
        }
    })
}
