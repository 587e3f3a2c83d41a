//! Exercise 4.3's reference solution: a task that retries (the task is in
//! `exercises/ch04_future_task/3_retry.rs`).

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
    mut attempt: impl FnMut(&Yielder<(), ()>, u32) -> Result<T, String>,
) -> Result<T, GaveUp> {
    assert!(
        attempts > 0,
        "retry: 0 attempts would never try; allow at least 1"
    );
    let mut n = 1;
    loop {
        match attempt(yielder, n) {
            Ok(value) => return Ok(value),
            Err(last_error) if n == attempts => {
                return Err(GaveUp {
                    attempts,
                    last_error,
                });
            }
            Err(_) => {
                // The n-th failure: back off n steps.
                for _ in 0..n {
                    yielder.suspend(());
                }
                n += 1;
            }
        }
    }
}
