//! Exercise 2.3: a generator adapter, `zip`.
//!
//! Write `zip(a, b)`: a generator that yields pairs `(x, y)`, `x` from `a`
//! and `y` from `b`, one pair per resume, and returns when either `a` or `b`
//! has returned. Like `Iterator::zip`, it resumes `a` first, and does not
//! resume `b` at all once `a` has returned; and it is lazy: nothing of `a`
//! or `b` runs until the zipped generator is resumed.
//!
//! `cargo run -- check 2.3` checks your work. Stuck? `cargo run -- hint 2.3`

#![allow(unused_imports, unused_variables)]

use yieldpoint::ch02_coroutines::{Generator, GeneratorState, Yielder};

/// Pairs of values from `a` and `b`, until either one returns.
pub fn zip<A: 'static, B: 'static>(
    a: Generator<(), A, ()>,
    b: Generator<(), B, ()>,
) -> Generator<(), (A, B), ()> {
    todo!("a generator whose body resumes `a`, then `b`, and yields the pair")
}
