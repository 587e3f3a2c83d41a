//! `01_spawn_order.py` with `async fn` tasks (chapter 9): the same lines as
//! CPython, so spawn order and `sleep(0)` turns hold for async tasks too.

use std::time::Duration;

use yieldpoint::ch06_scheduler::SchedError;
use yieldpoint::ch09_async_fn::{sleep, spawn_async};

use crate::parity::{run_async, say};

async fn worker(name: &'static str) -> Result<(), SchedError> {
    say(name, "start");
    sleep(Duration::ZERO).await?;
    say(name, "end");
    Ok(())
}

async fn main() -> Result<(), SchedError> {
    let t1 = spawn_async("T1", worker("T1"))?;
    say("main", "created T1");
    let t2 = spawn_async("T2", worker("T2"))?;
    say("main", "created T2");
    let t3 = spawn_async("T3", worker("T3"))?;
    say("main", "created T3, still running");
    t1.await?;
    say("main", "T1 is done");
    t2.await?;
    t3.await?;
    say("main", "end");
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run_async(main())
}
