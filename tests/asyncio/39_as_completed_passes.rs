//! The twin of `39_as_completed_passes.py`: `as_completed` hands out a task
//! two passes after it ends, as `gather` does.

use std::time::Duration;

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::as_completed;

use crate::parity::{run, say};

fn child(name: &'static str, turns: u32) -> impl FnOnce() -> Result<&'static str, SchedError> {
    move || {
        for _ in 0..turns {
            sleep(Duration::ZERO)?;
        }
        say(name, "ends");
        Ok(name)
    }
}

fn ticker() -> Result<(), SchedError> {
    for i in 0..6 {
        say("ticker", format!("tick {i}"));
        sleep(Duration::ZERO)?;
    }
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let t = spawn("ticker", ticker)?;
    let a = spawn("A", child("A", 0))?;
    let b = spawn("B", child("B", 2))?;
    for next_one in as_completed(vec![a, b]) {
        let (_, name) = next_one?;
        say("main", format!("got {}", name?));
    }
    t.join()?;
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
