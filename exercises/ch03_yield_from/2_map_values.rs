//! Exercise 3.2: `yield_from`, with every value transformed on its way up.
//!
//! Chapter 3's `yield_from` passes the inner generator's values up exactly as
//! they are. Write `yield_from_map`, which passes each one up as `f(value)`
//! instead, so that an outer generator can delegate to an inner one that
//! yields another type. Everything else is as in `yield_from`: inputs go
//! down unchanged (`first` for the inner generator's first resume, then
//! whatever the outer generator is resumed with), and the inner generator's
//! return value is `yield_from_map`'s.
//!
//! An inner generator that has already finished has nothing to delegate to:
//! panic with exactly the message
//! `yield_from_map was given a generator that has already finished; pass a new Generator`.
//!
//! `cargo run -- check 3.2` checks your work. Stuck? `cargo run -- hint 3.2`

#![allow(unused_imports, unused_variables)]

use yieldpoint::ch02_coroutines::{Finished, Generator, GeneratorState, Yielder};

/// `yield_from`, passing each value up as `f(value)`.
pub fn yield_from_map<I, Y, Z, R>(
    yielder: &Yielder<I, Z>,
    inner: Generator<I, Y, R>,
    first: I,
    f: impl FnMut(Y) -> Z,
) -> R {
    todo!("drive `inner`, passing f(value) up and each input down")
}
