//! The slow server: listens on loopback, reads one request line such as
//! `GET /40/users`, waits that many milliseconds (without blocking the other
//! connections), and answers `200 users after 40 ms`.
//!
//! It runs on this crate's own scheduler, on a thread of its own, so a
//! program (an example, a test, a learner's client) starts it in-process and
//! talks to it over real sockets. Every connection is a stackful task; the
//! waiting is chapter 6's `sleep`, so a thousand slow requests wait at once
//! on one thread.
//!
//! ```text
//!   SlowServer::start() ─▶ a thread runs a Scheduler (real clock):
//!       main (async): await the stop signal ───────────────▶ cancel the acceptor, end
//!       acceptor:     accept ─▶ spawn a handler per connection ─▶ accept ...
//!       handler:      read "GET /40/users\n" ─▶ sleep 40 ms ─▶ write "200 users after 40 ms\n" ─▶ close
//! ```
//!
//! The protocol is one line each way. A request is `GET /<ms>/<what>`, with
//! `ms` at most [`MAX_WAIT_MS`]; anything else is answered
//! `400 bad request: ...`, naming what was wrong, and the connection closes.

use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::ch06_scheduler::{self as ch06, Clock, ExpectedWake, SchedError, Scheduler};
use crate::ch09_async_fn::{Sender, channel};

use super::TcpListener;
use super::tcp::TcpStream;

/// The longest wait a request may ask for: a minute.
pub const MAX_WAIT_MS: u64 = 60_000;

/// The longest request line read, in bytes.
const MAX_REQUEST: usize = 1024;

/// A running slow server. Dropping it stops the server and waits for its
/// thread to end (connections still being served are dropped).
#[derive(Debug)]
pub struct SlowServer {
    address: SocketAddr,
    /// Sends the stop signal, with the promise that keeps the server's
    /// scheduler waiting for it.
    stop: Option<(Sender<()>, ExpectedWake)>,
    thread: Option<thread::JoinHandle<()>>,
}

// ANCHOR: parse
/// What a request line asks for: how long to wait, and what to answer
/// about. `Err` says what is wrong with it.
pub fn parse_request(line: &str) -> Result<(u64, String), String> {
    let line = line.trim_end_matches(['\r', '\n']);
    let Some(path) = line.strip_prefix("GET /") else {
        return Err(format!("expected \"GET /<ms>/<what>\", got {line:?}"));
    };
    let Some((ms, what)) = path.split_once('/') else {
        return Err(format!("expected \"GET /<ms>/<what>\", got {line:?}"));
    };
    let ms: u64 = ms
        .parse()
        .map_err(|_| format!("the wait {ms:?} is not a number of milliseconds"))?;
    if ms > MAX_WAIT_MS {
        return Err(format!("the wait {ms} ms is longer than {MAX_WAIT_MS} ms"));
    }
    if what.is_empty() || what.contains(char::is_whitespace) {
        return Err(format!("expected one word after the wait, got {what:?}"));
    }
    Ok((ms, what.to_string()))
}
// ANCHOR_END: parse

// ANCHOR: handle
/// Serves one connection: reads the request line, waits, answers, closes.
pub fn handle(stream: TcpStream) -> Result<(), SchedError> {
    let mut request = Vec::new();
    let mut chunk = [0u8; 256];
    while !request.contains(&b'\n') && request.len() < MAX_REQUEST {
        match stream.read(&mut chunk)? {
            0 => break,
            n => request.extend_from_slice(&chunk[..n]),
        }
    }
    let line = String::from_utf8_lossy(&request);
    let answer = match parse_request(&line) {
        Ok((ms, what)) => {
            ch06::sleep(Duration::from_millis(ms))?;
            format!("200 {what} after {ms} ms\n")
        }
        Err(problem) => format!("400 bad request: {problem}\n"),
    };
    stream.write_all(answer.as_bytes())?;
    stream.shutdown(std::net::Shutdown::Write)
}
// ANCHOR_END: handle

// ANCHOR: accept_forever
/// Accepts connections for ever, a handler task each.
///
/// A handler's failure (a client that hung up before its answer) ends that
/// connection only: the error is the client's business, so the task drops
/// it rather than fail, which would report it on stderr as a failure
/// nobody joined. Running out of file descriptors does not end the server
/// either: it waits for a connection to close and accepts again, as
/// asyncio's server does (asyncio waits a second; this waits 10 ms).
fn accept_forever(listener: &TcpListener) -> Result<(), SchedError> {
    loop {
        let stream = match listener.accept() {
            Ok((stream, _peer)) => stream,
            Err(error) if out_of_descriptors(&error) => {
                ch06::sleep(Duration::from_millis(10))?;
                continue;
            }
            Err(error) => return Err(error),
        };
        ch06::spawn("connection", move || match handle(stream) {
            Err(error) if error.is_cancellation() => Err(error),
            _ => Ok(()),
        })?;
    }
}
// ANCHOR_END: accept_forever

/// Whether `error` says the process (or the system) has no file descriptor
/// left for a new connection.
fn out_of_descriptors(error: &SchedError) -> bool {
    matches!(error, SchedError::Io { message, .. } if message.contains("out of file descriptors"))
}

impl SlowServer {
    /// Starts the server on `127.0.0.1`, on a port the OS picks, and returns
    /// once it listens.
    ///
    /// # Errors
    ///
    /// What kept it from listening (no socket, no thread), in words.
    pub fn start() -> Result<SlowServer, String> {
        let (ready_send, ready) = mpsc::channel::<Result<SocketAddr, String>>();
        let (stop_send, stop_receive) = channel::<()>();
        let (promise_send, promise) = mpsc::channel::<ExpectedWake>();
        let thread = thread::Builder::new()
            .name("slow server".to_string())
            .spawn(move || {
                let scheduler = Scheduler::new(Clock::Real);
                let outcome = scheduler.run_until_complete_async(async move {
                    // The stop comes from another thread: promise the wake.
                    let _ = promise_send.send(ch06::expect_wake()?);
                    let listener = TcpListener::bind("127.0.0.1:0")?;
                    let _ = ready_send.send(listener.local_addr().map_err(|e| e.to_string()));
                    let acceptor = ch06::spawn("acceptor", move || accept_forever(&listener))?;
                    let _ = stop_receive.await;
                    acceptor.cancel();
                    let _ = acceptor.await;
                    Ok::<(), SchedError>(())
                });
                if let Err(error) = outcome {
                    let _ = ready_send_fallback(error);
                }
            })
            .map_err(|error| format!("no thread for the server: {error}"))?;
        let address = ready
            .recv()
            .map_err(|_| "the server's thread ended before it listened".to_string())??;
        let promise = promise
            .recv()
            .map_err(|_| "the server's thread ended before it listened".to_string())?;
        Ok(SlowServer {
            address,
            stop: Some((stop_send, promise)),
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

/// Where a server that failed after it started says so: on stderr, since
/// nobody waits for its thread's result but `Drop`.
fn ready_send_fallback(error: SchedError) -> Option<()> {
    eprintln!("[server] stopped: {error}");
    None
}

impl Drop for SlowServer {
    fn drop(&mut self) {
        if let Some((stop, promise)) = self.stop.take() {
            stop.send(());
            drop(promise);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
