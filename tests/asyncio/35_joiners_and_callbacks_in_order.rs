//! The twin of `35_joiners_and_callbacks_in_order.py`: the tasks joining a
//! task and its done callbacks wake and run in the order they were added.

use std::time::Duration;

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError, sleep, spawn};

use crate::parity::{UNIT, run, say};

fn waiter(task: &JoinHandle<()>, name: &str) -> Result<(), SchedError> {
    task.join()?;
    say(name, "woken");
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let s = spawn("slow", || {
        sleep(UNIT)?;
        say("slow", "ends");
        Ok::<(), SchedError>(())
    })?;
    s.add_done_callback(|_| say("callback", "first"));
    let w1 = spawn("W1", {
        let s = s.clone();
        move || waiter(&s, "W1")
    })?;
    sleep(Duration::ZERO)?; // W1 starts waiting
    s.add_done_callback(|_| say("callback", "second"));
    let w2 = spawn("W2", {
        let s = s.clone();
        move || waiter(&s, "W2")
    })?;
    w1.join()?;
    w2.join()?;
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
