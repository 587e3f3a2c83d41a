//! The twin of `16_gather_argument_order.py`: `gather` returns the values in
//! argument order, not in the order the tasks finished.

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::gather;

use crate::parity::{UNIT, run, say};

fn job(name: &str, units: u32) -> Result<String, SchedError> {
    say(name, format!("sleeps until {units}"));
    sleep(units * UNIT)?;
    say(name, "finishes");
    Ok(name.to_lowercase())
}

fn main() -> Result<(), SchedError> {
    let a = spawn("A", || job("A", 3))?;
    let b = spawn("B", || job("B", 1))?;
    let c = spawn("C", || job("C", 2))?;
    say("main", "gathers A, B, C");
    let values = gather(&[a, b, c])?;
    say("main", format!("got {}", values.join(", ")));
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
