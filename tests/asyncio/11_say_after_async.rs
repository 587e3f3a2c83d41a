//! `11_say_after.py` with `async fn`s (chapter 9): asyncio's tutorial, 3
//! units awaited in turn and 2 as tasks.

use yieldpoint::ch06_scheduler::SchedError;
use yieldpoint::ch09_async_fn::{sleep, spawn_async};

use crate::parity::{UNIT, run_async, say};

async fn say_after(units: u32, what: &'static str) -> Result<(), SchedError> {
    sleep(units * UNIT).await?;
    say("say_after", what);
    Ok(())
}

async fn main() -> Result<(), SchedError> {
    say("main", "sequential: await one coroutine, then the other");
    say_after(1, "hello").await?;
    say_after(2, "world").await?;
    say("main", "sequential done");

    say("main", "concurrent: create both tasks, then await them");
    let hello = spawn_async("hello", say_after(1, "hello"))?;
    let world = spawn_async("world", say_after(2, "world"))?;
    hello.await?;
    world.await?;
    say("main", "concurrent done");
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run_async(main())
}
