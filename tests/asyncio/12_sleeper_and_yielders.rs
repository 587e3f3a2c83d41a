//! The twin of `12_sleeper_and_yielders.py`: a sleeper waits in the timer
//! heap while two tasks take 200 turns each; the clock stands still meanwhile.

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn, yield_now};

use crate::parity::{UNIT, run, say};

const TURNS: u32 = 200;

fn sleeper() -> Result<(), SchedError> {
    say("sleeper", "sleeps 1 unit");
    sleep(UNIT)?;
    say("sleeper", "wakes");
    Ok(())
}

fn yielder(name: &str) -> Result<(), SchedError> {
    for _ in 0..TURNS {
        yield_now()?;
    }
    say(name, format!("took {TURNS} turns"));
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let s = spawn("sleeper", sleeper)?;
    let a = spawn("A", || yielder("A"))?;
    let b = spawn("B", || yielder("B"))?;
    s.join()?;
    say("main", "sleeper is done");
    a.join()?;
    b.join()?;
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
