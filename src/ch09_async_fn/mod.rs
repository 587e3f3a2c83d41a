//! # Chapter 9: Rust's own `async fn`
//!
//! Chapter 8 polled `async fn`s to time them, with a waker that did nothing.
//! This chapter opens them up. It writes step 9 of the Python path with
//! `async`/`await`, then writes by hand what the compiler writes for it: the
//! state machine behind `.await`, the reason a polled future must never move
//! (`Pin`), and the `Waker` a future keeps so that someone can tell its
//! executor "poll me again". An executor that parks its thread until that
//! happens closes the loop.
//!
//! The core operations are:
//! - [`Sleep`], [`a`], [`b`] and [`drive`]: step 9. `Sleep(n)` is an
//!   awaitable that pauses `n` times; `a` and `b` are the Python `async def`s
//!   as `async fn`s; `drive` polls until ready, counting the pauses, as the
//!   Python driver calls `send(None)` until `StopIteration`.
//! - [`AFuture`] and [`BFuture`]: the state machines the compiler makes of `a`
//!   and `b`, written by hand as enums that implement `Future`.
//! - [`first_half_sum`] and [`AddressLog`]: a future that borrows from itself
//!   across an `.await`, and a future that shows it is never moved once
//!   pinned.
//! - [`Checked::try_poll`] turns a poll after `Ready` (or after a poll that
//!   panicked) into a [`PollError`] that says what happened, where a compiled
//!   `async fn` panics and a hand-written future may do anything.
//! - [`waker_by_hand`] builds a `Waker` from a `RawWakerVTable` of four
//!   functions over an `Arc<`[`WakeTarget`]`>`; [`waker_by_trait`] builds the
//!   same through `std::task::Wake`.
//! - [`block_on`] runs a future on the current thread and parks the thread
//!   whenever the future waits; [`channel`] and [`sleep_on_thread`] are
//!   futures that another thread wakes.
//! - [`spawn_async`] makes an async task of chapter 6's scheduler, which
//!   awaits [`sleep`], [`yield_now`] and `JoinHandle`s, and chapter 7's
//!   combinators as futures: [`gather_async`], [`wait_for_async`],
//!   [`as_completed_async`].
//!
//! One trip round the poll and wake cycle, for a future that waits for
//! another thread:
//!
//! ```text
//!   block_on (this thread)          the future                  another thread
//!   ──────────────────────          ──────────                  ──────────────
//!   poll(cx) ─────────────────────▶ runs to its next .await;
//!                                   keeps cx.waker().clone() ─▶ holds the clone
//!   ◀─────────────────── Pending ─┘
//!   park the thread
//!                                                               the event: clone.wake()
//!                                                               ├─ vtable wake: flag set
//!   ◀──────────────────────────────────────────── unpark ───────┘
//!   flag set? poll(cx) ───────────▶ carries on after the .await
//!   ◀─────────────── Ready(value) ┘
//! ```
//!
//! And the states of step 9's `a`, as the compiler lays them out (and
//! [`AFuture`] spells them):
//!
//! ```text
//!   Start ──poll──▶ Sleeping(Sleep(5)) ──5 pauses──▶ AwaitingB(BFuture) ──10 pauses──▶ Done
//!                                                     └─ Start ─▶ Sleeping(Sleep(10)) ─▶ Done
//!   Done ──poll──▶ panic: "`async fn` resumed after completion"
//! ```
//!
//! The files of this chapter, in the order to read them:
//!
//! | file | what it owns |
//! |---|---|
//! | `mod.rs` | this essay, and the public API |
//! | `step9.rs` | step 9: `Sleep`, `a`, `b`, and the driver that counts cycles |
//! | `state_machine.rs` | `a` and `b` as the compiler writes them, by hand |
//! | `pin.rs` | a future that borrows from itself, and one that logs its address |
//! | `checked.rs` | polls after `Ready`, or after a panic, as errors |
//! | `wake.rs` | `WakeTarget`, what a waker wakes, and the `Wake` trait's waker |
//! | `by_hand.rs` | the `RawWakerVTable` and `block_on` (the `unsafe` code) |
//! | `channel.rs` | futures woken from another thread |
//! | `tasks.rs` | what an async task of chapter 6's scheduler awaits: `sleep`, `yield_now` |
//! | `combinators.rs` | chapter 7's `gather`, `wait_for` and `as_completed`, as futures |

// The functions the rebuild exercise (9.5) leaves to you live in one file;
// the feature `exercise-ch09` compiles your version in its place.
#[cfg_attr(
    feature = "exercise-ch09",
    path = "../../exercises/ch09_async_fn/5_rebuild.rs"
)]
mod by_hand;
mod channel;
mod checked;
mod combinators;
mod pin;
mod state_machine;
mod step9;
mod tasks;
mod wake;

pub use by_hand::waker_by_hand;
pub use channel::{Receiver, Sender, SenderDropped, SleepOnThread, channel, sleep_on_thread};
pub use checked::{Checked, PollError};
pub use combinators::{
    AsCompletedAsync, Completed, GatherAsync, NextCompleted, WaitForAsync, as_completed_async,
    gather_async, wait_for_async,
};
pub use pin::{AddressLog, first_half_sum};
pub use state_machine::{AFuture, BFuture, a_by_hand, b_by_hand};
pub use step9::{Sleep, a, b, drive};
pub use tasks::{Delay, YieldNow, sleep, yield_now};
pub use wake::{WakeTarget, waker_by_trait};

// Chapter 6's scheduler runs async tasks too: this chapter's API for them.
pub use crate::ch06_scheduler::{ExpectedWake, JoinFuture, expect_wake, spawn_async};

/// Runs `future` to completion on this thread, parking the thread whenever
/// the future waits: `by_hand.rs`'s `block_on`, which the chapter builds,
/// behind one check.
///
/// # Panics
///
/// If a poll returns `Pending` without waking its waker or keeping a clone
/// of it (nothing could ever wake it). And on a thread where a chapter 6
/// scheduler is running (inside a task or a callback of its): parking the
/// thread would stop that scheduler, every other task, and the timers,
/// sockets and tasks the future may itself be waiting for, for ever. As
/// asyncio's `run_until_complete` refuses a loop that is already running,
/// and tokio's `block_on` a runtime inside a runtime, this refuses at once.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    assert!(
        !crate::ch06_scheduler::scheduler_runs_here(),
        "block_on() was called on a thread where a Scheduler is running (in one of its tasks \
         or callbacks): parking this thread would stop that scheduler, every other task, and \
         the timers, sockets and tasks the future may wait for, for ever; await the future in \
         an async task (spawn_async) instead, or call block_on outside run_until_complete"
    );
    by_hand::block_on(future)
}
