//! `21_wait_for_timeout_cleanup.py` with an async `main` (chapter 9)
//! awaiting `wait_for_async`. The worker stays stackful: its cleanup awaits
//! a sleep, and an async task's cleanup, its destructors, cannot wait.

use yieldpoint::ch06_scheduler::{self as ch06, SchedError, spawn};
use yieldpoint::ch09_async_fn::wait_for_async;

use crate::parity::{UNIT, py_bool, run_async, say};

fn worker() -> Result<u32, SchedError> {
    say("worker", "starts a 5-unit job");
    if let Err(cancelled) = ch06::sleep(5 * UNIT) {
        say("worker", "cancelled at its sleep, cleans up for 1 unit");
        ch06::sleep(UNIT)?;
        say("worker", "cleanup done, re-raises");
        return Err(cancelled);
    }
    say("worker", "finished the job");
    Ok(5)
}

async fn main() -> Result<(), SchedError> {
    let w = spawn("worker", worker)?;
    say("main", "waits for worker, at most 1 unit");
    match wait_for_async(&w, UNIT).await {
        Ok(_) => say("main", "got the value"),
        Err(SchedError::TimedOut) => say("main", "timed out, after the cleanup"),
        Err(error) => return Err(error),
    }
    say(
        "main",
        format!("worker cancelled: {}", py_bool(w.cancelled())),
    );
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run_async(main())
}
