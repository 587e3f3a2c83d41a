//! TCP sockets that suspend the task, not the thread: [`TcpListener`] and
//! [`TcpStream`], for stackful tasks (plain methods) and async tasks (the
//! `_async` methods, which return futures).
//!
//! Every socket is non-blocking and registered with the running scheduler's
//! poller for as long as it lives. An operation tries the system call first;
//! if it would block, the task waits for the socket to be ready that way,
//! then tries again. Readiness is a hint, never a promise: a spurious
//! wake-up, or `WouldBlock` after all, means wait again.
//!
//! ```text
//!   read(buf) ──▶ recv()  ── data ──────────▶ Ok(n)
//!                   │  ── end of stream ─────▶ Ok(0)
//!                   │  ── error ─────────────▶ Err(Io { .. })
//!                   └── WouldBlock ─▶ wait(Read): park until the poller says readable ─┐
//!                        ▲                                                              │
//!                        └──────────────────────── try again ◀─────────────────────────┘
//! ```

use std::future::Future;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};
use std::os::fd::{AsFd, OwnedFd};
use std::pin::Pin;
use std::task::{Context, Poll};

use rustix::net::{AddressFamily, SocketFlags, SocketType};

use crate::ch06_scheduler::{Interest, IoSource, SchedError};

/// Whether `result` is a "try again later" from a non-blocking socket.
fn would_block<T>(result: &io::Result<T>) -> bool {
    matches!(result, Err(error) if error.kind() == io::ErrorKind::WouldBlock
        || error.kind() == io::ErrorKind::Interrupted)
}

// ANCHOR: listener
/// A listening TCP socket of the running scheduler.
#[derive(Debug)]
pub struct TcpListener {
    socket: std::net::TcpListener,
    source: IoSource,
}

impl Drop for TcpListener {
    fn drop(&mut self) {
        // Before the socket closes (its field is dropped after this), as
        // `register` requires.
        self.source.deregister(&self.socket);
    }
}
// ANCHOR_END: listener

/// How many connections the OS keeps waiting for `accept`: tokio's
/// number. (std's `TcpListener::bind` asks for 128, asyncio's
/// `start_server` for 100; a thousand clients connecting at once would
/// overflow either, and every connection over would wait a whole second
/// for its first retry.)
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

    // ANCHOR: accept
    /// Waits, in a stackful task, for a connection, and returns it with its
    /// peer's address.
    ///
    /// # Errors
    ///
    /// [`SchedError::Cancelled`] if the task is cancelled while it waits;
    /// [`SchedError::Io`] for the OS's errors (too many open files: the
    /// message says so), or if another task is already accepting on it.
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

    /// [`accept`](Self::accept) as a future, for an async task.
    pub fn accept_async(&self) -> Accept<'_> {
        Accept {
            listener: self,
            armed: false,
        }
    }
}

/// The future [`TcpListener::accept_async`] returns.
#[derive(Debug)]
pub struct Accept<'a> {
    listener: &'a TcpListener,
    armed: bool,
}

impl Future for Accept<'_> {
    type Output = Result<(TcpStream, SocketAddr), SchedError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let listener = self.listener;
        if let Err(error) = listener.source.check("accept", false) {
            return Poll::Ready(Err(error));
        }
        let accepted = listener.socket.accept();
        if would_block(&accepted) {
            if let Err(error) =
                listener
                    .source
                    .wait_async(&listener.socket, Interest::Read, cx, "accept")
            {
                return Poll::Ready(Err(error));
            }
            self.armed = true;
            return Poll::Pending;
        }
        self.armed = false;
        Poll::Ready(
            accepted
                .map_err(|error| SchedError::io("accept", &error))
                .and_then(|(socket, peer)| Ok((TcpStream::adopt(socket, "accept")?, peer))),
        )
    }
}

impl Drop for Accept<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.listener
                .source
                .disarm(&self.listener.socket, Interest::Read);
        }
    }
}

// ANCHOR: stream
/// A TCP connection of the running scheduler.
#[derive(Debug)]
pub struct TcpStream {
    socket: std::net::TcpStream,
    source: IoSource,
}

impl Drop for TcpStream {
    fn drop(&mut self) {
        // Before the socket closes (its field is dropped after this), as
        // `register` requires.
        self.source.deregister(&self.socket);
    }
}
// ANCHOR_END: stream

/// Where a non-blocking connect is.
enum Connecting {
    /// Started: the socket is waiting to become writable.
    Started(TcpStream),
    /// The connection is made (or the connect failed at once).
    Done(Result<TcpStream, SchedError>),
}

/// Starts a non-blocking connect to `address`: a socket of the right
/// family, `connect`, and (unless it connected at once, or failed) a socket
/// registered and waiting to become writable.
fn start_connect(address: SocketAddr, operation: &'static str) -> Connecting {
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

impl TcpStream {
    /// Takes an already-connected std socket into the scheduler: makes it
    /// non-blocking and registers it.
    fn adopt(socket: std::net::TcpStream, operation: &'static str) -> Result<Self, SchedError> {
        socket
            .set_nonblocking(true)
            .map_err(|error| SchedError::io(operation, &error))?;
        // SAFETY: the stream deregisters the socket in its `Drop`, before
        // the socket (a field, dropped after `drop` runs) is closed, and
        // nothing else can take the socket out of it.
        let source = unsafe { IoSource::register(&socket, operation)? };
        Ok(TcpStream { socket, source })
    }

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

    /// [`connect`](Self::connect) as a future, for an async task.
    pub fn connect_async(address: SocketAddr) -> Connect {
        Connect {
            address,
            state: None,
        }
    }

    /// After a non-blocking connect, once the socket is writable (or woken
    /// for no reason): `true` if it is connected, `false` if the connect is
    /// still under way.
    ///
    /// The socket's pending error says whether the connect failed; if there
    /// is none, asking for the peer's address says whether it is done.
    fn connected(&self, operation: &'static str) -> Result<bool, SchedError> {
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

    // ANCHOR: read
    /// Reads what has arrived into `buf`, in a stackful task, waiting until
    /// something has: the number of bytes read, or 0 at the end of the
    /// stream (the peer shut its side down).
    ///
    /// # Errors
    ///
    /// [`SchedError::Io`] for the OS's errors (the connection reset by the
    /// peer, say), or if another task is already reading from it;
    /// [`SchedError::Cancelled`] if the task is cancelled while it waits.
    pub fn read(&self, buf: &mut [u8]) -> Result<usize, SchedError> {
        self.source.check("read", true)?;
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

    /// Reads until the end of the stream, appending to `out`; the number of
    /// bytes read.
    ///
    /// # Errors
    ///
    /// As [`read`](Self::read).
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

    /// Writes all of `data`, in a stackful task, waiting whenever the
    /// socket's send buffer is full.
    ///
    /// # Errors
    ///
    /// [`SchedError::Io`] for the OS's errors (the peer gone), or if
    /// another task is already writing to it; [`SchedError::Cancelled`] if
    /// the task is cancelled while it waits (part of `data` may have been
    /// sent).
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

    /// [`read`](Self::read) as a future, for an async task.
    pub fn read_async<'a>(&'a self, buf: &'a mut [u8]) -> ReadFuture<'a> {
        ReadFuture {
            stream: self,
            buf,
            armed: false,
        }
    }

    /// [`write_all`](Self::write_all) as a future, for an async task.
    pub fn write_all_async<'a>(&'a self, data: &'a [u8]) -> WriteAll<'a> {
        WriteAll {
            stream: self,
            data,
            armed: false,
        }
    }

    /// [`read_to_end`](Self::read_to_end) for an async task.
    ///
    /// # Errors
    ///
    /// As [`read`](Self::read).
    pub async fn read_to_end_async(&self, out: &mut Vec<u8>) -> Result<usize, SchedError> {
        let start = out.len();
        let mut chunk = [0u8; 4096];
        loop {
            match self.read_async(&mut chunk).await? {
                0 => return Ok(out.len() - start),
                n => out.extend_from_slice(&chunk[..n]),
            }
        }
    }
}

/// The future [`TcpStream::connect_async`] returns.
pub struct Connect {
    address: SocketAddr,
    /// `None` before the first poll; then the socket waiting to connect.
    state: Option<TcpStream>,
}

impl std::fmt::Debug for Connect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connect")
            .field("address", &self.address)
            .field("started", &self.state.is_some())
            .finish()
    }
}

impl Future for Connect {
    type Output = Result<TcpStream, SchedError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let stream = match self.state.take() {
            None => match IoSource::check_task("connect", false)
                .map(|()| start_connect(self.address, "connect"))
            {
                Err(error) => return Poll::Ready(Err(error)),
                Ok(Connecting::Done(result)) => return Poll::Ready(result),
                Ok(Connecting::Started(stream)) => stream,
            },
            Some(stream) => {
                if let Err(error) = stream.source.check("connect", false) {
                    return Poll::Ready(Err(error));
                }
                // Woken: writable means the connect is over, one way or the
                // other. A spurious wake finds it still in progress.
                match stream.connected("connect") {
                    Ok(true) => return Poll::Ready(Ok(stream)),
                    Ok(false) => stream,
                    Err(error) => return Poll::Ready(Err(error)),
                }
            }
        };
        if let Err(error) = stream
            .source
            .wait_async(&stream.socket, Interest::Write, cx, "connect")
        {
            return Poll::Ready(Err(error));
        }
        self.state = Some(stream);
        Poll::Pending
    }
}

/// The future [`TcpStream::read_async`] returns.
#[derive(Debug)]
pub struct ReadFuture<'a> {
    stream: &'a TcpStream,
    buf: &'a mut [u8],
    armed: bool,
}

impl Future for ReadFuture<'_> {
    type Output = Result<usize, SchedError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Err(error) = this.stream.source.check("read", false) {
            return Poll::Ready(Err(error));
        }
        let read = (&this.stream.socket).read(this.buf);
        if would_block(&read) {
            if let Err(error) =
                this.stream
                    .source
                    .wait_async(&this.stream.socket, Interest::Read, cx, "read")
            {
                return Poll::Ready(Err(error));
            }
            this.armed = true;
            return Poll::Pending;
        }
        this.armed = false;
        Poll::Ready(read.map_err(|error| SchedError::io("read", &error)))
    }
}

impl Drop for ReadFuture<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.stream
                .source
                .disarm(&self.stream.socket, Interest::Read);
        }
    }
}

/// The future [`TcpStream::write_all_async`] returns.
#[derive(Debug)]
pub struct WriteAll<'a> {
    stream: &'a TcpStream,
    data: &'a [u8],
    armed: bool,
}

impl Future for WriteAll<'_> {
    type Output = Result<(), SchedError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Err(error) = this.stream.source.check("write", false) {
            return Poll::Ready(Err(error));
        }
        while !this.data.is_empty() {
            let written = (&this.stream.socket).write(this.data);
            if would_block(&written) {
                if let Err(error) =
                    this.stream
                        .source
                        .wait_async(&this.stream.socket, Interest::Write, cx, "write")
                {
                    return Poll::Ready(Err(error));
                }
                this.armed = true;
                return Poll::Pending;
            }
            match written {
                Ok(0) => {
                    return Poll::Ready(Err(SchedError::io(
                        "write",
                        &io::Error::new(io::ErrorKind::WriteZero, "the socket took no bytes"),
                    )));
                }
                Ok(n) => this.data = &this.data[n..],
                Err(error) => return Poll::Ready(Err(SchedError::io("write", &error))),
            }
        }
        this.armed = false;
        Poll::Ready(Ok(()))
    }
}

impl Drop for WriteAll<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.stream
                .source
                .disarm(&self.stream.socket, Interest::Write);
        }
    }
}
