//! The twin of `01_spawn_order.py`: tasks start in the order they were
//! spawned, and only once the spawner suspends.

use std::time::Duration;

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};

use crate::parity::{run, say};

fn worker(name: &str) -> Result<(), SchedError> {
    say(name, "start");
    sleep(Duration::ZERO)?;
    say(name, "end");
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let t1 = spawn("T1", || worker("T1"))?;
    say("main", "created T1");
    let t2 = spawn("T2", || worker("T2"))?;
    say("main", "created T2");
    let t3 = spawn("T3", || worker("T3"))?;
    say("main", "created T3, still running");
    t1.join()?;
    say("main", "T1 is done");
    t2.join()?;
    t3.join()?;
    say("main", "end");
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
