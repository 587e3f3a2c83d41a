//! Exercise 10.1: an echo server.
//!
//! The chapter's slow server reads one line and answers one line. An echo
//! server sends back whatever it receives, as it arrives, for as long as
//! the client keeps sending: the oldest test of a network program.
//!
//! - `echo` serves one connection: it reads what comes and writes it back,
//!   until the client shuts its side down (a read returns 0); then it
//!   shuts its own writing side down, so that the client reads the end of
//!   the stream, and returns how many bytes it echoed.
//! - `echo_server` accepts `connections` connections on `listener`, each
//!   served by a task of its own, so that a slow client does not hold up
//!   the others; it returns once every one is served, with the bytes echoed
//!   in all.
//!
//! `cargo run -- check 10.1` checks your work. Stuck? `cargo run -- hint 10.1`

#![allow(unused_imports, unused_variables, dead_code)]

use std::net::Shutdown;

use yieldpoint::ch06_scheduler::{SchedError, spawn};
use yieldpoint::ch10_sockets::{TcpListener, TcpStream};

/// Sends back everything `stream` receives until the end of the stream,
/// then shuts down its writing side; the number of bytes echoed.
pub fn echo(stream: TcpStream) -> Result<usize, SchedError> {
    todo!("read, write back what was read, until a read returns 0; then shut down writing")
}

/// Serves `connections` connections on `listener`, a task each; the bytes
/// echoed in all.
pub fn echo_server(listener: TcpListener, connections: usize) -> Result<usize, SchedError> {
    todo!("accept each connection and spawn its echo; then join them all")
}
