//! The twin of `40_wait_for_cancel_race.py`, and a divergence on purpose
//! (see `40_wait_for_cancel_race.diverges`): CPython 3.11's `wait_for`
//! returns the value of a task that ended in the same pass as a
//! cancellation of its caller, dropping the cancellation (a bug, fixed in
//! 3.12). This crate's `wait_for` keeps the cancellation.

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::wait_for;

use crate::parity::{UNIT, py_bool, run, say};

fn inner() -> Result<u32, SchedError> {
    sleep(UNIT)?;
    say("inner", "returns 5");
    Ok(5)
}

fn waiter(task: &JoinHandle<u32>) -> Result<(), SchedError> {
    match wait_for(task, 10 * UNIT) {
        Ok(value) => {
            say("waiter", format!("wait_for returned {value}"));
            Ok(())
        }
        Err(SchedError::Cancelled) => {
            say("waiter", "wait_for raised CancelledError");
            Err(SchedError::Cancelled)
        }
        Err(error) => Err(error),
    }
}

fn main() -> Result<(), SchedError> {
    let i = spawn("inner", inner)?;
    let w = spawn("waiter", move || waiter(&i))?;
    let c = spawn("canceller", {
        let w = w.clone();
        move || {
            sleep(UNIT)?;
            say(
                "canceller",
                format!("cancels the waiter: {}", py_bool(w.cancel())),
            );
            Ok::<(), SchedError>(())
        }
    })?;
    c.join()?;
    match w.join() {
        Ok(()) => say("main", "the waiter returned"),
        Err(SchedError::TaskCancelled { .. }) => say("main", "the waiter was cancelled"),
        Err(error) => return Err(error),
    }
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
