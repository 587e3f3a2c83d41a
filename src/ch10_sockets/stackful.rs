//! The operations of a stackful task: `accept`, `connect`, `read` and
//! `write_all`. Each tries its system call on the non-blocking socket; if
//! the call would block, the task waits in the poller until the socket is
//! ready that way (`IoSource::wait`, which parks the task), then tries
//! again. (This file is the one chapter 10's last exercise has you write
//! again; `async_io.rs` holds the same four as futures, for async tasks.)
//!
//! ```text
//!   read(buf) ──▶ recv()  ── data ──────────▶ Ok(n)
//!                   │  ── end of stream ─────▶ Ok(0)
//!                   │  ── error ─────────────▶ Err(Io { .. })
//!                   └── WouldBlock ─▶ wait(Read): park until the poller says readable ─┐
//!                        ▲                                                              │
//!                        └──────────────────────── try again ◀─────────────────────────┘
//! ```
//!
//! Every operation first asks `IoSource::check` whether it may run here (in
//! a task of the socket's own scheduler, and not an async one), so that a
//! misplaced call is refused every time, not only when it would have had to
//! wait.

use std::io::{self, Read, Write};
use std::net::SocketAddr;

use crate::ch06_scheduler::{Interest, IoSource, SchedError};

use super::tcp::{Connecting, TcpListener, TcpStream, start_connect, would_block};

impl TcpListener {
    // ANCHOR: accept
    /// Waits, in a stackful task, for a connection, and returns it with its
    /// peer's address.
    ///
    /// # Errors
    ///
    /// [`SchedError::Cancelled`] if the task is cancelled while it waits;
    /// [`SchedError::Io`] for the OS's errors (too many open files: the
    /// message says so), or if another task is already accepting on it.
    #[track_caller]
    pub fn accept(&self) -> Result<(TcpStream, SocketAddr), SchedError> {
        self.source.check("accept", true)?;
        loop {
            let accepted = self.socket.accept();
            if would_block(&accepted) {
                self.source.wait(&self.socket, Interest::Read, "accept")?;
                continue;
            }
            let (socket, peer) = accepted.map_err(|error| SchedError::io("accept", &error))?;
            return Ok((TcpStream::adopt(socket, "accept")?, peer));
        }
    }
    // ANCHOR_END: accept
}

impl TcpStream {
    // ANCHOR: connect
    /// Connects to `address`, in a stackful task, without blocking the
    /// thread: the connect starts, the task waits until the socket is
    /// writable, and the socket's own error then says whether it worked.
    ///
    /// # Errors
    ///
    /// [`SchedError::Io`] if it is refused (nobody listens there: the
    /// message says so) or fails; [`SchedError::Cancelled`] if the task is
    /// cancelled while it waits; [`SchedError::SocketsNeedRealClock`] on
    /// the virtual clock.
    #[track_caller]
    pub fn connect(address: SocketAddr) -> Result<TcpStream, SchedError> {
        IoSource::check_task("connect", true)?;
        match start_connect(address, "connect") {
            Connecting::Done(result) => result,
            Connecting::Started(stream) => loop {
                stream
                    .source
                    .wait(&stream.socket, Interest::Write, "connect")?;
                if stream.connected("connect")? {
                    return Ok(stream);
                }
            },
        }
    }
    // ANCHOR_END: connect

    // ANCHOR: read
    /// Reads what has arrived into `buf`, in a stackful task, waiting until
    /// something has: the number of bytes read, or 0 at the end of the
    /// stream (the peer shut its side down). An empty `buf` reads 0 at
    /// once, as Python's `sock.recv(0)` does: Linux's `recv` of no bytes
    /// says "would block" until data arrives, which would wait for nothing.
    ///
    /// # Errors
    ///
    /// [`SchedError::Io`] for the OS's errors (the connection reset by the
    /// peer, say), or if another task is already reading from it;
    /// [`SchedError::Cancelled`] if the task is cancelled while it waits.
    #[track_caller]
    pub fn read(&self, buf: &mut [u8]) -> Result<usize, SchedError> {
        self.source.check("read", true)?;
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let read = (&self.socket).read(buf);
            if would_block(&read) {
                self.source.wait(&self.socket, Interest::Read, "read")?;
                continue;
            }
            return read.map_err(|error| SchedError::io("read", &error));
        }
    }
    // ANCHOR_END: read

    // ANCHOR: write_all
    /// Writes all of `data`, in a stackful task, waiting whenever the
    /// socket's send buffer is full.
    ///
    /// # Errors
    ///
    /// [`SchedError::Io`] for the OS's errors (the peer gone), or if
    /// another task is already writing to it; [`SchedError::Cancelled`] if
    /// the task is cancelled while it waits (part of `data` may have been
    /// sent).
    #[track_caller]
    pub fn write_all(&self, mut data: &[u8]) -> Result<(), SchedError> {
        self.source.check("write", true)?;
        while !data.is_empty() {
            let written = (&self.socket).write(data);
            if would_block(&written) {
                self.source.wait(&self.socket, Interest::Write, "write")?;
                continue;
            }
            match written.map_err(|error| SchedError::io("write", &error))? {
                0 => {
                    return Err(SchedError::io(
                        "write",
                        &io::Error::new(io::ErrorKind::WriteZero, "the socket took no bytes"),
                    ));
                }
                n => data = &data[n..],
            }
        }
        Ok(())
    }
    // ANCHOR_END: write_all
}
