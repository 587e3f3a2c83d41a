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

use std::time::Duration;

use tokio::time::{Instant, sleep};
use yieldpoint::ch12_tokio::{UNIT, ms};
use yieldpoint::say;

/// A request that answers after `units` units, saying so, with the time it
/// took; or, if `fails`, an error after `units` units.
async fn request(
    name: &'static str,
    units: u32,
    fails: bool,
    start: Instant,
) -> Result<Duration, String> {
    let sent = Instant::now();
    sleep(units * UNIT).await;
    if fails {
        return Err(format!("{name}: 503 Service Unavailable"));
    }
    say!(name, "{name} done at {}", ms(start.elapsed()));
    Ok(sent.elapsed())
}

/// The three requests at once, then every outcome in argument order.
pub async fn gather_results_main() {
    let start = Instant::now();
    let requests = [("users", 4, false), ("prices", 1, true), ("news", 1, false)];
    let handles: Vec<_> = requests
        .iter()
        .map(|&(name, units, fails)| (name, tokio::spawn(request(name, units, fails, start))))
        .collect();
    let mut outcomes = Vec::new();
    for (name, handle) in handles {
        outcomes.push((name, handle.await.expect("a request does not panic")));
    }
    say!(
        "main",
        "every outcome at {}, in argument order:",
        ms(start.elapsed())
    );
    for (name, outcome) in outcomes {
        match outcome {
            Ok(took) => say!("main", "  {name} took {}", ms(took)),
            Err(error) => say!("main", "  failed: {error}"),
        }
    }
}
