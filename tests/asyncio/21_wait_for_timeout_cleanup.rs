//! The twin of `21_wait_for_timeout_cleanup.py`: on timeout, `wait_for`
//! cancels the task and waits for its cleanup, a sleep included, before it
//! returns `SchedError::TimedOut` (Python's `TimeoutError`).

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
    say("worker", "finished the job"); // never: the timeout comes first
    Ok(5)
}

fn main() -> Result<(), SchedError> {
    let w = spawn("worker", worker)?;
    say("main", "waits for worker, at most 1 unit");
    match wait_for(&w, UNIT) {
        Ok(_) => say("main", "got the value"),
        Err(SchedError::TimedOut) => say("main", "timed out, after the cleanup"),
        Err(error) => return Err(error),
    }
    say(
        "main",
        format!("worker cancelled: {}", py_bool(cancelled(&w))),
    );
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
