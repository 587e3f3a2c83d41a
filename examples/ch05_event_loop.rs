//! Run with: cargo run --example ch05_event_loop
//!
//! Step 10 of the Python path on chapter 5's event loop: `main` starts a
//! `countdown` task, naps half a unit, then calls `do_stuff` inline (which
//! sleeps, and calls `do_more_stuff` inline, which sleeps and returns
//! "Hello World"), and finally waits for the countdown to lift off.
//!
//! Every sleep is the busy kind, so at the end the example prints the bill:
//! how many times the loop resumed a task, and how much CPU time the loop's
//! thread burnt against the wall-clock time the run took.
//!
//! Options (after `--`):
//! - `--unit 200ms` (the default) is the length of one of the original's
//!   seconds, so the whole run takes about 2 s; `--unit 1s` reproduces the
//!   original's timing.
//! - `--clock real` (the default) runs on the wall clock; `--clock ticks` runs
//!   on `Clock::Ticks`, where each round of the loop is one hundredth of a
//!   unit. That run is instant and exactly repeatable.

use std::time::{Duration, Instant};

use yieldpoint::ch05_event_loop::{
    Clock, EventLoop, LoopError, await_future, cpu_time, current_loop, sleep,
};
use yieldpoint::say;

// ANCHOR: step10
/// Counts down from 10, one unit apart, then lifts off.
pub fn countdown(unit: Duration) -> Result<(), LoopError> {
    for n in (1..=10).rev() {
        say!("countdown", "{n}");
        sleep(unit)?;
    }
    say!("countdown", "TAKE OFF!!!!!");
    Ok(())
}

/// A plain function, not a task: it runs inside whichever task calls it.
pub fn do_more_stuff(unit: Duration) -> Result<&'static str, LoopError> {
    sleep(2 * unit)?;
    Ok("Hello World")
}

/// Also plain: `main` calls it, so it speaks for `main`.
pub fn do_stuff(unit: Duration) -> Result<(), LoopError> {
    sleep(unit)?;
    say!("main", "Doing more stuff");
    let result = do_more_stuff(unit)?; // Python: await do_more_stuff()
    say!("main", "{result}");
    Ok(())
}

/// The main task.
pub fn main_task(unit: Duration) -> Result<(), LoopError> {
    let task = current_loop()?.create_task("countdown", move || countdown(unit))?;
    sleep(unit / 2)?;
    do_stuff(unit)?; // Python: await do_stuff()
    await_future(&task)??; // Python: await task
    say!("main", "Main is exiting");
    Ok(())
}
// ANCHOR_END: step10

/// What the command line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// How long one of the original's seconds lasts.
    pub unit: Duration,
    /// Run on `Clock::Ticks` (a round is `unit / 100`) instead of the wall clock.
    pub ticks: bool,
}

impl Options {
    /// The clock these options ask for.
    pub fn clock(&self) -> Clock {
        if self.ticks {
            Clock::Ticks(self.unit / 100)
        } else {
            Clock::Real
        }
    }
}

/// How to call the example.
pub const USAGE: &str = "cargo run --example ch05_event_loop -- [--unit 200ms | --unit 1s] [--clock real | --clock ticks]";

/// Reads the options; the defaults are `--unit 200ms --clock real`.
///
/// # Errors
///
/// A message naming the argument that is wrong and what would be right.
pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        unit: Duration::from_millis(200),
        ticks: false,
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--unit" => options.unit = parse_unit(value()?)?,
            "--clock" => {
                options.ticks = match value()?.as_str() {
                    "real" => false,
                    "ticks" => true,
                    other => {
                        return Err(format!(
                            "--clock {other}: the clock is either `real` or `ticks`"
                        ));
                    }
                }
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

/// A unit such as `200ms`, `1s`, `0.5s` or `500us`, from 1 ms to 10 s.
fn parse_unit(text: &str) -> Result<Duration, String> {
    let bad = || {
        format!(
            "--unit {text}: give a number and ms, s or us, from 1ms to 10s (such as 200ms or 1s)"
        )
    };
    let (number, seconds_per) = if let Some(number) = text.strip_suffix("ms") {
        (number, 1e-3)
    } else if let Some(number) = text.strip_suffix("us") {
        (number, 1e-6)
    } else if let Some(number) = text.strip_suffix('s') {
        (number, 1.0)
    } else {
        return Err(bad());
    };
    let number: f64 = number.parse().map_err(|_| bad())?;
    let seconds = number * seconds_per;
    if !(1e-3..=10.0).contains(&seconds) {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(seconds))
}

// ANCHOR: run
/// Runs step 10 with the options in `args`, then prints the bill.
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
    let unit = options.unit;
    match options.clock() {
        Clock::Ticks(tick) => say!("loop", "unit {unit:?}, clock: ticks of {tick:?}"),
        Clock::Real => say!("loop", "unit {unit:?}, clock: real"),
    }

    let event_loop = EventLoop::with_clock(options.clock());
    let cpu_before = cpu_time();
    let started = Instant::now();
    let outcome = event_loop.run_until_complete(move || main_task(unit));
    let wall = started.elapsed();
    let cpu = cpu_before
        .zip(cpu_time())
        .map(|(before, after)| after.saturating_sub(before));
    if let Err(error) = outcome.and_then(|result| result) {
        panic!("step 10 failed: {error}");
    }

    say!(
        "loop",
        "{} resumes in {} rounds",
        event_loop.resumes(),
        event_loop.rounds()
    );
    let wall_s = wall.as_secs_f64();
    let Some(cpu) = cpu else {
        say!(
            "cost",
            "CPU time not measured on this OS, wall time {wall_s:.3} s"
        );
        return;
    };
    let cpu_s = cpu.as_secs_f64();
    say!("cost", "CPU time {cpu_s:.3} s, wall time {wall_s:.3} s");
    if options.clock() == Clock::Real {
        // (On ticks the run is over in milliseconds: too short to compare.)
        let busy = 100.0 * cpu_s / wall_s.max(1e-9);
        say!("cost", "the busy sleeps kept a CPU core {busy:.0}% busy");
    }
}
// ANCHOR_END: run

/// The entry point: `run` with the command line's arguments.
pub fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run(&args);
}
