//! The twin of `38_wait_for_ended_task.py`: `wait_for` of a task that has
//! ended waits a pass for its done callback, unless the timeout is zero.

use std::time::Duration;

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::wait_for;

use crate::parity::{UNIT, run, say};

fn other(name: &'static str) -> impl FnOnce() -> Result<(), SchedError> {
    move || {
        say(name, "runs");
        Ok(())
    }
}

fn main() -> Result<(), SchedError> {
    let t = spawn("value", || Ok::<u32, SchedError>(7))?;
    sleep(Duration::ZERO)?;
    let o1 = spawn("other1", other("other1"))?;
    let got = wait_for(&t, 5 * UNIT)?;
    say("main", format!("wait_for(t, 5) gave {got}"));
    o1.join()?;
    let o2 = spawn("other2", other("other2"))?;
    let got = wait_for(&t, Duration::ZERO)?;
    say("main", format!("wait_for(t, 0) gave {got}"));
    o2.join()?;
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
