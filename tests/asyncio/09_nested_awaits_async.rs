//! `09_nested_awaits.py` with `async fn`s (chapter 9): awaiting an
//! `async fn` runs it inline, as awaiting a coroutine does in Python, and
//! awaiting a task waits for it one hop at a time.

use yieldpoint::ch06_scheduler::SchedError;
use yieldpoint::ch09_async_fn::{sleep, spawn_async, yield_now};

use crate::parity::{UNIT, run_async, say};

async fn leaf() -> Result<u32, SchedError> {
    say("leaf", "sleeps 1 unit");
    sleep(UNIT).await?;
    say("leaf", "returns 1");
    Ok(1)
}

async fn inner() -> Result<u32, SchedError> {
    say("inner", "awaits coroutine leaf");
    let value = leaf().await?;
    say("inner", format!("returns {}", value + 10));
    Ok(value + 10)
}

async fn outer() -> Result<u32, SchedError> {
    say("outer", "creates task inner and awaits it");
    let task = spawn_async("inner", inner())?;
    let value = task.await?;
    say("outer", format!("returns {}", value + 100));
    Ok(value + 100)
}

async fn ticker() -> Result<(), SchedError> {
    for tick in 0..4 {
        say("ticker", format!("tick {tick}"));
        yield_now().await?;
    }
    Ok(())
}

async fn main() -> Result<(), SchedError> {
    let t = spawn_async("ticker", ticker())?;
    say("main", "awaits coroutine outer");
    let value = outer().await?;
    say("main", format!("got {value}"));
    t.await?;
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run_async(main())
}
