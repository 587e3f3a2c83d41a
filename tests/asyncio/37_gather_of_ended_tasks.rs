//! The twin of `37_gather_of_ended_tasks.py`: `gather` of tasks that have
//! all ended still suspends its caller until their done callbacks have run.

use std::time::Duration;

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::gather;

use crate::parity::{py_bool, run, say};

fn main() -> Result<(), SchedError> {
    let a = spawn("a", || Ok::<u32, SchedError>(1))?;
    let b = spawn("b", || Ok::<u32, SchedError>(2))?;
    sleep(Duration::ZERO)?;
    say(
        "main",
        format!("both done: {}", py_bool(a.done() && b.done())),
    );
    let o = spawn("other", || {
        say("other", "runs");
        Ok::<(), SchedError>(())
    })?;
    let values = gather(&[b, a])?;
    say("main", format!("gather returned {values:?}"));
    o.join()?;
    let nothing: &[JoinHandle<u32>] = &[];
    let empty = gather(nothing)?;
    say(
        "main",
        format!("gather of nothing returned {empty:?} at once"),
    );
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
