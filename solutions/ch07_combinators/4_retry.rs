//! Exercise 7.4's reference solution: retrying with a time limit on each
//! attempt (the task is in `exercises/ch07_combinators/4_retry.rs`).

use std::time::Duration;

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError};
use yieldpoint::ch07_combinators::wait_for;

/// Makes up to `attempts` attempts: attempt `n` (from 1) is the task that
/// `start(n)` spawns, given `limit` to end. Returns the first value.
///
/// # Errors
///
/// The last attempt's error ([`SchedError::TimedOut`], or its failure) if
/// none succeeds; [`SchedError::Cancelled`] at once if the caller is
/// cancelled (the attempt running then is cancelled and has ended); what
/// `start` returns if it cannot spawn.
///
/// # Panics
///
/// If `attempts` is 0.
pub fn retry_with_limit<T: Clone + 'static>(
    attempts: u32,
    limit: Duration,
    mut start: impl FnMut(u32) -> Result<JoinHandle<T>, SchedError>,
) -> Result<T, SchedError> {
    assert!(
        attempts > 0,
        "retry_with_limit: 0 attempts would never try; allow at least 1"
    );
    let mut last_error = SchedError::TimedOut;
    for n in 1..=attempts {
        let attempt = start(n)?;
        // `wait_for` cancels an attempt that runs out of time and waits for
        // its cleanup: the next attempt starts after it has ended.
        match wait_for(&attempt, limit) {
            Ok(value) => return Ok(value),
            Err(SchedError::Cancelled) => return Err(SchedError::Cancelled),
            Err(error) => last_error = error,
        }
    }
    Err(last_error)
}
