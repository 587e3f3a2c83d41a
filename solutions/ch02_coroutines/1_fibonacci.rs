//! Exercise 2.1's reference solution: the Fibonacci numbers as a generator
//! (the task is in `exercises/ch02_coroutines/1_fibonacci.rs`).

use yieldpoint::ch02_coroutines::{Generator, Yielder};

/// The Fibonacci numbers that fit in a `u64`, one per resume.
pub fn fibonacci() -> Generator<(), u64, ()> {
    Generator::new(|yielder: &Yielder<(), u64>, ()| {
        // `current` and `next` live on the generator's stack between resumes.
        let (mut current, mut next) = (0_u64, 1_u64);
        loop {
            yielder.suspend(current);
            let Some(after) = current.checked_add(next) else {
                // `next` is the last one that fits: hand it out, then stop.
                yielder.suspend(next);
                return;
            };
            (current, next) = (next, after);
        }
    })
}
