//! Exercise 11.2: a long computation that lets the others run.
//!
//! Not every long computation can go to a thread: it may need the task's
//! own state, or there may be no thread to spare. The other way is to cut
//! it into pieces and give the scheduler a turn between them, as a Python
//! coroutine does with `await asyncio.sleep(0)` inside its loop. Write
//! `sum_of_squares(n, chunk)`:
//!
//! - it returns `0² + 1² + ... + (n-1)²`;
//! - after every `chunk` numbers it yields (`yield_now`), so `n / chunk`
//!   yields in all (whole chunks only: `n = 10, chunk = 3` yields 3 times);
//!   every other ready task runs at each of them;
//! - a cancellation that arrives at a yield ends it, passed on with `?`.
//!
//! `chunk` is at least 1. `cargo run -- check 11.2` checks your work.
//! Stuck? `cargo run -- hint 11.2`

#![allow(unused_imports, unused_variables, dead_code)]

use yieldpoint::ch06_scheduler::{SchedError, yield_now};

/// The sum of the squares below `n`, with a turn for the others after
/// every `chunk` of them.
pub fn sum_of_squares(n: u64, chunk: u64) -> Result<u64, SchedError> {
    todo!("a loop that adds, and yields after every chunk")
}
