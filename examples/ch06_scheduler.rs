//! Run with: cargo run --example ch06_scheduler
//!
//! Step 10 of the Python path once more, now on chapter 6's scheduler: the
//! same fourteen lines as chapter 5, but a sleeping task waits in the timer
//! heap instead of being resumed every round to look at the clock. Chapter
//! 5's loop runs the same program on a second thread at the same time, so the
//! two bills can be compared line by line.
//!
//! Then, on the virtual clock, the asyncio orderings that surprise people
//! (spawning versus awaiting, the T1/T3/T2 trace) and the quiz of asyncio's
//! tutorial (awaiting two `say_after` calls one after the other takes 3 s,
//! creating them as tasks first takes 2 s).
//!
//! Options (after `--`):
//! - `--unit 100ms` (the default) is the length of one of the original's
//!   seconds: the countdown takes ten units, so about 1 s. `--unit 1s` gives
//!   the original's timing.
//! - `--clock real` (the default) runs step 10 on the wall clock, where the
//!   thread sleeps between deadlines; `--clock virtual` runs it on the
//!   virtual clock, which jumps from deadline to deadline: the same output,
//!   at once.
//! - `--trace` prints step 10's schedule as a text diagram after the run;
//!   `--trace-json FILE` writes it as Chrome trace-event JSON, to open in
//!   <https://ui.perfetto.dev>.
//! - `--crowd` runs something else instead: tens of thousands of sleeping
//!   tasks on one thread, and what they cost (see `ch06_scheduler/crowd.rs`).

use std::thread;
use std::time::{Duration, Instant};

use yieldpoint::ch05_event_loop::{self, EventLoop, cpu_time};
use yieldpoint::ch06_scheduler::{Clock, SchedError, Scheduler, now, sleep, spawn};
use yieldpoint::output::capture;
use yieldpoint::say;

/// Chapter 5's example, for its step 10 on the busy loop. (Test crates that
/// include both examples load this file twice, on purpose: hence the allow.)
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "ch05_event_loop.rs"]
mod chapter_5;

/// Where a file named on the command line is, for whoever typed it: a
/// relative path is taken from the directory they ran the command in. Run
/// through the course (`cargo run -- 6 ...`), cargo runs from the
/// repository's root, so the runner says where the caller was
/// (`YIELDPOINT_CALLER_DIR`); run as `cargo run --example`, that is the
/// current directory. The path returned is absolute.
pub fn callers_path(path: &str) -> std::path::PathBuf {
    let caller = std::env::var_os("YIELDPOINT_CALLER_DIR").map(std::path::PathBuf::from);
    resolve_against(path, caller, std::env::current_dir().ok())
}

/// `path` resolved against the caller's directory if it is known, else the
/// current one.
pub fn resolve_against(
    path: &str,
    caller: Option<std::path::PathBuf>,
    current: Option<std::path::PathBuf>,
) -> std::path::PathBuf {
    let path = std::path::Path::new(path);
    if path.is_absolute() {
        return path.to_path_buf();
    }
    caller.or(current).unwrap_or_default().join(path)
}

/// Tens of thousands of tasks on one thread: the `--crowd` option.
#[path = "ch06_scheduler/crowd.rs"]
mod crowd;

// ANCHOR: step10
/// Counts down from 10, one unit apart, then lifts off.
pub fn countdown(unit: Duration) -> Result<(), SchedError> {
    for n in (1..=10).rev() {
        say!("countdown", "{n}");
        sleep(unit)?;
    }
    say!("countdown", "TAKE OFF!!!!!");
    Ok(())
}

/// A plain function, not a task: it runs inside whichever task calls it.
pub fn do_more_stuff(unit: Duration) -> Result<&'static str, SchedError> {
    sleep(2 * unit)?;
    Ok("Hello World")
}

/// Also plain: `main` calls it, so it speaks for `main`.
pub fn do_stuff(unit: Duration) -> Result<(), SchedError> {
    sleep(unit)?;
    say!("main", "Doing more stuff");
    let result = do_more_stuff(unit)?; // Python: await do_more_stuff()
    say!("main", "{result}");
    Ok(())
}

/// The main task.
pub fn main_task(unit: Duration) -> Result<(), SchedError> {
    let task = spawn("countdown", move || countdown(unit))?;
    sleep(unit / 2)?;
    do_stuff(unit)?; // Python: await do_stuff()
    task.join()?; // Python: await task
    say!("main", "Main is exiting");
    Ok(())
}
// ANCHOR_END: step10

/// What step 10 prints, on either loop: the Python program's output.
pub const STEP_10: [&str; 14] = [
    "[countdown] 10",
    "[countdown] 9",
    "[main] Doing more stuff",
    "[countdown] 8",
    "[countdown] 7",
    "[main] Hello World",
    "[countdown] 6",
    "[countdown] 5",
    "[countdown] 4",
    "[countdown] 3",
    "[countdown] 2",
    "[countdown] 1",
    "[countdown] TAKE OFF!!!!!",
    "[main] Main is exiting",
];

/// One second, the unit of the asyncio programs below.
const SECOND: Duration = Duration::from_secs(1);

// ANCHOR: spawn_vs_call
/// Says that it runs, as `role`: the task it runs in.
pub fn work(role: &str, name: &str) -> Result<(), SchedError> {
    say!(role, "{name} runs");
    Ok(())
}

/// `x = create_task(work("X"))`, then `await work("Y")`: Y runs inline, in
/// main's own task, before X has had a turn.
pub fn spawn_x_then_call_y() -> Result<(), SchedError> {
    let x = spawn("X", || work("X", "X"))?;
    work("main", "Y")?; // Python: await work("Y"), which does not yield
    x.join()?;
    Ok(())
}

/// `create_task` X, then Y, then `await y`: X is ahead of Y in the ready
/// queue, so X runs first.
pub fn spawn_x_and_y_then_join_y() -> Result<(), SchedError> {
    let x = spawn("X", || work("X", "X"))?;
    let y = spawn("Y", || work("Y", "Y"))?;
    y.join()?;
    x.join()?;
    Ok(())
}
// ANCHOR_END: spawn_vs_call

// ANCHOR: t1_t3_t2
/// Starts, sleeps for `nap` if it is not zero, and ends.
pub fn napper(name: &'static str, nap: Duration) -> Result<(), SchedError> {
    say!(name, "{name} start");
    if !nap.is_zero() {
        sleep(nap)?;
    }
    say!(name, "{name} end");
    Ok(())
}

/// Creates T1 (which sleeps a second), T3 and T2, in that order, and awaits
/// them.
pub fn t1_t3_t2() -> Result<(), SchedError> {
    say!("main", "main start");
    let t1 = spawn("T1", || napper("T1", SECOND))?;
    let t3 = spawn("T3", || napper("T3", Duration::ZERO))?;
    let t2 = spawn("T2", || napper("T2", Duration::ZERO))?;
    say!("main", "main middle");
    t1.join()?;
    t2.join()?;
    t3.join()?;
    say!("main", "main end");
    Ok(())
}
// ANCHOR_END: t1_t3_t2

// ANCHOR: quiz
/// asyncio's tutorial example: sleeps `delay`, then says `what` (as `role`,
/// the task it runs in).
pub fn say_after(role: &str, delay: Duration, what: &str) -> Result<(), SchedError> {
    sleep(delay)?;
    say!(role, "{what}");
    Ok(())
}

/// Awaits one `say_after`, then the other: 1 s + 2 s.
pub fn quiz_one_after_the_other() -> Result<(), SchedError> {
    say!("main", "started at {:.3} s", now()?.as_secs_f64());
    say_after("main", SECOND, "hello")?;
    say_after("main", 2 * SECOND, "world")?;
    say!("main", "finished at {:.3} s", now()?.as_secs_f64());
    Ok(())
}

/// Creates both as tasks first, then awaits them: they sleep at the same time.
pub fn quiz_as_tasks() -> Result<(), SchedError> {
    let task1 = spawn("task1", || say_after("task1", SECOND, "hello"))?;
    let task2 = spawn("task2", || say_after("task2", 2 * SECOND, "world"))?;
    say!("main", "started at {:.3} s", now()?.as_secs_f64());
    task1.join()?;
    task2.join()?;
    say!("main", "finished at {:.3} s", now()?.as_secs_f64());
    Ok(())
}
// ANCHOR_END: quiz

/// Runs `program` as the main task of a new scheduler on the virtual clock,
/// and returns the time the clock reads when it is done.
///
/// # Panics
///
/// If the program fails: these programs do not.
pub fn run_virtual(program: fn() -> Result<(), SchedError>) -> Duration {
    let scheduler = Scheduler::new(Clock::Virtual);
    if let Err(error) = scheduler.run_until_complete(program) {
        panic!("the program failed: {error}");
    }
    scheduler.now()
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// How long one of the original's seconds lasts.
    pub unit: Duration,
    /// Which clock step 10 runs on.
    pub clock: Clock,
    /// Print step 10's schedule as a text diagram.
    pub trace: bool,
    /// Write step 10's schedule as Chrome trace JSON to this file.
    pub trace_json: Option<String>,
    /// Run the crowd instead of everything else.
    pub crowd: bool,
}

/// How to call the example.
pub const USAGE: &str = "cargo run --example ch06_scheduler -- [--unit 100ms | --unit 1s] \
                         [--clock real | --clock virtual] [--trace] [--trace-json FILE] [--crowd]";

/// Reads the options; the defaults are `--unit 100ms --clock real`.
///
/// # Errors
///
/// A message naming the argument that is wrong and what would be right.
pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        unit: Duration::from_millis(100),
        clock: Clock::Real,
        trace: false,
        trace_json: None,
        crowd: false,
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--unit" => {
                // Chapter 5's parser, and its limits (1 ms to 10 s).
                let unit = value()?;
                let parsed = chapter_5::parse_args(&["--unit".to_string(), unit.clone()])?;
                options.unit = parsed.unit;
            }
            "--clock" => {
                options.clock = match value()?.as_str() {
                    "real" => Clock::Real,
                    "virtual" => Clock::Virtual,
                    other => {
                        return Err(format!(
                            "--clock {other}: the clock is either `real` or `virtual`"
                        ));
                    }
                }
            }
            "--trace" => options.trace = true,
            "--trace-json" => options.trace_json = Some(value()?.clone()),
            "--crowd" => options.crowd = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

/// What chapter 5's loop did with step 10.
struct Chapter5Run {
    /// Its clock, as the heading says it.
    clock: String,
    /// The lines step 10 said.
    lines: Vec<String>,
    /// How many times it resumed a task.
    resumes: u64,
    /// In how many rounds.
    rounds: u64,
    /// Its thread's CPU time (`None` where it cannot be measured).
    cpu: Option<Duration>,
    /// The wall time of the run.
    wall: Duration,
}

/// Starts step 10 on chapter 5's busy loop, on a thread of its own: on the
/// wall clock if `clock` is real, otherwise on ticks of a hundredth of a unit
/// (chapter 5 has no virtual clock; its ticks make a run just as repeatable).
fn chapter_5_in_background(unit: Duration, clock: Clock) -> thread::JoinHandle<Chapter5Run> {
    let (loop_clock, label) = match clock {
        Clock::Real => (ch05_event_loop::Clock::Real, "the real clock".to_string()),
        Clock::Virtual => (
            ch05_event_loop::Clock::Ticks(unit / 100),
            format!("ticks of {:?}", unit / 100),
        ),
    };
    thread::spawn(move || {
        let event_loop = EventLoop::with_clock(loop_clock);
        let cpu_before = cpu_time();
        let started = Instant::now();
        // Captured, not printed: the lines would interleave with ours.
        let (outcome, lines) =
            capture(|| event_loop.run_until_complete(move || chapter_5::main_task(unit)));
        let wall = started.elapsed();
        if let Err(error) = outcome {
            panic!("step 10 failed on chapter 5's loop: {error}");
        }
        Chapter5Run {
            clock: label,
            lines,
            resumes: event_loop.resumes(),
            rounds: event_loop.rounds(),
            cpu: cpu_before
                .zip(cpu_time())
                .map(|(before, after)| after.saturating_sub(before)),
            wall,
        }
    })
}

/// A `[cost]` line: CPU time (if this OS can measure it) and wall time.
fn say_cost(cpu: Option<Duration>, wall: Duration) {
    let wall = wall.as_secs_f64();
    match cpu {
        Some(cpu) => say!(
            "cost",
            "CPU time {:.3} s, wall time {wall:.3} s",
            cpu.as_secs_f64()
        ),
        None => say!(
            "cost",
            "CPU time not measured on this OS, wall time {wall:.3} s"
        ),
    }
}

// ANCHOR: run
/// Runs step 10 on both loops, then the asyncio orderings and the quiz.
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
    if options.crowd {
        crowd::run(30_000, 10_000);
        return;
    }
    let unit = options.unit;
    let clock_name = match options.clock {
        Clock::Real => "real",
        Clock::Virtual => "virtual",
    };
    say!(
        "demo",
        "Step 10 on the scheduler: unit {unit:?}, clock: {clock_name}"
    );

    let chapter_5 = chapter_5_in_background(unit, options.clock);
    let mut scheduler = Scheduler::new(options.clock);
    if options.trace || options.trace_json.is_some() {
        scheduler = scheduler.with_trace();
    }
    let cpu_before = cpu_time();
    let started = Instant::now();
    let outcome = scheduler.run_until_complete(move || main_task(unit));
    let wall = started.elapsed();
    let cpu = cpu_before
        .zip(cpu_time())
        .map(|(before, after)| after.saturating_sub(before));
    if let Err(error) = outcome {
        panic!("step 10 failed: {error}");
    }
    match options.clock {
        Clock::Virtual => say!(
            "scheduler",
            "{} resumes; the virtual clock reads {:.3} s",
            scheduler.resumes(),
            scheduler.now().as_secs_f64()
        ),
        Clock::Real => say!("scheduler", "{} resumes", scheduler.resumes()),
    }
    say_cost(cpu, wall);

    let chapter_5 = chapter_5.join().expect("chapter 5's thread finished");
    say!(
        "demo",
        "The same program on chapter 5's loop, on {}, on a second thread meanwhile",
        chapter_5.clock
    );
    let same = if chapter_5.lines == STEP_10 {
        "the same"
    } else {
        "DIFFERENT"
    };
    let tally = format!(
        "{same} {} lines; {} resumes in {} rounds",
        chapter_5.lines.len(),
        chapter_5.resumes,
        chapter_5.rounds
    );
    match options.clock {
        Clock::Virtual => say!("loop", "{tally}"),
        Clock::Real => say!("cost", "{tally}"),
    }
    say_cost(chapter_5.cpu, chapter_5.wall);

    if options.trace {
        say!("demo", "Step 10's schedule (--trace)");
        for line in scheduler.trace().diagram().lines() {
            say!("trace", "{line}");
        }
    }
    if let Some(path) = &options.trace_json {
        let trace = scheduler.trace();
        let path = callers_path(path);
        match std::fs::write(&path, trace.chrome_json()) {
            Ok(()) => say!(
                "trace",
                "wrote {} events to {}: open it in https://ui.perfetto.dev",
                trace.events.len(),
                path.display()
            ),
            Err(error) => say!("error", "cannot write {}: {error}", path.display()),
        }
    }

    say!(
        "demo",
        "create_task(X), then await Y() directly: Y runs inline, before X"
    );
    run_virtual(spawn_x_then_call_y);
    say!(
        "demo",
        "create_task(X), create_task(Y), then await Y: first in, first out"
    );
    run_virtual(spawn_x_and_y_then_join_y);
    say!(
        "demo",
        "Tasks created in the order T1, T3, T2; only T1 sleeps"
    );
    run_virtual(t1_t3_t2);
    say!(
        "demo",
        "Quiz: await say_after(1, \"hello\"), then await say_after(2, \"world\")"
    );
    let one_after_the_other = run_virtual(quiz_one_after_the_other);
    say!("demo", "Quiz: the same two, created as tasks first");
    let as_tasks = run_virtual(quiz_as_tasks);
    say!(
        "demo",
        "One after the other: {:.0} s; as tasks: {:.0} s",
        one_after_the_other.as_secs_f64(),
        as_tasks.as_secs_f64()
    );
}
// ANCHOR_END: run

/// The entry point: `run` with the command line's arguments.
pub fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run(&args);
}
