//! The twin of `33_shutdown_runs_cleanup.py`: `run` (asyncio.run) cancels
//! the tasks still alive when main returns, then runs until their cleanup,
//! which may sleep, is over.

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};

use crate::parity::{UNIT, run_shutdown, say};

fn worker(name: &str, cleanup: u32) -> Result<(), SchedError> {
    say(name, "works for 10 units");
    if let Err(error) = sleep(10 * UNIT) {
        // No line here, as in the Python twin (whose order of cancelling is
        // a set's).
        sleep(cleanup * UNIT)?;
        say(name, "cleanup done");
        return Err(error);
    }
    Ok(())
}

fn main() -> Result<(), SchedError> {
    spawn("A", || worker("A", 2))?;
    spawn("B", || worker("B", 1))?;
    sleep(UNIT)?;
    say("main", "returns, with A and B still working");
    Ok(())
}

/// Runs the scenario on the virtual clock, shutting down as asyncio.run
/// does, and returns its lines.
pub fn scenario() -> Vec<String> {
    run_shutdown(main)
}
