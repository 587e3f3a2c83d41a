//! The twin of `27_wait_for_caller_cancelled.py`: cancelling a task inside
//! `wait_for` cancels the task it waits for, and `wait_for` waits for that
//! task's cleanup before it returns `SchedError::Cancelled`.

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::wait_for;

use crate::parity::{UNIT, cancelled, py_bool, run, say};

fn worker() -> Result<u32, SchedError> {
    say("worker", "starts a 5-unit job");
    match sleep(5 * UNIT) {
        Ok(()) => {}
        Err(SchedError::Cancelled) => {
            say("worker", "cancelled at its sleep, cleans up for 1 unit");
            sleep(UNIT)?;
            say("worker", "cleanup done, re-raises");
            return Err(SchedError::Cancelled);
        }
        Err(error) => return Err(error),
    }
    Ok(5)
}

fn client() -> Result<(), SchedError> {
    let w = spawn("worker", worker)?;
    say("client", "waits for worker, at most 4 units");
    match wait_for(&w, 4 * UNIT) {
        Ok(_) => say("client", "got the value"),
        Err(SchedError::Cancelled) => {
            say(
                "client",
                format!(
                    "cancelled after worker's cleanup; worker cancelled: {}",
                    py_bool(cancelled(&w))
                ),
            );
            return Err(SchedError::Cancelled);
        }
        Err(error) => return Err(error),
    }
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let c = spawn("client", client)?;
    sleep(UNIT)?;
    say(
        "main",
        format!("cancel() on client returned {}", py_bool(c.cancel())),
    );
    match c.join() {
        Ok(()) => say("main", "client returned"),
        Err(SchedError::TaskCancelled { .. }) => {
            say("main", "awaiting client raised CancelledError");
        }
        Err(error) => return Err(error),
    }
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
