//! Exercise 9.2: await two futures at once.
//!
//! `a().await; b().await` runs `b` only once `a` is done: 15 + 10 = 25
//! cycles. Write `join2(a, b)`, a future that polls both, each time it is
//! polled, and is ready with both outputs, in argument order, once both
//! are ready: `join2(a(), b())` takes 15 cycles, not 25.
//!
//! - Both futures are polled at the first poll, and at every poll until
//!   they are ready.
//! - A future that is ready is never polled again (a compiled `async fn`
//!   would panic).
//! - Any future will do, `Unpin` or not: `join2(a(), b())` must compile.
//!
//! `cargo run -- check 9.2` checks your work. Stuck? `cargo run -- hint 9.2`

#![allow(unused_imports, unused_variables, dead_code)]

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Two futures polled together. What must it remember between polls?
/// Replace this field with yours.
pub struct Join2<A: Future, B: Future> {
    replace_me: PhantomData<(A, B)>,
}

/// Awaits `a` and `b` at once.
pub fn join2<A: Future, B: Future>(a: A, b: B) -> Join2<A, B> {
    todo!("keep both futures, ready to be polled")
}

impl<A: Future, B: Future> Future for Join2<A, B> {
    type Output = (A::Output, B::Output);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        todo!("poll whichever is still running; ready once both are")
    }
}
