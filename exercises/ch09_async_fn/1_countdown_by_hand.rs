//! Exercise 9.1: write the state machine the compiler makes of this
//! `async fn`, as chapter 9 does for step 9's `a` and `b`:
//!
//! ```text
//! async fn countdown(from: u32) -> u32 {
//!     let mut total = 0;
//!     for i in (1..=from).rev() {
//!         Sleep(1).await;
//!         total += i;
//!     }
//!     total
//! }
//! ```
//!
//! `countdown(3)` pauses 3 times and returns 3 + 2 + 1 = 6. Yours must
//! behave exactly like the compiler's, poll for poll: the same `Pending`s
//! and `Ready`, the same wakes, and the same panic if it is polled again
//! after `Ready`. And one thing the compiler's cannot do: a copy of it taken
//! while it is paused must finish on its own, with the same value (so derive
//! `Clone`, `Copy`, `PartialEq` and `Debug`, as `AFuture` does).
//!
//! `cargo run -- check 9.1` checks your work. Stuck? `cargo run -- hint 9.1`

#![allow(unused_imports, unused_variables, dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use yieldpoint::ch09_async_fn::Sleep;

/// `countdown(from)` by hand. Which places can it be in between two polls,
/// and which locals are alive in each? One variant per place; replace this
/// one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountdownFuture {
    /// Replace me with the real variants.
    ReplaceMe,
}

/// What calling `countdown(from)` does.
pub fn countdown_by_hand(from: u32) -> CountdownFuture {
    todo!("make the state machine; run nothing yet")
}

impl Future for CountdownFuture {
    type Output = u32;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        todo!("run from where it is to its next .await, or to its end")
    }
}
