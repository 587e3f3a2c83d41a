//! Run with: cargo run --example ch07_combinators
//!
//! The concurrent-fetch lesson: four simulated requests with different
//! latencies, first one after the other, then all at once with
//! `as_completed`, printing each as it completes. The run time of the second
//! is the slowest request's, not the sum of all four.
//!
//! Then the rest of the chapter, one small program each: `gather` returns
//! values in argument order; a failing request makes `gather` return at once
//! while its sibling finishes later; `gather_results` hands back every
//! outcome; `wait_for` gives up on a slow request, which cleans up (and
//! takes a little time to do it) before `wait_for` returns; and a task
//! cancelled before it ever started never runs.
//!
//! Options (after `--`):
//! - `--clock real` (the default) runs on the wall clock: the times printed
//!   are measured, so they come out a millisecond or so longer than the
//!   latencies. `--clock virtual` runs the same programs on the virtual
//!   clock: the times are exact, and the whole run takes no real time at
//!   all. Either way a unit of latency ([`UNIT`]) is 10 ms.
//! - `--trace` prints each program's schedule as a text diagram after it
//!   runs.

use std::time::Duration;

use yieldpoint::ch06_scheduler::{BoxError, Clock, SchedError, Scheduler, now, sleep, spawn};
use yieldpoint::ch07_combinators::{as_completed, gather, gather_results, wait_for};
use yieldpoint::say;

/// One unit of simulated latency.
pub const UNIT: Duration = Duration::from_millis(10);

// ANCHOR: fetch
/// What a simulated request gives back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Which request it answers.
    pub name: &'static str,
    /// How long the request took, from sending it to the answer.
    pub took: Duration,
}

/// The four requests of the lesson, with their latencies in units.
pub const REQUESTS: [(&str, u32); 4] = [("users", 4), ("news", 1), ("prices", 3), ("weather", 2)];

/// A simulated request: waits `latency` (as a network would), then answers.
pub fn fetch(name: &'static str, latency: Duration) -> Result<Response, SchedError> {
    let sent = now()?;
    sleep(latency)?;
    Ok(Response {
        name,
        took: now()? - sent,
    })
}
// ANCHOR_END: fetch

/// A duration in whole milliseconds: `40 ms`.
pub fn ms(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1000.0)
}

// ANCHOR: one_after_the_other
/// Sends the four requests one after the other: each waits for the last.
pub fn one_after_the_other() -> Result<(), SchedError> {
    let mut cumulative = Duration::ZERO;
    for (name, units) in REQUESTS {
        let response = fetch(name, units * UNIT)?; // Python: await fetch(...)
        say!(
            "main",
            "{} took {}, done at {}",
            response.name,
            ms(response.took),
            ms(now()?)
        );
        cumulative += response.took;
    }
    say!(
        "main",
        "run time {}; the requests took {} in all",
        ms(now()?),
        ms(cumulative)
    );
    Ok(())
}
// ANCHOR_END: one_after_the_other

// ANCHOR: all_at_once
/// Sends the four at once, as tasks, and prints each answer as it arrives.
pub fn all_at_once() -> Result<(), SchedError> {
    let mut handles = Vec::new();
    for (name, units) in REQUESTS {
        handles.push(spawn(name, move || fetch(name, units * UNIT))?);
    }
    let mut cumulative = Duration::ZERO;
    for outcome in as_completed(handles) {
        let (_index, response) = outcome?; // our own cancellation, if any
        let response = response?; // the request's failure, if any
        say!(
            "main",
            "{} took {}, done at {}",
            response.name,
            ms(response.took),
            ms(now()?)
        );
        cumulative += response.took;
    }
    say!(
        "main",
        "run time {}; the requests took {} in all",
        ms(now()?),
        ms(cumulative)
    );
    Ok(())
}
// ANCHOR_END: all_at_once

// ANCHOR: gather_in_order
/// `gather` hands the values back in the order of its argument.
pub fn gather_in_order() -> Result<(), SchedError> {
    let mut handles = Vec::new();
    for (name, units) in REQUESTS {
        handles.push(spawn(name, move || fetch(name, units * UNIT))?);
    }
    let responses = gather(&handles)?; // Python: await asyncio.gather(*tasks)
    let names: Vec<&str> = responses.iter().map(|response| response.name).collect();
    say!("main", "gather returned {names:?} at {}", ms(now()?));
    Ok(())
}
// ANCHOR_END: gather_in_order

// ANCHOR: gather_failure
/// A request that fails after one unit: its body returns an error, as a
/// Python coroutine raises an exception.
pub fn failing_request() -> Result<Response, BoxError> {
    sleep(UNIT)?;
    Err("prices: 503 Service Unavailable".into())
}

/// A request that says when it is done, so that we can see it finish.
pub fn loud_request(name: &'static str, units: u32) -> Result<Response, SchedError> {
    let response = fetch(name, units * UNIT)?;
    say!(name, "{name} done at {}", ms(now()?));
    Ok(response)
}

/// The first failure comes back at once; the sibling is not cancelled.
pub fn gather_with_a_failure() -> Result<(), SchedError> {
    let users = spawn("users", || loud_request("users", 4))?;
    let prices = spawn("prices", failing_request)?;
    if let Err(error) = gather(&[users.clone(), prices]) {
        say!("main", "gather failed at {}: {error}", ms(now()?));
    }
    let late = users.join()?;
    say!(
        "main",
        "{} still finished, at {}: nobody cancelled it",
        late.name,
        ms(now()?)
    );
    Ok(())
}

/// `gather_results`: every outcome, failures included, in argument order.
pub fn gather_every_result() -> Result<(), SchedError> {
    let users = spawn("users", || loud_request("users", 4))?;
    let prices = spawn("prices", failing_request)?;
    let news = spawn("news", || loud_request("news", 1))?;
    let outcomes = gather_results(&[users, prices, news])?;
    say!("main", "gather_results returned at {}:", ms(now()?));
    for outcome in outcomes {
        match outcome {
            Ok(response) => say!("main", "  {} took {}", response.name, ms(response.took)),
            Err(error) => say!("main", "  failed: {error}"),
        }
    }
    Ok(())
}
// ANCHOR_END: gather_failure

// ANCHOR: wait_for_timeout
/// A request that takes too long. When it is cancelled, its `sleep` returns
/// `Err(Cancelled)`; it closes its connection, which takes half a unit, and
/// only then ends.
pub fn slow_request() -> Result<Response, SchedError> {
    say!("slow", "request sent at {}", ms(now()?));
    match fetch("slow", 5 * UNIT) {
        Err(SchedError::Cancelled) => {
            say!(
                "slow",
                "cancelled at {}; closing the connection",
                ms(now()?)
            );
            sleep(UNIT / 2)?; // cleanup that waits, like an `await` in Python's `except`
            say!("slow", "connection closed at {}", ms(now()?));
            Err(SchedError::Cancelled)
        }
        other => other,
    }
}

/// `wait_for`: in time, the value; too late, a timeout, after the cleanup.
pub fn wait_with_a_timeout() -> Result<(), SchedError> {
    let news = spawn("news", || fetch("news", UNIT))?;
    let response = wait_for(&news, 3 * UNIT)?;
    say!("main", "wait_for gave {} at {}", response.name, ms(now()?));

    let slow = spawn("slow", slow_request)?;
    if let Err(error) = wait_for(&slow, 2 * UNIT) {
        say!("main", "wait_for gave up at {}: {error}", ms(now()?));
    }
    if let Err(error) = slow.join() {
        say!("main", "joining slow: {error}");
    }
    Ok(())
}
// ANCHOR_END: wait_for_timeout

// ANCHOR: never_started
/// A task cancelled before its first step never runs at all.
pub fn cancel_before_start() -> Result<(), SchedError> {
    let never = spawn("never", || {
        say!("never", "this line is never printed");
        Ok::<(), SchedError>(())
    })?;
    say!("main", "cancel() = {}", never.cancel());
    say!("main", "cancel() again = {}", never.cancel());
    if let Err(error) = never.join() {
        say!("main", "joining it: {error}");
    }
    Ok(())
}
// ANCHOR_END: never_started

/// What the command line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Which clock the programs run on.
    pub clock: Clock,
    /// Print each program's schedule after it runs.
    pub trace: bool,
}

/// How to call the example.
pub const USAGE: &str =
    "cargo run --example ch07_combinators -- [--clock virtual | --clock real] [--trace]";

/// Reads the options; the defaults are `--clock real`, no trace.
///
/// # Errors
///
/// A message naming the argument that is wrong and what would be right.
pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        clock: Clock::Real,
        trace: false,
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--clock" => {
                options.clock = match args.next().map(String::as_str) {
                    Some("virtual") => Clock::Virtual,
                    Some("real") => Clock::Real,
                    Some(other) => {
                        return Err(format!(
                            "--clock {other}: the clock is either `virtual` or `real`"
                        ));
                    }
                    None => return Err("--clock needs a value: `virtual` or `real`".to_string()),
                }
            }
            "--trace" => options.trace = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

/// Runs `program` as the main task of a new scheduler on the chosen clock,
/// then draws its schedule if `--trace` asked for it.
///
/// # Panics
///
/// If the program fails: these programs do not.
pub fn run_program(options: Options, program: fn() -> Result<(), SchedError>) {
    let mut scheduler = Scheduler::new(options.clock);
    if options.trace {
        scheduler = scheduler.with_trace();
    }
    if let Err(error) = scheduler.run_until_complete(program) {
        panic!("the program failed: {error}");
    }
    if options.trace {
        for line in scheduler.trace().diagram().lines() {
            say!("trace", "{line}");
        }
    }
}

// ANCHOR: run
/// Runs every program of the chapter, each on a scheduler of its own.
///
/// Bad arguments print an error and the usage, and end the process with
/// exit code 2.
pub fn run(args: &[String]) {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        say!("usage", "{USAGE}");
        return;
    }
    let options = parse_args(args).unwrap_or_else(|problem| {
        say!("error", "{problem}");
        say!("usage", "{USAGE}");
        std::process::exit(2);
    });
    let clock = match options.clock {
        Clock::Virtual => "virtual",
        Clock::Real => "real",
    };
    say!(
        "demo",
        "Four requests, one after the other (clock: {clock}, unit: {})",
        ms(UNIT)
    );
    run_program(options, one_after_the_other);
    say!(
        "demo",
        "The same four at once, each printed as it completes (as_completed)"
    );
    run_program(options, all_at_once);
    say!("demo", "gather: the values in argument order");
    run_program(options, gather_in_order);
    say!("demo", "gather, and one request fails");
    run_program(options, gather_with_a_failure);
    say!("demo", "gather_results: every outcome, failures too");
    run_program(options, gather_every_result);
    say!("demo", "wait_for: in time, then too late");
    run_program(options, wait_with_a_timeout);
    say!("demo", "Cancelling a task that never started");
    run_program(options, cancel_before_start);
}
// ANCHOR_END: run

/// The entry point: `run` with the command line's arguments.
pub fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run(&args);
}
