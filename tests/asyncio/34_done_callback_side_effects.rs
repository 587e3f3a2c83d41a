//! The twin of `34_done_callback_side_effects.py`: done callbacks go through
//! the ready queue; beside a ticking task, what they print and the tasks
//! they spawn come a pass after the task ends.

use std::time::Duration;

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};

use crate::parity::{run, say};

fn ticker() -> Result<(), SchedError> {
    for i in 0..5 {
        say("ticker", format!("tick {i}"));
        sleep(Duration::ZERO)?;
    }
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let t = spawn("ticker", ticker)?;
    let q = spawn("quick", || {
        say("quick", "ends");
        Ok::<(), SchedError>(())
    })?;
    q.add_done_callback(|_| {
        say("callback", "quick is done; spawns a task");
        spawn("spawned", || {
            say("spawned", "runs");
            Ok::<(), SchedError>(())
        })
        .expect("a callback may spawn");
    });
    sleep(Duration::ZERO)?;
    say("main", "awaits the ticker");
    t.join()?;
    sleep(Duration::ZERO)?;
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
