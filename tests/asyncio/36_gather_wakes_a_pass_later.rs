//! The twin of `36_gather_wakes_a_pass_later.py`: `gather` wakes its caller
//! a pass later than `join` does.

use std::time::Duration;

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::gather;

use crate::parity::{run, say};

fn child() -> Result<(), SchedError> {
    say("A", "ends");
    Ok(())
}

fn ticker() -> Result<(), SchedError> {
    for i in 0..5 {
        say("ticker", format!("tick {i}"));
        sleep(Duration::ZERO)?;
    }
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let a = spawn("A", child)?;
    let t = spawn("ticker", ticker)?;
    a.join()?;
    say("main", "await a resumes");
    let b = spawn("A", child)?;
    gather(&[b])?;
    say("main", "gather resumes");
    t.join()?;
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
