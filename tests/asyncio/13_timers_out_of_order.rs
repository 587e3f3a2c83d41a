//! The twin of `13_timers_out_of_order.py`: timers set out of order fire in
//! deadline order; equal deadlines keep the order they were set.

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};

use crate::parity::{UNIT, run, say};

fn sleeper(name: &str, units: u32) -> Result<(), SchedError> {
    say(name, format!("sleeps until {units}"));
    sleep(units * UNIT)?;
    say(name, "wakes");
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let tasks = [
        spawn("three", || sleeper("three", 3))?,
        spawn("one-a", || sleeper("one-a", 1))?,
        spawn("two", || sleeper("two", 2))?,
        spawn("one-b", || sleeper("one-b", 1))?,
    ];
    for task in &tasks {
        task.join()?;
    }
    say("main", "end");
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
