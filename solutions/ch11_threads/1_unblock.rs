//! Exercise 11.1's reference solution: the blocking call goes to the pool,
//! and the task parks (or the future waits) until its value comes back.

use std::time::Duration;

use yieldpoint::ch06_scheduler::SchedError;
use yieldpoint::ch11_threads::{to_thread, to_thread_async};

/// A blocking call: 200 ms of waiting, then the sum of the bytes.
pub fn slow_checksum(data: &[u8]) -> u64 {
    std::thread::sleep(Duration::from_millis(200));
    data.iter().map(|&byte| u64::from(byte)).sum()
}

/// `slow_checksum(&data)`, without blocking the scheduler: `data` moves
/// into the job, since the job may outlive this call's borrow.
pub fn checksum(data: Vec<u8>) -> Result<u64, SchedError> {
    to_thread(move || slow_checksum(&data))
}

/// The same, for an async task.
pub async fn checksum_async(data: Vec<u8>) -> Result<u64, SchedError> {
    to_thread_async(move || slow_checksum(&data)).await
}
