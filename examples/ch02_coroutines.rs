//! Run with: cargo run --example ch02_coroutines
//!
//! Four small programs on chapter 2's [`Generator`], one after the other:
//!
//! 1. `hello_world`: a generator prints `Hello`, pauses, prints `World` and
//!    returns `"Result"`, while `main` prints around it. The lines alternate
//!    between the two roles: one thread, taking turns.
//! 2. `send_numbers`: values in and out. Numbers go in through `resume`,
//!    running totals come out through `suspend`, and the count of numbers
//!    comes back when the generator returns.
//! 3. `count_in_a_for_loop`: a generator that yields 0..5 drives a `for` loop,
//!    running its own code between the values.
//! 4. `two_requests`: chapter 1's two requests as generators. Request one
//!    waits three times, request two once; taking turns, two finishes first.
//!
//! It takes no options: `--help` prints its usage, and any other argument
//! is refused with a message and exit code 2.

use yieldpoint::ch02_coroutines::{Generator, GeneratorState, Wait, Yielder, run_round_robin};
use yieldpoint::say;

/// Runs the four programs in order.
pub fn programs() {
    hello_world();
    send_numbers();
    count_in_a_for_loop();
    two_requests();
}

// ANCHOR: hello_world
/// A generator that pauses once, and the code that drives it.
pub fn hello_world() {
    let mut generator = Generator::new(|yielder: &Yielder<(), ()>, ()| {
        say!("generator", "Hello");
        yielder.suspend(()); // pause here; the next resume carries on below
        say!("generator", "World");
        "Result"
    });

    say!("main", "Starting");
    // Runs the body from its first line up to `suspend`.
    let first = generator.resume(());
    assert_eq!(first, Ok(GeneratorState::Yielded(())));
    say!("main", "Paused");
    // Runs the rest of the body, which returns.
    if let Ok(GeneratorState::Complete(result)) = generator.resume(()) {
        say!("main", "Finished with {result}");
    }
}
// ANCHOR_END: hello_world

// ANCHOR: running_total
/// A running total: takes `Some(number)` to add, or `None` to stop; yields
/// the total after each number; returns how many numbers it added.
///
/// The first number arrives as the closure's second argument (`first`),
/// every later one as the value `suspend` returns.
pub fn running_total() -> Generator<Option<i64>, i64, usize> {
    Generator::new(|yielder, first| {
        let mut total = 0;
        let mut count = 0;
        let mut input = first;
        while let Some(number) = input {
            say!("generator", "adding {number}");
            total += number;
            count += 1;
            input = yielder.suspend(total);
        }
        say!("generator", "no more numbers");
        count
    })
}

/// Sends three numbers and then `None` into a [`running_total`].
pub fn send_numbers() {
    let mut total = running_total();
    for input in [Some(10), Some(5), Some(27), None] {
        say!("main", "send {input:?}");
        match total.resume(input) {
            Ok(GeneratorState::Yielded(sum)) => say!("main", "total so far: {sum}"),
            Ok(GeneratorState::Complete(count)) => say!("main", "finished after {count} numbers"),
            Err(finished) => say!("main", "{finished}"),
        }
    }
}
// ANCHOR_END: running_total

// ANCHOR: for_loop
/// Yields 0, 1, 2, 3, 4, saying so before each one.
pub fn count_to_five() -> Generator<(), u32, ()> {
    Generator::new(|yielder, ()| {
        for i in 0..5 {
            say!("generator", "Yielding {i}");
            yielder.suspend(i);
        }
    })
}

/// A generator that yields values and returns `()` is an iterator.
pub fn count_in_a_for_loop() {
    for value in count_to_five() {
        say!("main", "main got {value}");
    }
}
// ANCHOR_END: for_loop

// ANCHOR: requests
/// A request as a generator: it waits `waits` times, then returns `message`.
pub fn request(waits: usize, message: &'static str) -> Generator<(), Wait, &'static str> {
    Generator::new(move |yielder, ()| {
        for _ in 0..waits {
            yielder.suspend(Wait);
        }
        message
    })
}

/// Two requests taking turns; `main` prints their results in the order
/// they finished.
pub fn two_requests() {
    let requests = vec![request(3, "Request One!!!"), request(1, "Request Two!!!")];
    for (_index, message) in run_round_robin(requests) {
        say!("main", "{message}");
    }
}
// ANCHOR_END: requests

/// How to call the example: it takes no options.
pub const USAGE: &str = "cargo run --example ch02_coroutines (no options; --help prints this)";

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
