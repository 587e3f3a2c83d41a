//! The twin of `09_nested_awaits.py`: a function (Python's coroutine) joins a
//! task that calls a function; values travel back up, one hop per task.

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn, yield_now};

use crate::parity::{UNIT, run, say};

fn leaf() -> Result<u32, SchedError> {
    say("leaf", "sleeps 1 unit");
    sleep(UNIT)?;
    say("leaf", "returns 1");
    Ok(1)
}

fn inner() -> Result<u32, SchedError> {
    say("inner", "awaits coroutine leaf");
    let value = leaf()?;
    say("inner", format!("returns {}", value + 10));
    Ok(value + 10)
}

fn outer() -> Result<u32, SchedError> {
    say("outer", "creates task inner and awaits it");
    let task = spawn("inner", inner)?;
    let value = task.join()?;
    say("outer", format!("returns {}", value + 100));
    Ok(value + 100)
}

fn ticker() -> Result<(), SchedError> {
    for tick in 0..4 {
        say("ticker", format!("tick {tick}"));
        yield_now()?;
    }
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let t = spawn("ticker", ticker)?;
    say("main", "awaits coroutine outer");
    let value = outer()?;
    say("main", format!("got {value}"));
    t.join()?;
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
