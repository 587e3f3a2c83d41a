//! The twin of `14_two_waiters.py`: several tasks join one task; they all
//! wake when it ends, in the order they began to wait.

use std::time::Duration;

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError, sleep, spawn};

use crate::parity::{UNIT, run, say};

fn worker() -> Result<u32, SchedError> {
    say("worker", "sleeps 2 units");
    sleep(2 * UNIT)?;
    say("worker", "returns 7");
    Ok(7)
}

fn waiter(name: &str, worker_task: &JoinHandle<u32>, turns: u32) -> Result<(), SchedError> {
    for _ in 0..turns {
        sleep(Duration::ZERO)?;
    }
    say(name, "awaits worker");
    let value = worker_task.join()?;
    say(name, format!("got {value}"));
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let w = spawn("worker", worker)?;
    let (for_w1, for_w2) = (w.clone(), w.clone());
    let w1 = spawn("W1", move || waiter("W1", &for_w1, 1))?;
    let w2 = spawn("W2", move || waiter("W2", &for_w2, 0))?;
    sleep(Duration::ZERO)?;
    sleep(Duration::ZERO)?;
    say("main", "awaits worker, third in line");
    let value = w.join()?;
    say("main", format!("got {value}"));
    w1.join()?;
    w2.join()?;
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
