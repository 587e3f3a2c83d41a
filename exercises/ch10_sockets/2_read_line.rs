//! Exercise 10.2: reading a line, whatever pieces it comes in.
//!
//! A read returns what has arrived, not what the sender wrote in one go: a
//! line may come in three pieces, or two lines and half of a third in one.
//! asyncio's `StreamReader.readline()` hides that: it keeps the bytes it
//! has read past the line's end for the next call. Write the same.
//!
//! - `next_line` returns the next line without its `\n`, waiting for more
//!   bytes as long as the line is not complete.
//! - Bytes read past the line's end are kept for the next call: a line
//!   already in `pending` is returned without reading at all.
//! - At the end of the stream, a last line without its `\n` is returned as
//!   it is (as `readline()` does), and after that `next_line` returns
//!   `None`.
//!
//! `cargo run -- check 10.2` checks your work. Stuck? `cargo run -- hint 10.2`

#![allow(unused_imports, unused_variables, dead_code)]

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
        todo!("a complete line in pending? return it; else read more, or finish at the end")
    }
}
