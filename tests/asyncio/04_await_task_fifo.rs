//! The twin of `04_await_task_fifo.py`: joining a task suspends the joiner,
//! and the tasks spawned earlier run first, in FIFO order.

use yieldpoint::ch06_scheduler::{SchedError, spawn};

use crate::parity::{run, say};

fn job(name: &str) -> Result<String, SchedError> {
    say(name, "runs");
    Ok(name.to_lowercase())
}

fn main() -> Result<(), SchedError> {
    let task_x = spawn("X", || job("X"))?;
    let task_y = spawn("Y", || job("Y"))?;
    say("main", "created X and Y, awaits Y");
    let value = task_y.join()?;
    say("main", format!("Y returned {value}"));
    let value = task_x.join()?;
    say("main", format!("X returned {value}"));
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
