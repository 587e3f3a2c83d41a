//! The twin of `15_woken_waiter_goes_last.py`: a task woken by the end of the
//! task it joined goes to the back of the ready queue.

use std::time::Duration;

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};

use crate::parity::{run, say};

fn job(name: &str, yields: u32) -> Result<String, SchedError> {
    say(name, "runs");
    for _ in 0..yields {
        sleep(Duration::ZERO)?;
        say(name, "runs again");
    }
    Ok(name.to_lowercase())
}

fn main() -> Result<(), SchedError> {
    let a = spawn("A", || job("A", 0))?;
    let b = spawn("B", || job("B", 1))?;
    let c = spawn("C", || job("C", 0))?;
    say("main", "awaits A");
    let value = a.join()?;
    say("main", format!("A returned {value}"));
    b.join()?;
    c.join()?;
    say("main", "end");
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
