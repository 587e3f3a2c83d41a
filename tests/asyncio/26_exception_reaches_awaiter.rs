//! The twin of `26_exception_reaches_awaiter.py`: a panic in a task reaches
//! the task that joins it, as `SchedError::Task(FutureError::Panicked(message))`
//! (Python's exception); the other tasks keep running.

use yieldpoint::ch06_scheduler::{BoxError, SchedError, sleep, spawn};

use crate::parity::{UNIT, run, say};

fn bad() -> Result<(), BoxError> {
    say("bad", "sleeps 2 units");
    sleep(2 * UNIT)?;
    say("bad", "raises boom");
    Err("boom".into())
}

fn ticker() -> Result<u32, SchedError> {
    sleep(UNIT)?;
    say("ticker", "tick 1");
    sleep(2 * UNIT)?;
    say("ticker", "tick 2, after bad failed");
    Ok(2)
}

fn main() -> Result<(), SchedError> {
    let b = spawn("bad", bad)?;
    let t = spawn("ticker", ticker)?;
    match b.join() {
        Ok(()) => say("main", "bad returned"),
        Err(SchedError::TaskFailed(failure)) => {
            say("main", format!("bad failed: {}", failure.message()));
        }
        Err(error) => return Err(error),
    }
    let ticks = t.join()?;
    say("main", format!("ticker went on to {ticks} ticks"));
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
