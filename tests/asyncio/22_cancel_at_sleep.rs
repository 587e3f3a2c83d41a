//! The twin of `22_cancel_at_sleep.py`: `cancel()` reaches a task at the
//! suspension point it waits at (its sleep returns `SchedError::Cancelled`);
//! it cleans up and returns that error, Python's `raise`, and joining it
//! gives `SchedError::Task(FutureError::Cancelled)`, Python's
//! `CancelledError`.

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};

use crate::parity::{UNIT, cancelled, py_bool, run, say};

fn sleeper() -> Result<(), SchedError> {
    say("sleeper", "sleeps 10 units");
    match sleep(10 * UNIT) {
        Ok(()) => {}
        Err(SchedError::Cancelled) => {
            say(
                "sleeper",
                "CancelledError at its sleep, cleans up for 1 unit",
            );
            sleep(UNIT)?;
            say("sleeper", "cleanup done, re-raises");
            return Err(SchedError::Cancelled);
        }
        Err(error) => return Err(error),
    }
    say("sleeper", "slept 10 units"); // never
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let s = spawn("sleeper", sleeper)?;
    sleep(UNIT)?;
    say("main", format!("cancel() returned {}", py_bool(s.cancel())));
    match s.join() {
        Ok(()) => say("main", "sleeper returned"),
        Err(SchedError::TaskCancelled { .. }) => {
            say("main", "awaiting sleeper raised CancelledError");
        }
        Err(error) => return Err(error),
    }
    say(
        "main",
        format!("sleeper cancelled: {}", py_bool(cancelled(&s))),
    );
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
