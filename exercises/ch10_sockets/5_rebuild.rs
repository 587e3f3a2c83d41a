//! Exercise 10.5: rebuild chapter 10's four stackful socket operations.
//!
//! This file takes the place of `src/ch10_sockets/stackful.rs` when the
//! feature `exercise-ch10` is on, so the whole of chapter 10's test suite
//! judges what you write here. What you build on is given:
//!
//! - the sockets themselves (`src/ch10_sockets/tcp.rs`): a `TcpListener`
//!   and a `TcpStream` hold a non-blocking std socket (`socket`) and its
//!   registration with the scheduler's poller (`source`); `would_block`
//!   says whether a result means "try again later"; `start_connect` starts
//!   a non-blocking connect, and `TcpStream::connected` says whether it is
//!   over; `TcpStream::adopt` registers a socket that `accept` returned;
//! - the registration (`src/ch06_scheduler/io.rs`): `source.check(operation,
//!   true)` says whether a stackful operation may run here, and
//!   `source.wait(&socket, interest, operation)` parks the task until the
//!   poller says the socket is ready that way.
//!
//! You write `accept`, `connect`, `read` and `write_all`: each tries its
//! system call and, while it would block, waits and tries again.
//!
//! `cargo run -- check 10.5` runs the chapter's tests against this file.
//! Stuck? `cargo run -- hint 10.5`

#![allow(unused_imports, unused_variables, dead_code, missing_docs)]

use std::io::{self, Read, Write};
use std::net::SocketAddr;

use crate::ch06_scheduler::{Interest, IoSource, SchedError};

use super::tcp::{Connecting, TcpListener, TcpStream, start_connect, would_block};

impl TcpListener {
    pub fn accept(&self) -> Result<(TcpStream, SocketAddr), SchedError> {
        todo!("check; then accept, and wait to read while it would block; adopt the new socket")
    }
}

impl TcpStream {
    pub fn connect(address: SocketAddr) -> Result<TcpStream, SchedError> {
        todo!("check (no socket yet: IoSource::check_task); start; wait to write until connected")
    }

    pub fn read(&self, buf: &mut [u8]) -> Result<usize, SchedError> {
        todo!(
            "check; an empty buf reads 0 at once; then read, and wait to read while it would block"
        )
    }

    pub fn write_all(&self, data: &[u8]) -> Result<(), SchedError> {
        todo!("check; then write what is left, and wait to write while it would block")
    }
}
