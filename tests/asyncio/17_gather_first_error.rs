//! The twin of `17_gather_first_error.py`: `gather` returns the first failure
//! at once; the other tasks are not cancelled and keep running. A Python
//! exception is an error the task's body returns here, and reaches `gather`
//! as `SchedError::TaskFailed(failure)`.

use yieldpoint::ch06_scheduler::{BoxError, SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::gather;

use crate::parity::{UNIT, run, say};

fn quick() -> Result<u32, SchedError> {
    sleep(UNIT)?;
    say("quick", "returns 1");
    Ok(1)
}

fn bad() -> Result<u32, BoxError> {
    sleep(2 * UNIT)?;
    say("bad", "raises boom");
    Err("boom".into())
}

fn slow() -> Result<u32, SchedError> {
    sleep(3 * UNIT)?;
    say("slow", "returns 3");
    Ok(3)
}

fn main() -> Result<(), SchedError> {
    let q = spawn("quick", quick)?;
    let b = spawn("bad", bad)?;
    let s = spawn("slow", slow)?;
    say("main", "gathers quick, bad, slow");
    match gather(&[q, b, s.clone()]) {
        Ok(_) => say("main", "gather returned"),
        Err(SchedError::TaskFailed(failure)) => {
            say("main", format!("gather failed: {}", failure.message()));
        }
        Err(error) => return Err(error),
    }
    say(
        "main",
        if s.done() {
            "slow is done"
        } else {
            "slow is still pending"
        },
    );
    let value = s.join()?;
    say("main", format!("slow returned {value}"));
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
