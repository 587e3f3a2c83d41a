//! The twin of `11_say_after.py`: calling `say_after` twice takes 1 + 2
//! units; spawning both as tasks first takes max(1, 2).

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};

use crate::parity::{UNIT, run, say};

fn say_after(units: u32, what: &str) -> Result<(), SchedError> {
    sleep(units * UNIT)?;
    say("say_after", what);
    Ok(())
}

fn main() -> Result<(), SchedError> {
    say("main", "sequential: await one coroutine, then the other");
    say_after(1, "hello")?;
    say_after(2, "world")?;
    say("main", "sequential done");

    say("main", "concurrent: create both tasks, then await them");
    let hello = spawn("hello", || say_after(1, "hello"))?;
    let world = spawn("world", || say_after(2, "world"))?;
    hello.join()?;
    world.join()?;
    say("main", "concurrent done");
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
