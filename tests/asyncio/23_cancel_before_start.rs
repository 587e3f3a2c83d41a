//! The twin of `23_cancel_before_start.py`: a task cancelled before it
//! started never runs; joining it gives `SchedError::Task(FutureError::Cancelled)`.
//!
//! (Here the task ends at `cancel()`; asyncio's ends when its first step
//! comes round, one pass later. The scenario looks only after a pass.)

use std::time::Duration;

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};

use crate::parity::{cancelled, py_bool, run, say};

fn never() -> Result<(), SchedError> {
    say("never", "runs"); // never said
    Ok(())
}

fn bystander() -> Result<(), SchedError> {
    say("bystander", "runs");
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let n = spawn("never", never)?;
    let b = spawn("bystander", bystander)?;
    say("main", format!("cancel() returned {}", py_bool(n.cancel())));
    sleep(Duration::ZERO)?;
    say(
        "main",
        format!("never cancelled: {}", py_bool(cancelled(&n))),
    );
    match n.join() {
        Ok(()) => say("main", "never returned"),
        Err(SchedError::TaskCancelled { .. }) => {
            say("main", "awaiting never raised CancelledError");
        }
        Err(error) => return Err(error),
    }
    b.join()?;
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
