//! The twin of `24_cancel_finished_task.py`: cancelling a finished task
//! returns `false` and changes nothing: its value is still there.

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};

use crate::parity::{UNIT, cancelled, py_bool, run, say};

fn quick() -> Result<u32, SchedError> {
    say("quick", "returns 5");
    Ok(5)
}

fn main() -> Result<(), SchedError> {
    let q = spawn("quick", quick)?;
    sleep(UNIT)?;
    say("main", format!("quick done: {}", py_bool(q.done())));
    say("main", format!("cancel() returned {}", py_bool(q.cancel())));
    say(
        "main",
        format!("quick cancelled: {}", py_bool(cancelled(&q))),
    );
    let value = q.join()?;
    say("main", format!("awaiting quick gave {value}"));
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
