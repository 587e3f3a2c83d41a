//! Exercise 4.3: a task that retries.
//!
//! Write `retry`, a plain function that a task's body calls (like chapter 4's
//! `bake`): it makes up to `attempts` attempts at some work, and returns the
//! first success.
//!
//! - Attempt `n` (counting from 1) is `attempt(yielder, n)`. The work may
//!   suspend the task itself: it is handed the yielder.
//! - After the `k`-th failure, if attempts are left, `retry` backs off:
//!   it suspends the task `k` times (once after the first failure, twice
//!   after the second, ...) before the next attempt.
//! - If every attempt fails, it returns [`GaveUp`] with the number of
//!   attempts and the last attempt's error, at once (no back-off after the
//!   last one).
//! - `attempts` of 0 would make no attempt at all: panic with exactly
//!   `retry: 0 attempts would never try; allow at least 1`.
//!
//! `cargo run -- check 4.3` checks your work. Stuck? `cargo run -- hint 4.3`

#![allow(unused_imports, unused_variables)]

use yieldpoint::ch02_coroutines::Yielder;

/// Every attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GaveUp {
    /// How many attempts were made.
    pub attempts: u32,
    /// The last attempt's error.
    pub last_error: String,
}

/// Up to `attempts` attempts, backing off a little longer after each failure.
pub fn retry<T>(
    yielder: &Yielder<(), ()>,
    attempts: u32,
    attempt: impl FnMut(&Yielder<(), ()>, u32) -> Result<T, String>,
) -> Result<T, GaveUp> {
    todo!("try, and after the k-th failure suspend k times before trying again")
}
