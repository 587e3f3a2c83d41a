//! Exercise 9.5: rebuild chapter 9's waker by hand, and the `block_on` that
//! parks on it.
//!
//! This file takes the place of `src/ch09_async_fn/by_hand.rs` when the
//! feature `exercise-ch09` is on, so the whole of chapter 9's test suite
//! judges what you write here. `WakeTarget` (what a waker wakes: `signal`,
//! `wakes`, `take_woken`) is given, in `src/ch09_async_fn/wake.rs`. You
//! write:
//!
//! - `waker_by_hand`: a `Waker` whose data pointer is the `Arc<WakeTarget>`
//!   it is given, and whose vtable is yours: a `static RawWakerVTable` of
//!   four `unsafe fn`s, clone, wake, wake_by_ref and drop, each with a
//!   `// SAFETY:` comment that argues it;
//! - `block_on`: poll the future; after a `Pending`, poll again at once if
//!   the waker was woken, park the thread until it is otherwise, and panic
//!   if nothing can ever wake it.
//!
//! `cargo run -- check 9.5` runs the chapter's tests against this file.
//! Stuck? `cargo run -- hint 9.5`

#![allow(unused_imports, unused_variables, dead_code, missing_docs)]

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{Ordering, fence};
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
use std::thread;

use super::WakeTarget;

pub fn waker_by_hand(target: Arc<WakeTarget>) -> Waker {
    todo!("a RawWaker of the Arc's raw pointer and your vtable, made a Waker")
}

pub fn block_on<F: Future>(future: F) -> F::Output {
    todo!("poll; after Pending, go on if woken, park if someone can wake you, panic if nobody can")
}
