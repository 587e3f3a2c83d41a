//! The twin of `28_gather_cancelled_child.py`: a cancelled task in a gather.
//! `gather_results` keeps its outcome, `SchedError::Task(FutureError::Cancelled)`
//! (Python's `CancelledError` in the list); `gather` returns that error at
//! once, and the other tasks keep running.

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::{gather, gather_results};

use crate::parity::{UNIT, py_bool, run, say};

fn job(name: &str, units: u32) -> Result<String, SchedError> {
    match sleep(units * UNIT) {
        Ok(()) => {}
        Err(SchedError::Cancelled) => {
            say(name, "cancelled at its sleep");
            return Err(SchedError::Cancelled);
        }
        Err(error) => return Err(error),
    }
    say(name, "finishes");
    Ok(name.to_lowercase())
}

fn cancel_later<T: 'static>(
    task: &JoinHandle<T>,
    name: &str,
    units: u32,
) -> Result<(), SchedError> {
    sleep(units * UNIT)?;
    say(
        "stopper",
        format!("cancels {name}: {}", py_bool(task.cancel())),
    );
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let a = spawn("A", || job("A", 1))?;
    let b = spawn("B", || job("B", 4))?;
    let c = spawn("C", || job("C", 3))?;
    let stopper = spawn("stopper", {
        let b = b.clone();
        move || cancel_later(&b, "B", 2)
    })?;
    say("main", "gathers A, B, C, keeping errors");
    let outcomes = gather_results(&[a, b, c])?;
    for (name, outcome) in ["A", "B", "C"].into_iter().zip(outcomes) {
        match outcome {
            Ok(value) => say("main", format!("{name} returned {value}")),
            Err(SchedError::TaskCancelled { .. }) => {
                say("main", format!("{name} was cancelled"));
            }
            Err(error) => return Err(error),
        }
    }
    stopper.join()?;

    let d = spawn("D", || job("D", 2))?;
    let e = spawn("E", || job("E", 5))?;
    let stopper = spawn("stopper", {
        let e = e.clone();
        move || cancel_later(&e, "E", 1)
    })?;
    say("main", "gathers D, E");
    match gather(&[d.clone(), e]) {
        Ok(_) => say("main", "gather returned"),
        Err(SchedError::TaskCancelled { .. }) => {
            say("main", "gather raised CancelledError");
        }
        Err(error) => return Err(error),
    }
    say(
        "main",
        if d.done() {
            "D is done"
        } else {
            "D is still pending"
        },
    );
    let value = d.join()?;
    say("main", format!("D returned {value}"));
    stopper.join()?;
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
