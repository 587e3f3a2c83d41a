//! The twin of `25_task_cancels_itself.py`: a task that cancels itself runs
//! on to its next suspension point, which returns `SchedError::Cancelled` at
//! once, with no time passing.
//!
//! There is no `asyncio.current_task()` here: `main` hands the task its own
//! handle before the task first runs.

use std::cell::OnceCell;
use std::rc::Rc;

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError, sleep, spawn};

use crate::parity::{UNIT, cancelled, py_bool, run, say};

/// The rebel's own handle.
type Handle = JoinHandle<()>;

fn rebel(me: &OnceCell<Handle>) -> Result<(), SchedError> {
    let me = me.get().expect("main sets the handle before rebel runs");
    say(
        "rebel",
        format!("cancels itself: cancel() returned {}", py_bool(me.cancel())),
    );
    say("rebel", "runs on until it awaits");
    match sleep(5 * UNIT) {
        Ok(()) => {}
        Err(SchedError::Cancelled) => {
            say(
                "rebel",
                "CancelledError at its sleep, at once; cleans up for 1 unit",
            );
            sleep(UNIT)?;
            say("rebel", "cleanup done, re-raises");
            return Err(SchedError::Cancelled);
        }
        Err(error) => return Err(error),
    }
    say("rebel", "slept 5 units"); // never
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let me: Rc<OnceCell<Handle>> = Rc::default();
    let r = spawn("rebel", {
        let me = Rc::clone(&me);
        move || rebel(&me)
    })?;
    me.set(r.clone()).expect("the handle is set once");
    match r.join() {
        Ok(()) => say("main", "rebel returned"),
        Err(SchedError::TaskCancelled { .. }) => {
            say("main", "awaiting rebel raised CancelledError");
        }
        Err(error) => return Err(error),
    }
    say(
        "main",
        format!("rebel cancelled: {}", py_bool(cancelled(&r))),
    );
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
