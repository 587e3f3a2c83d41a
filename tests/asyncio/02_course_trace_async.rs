//! `02_course_trace.py` with `async fn` tasks (chapter 9): T1, T3, T2.

use yieldpoint::ch06_scheduler::SchedError;
use yieldpoint::ch09_async_fn::{sleep, spawn_async};

use crate::parity::{UNIT, run_async, say};

async fn job(name: &'static str, units: u32) -> Result<(), SchedError> {
    say(name, "start");
    if units > 0 {
        sleep(units * UNIT).await?;
    }
    say(name, "end");
    Ok(())
}

async fn main() -> Result<(), SchedError> {
    say("main", "start");
    let t1 = spawn_async("T1", job("T1", 1))?;
    let t3 = spawn_async("T3", job("T3", 0))?;
    let t2 = spawn_async("T2", job("T2", 0))?;
    say("main", "middle");
    t1.await?;
    t3.await?;
    t2.await?;
    say("main", "end");
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run_async(main())
}
