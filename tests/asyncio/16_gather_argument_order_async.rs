//! `16_gather_argument_order.py` with `async fn` tasks (chapter 9), awaiting
//! `gather_async`: the values come in argument order, not in the order the
//! tasks finished.

use yieldpoint::ch06_scheduler::SchedError;
use yieldpoint::ch09_async_fn::{gather_async, sleep, spawn_async};

use crate::parity::{UNIT, run_async, say};

async fn job(name: &'static str, units: u32) -> Result<String, SchedError> {
    say(name, format!("sleeps until {units}"));
    sleep(units * UNIT).await?;
    say(name, "finishes");
    Ok(name.to_lowercase())
}

async fn main() -> Result<(), SchedError> {
    let a = spawn_async("A", job("A", 3))?;
    let b = spawn_async("B", job("B", 1))?;
    let c = spawn_async("C", job("C", 2))?;
    say("main", "gathers A, B, C");
    let values = gather_async(&[a, b, c]).await?;
    say("main", format!("got {}", values.join(", ")));
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run_async(main())
}
