//! `14_two_waiters.py` with `async fn` tasks (chapter 9): the tasks that
//! await one task wake in the order they began to wait.

use std::time::Duration;

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError};
use yieldpoint::ch09_async_fn::{sleep, spawn_async};

use crate::parity::{UNIT, run_async, say};

async fn worker() -> Result<u32, SchedError> {
    say("worker", "sleeps 2 units");
    sleep(2 * UNIT).await?;
    say("worker", "returns 7");
    Ok(7)
}

async fn waiter(
    name: &'static str,
    worker_task: JoinHandle<u32>,
    turns: u32,
) -> Result<(), SchedError> {
    for _ in 0..turns {
        sleep(Duration::ZERO).await?;
    }
    say(name, "awaits worker");
    let value = worker_task.await?;
    say(name, format!("got {value}"));
    Ok(())
}

async fn main() -> Result<(), SchedError> {
    let w = spawn_async("worker", worker())?;
    let w1 = spawn_async("W1", waiter("W1", w.clone(), 1))?;
    let w2 = spawn_async("W2", waiter("W2", w.clone(), 0))?;
    sleep(Duration::ZERO).await?;
    sleep(Duration::ZERO).await?;
    say("main", "awaits worker, third in line");
    let value = w.await?;
    say("main", format!("got {value}"));
    w1.await?;
    w2.await?;
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run_async(main())
}
