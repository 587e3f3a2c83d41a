//! Exercise 12.1: port chapter 7's `gather_results` program to tokio.
//!
//! Chapter 7's example sends three requests at once and waits for every
//! outcome, failures included, in argument order
//! (`gather_results`, asyncio's `gather(..., return_exceptions=True)`).
//! Write the same program on tokio: `users` answers after 40 ms, `prices`
//! fails after 10 ms, `news` answers after 10 ms; each that answers says so
//! as it does; then main lists every outcome in argument order. The test
//! runs it on a paused runtime and expects exactly:
//!
//! ```text
//! [news] news done at 10 ms
//! [users] users done at 40 ms
//! [main] every outcome at 40 ms, in argument order:
//! [main]   users took 40 ms
//! [main]   failed: prices: 503 Service Unavailable
//! [main]   news took 10 ms
//! ```
//!
//! Times are `ms(start.elapsed())`, from an `Instant` taken when `main`
//! starts. `cargo run -- check 12.1` checks your work. Stuck?
//! `cargo run -- hint 12.1`

#![allow(unused_imports)]

use std::time::Duration;

use tokio::time::{Instant, sleep};
use yieldpoint::ch12_tokio::{UNIT, ms};
use yieldpoint::say;

/// The three requests at once, then every outcome in argument order.
pub async fn gather_results_main() {
    todo!("spawn the three requests, then await their handles in argument order")
}
