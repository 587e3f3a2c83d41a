//! Exercise 6.3: a ticker that keeps time, however long each tick takes.
//!
//! A loop of `work(); sleep(period)` drifts: every tick starts `period`
//! after the end of the last one's work, so the work's time piles up.
//! Write `tick_every(period, ticks, work)`, which keeps a fixed grid:
//!
//! - The grid starts at `start`, the scheduler's time when `tick_every` is
//!   called. Tick `n` (from 0 to `ticks - 1`) is due at
//!   `start + n × period`: it waits (sleeping, so other tasks run) until
//!   then, and calls `work(n)`, which may itself sleep.
//! - A tick whose deadline passed while an earlier tick's work was running
//!   is skipped, not run late. Work that ends exactly on a deadline misses
//!   nothing: that tick runs at once.
//! - It returns the ticks that ran, each with its number and the time its
//!   work began. An error from `work`, or from a wait (a cancellation),
//!   stops it and is returned.
//! - A period of zero is refused with a panic whose message is exactly
//!   `tick_every: a period of zero would tick forever at the same instant; give it a period above zero`.
//!
//! `cargo run -- check 6.3` checks your work. Stuck? `cargo run -- hint 6.3`

#![allow(unused_imports, unused_variables, unused_mut)]

use std::time::Duration;

use yieldpoint::ch06_scheduler::{SchedError, now, sleep};

/// A tick that ran: its place on the grid, and when it began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    /// Tick `n` is due at `start + n × period`.
    pub number: u32,
    /// When its work began, on the scheduler's clock.
    pub at: Duration,
}

/// Runs `work(n)` for each tick `n` on the grid `start + n × period`, and
/// returns the ticks that ran.
///
/// # Errors
///
/// The first error of `work` or of a wait.
///
/// # Panics
///
/// If `period` is zero.
pub fn tick_every(
    period: Duration,
    ticks: u32,
    mut work: impl FnMut(u32) -> Result<(), SchedError>,
) -> Result<Vec<Tick>, SchedError> {
    todo!("sleep until each deadline of the grid, not for a period after the work")
}
