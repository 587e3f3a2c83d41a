//! Exercise 5.1's reference solution: a time limit on a wait (the task is in
//! `exercises/ch05_event_loop/1_timeout.rs`).

use std::time::Duration;

use yieldpoint::ch04_future_task::Future;
use yieldpoint::ch05_event_loop::{LoopError, current_loop, yield_now};

/// Why [`timeout`] gave no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeoutError {
    /// The limit passed first; the future was cancelled.
    Elapsed {
        /// The limit that passed.
        after: Duration,
    },
    /// The wait itself went wrong, or the future settled without a value.
    Loop(LoopError),
}

impl From<LoopError> for TimeoutError {
    fn from(error: LoopError) -> Self {
        TimeoutError::Loop(error)
    }
}

/// Waits for `future` for at most `limit` on the loop's clock.
pub fn timeout<T: Clone>(limit: Duration, future: &Future<T>) -> Result<T, TimeoutError> {
    let event_loop = current_loop()?;
    let deadline = event_loop.now()?.saturating_add(limit);
    loop {
        if future.is_settled() {
            return future
                .result()
                .map_err(|error| TimeoutError::Loop(LoopError::Future(error)));
        }
        if event_loop.now()? >= deadline {
            future.cancel();
            return Err(TimeoutError::Elapsed { after: limit });
        }
        yield_now()?;
    }
}
