//! The twin of `10_long_chain.py`: a chain of 50 tasks, each joining the
//! next; the value climbs back one task per loop iteration.

use yieldpoint::ch06_scheduler::{SchedError, spawn, yield_now};

use crate::parity::{run, say};

const DEPTH: u32 = 50;

fn link(k: u32) -> Result<u32, SchedError> {
    if k == DEPTH - 1 {
        say(&format!("link {k}"), "is the last link, returns 1");
        return Ok(1);
    }
    let task = spawn(format!("link {}", k + 1), move || link(k + 1))?;
    Ok(task.join()? + 1)
}

fn ticker() -> Result<(), SchedError> {
    // One tick per loop iteration: the ticks count the iterations the chain takes.
    for tick in 0..120 {
        say("ticker", format!("tick {tick}"));
        yield_now()?;
    }
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let t = spawn("ticker", ticker)?;
    let first = spawn("link 0", || link(0))?;
    let value = first.join()?;
    say("main", format!("got {value}"));
    t.join()?;
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
