//! Exercise 4.1: a future that settles when two others have.
//!
//! Write `both(a, b)`: a new future that settles from done callbacks on `a`
//! and `b`, without anyone stepping anything.
//!
//! - When both `a` and `b` are done, it is done with the pair of their
//!   values, `(a's, b's)`, whichever finished first.
//! - As soon as either one fails or is cancelled, it fails at once (it does
//!   not wait for the other), with the message `first: {error}` or
//!   `second: {error}`, where `{error}` is how the [`FutureError`] of the one
//!   that gave no value displays. Whatever happens to the other one later
//!   changes nothing.
//! - If `a` or `b` has already settled when `both` is called, that counts
//!   at once.
//!
//! `cargo run -- check 4.1` checks your work. Stuck? `cargo run -- hint 4.1`

#![allow(unused_imports, unused_variables)]

use yieldpoint::ch04_future_task::{Future, FutureError, Status};

/// A future done with both values once `a` and `b` are done; failed as soon
/// as either gives no value.
pub fn both<A: Clone + 'static, B: Clone + 'static>(
    a: &Future<A>,
    b: &Future<B>,
) -> Future<(A, B)> {
    todo!("settle a new future from done callbacks on `a` and `b`")
}
