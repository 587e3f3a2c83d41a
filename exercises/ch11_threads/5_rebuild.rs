//! Exercise 11.5: rebuild the handover of work to the pool: the job that
//! runs it, `to_thread` for a stackful task, and the `poll` of
//! `to_thread_async`'s future for an async one.
//!
//! This file takes the place of `src/ch11_threads/offload.rs` when the
//! feature `exercise-ch11` is on, so the whole of chapter 11's test suite
//! judges what you write here. Given, in `src/ch11_threads/pool.rs`: the
//! pool (`pool::submit`), what a job and its task share (`Handoff`, made by
//! `Handoff::new`, read through `lock`), `received` (an outcome as the task
//! gets it), and the `ToThread` future's fields. You write:
//!
//! - `job`: the closure the pool runs, which must skip its work if the task
//!   stopped waiting before a thread took the job, and otherwise catch a
//!   panic, store the outcome, wake the task, and keep the promise of a
//!   wake, in that order;
//! - `to_thread`: check where it is called from, hand the job over, park
//!   until the outcome is there; if the task stops waiting (cancelled), the
//!   job must wake nobody;
//! - `ToThread::poll`: the same for an async task, with the poll's waker.
//!
//! `cargo run -- check 11.5` runs the chapter's tests against this file.
//! Stuck? `cargo run -- hint 11.5`

#![allow(unused_imports, unused_variables, dead_code, missing_docs)]

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use crate::ch06_scheduler::{self as ch06, ExpectedWake, SchedError};

use super::pool::{self, Handoff, Job, ToThread, lock, received};

fn job<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
    handoff: Arc<Mutex<Handoff<T>>>,
    promise: ExpectedWake,
) -> Job {
    todo!(
        "a boxed closure: skip the work if nobody waits; else run it, store its outcome, wake, then drop the promise"
    )
}

pub fn to_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, SchedError> {
    todo!("check you are in a stackful task, submit the job, park until the outcome is there")
}

impl<T: Send + 'static> Future for ToThread<T> {
    type Output = Result<T, SchedError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        todo!("first poll: hand the work over; later ones: the outcome, or keep the newest waker")
    }
}
