//! The twin of `48_task_status.py`: `done()` is true once a task has ended
//! in any way, `cancelled()` only for a cancellation, and `failure()` names
//! a failure.

use std::time::Duration;

use yieldpoint::ch06_scheduler::{BoxError, SchedError, sleep, spawn};

use crate::parity::{UNIT, py_bool, run, say};

fn main() -> Result<(), SchedError> {
    let a = spawn("ok", || Ok::<u32, SchedError>(1))?;
    let b = spawn("bad", || -> Result<u32, BoxError> { Err("bad".into()) })?;
    let c = spawn("slow", || sleep(5 * UNIT))?;
    let done = |x: bool, y: bool, z: bool| format!("{} {} {}", py_bool(x), py_bool(y), py_bool(z));
    say(
        "main",
        format!("before: done {}", done(a.done(), b.done(), c.done())),
    );
    sleep(UNIT)?;
    c.cancel();
    sleep(Duration::ZERO)?;
    say(
        "main",
        format!("after: done {}", done(a.done(), b.done(), c.done())),
    );
    say(
        "main",
        format!(
            "cancelled {}",
            done(a.cancelled(), b.cancelled(), c.cancelled())
        ),
    );
    let failure = b.failure().map(|failure| failure.message());
    say(
        "main",
        format!("exception of bad: {}", failure.unwrap_or_default()),
    );
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
