//! Exercise 3.1: three levels of delegation, both ways, counted per level.
//!
//! Extend step 8 by one level. A waits 5 times, then delegates to B; B waits
//! 5 times, then delegates to C; C waits 5 times and returns `"Hello World"`,
//! which B and then A return too. Each wait yields the number of the level
//! that waits: A's waits yield 1, B's 2, C's 3.
//!
//! Write it twice, as chapter 3 writes step 8:
//!
//! - `three_levels_stackful`: one generator; B and C are plain functions that
//!   take the yielder;
//! - `three_levels_yield_from`: three generators, each level a generator of
//!   its own that the level above drives with `yield_from`;
//!
//! and a driver, `count_by_level`, that resumes a generator until it returns
//! and reports how many waits each level made (index 0 for level 1) and the
//! value returned.
//!
//! `cargo run -- check 3.1` checks your work. Stuck? `cargo run -- hint 3.1`

#![allow(unused_imports, unused_variables)]

use yieldpoint::ch02_coroutines::{Generator, GeneratorState, Yielder};
use yieldpoint::ch03_yield_from::yield_from;

/// Three levels in one generator: B and C are plain calls.
pub fn three_levels_stackful() -> Generator<(), u8, &'static str> {
    todo!("A waits, calls B, which waits and calls C")
}

/// Three levels as three generators, each `yield_from` the next.
pub fn three_levels_yield_from() -> Generator<(), u8, &'static str> {
    todo!("A waits, then yield_from B's generator, which does the same with C's")
}

/// Resumes `generator` until it returns: the waits of levels 1, 2 and 3, and
/// the value it returned.
pub fn count_by_level(generator: Generator<(), u8, &'static str>) -> ([usize; 3], &'static str) {
    todo!("count each yielded level number")
}
