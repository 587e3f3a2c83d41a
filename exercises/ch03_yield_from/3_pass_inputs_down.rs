//! Exercise 3.3: a delegation that passes inputs down.
//!
//! Write two generators:
//!
//! - `summer()` receives numbers, yields the running total after each, and
//!   returns the total when it receives a 0 (the 0 is not added, and nothing
//!   is yielded for it).
//! - `two_sums()` delegates to a `summer()` with `yield_from`, then to a
//!   second one, and returns both totals. Between the two, it yields the
//!   first total, so that whoever drives it sees the subtotal; the input it
//!   receives back is the second summer's first number.
//!
//! The first number of the first summer is the first input `two_sums` is
//! resumed with. Read the tests for the exact exchange.
//!
//! `cargo run -- check 3.3` checks your work. Stuck? `cargo run -- hint 3.3`

#![allow(unused_imports, unused_variables)]

use yieldpoint::ch02_coroutines::{Generator, Yielder};
use yieldpoint::ch03_yield_from::yield_from;

/// Running totals of the numbers sent in, until a 0; returns the total.
pub fn summer() -> Generator<i64, i64, i64> {
    todo!("add each input, yield the total, return it at 0")
}

/// Two summers, one after the other, with the subtotal yielded between them.
pub fn two_sums() -> Generator<i64, i64, (i64, i64)> {
    todo!("yield_from a summer, yield its total, yield_from another")
}
