//! The twin of `03_await_coroutine_inline.py`: awaiting a coroutine is calling
//! a function, which runs inline; a task spawned before it waits for the
//! first real suspension.

use std::time::Duration;

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};

use crate::parity::{run, say};

fn x() -> Result<&'static str, SchedError> {
    say("X", "runs");
    Ok("x")
}

/// `await y()` in Python: a plain call here.
fn y() -> Result<&'static str, SchedError> {
    say("Y", "runs inline, before X");
    sleep(Duration::ZERO)?; // the first real suspension: now X gets its turn
    say("Y", "resumed after sleep(0)");
    Ok("y")
}

fn main() -> Result<(), SchedError> {
    let task_x = spawn("X", x)?;
    say("main", "created X, awaits coroutine Y");
    let value = y()?;
    say("main", format!("Y returned {value}"));
    let value = task_x.join()?;
    say("main", format!("X returned {value}"));
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
