//! The twin of `41_current_task.py`: `current_task()` gives a task its own
//! handle; it can cancel itself, and learns of it at its next suspension.

use std::time::Duration;

use yieldpoint::ch06_scheduler::{SchedError, current_task, sleep, spawn};

use crate::parity::{py_bool, run, say};

fn rebel() -> Result<(), SchedError> {
    let me = current_task()?;
    say("rebel", format!("cancels itself: {}", py_bool(me.cancel())));
    say("rebel", format!("done yet: {}", py_bool(me.done())));
    if let Err(error) = sleep(Duration::ZERO) {
        say("rebel", "CancelledError at its next await");
        return Err(error);
    }
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let r = spawn("rebel", rebel)?;
    if let Err(SchedError::TaskCancelled { .. }) = r.join() {
        say(
            "main",
            format!("rebel cancelled: {}", py_bool(r.cancelled())),
        );
    }
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
