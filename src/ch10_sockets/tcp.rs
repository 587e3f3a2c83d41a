//! TCP sockets that suspend the task, not the thread: [`TcpListener`] and
//! [`TcpStream`], their making and their ending. What they do is in two
//! files beside this one: `stackful.rs` for stackful tasks (plain methods)
//! and `async_io.rs` for async tasks (the `_async` methods, which return
//! futures).
//!
//! Every socket is non-blocking and registered with the running scheduler's
//! poller for as long as it lives: registered as it is made (`bind`,
//! `adopt`), deregistered in its `Drop`, before its file descriptor
//! closes. An operation tries the system call first; if it would block,
//! the task waits for the socket to be ready that way, then tries again.
//! Readiness is a hint, never a promise: a spurious wake-up, or
//! `WouldBlock` after all, means wait again.

use std::io;
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};
use std::os::fd::{AsFd, OwnedFd};

use rustix::net::{AddressFamily, SocketFlags, SocketType};

use crate::ch06_scheduler::{IoSource, SchedError};

/// Whether `result` is a "try again later" from a non-blocking socket.
pub(super) fn would_block<T>(result: &io::Result<T>) -> bool {
    matches!(result, Err(error) if error.kind() == io::ErrorKind::WouldBlock
        || error.kind() == io::ErrorKind::Interrupted)
}

// ANCHOR: listener
/// A listening TCP socket of the running scheduler.
#[derive(Debug)]
pub struct TcpListener {
    pub(super) socket: std::net::TcpListener,
    pub(super) source: IoSource,
}

impl Drop for TcpListener {
    fn drop(&mut self) {
        // Before the socket closes (its field is dropped after this), as
        // `register` requires.
        self.source.deregister(&self.socket);
    }
}
// ANCHOR_END: listener

// ANCHOR: listen
/// How many connections the OS keeps waiting for `accept`. std's
/// `TcpListener::bind` asks for 128 (and so do mio's, and tokio's, which
/// is mio's), asyncio's `start_server` for 100: a thousand clients
/// connecting at once would overflow any of them, and every connection
/// over would wait a whole second for its handshake's first retry.
const BACKLOG: i32 = 1024;

/// A non-blocking socket listening on the first of `address`'s addresses
/// that it can bind: std's `TcpListener::bind`, with a longer [`BACKLOG`].
fn listen(address: impl ToSocketAddrs) -> io::Result<std::net::TcpListener> {
    let mut last = io::Error::new(io::ErrorKind::InvalidInput, "no address to listen on");
    for address in address.to_socket_addrs()? {
        let family = match address {
            SocketAddr::V4(_) => AddressFamily::INET,
            SocketAddr::V6(_) => AddressFamily::INET6,
        };
        let attempt = rustix::net::socket_with(
            family,
            SocketType::STREAM,
            SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
            None,
        )
        .and_then(|socket| {
            // As std does: a port of a server just stopped is free again at once.
            rustix::net::sockopt::set_socket_reuseaddr(&socket, true)?;
            rustix::net::bind(&socket, &address)?;
            rustix::net::listen(&socket, BACKLOG)?;
            Ok(socket)
        });
        match attempt {
            Ok(socket) => return Ok(std::net::TcpListener::from(socket)),
            Err(errno) => last = errno.into(),
        }
    }
    Err(last)
}
// ANCHOR_END: listen

impl TcpListener {
    /// Listens on `address` (`"127.0.0.1:0"` picks a free port: see
    /// [`local_addr`](Self::local_addr)). Binding does not wait.
    ///
    /// # Errors
    ///
    /// [`SchedError::NotInTask`] outside a running scheduler,
    /// [`SchedError::SocketsNeedRealClock`] on the virtual clock, and the
    /// OS's refusal (a port in use, too many open files) as
    /// [`SchedError::Io`].
    pub fn bind(address: impl ToSocketAddrs) -> Result<TcpListener, SchedError> {
        let operation = "bind";
        // The clock first: on the virtual clock no port is ever bound.
        IoSource::check_clock(operation)?;
        let socket = listen(address).map_err(|error| SchedError::io(operation, &error))?;
        // SAFETY: the listener deregisters the socket in its `Drop`, before
        // the socket (a field, dropped after `drop` runs) is closed, and
        // nothing else can take the socket out of it.
        let source = unsafe { IoSource::register(&socket, operation)? };
        Ok(TcpListener { socket, source })
    }

    /// The address it listens on.
    ///
    /// # Errors
    ///
    /// The OS's error as [`SchedError::Io`] (it does not happen on Linux).
    pub fn local_addr(&self) -> Result<SocketAddr, SchedError> {
        self.socket
            .local_addr()
            .map_err(|error| SchedError::io("local_addr", &error))
    }
}

// ANCHOR: stream
/// A TCP connection of the running scheduler.
#[derive(Debug)]
pub struct TcpStream {
    pub(super) socket: std::net::TcpStream,
    pub(super) source: IoSource,
}

impl Drop for TcpStream {
    fn drop(&mut self) {
        // Before the socket closes (its field is dropped after this), as
        // `register` requires.
        self.source.deregister(&self.socket);
    }
}
// ANCHOR_END: stream

// ANCHOR: start_connect
/// Where a non-blocking connect is.
pub(super) enum Connecting {
    /// Started: the socket is waiting to become writable.
    Started(TcpStream),
    /// The connection is made (or the connect failed at once).
    Done(Result<TcpStream, SchedError>),
}

/// Starts a non-blocking connect to `address`: a socket of the right
/// family, `connect`, and (unless it connected at once, or failed) a socket
/// registered and waiting to become writable.
pub(super) fn start_connect(address: SocketAddr, operation: &'static str) -> Connecting {
    let family = match address {
        SocketAddr::V4(_) => AddressFamily::INET,
        SocketAddr::V6(_) => AddressFamily::INET6,
    };
    let socket: OwnedFd = match rustix::net::socket_with(
        family,
        SocketType::STREAM,
        SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
        None,
    ) {
        Ok(socket) => socket,
        Err(errno) => return Connecting::Done(Err(SchedError::io(operation, &errno.into()))),
    };
    let started = rustix::net::connect(&socket, &address);
    let stream = match TcpStream::adopt(std::net::TcpStream::from(socket), operation) {
        Ok(stream) => stream,
        Err(error) => return Connecting::Done(Err(error)),
    };
    match started {
        Ok(()) => Connecting::Done(Ok(stream)),
        Err(errno) if errno == rustix::io::Errno::INPROGRESS => Connecting::Started(stream),
        Err(errno) => Connecting::Done(Err(SchedError::io(operation, &errno.into()))),
    }
}
// ANCHOR_END: start_connect

impl TcpStream {
    /// Takes an already-connected std socket into the scheduler: makes it
    /// non-blocking and registers it.
    pub(super) fn adopt(
        socket: std::net::TcpStream,
        operation: &'static str,
    ) -> Result<Self, SchedError> {
        socket
            .set_nonblocking(true)
            .map_err(|error| SchedError::io(operation, &error))?;
        // SAFETY: the stream deregisters the socket in its `Drop`, before
        // the socket (a field, dropped after `drop` runs) is closed, and
        // nothing else can take the socket out of it.
        let source = unsafe { IoSource::register(&socket, operation)? };
        Ok(TcpStream { socket, source })
    }

    // ANCHOR: connected
    /// After a non-blocking connect, once the socket is writable (or woken
    /// for no reason): `true` if it is connected, `false` if the connect is
    /// still under way.
    ///
    /// The socket's pending error says whether the connect failed; if there
    /// is none, asking for the peer's address says whether it is done.
    pub(super) fn connected(&self, operation: &'static str) -> Result<bool, SchedError> {
        match rustix::net::sockopt::socket_error(self.socket.as_fd()) {
            Ok(Ok(())) => {}
            Ok(Err(errno)) | Err(errno) => return Err(SchedError::io(operation, &errno.into())),
        }
        match self.socket.peer_addr() {
            Ok(_) => Ok(true),
            Err(error) if error.kind() == io::ErrorKind::NotConnected => Ok(false),
            Err(error) => Err(SchedError::io(operation, &error)),
        }
    }
    // ANCHOR_END: connected

    /// The address of the other end.
    ///
    /// # Errors
    ///
    /// [`SchedError::Io`] if the socket is not connected.
    pub fn peer_addr(&self) -> Result<SocketAddr, SchedError> {
        self.socket
            .peer_addr()
            .map_err(|error| SchedError::io("peer_addr", &error))
    }

    /// Reads until the end of the stream, appending to `out`; the number of
    /// bytes read.
    ///
    /// # Errors
    ///
    /// As [`read`](Self::read).
    #[track_caller]
    pub fn read_to_end(&self, out: &mut Vec<u8>) -> Result<usize, SchedError> {
        let start = out.len();
        let mut chunk = [0u8; 4096];
        loop {
            match self.read(&mut chunk)? {
                0 => return Ok(out.len() - start),
                n => out.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// Sets `TCP_NODELAY`: with `true`, a small write is sent at once
    /// instead of being held back (Nagle's algorithm) until the last one is
    /// acknowledged. For request-and-answer traffic such as an echo.
    ///
    /// # Errors
    ///
    /// The OS's error as [`SchedError::Io`].
    pub fn set_nodelay(&self, nodelay: bool) -> Result<(), SchedError> {
        self.socket
            .set_nodelay(nodelay)
            .map_err(|error| SchedError::io("set_nodelay", &error))
    }

    /// Shuts down one side (or both) of the connection: after
    /// `Shutdown::Write` the peer reads the end of the stream. It does not
    /// wait.
    ///
    /// # Errors
    ///
    /// [`SchedError::Io`] if the socket is not connected.
    pub fn shutdown(&self, how: Shutdown) -> Result<(), SchedError> {
        self.socket
            .shutdown(how)
            .map_err(|error| SchedError::io("shutdown", &error))
    }
}
