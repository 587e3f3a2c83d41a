//! The twin of `08_await_finished_task.py`: joining a task that already
//! finished returns at once, without suspending.

use std::time::Duration;

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};

use crate::parity::{run, say};

fn quick() -> Result<u32, SchedError> {
    say("quick", "returns 42");
    Ok(42)
}

fn bystander() -> Result<(), SchedError> {
    say("bystander", "runs");
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let q = spawn("quick", quick)?;
    sleep(Duration::ZERO)?; // quick runs and finishes
    say(
        "main",
        if q.done() {
            "quick is done"
        } else {
            "quick is pending"
        },
    );
    let b = spawn("bystander", bystander)?; // ready, queued behind nobody
    let value = q.join()?; // already done: no suspension, so bystander must wait
    say("main", format!("got {value} before bystander ran"));
    b.join()?;
    say("main", "end");
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
