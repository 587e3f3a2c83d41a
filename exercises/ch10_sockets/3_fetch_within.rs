//! Exercise 10.3: a request with a time limit.
//!
//! A server that never answers keeps `fetch` waiting for ever. Give the
//! request a limit, as `asyncio.wait_for(fetch(...), timeout)` does: if the
//! answer has not come in time, give up, and leave nothing behind (no
//! socket open, no task waiting in the poller).
//!
//! - `fetch_within` returns `Ok(Some(answer))` if the answer came in time,
//!   and `Ok(None)` if it did not.
//! - Any other error of the request (a connection refused, say) is passed
//!   on as it is.
//! - By the time it returns, the request's socket is closed, whichever way
//!   it went.
//!
//! `cargo run -- check 10.3` checks your work. Stuck? `cargo run -- hint 10.3`

#![allow(unused_imports, unused_variables, dead_code)]

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
    todo!("the request as a task of its own, and chapter 7's way to wait for a task with a limit")
}
