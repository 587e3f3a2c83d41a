//! The twin of `45_typed_failure.py`: the joiner of a failed task matches
//! its error by type, and tells a timeout apart.

use std::fmt;

use yieldpoint::ch06_scheduler::{BoxError, SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::wait_for;

use crate::parity::{UNIT, run, say};

#[derive(Debug)]
struct HttpError {
    status: u16,
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)
    }
}

impl std::error::Error for HttpError {}

/// An error the body returns, boxed: `?` boxes the scheduler's errors too,
/// and a boxed cancellation still ends the task cancelled.
fn fetch(status: u16, units: u32) -> Result<&'static str, BoxError> {
    sleep(units * UNIT)?;
    if status != 200 {
        return Err(Box::new(HttpError { status }));
    }
    Ok("body")
}

fn main() -> Result<(), SchedError> {
    for status in [200, 503] {
        let t = spawn("fetch", move || fetch(status, 1))?;
        match t.join() {
            Ok(body) => say("main", format!("got {body}")),
            Err(SchedError::TaskFailed(failure)) => match failure.downcast_ref::<HttpError>() {
                Some(error) => say("main", format!("HttpError with status {}", error.status)),
                None => return Err(SchedError::TaskFailed(failure)),
            },
            Err(error) => return Err(error),
        }
    }
    let slow = spawn("slow", || fetch(200, 3))?;
    match wait_for(&slow, UNIT) {
        Err(SchedError::TimedOut) => say("main", "timed out"),
        other => say("main", format!("unexpected: {other:?}")),
    }
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
