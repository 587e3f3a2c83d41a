//! Exercise 5.2: a task that awaits two futures, and fails fast.
//!
//! `await_future(&a)` then `await_future(&b)` waits for `a` before it even
//! looks at `b`: if `b` fails early, nobody hears of it until `a` is done.
//! Write `await_both(a, b)`, called from inside a task of chapter 5's loop:
//!
//! - when both have settled with a value, return the pair;
//! - as soon as either settles without a value (cancelled, failed), return
//!   its error as `LoopError::Future`, at once, whatever the other is doing
//!   (if both have, `a`'s error wins);
//! - otherwise give the other tasks a round (`yield_now`) and look again.
//!
//! Nothing is cancelled: the future still pending when one fails goes on.
//!
//! `cargo run -- check 5.2` checks your work. Stuck? `cargo run -- hint 5.2`

#![allow(unused_imports, unused_variables)]

use yieldpoint::ch04_future_task::{Future, FutureError, Status};
use yieldpoint::ch05_event_loop::{LoopError, yield_now};

/// Both values, or the first failure as soon as it happens.
pub fn await_both<A: Clone, B: Clone>(a: &Future<A>, b: &Future<B>) -> Result<(A, B), LoopError> {
    todo!("look at both every round; a failure ends the wait at once")
}
