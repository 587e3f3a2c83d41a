//! The operations of an async task (chapter 9): `accept_async`,
//! `connect_async`, `read_async` and `write_all_async` return futures that
//! do what `stackful.rs` does, one poll at a time. A poll tries the system
//! call; if it would block, it leaves the task's waker with the poller
//! (`IoSource::wait_async`) and returns `Pending`; the poller's readiness
//! wakes the task, and the next poll tries again.
//!
//! ```text
//!   poll ──▶ recv() ── data, end, or error ──▶ Ready(..)
//!              └── WouldBlock ──▶ wait_async(Read, cx.waker()) ──▶ Pending
//!   (the poller says readable ──▶ waker.wake() ──▶ the task is polled again)
//! ```
//!
//! A future dropped while it waits (its task cancelled, or a `wait_for`
//! that gave up) takes its waker back out of the poller in its `Drop`.

use std::future::Future;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::ch06_scheduler::{Interest, IoSource, SchedError};

use super::tcp::{Connecting, TcpListener, TcpStream, start_connect, would_block};

impl TcpListener {
    /// [`accept`](Self::accept) as a future, for an async task.
    pub fn accept_async(&self) -> Accept<'_> {
        Accept {
            listener: self,
            armed: false,
        }
    }
}

impl TcpStream {
    /// [`connect`](Self::connect) as a future, for an async task.
    pub fn connect_async(address: SocketAddr) -> Connect {
        Connect {
            address,
            state: None,
        }
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

// ANCHOR: read_future
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
        if this.buf.is_empty() {
            return Poll::Ready(Ok(0)); // as `read`: nothing to wait for
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
// ANCHOR_END: read_future

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
