//! Exercise 10.4: the first answer wins.
//!
//! Ask several servers (here, several paths of one slow server) the same
//! question at once, take the first answer to arrive, and cancel the rest:
//! what a client does with replicas, or what `asyncio.wait(...,
//! return_when=FIRST_COMPLETED)` followed by `task.cancel()` does.
//!
//! - `first_answer` returns the answer that arrives first.
//! - Every other request is cancelled, and has ended by the time
//!   `first_answer` returns: its connection is closed, and no task waits in
//!   the poller any more. (Cancelling only asks; a cancelled task ends at
//!   its next step. What does `gather` do in chapter 7 to be sure?)
//!
//! `cargo run -- check 10.4` checks your work. Stuck? `cargo run -- hint 10.4`

#![allow(unused_imports, unused_variables, dead_code)]

use std::net::SocketAddr;

use yieldpoint::ch06_scheduler::{SchedError, spawn};
use yieldpoint::ch07_combinators::as_completed;
use yieldpoint::ch10_sockets::fetch;

/// Asks the server at `address` for every one of `paths` at once; the
/// first answer to arrive.
pub fn first_answer(address: SocketAddr, paths: &[&str]) -> Result<String, SchedError> {
    todo!("a task per path; the first to complete; cancel the others, and wait for them to end")
}
