//! The twin of `02_course_trace.py`: tasks spawned T1, T3, T2 start in that
//! order; T1 sleeps, so it ends last.

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};

use crate::parity::{UNIT, run, say};

fn job(name: &str, units: u32) -> Result<(), SchedError> {
    say(name, "start");
    if units > 0 {
        sleep(units * UNIT)?;
    }
    say(name, "end");
    Ok(())
}

fn main() -> Result<(), SchedError> {
    say("main", "start");
    let t1 = spawn("T1", || job("T1", 1))?;
    let t3 = spawn("T3", || job("T3", 0))?;
    let t2 = spawn("T2", || job("T2", 0))?;
    say("main", "middle");
    t1.join()?;
    t3.join()?;
    t2.join()?;
    say("main", "end");
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
