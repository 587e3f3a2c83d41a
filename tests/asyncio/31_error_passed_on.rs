//! The twin of `31_error_passed_on.py`: an error returned by a joined task
//! passes through `join()?` into the joiner, which fails with the same
//! failure (naming the first task); `gather` fails at once.

use yieldpoint::ch06_scheduler::{BoxError, JoinHandle, SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::gather;

use crate::parity::{UNIT, py_bool, run, say};

fn inner() -> Result<(), BoxError> {
    sleep(UNIT)?;
    say("inner", "raises disk full");
    Err("disk full".into())
}

fn outer(task: &JoinHandle<()>) -> Result<(), SchedError> {
    say("outer", "awaits inner");
    task.join()?;
    say("outer", "never");
    Ok(())
}

fn slow() -> Result<(), SchedError> {
    sleep(4 * UNIT)?;
    say("slow", "done");
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let i = spawn("inner", inner)?;
    let o = spawn("outer", {
        let i = i.clone();
        move || outer(&i)
    })?;
    let s = spawn("slow", slow)?;
    match gather(&[o.clone(), s.clone()]) {
        Ok(_) => say("main", "gather returned"),
        Err(SchedError::TaskFailed(failure)) => {
            say("main", format!("gather raised: {}", failure.message()));
        }
        Err(error) => return Err(error),
    }
    let same = o.failure() == i.failure() && o.failure().is_some();
    say(
        "main",
        format!("outer failed with the same error: {}", py_bool(same)),
    );
    s.join()?;
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
