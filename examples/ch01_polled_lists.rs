//! Run with: cargo run --example ch01_polled_lists
//!
//! Three small programs, each a step of the Python path:
//!
//! 1. one request polled until it is ready;
//! 2. two requests run one after the other (blocking);
//! 3. the same two requests interleaved round-robin, so the quick one
//!    finishes first.
//!
//! The `[loop]` lines narrate every poll, numbered from 1, so you can see when
//! each request finishes (requests are numbered by position, from 0); the
//! `[main]` lines are the programs' own output.
//!
//! It takes no options: `--help` prints its usage, and any other argument
//! is refused with a message and exit code 2.

use yieldpoint::ch01_polled_lists::{
    Completion, Poll, Request, run_blocking_with, run_round_robin_with,
};
use yieldpoint::say;

// ANCHOR: narrate
/// An `on_poll` observer that says what every poll answered, numbering the
/// polls from 1.
fn narrate<T: std::fmt::Debug>() -> impl FnMut(usize, &Poll<T>) {
    let mut step = 0;
    move |index, answer| {
        step += 1;
        match answer {
            Poll::Wait => say!("loop", "poll {step}: request {index} -> Wait"),
            Poll::Ready(value) => say!("loop", "poll {step}: request {index} -> Ready({value:?})"),
        }
    }
}
// ANCHOR_END: narrate

/// Says each finished request's value, in the order they finished.
fn say_results(completions: &[Completion<&str>]) {
    for completion in completions {
        say!("main", "{}", completion.value);
    }
}

// ANCHOR: programs
/// Runs the three programs.
pub fn programs() {
    say!("main", "1. One request, polled until it is ready");
    // The list written out, as in Python; `after_waits` below builds the same.
    let request = Request::new(vec![
        Poll::Wait,
        Poll::Wait,
        Poll::Wait,
        Poll::Ready("Hello World from Request One!!!"),
    ])
    .expect("three Waits then one Ready is a valid request");
    let result = run_blocking_with(vec![request], narrate());
    say!("main", "The result is '{}'", result[0].value);

    say!("main", "2. Two requests, one after the other");
    let requests = vec![
        Request::after_waits(3, "Request One!!!"),
        Request::after_waits(1, "Request Two!!!"),
    ];
    say_results(&run_blocking_with(requests, narrate()));

    say!("main", "3. The same two requests, round-robin");
    let requests = vec![
        Request::after_waits(3, "Request One!!!"),
        Request::after_waits(1, "Request Two!!!"),
    ];
    say_results(&run_round_robin_with(requests, narrate()));
}
// ANCHOR_END: programs

/// How to call the example: it takes no options.
pub const USAGE: &str = "cargo run --example ch01_polled_lists (no options; --help prints this)";

/// Runs the example with the options in `args`: there are none, so
/// `--help` (or `-h`) prints the usage, and anything else is refused with a
/// message naming it, the usage, and exit code 2, as chapters 5 to 7's
/// examples do.
pub fn run(args: &[String]) {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        say!("usage", "{USAGE}");
        return;
    }
    if let Some(unknown) = args.first() {
        say!(
            "error",
            "unknown argument {unknown:?}: this example takes no options"
        );
        say!("usage", "{USAGE}");
        std::process::exit(2);
    }
    programs();
}

/// The entry point: `run` with the command line's arguments.
pub fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run(&args);
}
