//! Exercise 5.2's reference solution: awaiting two futures, failing fast
//! (the task is in `exercises/ch05_event_loop/2_await_both.rs`).

use yieldpoint::ch04_future_task::Future;
use yieldpoint::ch05_event_loop::{LoopError, yield_now};

/// Both values, or the first failure as soon as it happens.
pub fn await_both<A: Clone, B: Clone>(a: &Future<A>, b: &Future<B>) -> Result<(A, B), LoopError> {
    loop {
        match (a.result(), b.result()) {
            (Ok(first), Ok(second)) => return Ok((first, second)),
            // A future that has settled without a value ends the wait at
            // once; one that is still pending says NotReady, and is waited on.
            (Err(error), _) if a.is_settled() => return Err(LoopError::Future(error)),
            (_, Err(error)) if b.is_settled() => return Err(LoopError::Future(error)),
            _ => yield_now()?,
        }
    }
}
