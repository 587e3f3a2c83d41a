//! The twin of `05_equal_deadlines.py`: timers with the same deadline fire in
//! the order they were set.

use std::time::Duration;

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};

use crate::parity::{UNIT, run, say};

fn sleeper(name: &str, yield_first: bool) -> Result<(), SchedError> {
    if yield_first {
        say(name, "yields once first");
        sleep(Duration::ZERO)?;
    }
    say(name, "sleeps 2 units");
    sleep(2 * UNIT)?;
    say(name, "wakes");
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let late = spawn("late", || sleeper("late", true))?;
    let first = spawn("first", || sleeper("first", false))?;
    let second = spawn("second", || sleeper("second", false))?;
    let third = spawn("third", || sleeper("third", false))?;
    say("main", "sleeps 2 units before any task has run");
    sleep(2 * UNIT)?;
    say("main", "wakes");
    for task in [late, first, second, third] {
        task.join()?;
    }
    say("main", "every sleeper woke");
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
