//! The twin of `47_gather_caller_cancelled_fails_fast.py`: cancelling the
//! task in `gather` cancels the gathered tasks; `gather` returns the
//! cancellation as soon as one of them ends cancelled.

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::gather;

use crate::parity::{UNIT, py_bool, run, say};

fn job(name: &'static str, cleanup: u32) -> impl FnOnce() -> Result<(), SchedError> {
    move || {
        if let Err(error) = sleep(10 * UNIT) {
            say(name, format!("cancelled; cleans up for {cleanup} unit(s)"));
            sleep(cleanup * UNIT)?;
            say(name, "cleanup done");
            return Err(error);
        }
        Ok(())
    }
}

fn gatherer(tasks: &[JoinHandle<()>]) -> Result<(), SchedError> {
    if let Err(error) = gather(tasks) {
        say("gatherer", "gather raised CancelledError");
        return Err(error);
    }
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let a = spawn("A", job("A", 1))?;
    let b = spawn("B", job("B", 3))?;
    let g = spawn("gatherer", {
        let tasks = [a, b.clone()];
        move || gatherer(&tasks)
    })?;
    sleep(UNIT)?;
    say(
        "main",
        format!("cancels the gatherer: {}", py_bool(g.cancel())),
    );
    if let Err(SchedError::TaskCancelled { .. }) = g.join() {
        say(
            "main",
            format!("gatherer cancelled; B done yet: {}", py_bool(b.done())),
        );
    }
    if let Err(SchedError::TaskCancelled { .. }) = b.join() {
        say("main", "B ended cancelled");
    }
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
