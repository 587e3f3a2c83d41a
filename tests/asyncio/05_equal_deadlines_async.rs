//! `05_equal_deadlines.py` with `async fn` tasks (chapter 9): equal
//! deadlines fire in the order the timers were set, for async sleeps too.

use std::time::Duration;

use yieldpoint::ch06_scheduler::SchedError;
use yieldpoint::ch09_async_fn::{sleep, spawn_async};

use crate::parity::{UNIT, run_async, say};

async fn sleeper(name: &'static str, yield_first: bool) -> Result<(), SchedError> {
    if yield_first {
        say(name, "yields once first");
        sleep(Duration::ZERO).await?;
    }
    say(name, "sleeps 2 units");
    sleep(2 * UNIT).await?;
    say(name, "wakes");
    Ok(())
}

async fn main() -> Result<(), SchedError> {
    let late = spawn_async("late", sleeper("late", true))?;
    let first = spawn_async("first", sleeper("first", false))?;
    let second = spawn_async("second", sleeper("second", false))?;
    let third = spawn_async("third", sleeper("third", false))?;
    say("main", "sleeps 2 units before any task has run");
    sleep(2 * UNIT).await?;
    say("main", "wakes");
    for task in [late, first, second, third] {
        task.await?;
    }
    say("main", "every sleeper woke");
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run_async(main())
}
