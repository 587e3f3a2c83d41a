//! `17_gather_first_error.py` with `async fn` tasks (chapter 9), awaiting
//! `gather_async`: the first failure ends the wait, and the other tasks
//! run on.

use yieldpoint::ch06_scheduler::{BoxError, SchedError};
use yieldpoint::ch09_async_fn::{gather_async, sleep, spawn_async};

use crate::parity::{UNIT, run_async, say};

async fn quick() -> Result<u32, BoxError> {
    sleep(UNIT).await?;
    say("quick", "returns 1");
    Ok(1)
}

async fn bad() -> Result<u32, BoxError> {
    sleep(2 * UNIT).await?;
    say("bad", "raises boom");
    Err("boom".into())
}

async fn slow() -> Result<u32, BoxError> {
    sleep(3 * UNIT).await?;
    say("slow", "returns 3");
    Ok(3)
}

async fn main() -> Result<(), SchedError> {
    let q = spawn_async("quick", quick())?;
    let b = spawn_async("bad", bad())?;
    let s = spawn_async("slow", slow())?;
    say("main", "gathers quick, bad, slow");
    match gather_async(&[q, b, s.clone()]).await {
        Ok(_) => say("main", "gather returned"),
        Err(SchedError::TaskFailed(failure)) => {
            say("main", format!("gather failed: {}", failure.message()));
        }
        Err(error) => return Err(error),
    }
    let state = if s.done() { "done" } else { "still pending" };
    say("main", format!("slow is {state}"));
    let value = s.await?;
    say("main", format!("slow returned {value}"));
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run_async(main())
}
