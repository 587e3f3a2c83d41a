//! Exercise 10.1's reference solution: an echo server (the task is in
//! `exercises/ch10_sockets/1_echo.rs`).

use std::net::Shutdown;

use yieldpoint::ch06_scheduler::{SchedError, spawn};
use yieldpoint::ch10_sockets::{TcpListener, TcpStream};

/// Sends back everything `stream` receives until the end of the stream,
/// then shuts down its writing side; the number of bytes echoed.
pub fn echo(stream: TcpStream) -> Result<usize, SchedError> {
    let mut buffer = [0u8; 4096];
    let mut echoed = 0;
    loop {
        // A read waits until something has come, and returns what has:
        // one byte or four thousand, whatever the client's writes were.
        match stream.read(&mut buffer)? {
            0 => break,
            n => {
                stream.write_all(&buffer[..n])?;
                echoed += n;
            }
        }
    }
    stream.shutdown(Shutdown::Write)?;
    Ok(echoed)
}

/// Serves `connections` connections on `listener`, a task each; the bytes
/// echoed in all.
pub fn echo_server(listener: TcpListener, connections: usize) -> Result<usize, SchedError> {
    let mut served = Vec::new();
    for _ in 0..connections {
        let (stream, _peer) = listener.accept()?;
        served.push(spawn("echo", move || echo(stream))?);
    }
    let mut echoed = 0;
    for task in served {
        echoed += task.join()?;
    }
    Ok(echoed)
}
