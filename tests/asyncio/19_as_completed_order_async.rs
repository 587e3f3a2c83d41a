//! `19_as_completed_order.py` with `async fn` tasks (chapter 9), awaiting
//! `as_completed_async`: the outcomes come in the order the tasks finish,
//! failures included.

use yieldpoint::ch06_scheduler::{BoxError, SchedError};
use yieldpoint::ch09_async_fn::{as_completed_async, sleep, spawn_async};

use crate::parity::{UNIT, run_async, say};

async fn job(name: &'static str, units: u32, fails: bool) -> Result<String, BoxError> {
    sleep(units * UNIT).await?;
    if fails {
        say(name, "raises boom");
        return Err("boom".into());
    }
    say(name, "finishes");
    Ok(name.to_lowercase())
}

async fn main() -> Result<(), SchedError> {
    let tasks = vec![
        spawn_async("A", job("A", 3, false))?,
        spawn_async("B", job("B", 1, false))?,
        spawn_async("C", job("C", 2, true))?,
    ];
    say("main", "waits for A, B, C as they complete");
    let mut done = as_completed_async(tasks);
    while let Some(next_one) = done.next().await {
        match next_one {
            Ok((_, Ok(value))) => say("main", format!("next: {value}")),
            Ok((_, Err(SchedError::TaskFailed(failure)))) => {
                say("main", format!("next: failed: {}", failure.message()));
            }
            Ok((_, Err(error))) | Err(error) => return Err(error),
        }
    }
    say("main", "all handed out");
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run_async(main())
}
