//! Exercise 10.3's reference solution: a request with a time limit (the
//! task is in `exercises/ch10_sockets/3_fetch_within.rs`).

use std::net::SocketAddr;
use std::time::Duration;

use yieldpoint::ch06_scheduler::{SchedError, spawn};
use yieldpoint::ch07_combinators::wait_for;
use yieldpoint::ch10_sockets::fetch;

/// Asks the server at `address` for `path`; `None` if the answer has not
/// come within `timeout`.
pub fn fetch_within(
    address: SocketAddr,
    path: &str,
    timeout: Duration,
) -> Result<Option<String>, SchedError> {
    let path = path.to_string();
    let request = spawn("request", move || fetch(address, &path))?;
    // wait_for cancels the request when time is up, and waits for it to
    // end: its socket is closed (and deregistered) before this returns.
    match wait_for(&request, timeout) {
        Ok(answer) => Ok(Some(answer)),
        Err(SchedError::TimedOut) => Ok(None),
        // The request's own error, as it returned it.
        Err(SchedError::TaskFailed(failure)) => Err(failure
            .downcast_ref::<SchedError>()
            .cloned()
            .unwrap_or(SchedError::TaskFailed(failure))),
        Err(other) => Err(other),
    }
}
