//! The twin of `30_cancel_passed_on.py`: `inner.join()?` in a task whose
//! inner task is cancelled passes the cancellation on, and the outer task
//! ends cancelled; `gather` fails at once.

use yieldpoint::ch06_scheduler::{JoinHandle, SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::gather;

use crate::parity::{UNIT, py_bool, run, say};

fn inner() -> Result<(), SchedError> {
    say("inner", "sleeps 5 units");
    sleep(5 * UNIT)
}

fn outer(task: &JoinHandle<()>) -> Result<(), SchedError> {
    say("outer", "awaits inner");
    task.join()?; // the cancellation passes through
    say("outer", "never");
    Ok(())
}

fn sibling() -> Result<u32, SchedError> {
    sleep(3 * UNIT)?;
    say("sibling", "done");
    Ok(3)
}

fn main() -> Result<(), SchedError> {
    let i = spawn("inner", inner)?;
    let o = spawn("outer", {
        let i = i.clone();
        move || outer(&i)
    })?;
    let s = spawn("sibling", sibling)?;
    sleep(UNIT)?;
    say("main", format!("cancels inner: {}", py_bool(i.cancel())));
    match gather(&(o.clone(), s.clone())) {
        Ok(_) => say("main", "gather returned"),
        Err(SchedError::TaskCancelled { .. }) => say("main", "gather raised CancelledError"),
        Err(error) => return Err(error),
    }
    say(
        "main",
        format!(
            "outer cancelled: {}, done: {}",
            py_bool(o.cancelled()),
            py_bool(o.done())
        ),
    );
    say("main", format!("sibling done: {}", py_bool(s.done())));
    s.join()?;
    say("main", "sibling awaited");
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
