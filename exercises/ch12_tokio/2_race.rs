//! Exercise 12.2: `select!` by hand, and `timeout` on top of it.
//!
//! `tokio::select!` polls several futures in one task and takes the first
//! that is ready, dropping the others; `tokio::time::timeout` is a select
//! between your future and a sleep. This course does not build tokio's
//! `macros` feature, so write both yourself:
//!
//! - `race(a, b)`: a future that polls `a`, then `b` (always in that
//!   order, as `select!` does with `biased;`), each time it is polled, and
//!   is ready with `Either::Left` or `Either::Right` as soon as one of them
//!   is. The other future is dropped when the race is, at its `.await`.
//! - `timeout(limit, future)`: `future`'s output, or `Err(TimedOut)` once
//!   `limit` has passed on tokio's clock (a `tokio::time::sleep` that loses
//!   or wins the race).
//!
//! `cargo run -- check 12.2` checks your work. Stuck? `cargo run -- hint 12.2`

#![allow(unused_imports, unused_variables, dead_code)]

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Which side of a race won, with its output.
#[derive(Debug, PartialEq, Eq)]
pub enum Either<A, B> {
    /// The first future was ready first.
    Left(A),
    /// The second future was ready first.
    Right(B),
}

/// The future `race` returns. What must it keep between polls? Replace
/// this field with yours.
pub struct Race<A, B> {
    replace_me: PhantomData<(A, B)>,
}

/// Polls `a`, then `b`, until one is ready.
pub fn race<A: Future, B: Future>(a: A, b: B) -> Race<A, B> {
    todo!("keep both futures where they can be polled in place")
}

impl<A: Future, B: Future> Future for Race<A, B> {
    type Output = Either<A::Output, B::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        todo!("poll a, then b; the first that is ready wins")
    }
}

/// The time ran out before the future was ready.
#[derive(Debug, PartialEq, Eq)]
pub struct TimedOut;

/// `future`'s output, if it is ready within `limit`.
pub async fn timeout<F: Future>(limit: Duration, future: F) -> Result<F::Output, TimedOut> {
    todo!("race the future against a sleep")
}
