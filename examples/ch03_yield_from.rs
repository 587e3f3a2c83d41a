//! Run with: cargo run --example ch03_yield_from
//!
//! Two programs of the Python path, each written twice: once delegating by a
//! plain function call (stackful: the callee suspends the whole coroutine from
//! wherever it is), once delegating to a separate generator with `yield_from`
//! (Python's `yield from`). Each pair prints the same lines.
//!
//! - Step 5: generator A delegates to B; B yields one value and returns one;
//!   A reports what B returned and returns a value of its own.
//! - Step 8: coroutine A waits 5 times, then delegates to B, which waits 10
//!   times and returns "Hello World"; the driver counts the waits.
//!
//! It takes no options: `--help` prints its usage, and any other argument
//! is refused with a message and exit code 2.

use yieldpoint::ch02_coroutines::{Generator, GeneratorState, Yielder};
use yieldpoint::ch03_yield_from::{wait_times, yield_from};
use yieldpoint::say;

/// Step 5's generators: no input, `&str` values out, a `&str` result.
pub type Step5 = Generator<(), &'static str, &'static str>;

/// Step 8's coroutines: no input, a bare `()` for each wait, a `&str` result.
pub type Step8 = Generator<(), (), &'static str>;

// ANCHOR: step5_stackful
/// Step 5, stackful: B is a plain function, and its `suspend` pauses A.
pub fn step5_b(yielder: &Yielder<(), &'static str>) -> &'static str {
    yielder.suspend("Yielded From B");
    "Return From B"
}

pub fn step5_stackful() -> Step5 {
    Generator::new(|yielder, ()| {
        let got = step5_b(yielder); // an ordinary call
        say!("A", "A got '{got}'");
        "Return From A"
    })
}
// ANCHOR_END: step5_stackful

// ANCHOR: step5_yield_from
/// Step 5 with `yield_from`: B is a generator of its own, and A drives it.
pub fn step5_gen_b() -> Step5 {
    Generator::new(|yielder, ()| {
        yielder.suspend("Yielded From B");
        "Return From B"
    })
}

pub fn step5_yield_from() -> Step5 {
    Generator::new(|yielder, ()| {
        let got = yield_from(yielder, step5_gen_b(), ()); // Python: yield from gen_b()
        say!("A", "A got '{got}'");
        "Return From A"
    })
}
// ANCHOR_END: step5_yield_from

// ANCHOR: step5_main
/// Step 5's driver: print every value A yields, then the value A returns.
pub fn step5_main(mut a: Step5) {
    loop {
        match a
            .resume(())
            .expect("main stops resuming A once A completes")
        {
            GeneratorState::Yielded(value) => say!("main", "Main got '{value}'"),
            GeneratorState::Complete(value) => {
                say!("main", "Main got '{value}'");
                break;
            }
        }
    }
}
// ANCHOR_END: step5_main

// ANCHOR: step8_stackful
/// Step 8, stackful: B is a plain function; its waits pause A from two calls deep.
pub fn step8_b(yielder: &Yielder<(), ()>) -> &'static str {
    wait_times(yielder, 10);
    "Hello World"
}

pub fn step8_stackful() -> Step8 {
    Generator::new(|yielder, ()| {
        wait_times(yielder, 5);
        step8_b(yielder)
    })
}
// ANCHOR_END: step8_stackful

// ANCHOR: step8_yield_from
/// Step 8 with `yield_from`: each coroutine waits in its own body, and A
/// delegates to B as a separate generator.
pub fn step8_gen_b() -> Step8 {
    Generator::new(|yielder, ()| {
        for _ in 0..10 {
            yielder.suspend(());
        }
        "Hello World"
    })
}

pub fn step8_yield_from() -> Step8 {
    Generator::new(|yielder, ()| {
        for _ in 0..5 {
            yielder.suspend(());
        }
        yield_from(yielder, step8_gen_b(), ())
    })
}
// ANCHOR_END: step8_yield_from

// ANCHOR: step8_main
/// Step 8's driver: resume until A completes, counting the waits on the way.
pub fn step8_main(mut a: Step8) {
    let mut waits = 0;
    let result = loop {
        match a
            .resume(())
            .expect("main stops resuming A once A completes")
        {
            GeneratorState::Yielded(()) => waits += 1,
            GeneratorState::Complete(result) => break result,
        }
    };
    say!("main", "{result}");
    say!("main", "Waited {waits} times");
}
// ANCHOR_END: step8_main

/// Runs both programs, each both ways.
pub fn programs() {
    say!(
        "main",
        "-- step 5, delegating by a plain call (stackful) --"
    );
    step5_main(step5_stackful());
    say!("main", "-- step 5, delegating with yield_from --");
    step5_main(step5_yield_from());
    say!(
        "main",
        "-- step 8, delegating by a plain call (stackful) --"
    );
    step8_main(step8_stackful());
    say!("main", "-- step 8, delegating with yield_from --");
    step8_main(step8_yield_from());
}

/// How to call the example: it takes no options.
pub const USAGE: &str = "cargo run --example ch03_yield_from (no options; --help prints this)";

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
