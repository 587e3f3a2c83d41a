//! Exercise 8.2: a future written by hand that pauses `n` times.
//!
//! Python's step 9 awaits `Sleep(n)`, an awaitable that yields `n` times.
//! Write Rust's version: `Pause::new(n)`, a future whose `poll`
//!
//! - returns `Poll::Pending` the first `n` times it is polled, and
//!   `Poll::Ready(n)` the time after (at once, for `n` = 0);
//! - before each `Pending`, wakes the waker of that very poll, once, so
//!   that an executor such as chapter 8's `block_on` knows to poll it
//!   again; `Ready` wakes nobody.
//!
//! Chapter 8's `YieldNow` is this future for `n` = 1. Awaited inside
//! `async fn`s, its pauses travel up through every level.
//!
//! `cargo run -- check 8.2` checks your work. Stuck? `cargo run -- hint 8.2`

#![allow(unused_imports, unused_variables, unused_mut)]

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A future that returns `Pending` `times` times, waking itself each time,
/// then `Ready(times)`.
#[derive(Debug)]
#[must_use = "a future does nothing until it is awaited or polled"]
pub struct Pause {
    // Your fields: what must it remember between two polls?
}

impl Pause {
    /// A future that pauses `times` times.
    pub fn new(times: u32) -> Self {
        todo!("a future that has not paused yet")
    }
}

impl Future for Pause {
    type Output = u32;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        todo!("Pending (after asking to be polled again) until it has paused enough")
    }
}
