//! Exercise 11.1: take a blocking call off the scheduler's thread.
//!
//! `slow_checksum` stands for a call you cannot make asynchronous: a read
//! from a library that blocks, a compression, a hash. Called inside a task
//! it holds the thread for 200 ms, and every other task waits. Write
//! `checksum` (for a stackful task) and `checksum_async` (for an async
//! task) so that the blocking call runs on a thread of the pool instead:
//!
//! - both return `slow_checksum`'s value for `data`;
//! - no step of any task takes 100 ms or more (the tests run with slow
//!   steps reported, and count them).
//!
//! `cargo run -- check 11.1` checks your work. Stuck? `cargo run -- hint 11.1`

#![allow(unused_imports, unused_variables, dead_code)]

use std::time::Duration;

use yieldpoint::ch06_scheduler::SchedError;
use yieldpoint::ch11_threads::{to_thread, to_thread_async};

/// A blocking call: 200 ms of waiting, then the sum of the bytes. Leave it
/// as it is.
pub fn slow_checksum(data: &[u8]) -> u64 {
    std::thread::sleep(Duration::from_millis(200));
    data.iter().map(|&byte| u64::from(byte)).sum()
}

/// `slow_checksum(&data)`, without blocking the scheduler.
pub fn checksum(data: Vec<u8>) -> Result<u64, SchedError> {
    todo!("hand the blocking call to a thread, and wait for its value")
}

/// The same, for an async task.
pub async fn checksum_async(data: Vec<u8>) -> Result<u64, SchedError> {
    todo!("the same, with the future that waits for a thread")
}
