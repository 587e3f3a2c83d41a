//! Exercise 6.3's reference solution: a ticker that does not drift (the
//! task is in `exercises/ch06_scheduler/3_ticker.rs`).

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

/// Runs `work(n)` for each tick `n` from 0 to `ticks - 1`, tick `n` at
/// `start + n × period`, where `start` is the time of the call. Returns the
/// ticks that ran.
///
/// # Errors
///
/// The first error of `work`, or of the wait between two ticks (a
/// cancellation, say): the ticker stops there.
///
/// # Panics
///
/// If `period` is zero.
pub fn tick_every(
    period: Duration,
    ticks: u32,
    mut work: impl FnMut(u32) -> Result<(), SchedError>,
) -> Result<Vec<Tick>, SchedError> {
    assert!(
        !period.is_zero(),
        "tick_every: a period of zero would tick forever at the same instant; give it a period above zero"
    );
    let start = now()?;
    let mut ran = Vec::new();
    let mut number = 0;
    while number < ticks {
        // The deadline comes from the grid, not from the end of the last
        // tick's work: whatever the work took, the grid does not move.
        let deadline = start + period * number;
        let time = now()?;
        if deadline > time {
            sleep(deadline - time)?;
        }
        ran.push(Tick { number, at: now()? });
        work(number)?;
        // The next tick whose deadline has not passed: the ones missed
        // while the work ran are skipped, not run late.
        number += 1;
        let time = now()?;
        while number < ticks && start + period * number < time {
            number += 1;
        }
    }
    Ok(ran)
}
