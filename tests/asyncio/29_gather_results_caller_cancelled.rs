//! The twin of `29_gather_results_caller_cancelled.py`: cancelling the task
//! that waits in `gather_results` cancels every gathered task, and
//! `gather_results` returns `SchedError::Cancelled` only once all their
//! cleanup has finished.
//!
//! (asyncio's `gather` without `return_exceptions` does not wait for all:
//! it raises as soon as the first task ends cancelled. This scenario stays
//! with the case where both agree.)

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::gather_results;

use crate::parity::{UNIT, cancelled, py_bool, run, say};

fn job(name: &str, cleanup_units: u32) -> Result<String, SchedError> {
    match sleep(10 * UNIT) {
        Ok(()) => {}
        Err(SchedError::Cancelled) => {
            say(
                name,
                format!("cancelled at its sleep, cleans up for {cleanup_units} unit(s)"),
            );
            sleep(cleanup_units * UNIT)?;
            say(name, "cleanup done, re-raises");
            return Err(SchedError::Cancelled);
        }
        Err(error) => return Err(error),
    }
    Ok(name.to_lowercase()) // never
}

fn gatherer(tasks: &[JoinHandle<String>]) -> Result<(), SchedError> {
    say("gatherer", "gathers A, B, keeping errors");
    match gather_results(tasks) {
        Ok(_) => say("gatherer", "gather returned"),
        Err(SchedError::Cancelled) => {
            say("gatherer", "cancelled after both cleanups");
            return Err(SchedError::Cancelled);
        }
        Err(error) => return Err(error),
    }
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let a = spawn("A", || job("A", 1))?;
    let b = spawn("B", || job("B", 2))?;
    let g = spawn("gatherer", {
        let tasks = [a.clone(), b.clone()];
        move || gatherer(&tasks)
    })?;
    sleep(UNIT)?;
    say(
        "main",
        format!("cancel() on gatherer returned {}", py_bool(g.cancel())),
    );
    match g.join() {
        Ok(()) => say("main", "gatherer returned"),
        Err(SchedError::TaskCancelled { .. }) => {
            say("main", "awaiting gatherer raised CancelledError");
        }
        Err(error) => return Err(error),
    }
    say(
        "main",
        format!(
            "A cancelled: {}, B cancelled: {}",
            py_bool(cancelled(&a)),
            py_bool(cancelled(&b))
        ),
    );
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
