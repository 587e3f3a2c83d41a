//! Exercise 2.2: a generator that receives values: a moving average.
//!
//! Chapter 2's `running_total` takes numbers in through `resume` and hands a
//! total out through `suspend`. Write `moving_average(window)`, which does the
//! same with the average of the last `window` numbers it received (or of all
//! of them, while it has received fewer than `window`).
//!
//! - It takes `Some(number)` to add a number, and `None` to stop.
//! - After each number, it yields the average of the last `window` numbers,
//!   as an `f64`.
//! - On `None`, it returns how many numbers it received in all.
//!
//! Remember the first-resume rule: the first input arrives as the body's
//! second argument, every later one as what `suspend` returns.
//!
//! A window of 0 has no numbers to average: refuse it when the generator is
//! created (not at its first resume), with a panic whose message is exactly
//! `moving_average: a window of 0 numbers has no average; give it a window of at least 1`.
//!
//! `cargo run -- check 2.2` checks your work. Stuck? `cargo run -- hint 2.2`

#![allow(unused_imports, unused_variables)]

use std::collections::VecDeque;

use yieldpoint::ch02_coroutines::{Generator, Yielder};

/// The average of the last `window` numbers, after each number sent in.
pub fn moving_average(window: usize) -> Generator<Option<i64>, f64, usize> {
    todo!("keep the last `window` numbers between resumes")
}
