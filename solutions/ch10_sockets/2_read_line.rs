//! Exercise 10.2's reference solution: lines, whatever pieces they come in
//! (the task is in `exercises/ch10_sockets/2_read_line.rs`).

use yieldpoint::ch06_scheduler::SchedError;
use yieldpoint::ch10_sockets::TcpStream;

/// The lines of a stream, one at a time.
#[derive(Debug)]
pub struct Lines<'a> {
    stream: &'a TcpStream,
    /// Bytes read from the stream and not yet returned.
    pending: Vec<u8>,
}

impl<'a> Lines<'a> {
    /// The lines of `stream`, from what it has not yet been read.
    pub fn new(stream: &'a TcpStream) -> Self {
        Lines {
            stream,
            pending: Vec::new(),
        }
    }

    /// The next line, without its `\n`; `None` once the stream has ended
    /// and every byte was returned.
    pub fn next_line(&mut self) -> Result<Option<String>, SchedError> {
        let mut chunk = [0u8; 1024];
        loop {
            if let Some(end) = self.pending.iter().position(|&byte| byte == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=end).collect();
                return Ok(Some(text(&line[..end])));
            }
            match self.stream.read(&mut chunk)? {
                // The end: what is left is the last line, if anything is.
                0 if self.pending.is_empty() => return Ok(None),
                0 => return Ok(Some(text(&std::mem::take(&mut self.pending)))),
                n => self.pending.extend_from_slice(&chunk[..n]),
            }
        }
    }
}

/// The bytes of a line as text (a byte that is not UTF-8 becomes U+FFFD).
fn text(line: &[u8]) -> String {
    String::from_utf8_lossy(line).into_owned()
}
