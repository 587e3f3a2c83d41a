//! The twin of `43_gather_wraps_coroutines.py`: `spawn_and_gather` spawns
//! each body as a task, in argument order, and returns their values in that
//! order, whatever their types.

use yieldpoint::ch06_scheduler::{SchedError, sleep};
use yieldpoint::ch07_combinators::spawn_and_gather;

use crate::parity::{UNIT, run, say};

fn count() -> Result<u32, SchedError> {
    say("count", "starts");
    sleep(2 * UNIT)?;
    Ok(3)
}

fn word() -> Result<&'static str, SchedError> {
    say("word", "starts");
    sleep(UNIT)?;
    say("word", "ends");
    Ok("three")
}

fn main() -> Result<(), SchedError> {
    say("main", "gathers count() and word()");
    let (n, w) = spawn_and_gather((count, word))?;
    say("main", format!("got {n} and {w}"));
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
