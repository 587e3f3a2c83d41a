//! The client side: one request to the slow server, from a stackful task
//! ([`fetch`]) or an async one ([`fetch_async`]).

use std::net::{Shutdown, SocketAddr};

use crate::ch06_scheduler::SchedError;

use super::tcp::TcpStream;

// ANCHOR: fetch
/// Asks the server at `address` for `path` (such as `/40/users`) and
/// returns its answer line, without the line break: connect, send the
/// request, say nothing more is coming, read to the end.
///
/// # Errors
///
/// [`SchedError::Io`] if the connection is refused or reset, or if the
/// answer is not one whole line of text; [`SchedError::Cancelled`] if the
/// task is cancelled on the way.
#[track_caller]
pub fn fetch(address: SocketAddr, path: &str) -> Result<String, SchedError> {
    let stream = TcpStream::connect(address)?;
    stream.write_all(format!("GET {path}\n").as_bytes())?;
    done_writing(&stream)?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    answer_text(answer)
}
// ANCHOR_END: fetch

// ANCHOR: fetch_async
/// [`fetch`], for an async task.
///
/// # Errors
///
/// As [`fetch`], less the cancellation: an async task is cancelled by
/// dropping this future, which closes the socket.
pub async fn fetch_async(address: SocketAddr, path: &str) -> Result<String, SchedError> {
    let stream = TcpStream::connect_async(address).await?;
    stream
        .write_all_async(format!("GET {path}\n").as_bytes())
        .await?;
    done_writing(&stream)?;
    let mut answer = Vec::new();
    stream.read_to_end_async(&mut answer).await?;
    answer_text(answer)
}
// ANCHOR_END: fetch_async

/// Tells the server that the request is complete: shuts the writing side
/// down, so that the server reads the end of the stream. A connection the
/// server has already reset is not connected any more: that is not this
/// step's error to report, and the read that follows reports the reset.
fn done_writing(stream: &TcpStream) -> Result<(), SchedError> {
    match stream.shutdown(Shutdown::Write) {
        Err(error) if error.io_kind() == Some(std::io::ErrorKind::NotConnected) => Ok(()),
        done => done,
    }
}

// ANCHOR: answer_text
/// The answer's bytes as its line, without the line break; an error if
/// they are not text, or if the line break never came: the server closed
/// the connection in the middle of its answer.
fn answer_text(answer: Vec<u8>) -> Result<String, SchedError> {
    let invalid =
        |kind, problem: String| SchedError::io("read", &std::io::Error::new(kind, problem));
    let text = String::from_utf8(answer).map_err(|_| {
        invalid(
            std::io::ErrorKind::InvalidData,
            "the answer is not UTF-8 text".to_string(),
        )
    })?;
    match text.strip_suffix('\n') {
        Some(line) => Ok(line.to_string()),
        None => Err(invalid(
            std::io::ErrorKind::UnexpectedEof,
            format!(
                "the connection closed in the middle of the answer, after {text:?}: an answer \
                 is one whole line"
            ),
        )),
    }
}
// ANCHOR_END: answer_text
