//! The twin of `19_as_completed_order.py`: `as_completed` hands out the
//! outcomes in the order the tasks finish, failures included.

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::as_completed;

use crate::parity::{UNIT, run, say};

fn job(name: &str, units: u32, fails: bool) -> Result<String, SchedError> {
    sleep(units * UNIT)?;
    if fails {
        say(name, "raises boom");
        panic!("boom"); // a panic fails a task as an error does
    }
    say(name, "finishes");
    Ok(name.to_lowercase())
}

fn main() -> Result<(), SchedError> {
    let tasks = vec![
        spawn("A", || job("A", 3, false))?,
        spawn("B", || job("B", 1, false))?,
        spawn("C", || job("C", 2, true))?,
    ];
    say("main", "waits for A, B, C as they complete");
    for next_one in as_completed(tasks) {
        match next_one {
            Ok((_, Ok(value))) => say("main", format!("next: {value}")),
            Ok((_, Err(SchedError::TaskFailed(failure)))) => {
                say("main", format!("next: failed: {}", failure.message()));
            }
            Ok((_, Err(error))) | Err(error) => return Err(error),
        }
    }
    say("main", "all handed out");
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
