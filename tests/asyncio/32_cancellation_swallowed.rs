//! The twin of `32_cancellation_swallowed.py`: a task may catch its
//! cancellation and return a value; it then ends done, not cancelled.

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};

use crate::parity::{UNIT, py_bool, run, say};

fn stubborn() -> Result<u32, SchedError> {
    if let Err(SchedError::Cancelled) = sleep(5 * UNIT) {
        say("stubborn", "swallows the cancellation");
    }
    sleep(UNIT)?;
    say("stubborn", "returns 42 anyway");
    Ok(42)
}

fn main() -> Result<(), SchedError> {
    let t = spawn("stubborn", stubborn)?;
    sleep(UNIT)?;
    say("main", format!("cancel() returned {}", py_bool(t.cancel())));
    let value = t.join()?;
    say(
        "main",
        format!("got {value}; cancelled: {}", py_bool(t.cancelled())),
    );
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
