//! # Chapter 10: real sockets
//!
//! Until now every task waited for time (a sleep) or for another task. Real
//! programs wait for the network, and the network is what async exists for:
//! a thousand connections, each mostly waiting, on one thread. This chapter
//! gives chapter 6's scheduler sockets. When nothing is ready, the scheduler
//! now waits in the operating system's readiness queue (epoll, through the
//! `polling` crate), with the time to the next timer as the wait's limit:
//! asyncio's `_run_once`, whole.
//!
//! The core operations are:
//! - [`TcpListener::bind`] and [`TcpListener::accept`] (or
//!   [`accept_async`](TcpListener::accept_async) in an async task): listen,
//!   and wait for a connection.
//! - [`TcpStream::connect`], [`read`](TcpStream::read),
//!   [`write_all`](TcpStream::write_all), [`shutdown`](TcpStream::shutdown),
//!   and their `_async` twins: a connection, used without blocking the
//!   thread. Each tries the system call; if it would block, the task waits
//!   for the socket to be ready and tries again.
//! - [`SlowServer::start`]: the loopback server the examples fetch from,
//!   itself a program on this scheduler; [`fetch`] and [`fetch_async`] ask it
//!   for one slow answer.
//!
//! One iteration of the loop, once a socket is registered:
//!
//! ```text
//!   timeout = 0 if something is ready, else until the earliest timer (or for ever)
//!   poller.wait(timeout) ──▶ sockets ready ──▶ their waiting tasks to the back of the ready queue
//!   due timers           ──▶ the back of the ready queue
//!   the pass: what was ready when it began, front first
//! ```
//!
//! And one read, from a task's point of view:
//!
//! ```text
//!   task: stream.read(buf) ─ recv() would block ─▶ wait(Read): arm the socket, park
//!   scheduler: other tasks run ... poller.wait() says: socket readable ─▶ the task's step queued
//!   task: recv() ─▶ the bytes
//! ```
//!
//! The files of this chapter, in the order to read them:
//!
//! | file | what it owns |
//! |---|---|
//! | `mod.rs` | this essay, and the public API |
//! | `tcp.rs` | `TcpListener` and `TcpStream`: made non-blocking, registered, deregistered |
//! | `stackful.rs` | `accept`, `connect`, `read`, `write_all`: try, wait in the poller, try again |
//! | `async_io.rs` | the same four as futures, for async tasks |
//! | `server.rs` | the slow server |
//! | `fetch.rs` | one request to it, stackful and async |
//! | `limits.rs` | the limit on open files, read and raised |
//! | `../ch06_scheduler/io.rs` | the poller in the scheduler's loop (chapter 6's folder, since the loop is there) |

mod async_io;
mod fetch;
mod limits;
mod server;
#[cfg_attr(
    feature = "exercise-ch10",
    path = "../../exercises/ch10_sockets/5_rebuild.rs"
)]
mod stackful;
mod tcp;

pub use async_io::{Accept, Connect, ReadFuture, WriteAll};
pub use fetch::{fetch, fetch_async};
pub use limits::{open_file_limit, raise_open_file_limit};
pub use server::{MAX_WAIT_MS, SlowServer, handle, parse_request};
pub use tcp::{TcpListener, TcpStream};
