//! The twin of `49_gather_cancelled_twice.py`: a second cancellation of the
//! task waiting in `gather_results` reaches the gathered tasks as the first
//! did, and interrupts their cleanup.

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::gather_results;

use crate::parity::{UNIT, cancelled, py_bool, run, say};

fn job(name: &str) -> Result<String, SchedError> {
    match sleep(10 * UNIT) {
        Ok(()) => {}
        Err(SchedError::Cancelled) => {
            say(name, "cancelled at its sleep, cleans up for 3 units");
            if let Err(error) = sleep(3 * UNIT) {
                say(name, "cleanup interrupted by a second cancellation");
                return Err(error);
            }
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
            say("gatherer", "cancelled");
            return Err(SchedError::Cancelled);
        }
        Err(error) => return Err(error),
    }
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let a = spawn("A", || job("A"))?;
    let b = spawn("B", || job("B"))?;
    let g = spawn("gatherer", {
        let tasks = [a.clone(), b.clone()];
        move || gatherer(&tasks)
    })?;
    sleep(UNIT)?;
    say(
        "main",
        format!("cancel() on gatherer returned {}", py_bool(g.cancel())),
    );
    sleep(UNIT)?;
    say(
        "main",
        format!("cancel() again returned {}", py_bool(g.cancel())),
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
