//! Exercise 2.1: the Fibonacci numbers, as a generator.
//!
//! Write `fibonacci`, a generator that yields the Fibonacci numbers 0, 1, 1,
//! 2, 3, 5, 8, ... one per resume, as chapter 2's `count_to_five` yields
//! 0 to 4. Its input and its return are `()`, so it is also an iterator.
//!
//! The sequence is endless, but `u64` is not: yield every Fibonacci number
//! that fits in a `u64`, and return after the largest one (the 94th,
//! 12200160415121876738) instead of overflowing.
//!
//! `cargo run -- check 2.1` checks your work. Stuck? `cargo run -- hint 2.1`

#![allow(unused_imports)]

use yieldpoint::ch02_coroutines::{Generator, Yielder};

/// The Fibonacci numbers that fit in a `u64`, one per resume.
pub fn fibonacci() -> Generator<(), u64, ()> {
    todo!("yield 0, 1, 1, 2, 3, 5, ... and stop before a u64 overflows")
}
