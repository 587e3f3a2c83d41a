//! The twin of `46_cancel_joiner_cancels_target.py`: cancelling a task that
//! joins another cancels that other task; the joiner then gets the
//! cancellation once the other has cleaned up.

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError, sleep, spawn};

use crate::parity::{UNIT, py_bool, run, say};

fn target() -> Result<(), SchedError> {
    if let Err(error) = sleep(10 * UNIT) {
        say("target", "cancelled; cleans up for 1 unit");
        sleep(UNIT)?;
        say("target", "cleanup done");
        return Err(error);
    }
    Ok(())
}

fn joiner(task: &JoinHandle<()>) -> Result<(), SchedError> {
    if let Err(error) = task.join() {
        say("joiner", "await raised CancelledError");
        return Err(error);
    }
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let t = spawn("target", target)?;
    let j = spawn("joiner", {
        let t = t.clone();
        move || joiner(&t)
    })?;
    sleep(UNIT)?;
    say(
        "main",
        format!("cancels the joiner: {}", py_bool(j.cancel())),
    );
    if let Err(SchedError::TaskCancelled { .. }) = j.join() {
        say(
            "main",
            format!(
                "joiner cancelled: {}, target cancelled: {}",
                py_bool(j.cancelled()),
                py_bool(t.cancelled())
            ),
        );
    }
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
