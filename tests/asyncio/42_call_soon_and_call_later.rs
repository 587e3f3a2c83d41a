//! The twin of `42_call_soon_and_call_later.py`: `call_soon` queues a
//! callback behind what is ready; `call_later` and `call_at` set timers that
//! fire in deadline order, ties in the order set; a cancelled handle never
//! runs.

use std::time::Duration;

use yieldpoint::ch06_scheduler::{SchedError, call_at, call_later, call_soon, now, sleep, spawn};

use crate::parity::{UNIT, py_bool, run, say};

fn ticker() -> Result<(), SchedError> {
    for i in 0..3 {
        say("ticker", format!("tick {i}"));
        sleep(Duration::ZERO)?;
    }
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let t = spawn("ticker", ticker)?;
    call_soon(|| {
        say(
            "callback",
            "call_soon runs after the ticker step queued before it",
        )
    })?;
    call_later(2 * UNIT, || say("callback", "call_later(2), set first"))?;
    call_at(now()? + UNIT, || say("callback", "call_at(now + 1)"))?;
    call_later(2 * UNIT, || say("callback", "call_later(2), set second"))?;
    let h = call_later(UNIT, || say("callback", "never: cancelled"))?;
    h.cancel();
    say(
        "main",
        format!("cancelled handle: {}", py_bool(!h.is_pending())),
    );
    t.join()?;
    sleep(3 * UNIT)?;
    say("main", "done");
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
