//! The twin of `06_sleep0_interleaving.py`: `yield_now()`, which is
//! `asyncio.sleep(0)`, sends a task to the back of the ready queue, so three
//! tasks take turns.

use yieldpoint::ch06_scheduler::{SchedError, spawn, yield_now};

use crate::parity::{run, say};

fn stepper(name: &str, steps: u32) -> Result<(), SchedError> {
    for step in 0..steps {
        say(name, format!("step {step}"));
        yield_now()?;
    }
    say(name, "done");
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let a = spawn("A", || stepper("A", 3))?;
    let b = spawn("B", || stepper("B", 1))?;
    let c = spawn("C", || stepper("C", 4))?;
    a.join()?;
    say("main", "A is done");
    b.join()?;
    c.join()?;
    say("main", "end");
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
