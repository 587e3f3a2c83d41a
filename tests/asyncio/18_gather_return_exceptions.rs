//! The twin of `18_gather_return_exceptions.py`: `gather_results`, asyncio's
//! `gather(..., return_exceptions=True)`, waits for every task and keeps
//! each outcome, in argument order.

use yieldpoint::ch06_scheduler::{BoxError, SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::gather_results;

use crate::parity::{UNIT, run, say};

fn job(name: &str, units: u32, fails: bool) -> Result<u32, BoxError> {
    sleep(units * UNIT)?;
    if fails {
        say(name, "raises boom");
        return Err("boom".into());
    }
    say(name, format!("returns {units}"));
    Ok(units)
}

fn main() -> Result<(), SchedError> {
    let a = spawn("A", || job("A", 1, false))?;
    let b = spawn("B", || job("B", 2, true))?;
    let c = spawn("C", || job("C", 3, false))?;
    say("main", "gathers A, B, C, keeping errors");
    let outcomes = gather_results(&[a, b, c])?;
    for (name, outcome) in ["A", "B", "C"].into_iter().zip(outcomes) {
        match outcome {
            Ok(value) => say("main", format!("{name} returned {value}")),
            Err(SchedError::TaskFailed(failure)) => {
                say("main", format!("{name} failed: {}", failure.message()));
            }
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
