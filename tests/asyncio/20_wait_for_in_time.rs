//! The twin of `20_wait_for_in_time.py`: `wait_for` returns the task's value
//! when it finishes in time; the timeout then never fires.

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::wait_for;

use crate::parity::{UNIT, run, say};

fn worker() -> Result<u32, SchedError> {
    say("worker", "works for 1 unit");
    sleep(UNIT)?;
    say("worker", "returns 42");
    Ok(42)
}

fn main() -> Result<(), SchedError> {
    let w = spawn("worker", worker)?;
    say("main", "waits for worker, at most 2 units");
    let value = wait_for(&w, 2 * UNIT)?;
    say("main", format!("got {value} in time"));
    sleep(2 * UNIT)?;
    say("main", "past the deadline, nothing was cancelled");
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
