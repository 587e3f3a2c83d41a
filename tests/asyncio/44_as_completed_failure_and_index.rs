//! The twin of `44_as_completed_failure_and_index.py`: `as_completed` hands
//! out a failure in its turn, with the index of the task that failed.

use yieldpoint::ch06_scheduler::{BoxError, SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::as_completed;

use crate::parity::{UNIT, run, say};

fn job(
    name: &'static str,
    units: u32,
    fails: bool,
) -> impl FnOnce() -> Result<&'static str, BoxError> {
    move || {
        sleep(units * UNIT)?;
        if fails {
            return Err(format!("{name} failed").into());
        }
        Ok(name)
    }
}

fn main() -> Result<(), SchedError> {
    let tasks = vec![
        spawn("A", job("A", 3, false))?,
        spawn("B", job("B", 1, true))?,
        spawn("C", job("C", 2, false))?,
    ];
    for next_one in as_completed(tasks) {
        match next_one? {
            (_, Ok(name)) => say("main", format!("next: {name}")),
            (index, Err(SchedError::TaskFailed(failure))) => say(
                "main",
                format!("next: task #{index} raised: {}", failure.message()),
            ),
            (_, Err(error)) => return Err(error),
        }
    }
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
