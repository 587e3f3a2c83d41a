//! `36_gather_wakes_a_pass_later.py` with `async fn` tasks (chapter 9):
//! `gather_async` wakes its caller a pass later than awaiting the task
//! does, as asyncio's gather does.

use std::time::Duration;

use yieldpoint::ch06_scheduler::SchedError;
use yieldpoint::ch09_async_fn::{gather_async, sleep, spawn_async};

use crate::parity::{run_async, say};

async fn child() -> Result<(), SchedError> {
    say("A", "ends");
    Ok(())
}

async fn ticker() -> Result<(), SchedError> {
    for i in 0..5 {
        say("ticker", format!("tick {i}"));
        sleep(Duration::ZERO).await?;
    }
    Ok(())
}

async fn main() -> Result<(), SchedError> {
    let a = spawn_async("A", child())?;
    let t = spawn_async("ticker", ticker())?;
    a.await?;
    say("main", "await a resumes");
    let b = spawn_async("A", child())?;
    gather_async(&[b]).await?;
    say("main", "gather resumes");
    t.await?;
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run_async(main())
}
