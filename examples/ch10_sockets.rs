//! Run with: cargo run --example ch10_sockets
//!
//! The concurrent fetch, for real. Chapter 7 faked four slow requests with
//! sleeps; here they go over real sockets, on loopback, to the slow server
//! of this chapter (`SlowServer`), which this example starts in-process, on
//! a thread of its own. A request `GET /40/users` is answered
//! `200 users after 40 ms`, forty milliseconds after it arrived.
//!
//! - The four requests of chapter 7 (40, 10, 30 and 20 ms), one after the
//!   other from a stackful task: the run takes about the sum of the four.
//! - The same four at once, a stackful task each, then an async task each:
//!   about the largest. The answers are printed in the order of the
//!   requests (`gather`'s order), so every run prints the same lines; only
//!   the `[cost]` lines, the measured times, change.
//! - A fan-out: a thousand connections at once, from stackful tasks, then
//!   from async tasks, each asking for 20 ms.
//! - What the waiting cost: the CPU time of the client's thread against the
//!   wall time (waiting in the poller costs next to nothing), set against
//!   chapter 5's loop busy-sleeping through the same 40 ms.
//!
//! The fan-out needs about two thousand file descriptors (a socket at each
//! end of each connection, client and server being one process); if the
//! soft limit (`ulimit -n`) is lower, the example raises it up to the hard
//! limit, for its own process only.
//!
//! Options (after `--`):
//! - `--serve` only starts the slow server, prints its address, and serves
//!   until you stop it (Ctrl-C): fetch from it in another terminal, for
//!   instance with the same client in Python,
//!   `python3 examples/ch10_sockets.py 127.0.0.1:PORT`.
//! - `--help` prints the usage; any other argument is refused with a
//!   message and exit code 2.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use yieldpoint::ch05_event_loop::{self as ch05, EventLoop, cpu_time};
use yieldpoint::ch06_scheduler::{Clock, SchedError, Scheduler, now, spawn};
use yieldpoint::ch07_combinators::gather;
use yieldpoint::ch09_async_fn::spawn_async;
use yieldpoint::ch10_sockets::{SlowServer, fetch, fetch_async, raise_open_file_limit};
use yieldpoint::say;

// ANCHOR: requests
/// Chapter 7's four requests: what each asks for, and how many milliseconds
/// the server is to wait before it answers.
pub const REQUESTS: [(&str, u64); 4] =
    [("users", 40), ("news", 10), ("prices", 30), ("weather", 20)];

/// The path that asks for `what` after `ms` milliseconds: `/40/users`.
pub fn path(what: &str, ms: u64) -> String {
    format!("/{ms}/{what}")
}
// ANCHOR_END: requests

/// How many connections the fan-out opens at once.
pub const FAN_OUT: usize = 1_000;

/// How long each request of the fan-out asks the server to wait.
pub const FAN_OUT_MS: u64 = 20;

/// A duration in whole milliseconds: `40 ms`.
pub fn ms(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1000.0)
}

/// The `[cost]` lines of a run: each request's time, then the run's time
/// against the requests' total.
fn say_times(took: &[Duration], run: Duration, expect: &str) {
    let each: Vec<String> = REQUESTS
        .iter()
        .zip(took)
        .map(|((name, _), took)| format!("{name} {}", ms(*took)))
        .collect();
    say!("cost", "{}", each.join(", "));
    let total: Duration = took.iter().sum();
    say!(
        "cost",
        "run time {}; the requests took {} in all: the run took {expect}",
        ms(run),
        ms(total)
    );
}

// ANCHOR: one_after_the_other
/// The four requests one after the other: each waits for the one before.
pub fn one_after_the_other(server: SocketAddr) -> Result<(), SchedError> {
    let started = now()?;
    let mut took = Vec::new();
    for (what, wait) in REQUESTS {
        let sent = now()?;
        let answer = fetch(server, &path(what, wait))?; // Python: await fetch(...)
        took.push(now()? - sent);
        say!("main", "{what}: {answer}");
    }
    say_times(&took, now()? - started, "about the sum");
    Ok(())
}
// ANCHOR_END: one_after_the_other

// ANCHOR: all_at_once
/// The four at once, a stackful task each; the answers in request order.
pub fn all_at_once(server: SocketAddr) -> Result<(), SchedError> {
    let started = now()?;
    let mut tasks = Vec::new();
    for (what, wait) in REQUESTS {
        tasks.push(spawn(what, move || {
            let sent = now()?;
            let answer = fetch(server, &path(what, wait))?;
            Ok::<_, SchedError>((answer, now()? - sent))
        })?);
    }
    let answers = gather(&tasks)?; // Python: await asyncio.gather(*tasks)
    let mut took = Vec::new();
    for ((what, _), (answer, time)) in REQUESTS.iter().zip(answers) {
        say!("main", "{what}: {answer}");
        took.push(time);
    }
    say_times(&took, now()? - started, "about the largest");
    Ok(())
}
// ANCHOR_END: all_at_once

// ANCHOR: all_at_once_async
/// The four at once, an async task each (chapter 9): the same program with
/// `fetch_async`, and the task handles awaited in request order.
pub async fn all_at_once_async(server: SocketAddr) -> Result<(), SchedError> {
    let started = now()?;
    let mut tasks = Vec::new();
    for (what, wait) in REQUESTS {
        tasks.push(spawn_async(what, async move {
            let sent = now()?;
            let answer = fetch_async(server, &path(what, wait)).await?;
            Ok::<_, SchedError>((answer, now()? - sent))
        })?);
    }
    let mut took = Vec::new();
    for ((what, _), task) in REQUESTS.iter().zip(tasks) {
        let (answer, time) = task.await?;
        say!("main", "{what}: {answer}");
        took.push(time);
    }
    say_times(&took, now()? - started, "about the largest");
    Ok(())
}
// ANCHOR_END: all_at_once_async

/// What the fan-out found: how many answers were the ones their requests
/// asked for.
fn say_fan_out(kind: &str, right: usize, run: Duration, cpu: Option<Duration>) {
    say!(
        "main",
        "{right} of {FAN_OUT} {kind} tasks got the answer they asked for"
    );
    say!(
        "cost",
        "{FAN_OUT} requests of {FAN_OUT_MS} ms each, at once: run time {}, {}",
        ms(run),
        cpu.map_or("CPU time not measured on this OS".to_string(), |cpu| {
            format!("CPU time {}", ms(cpu))
        })
    );
}

/// The answer request `i` of the fan-out must get.
fn fan_out_answer(i: usize) -> String {
    format!("200 fan{i} after {FAN_OUT_MS} ms")
}

// ANCHOR: fan_out
/// A thousand connections at once, from stackful tasks.
pub fn fan_out(server: SocketAddr) -> Result<(), SchedError> {
    let (started, cpu) = (now()?, cpu_time());
    let mut tasks = Vec::new();
    for i in 0..FAN_OUT {
        tasks.push(spawn("fan", move || {
            fetch(server, &path(&format!("fan{i}"), FAN_OUT_MS))
        })?);
    }
    let answers = gather(&tasks)?;
    let right = answers
        .iter()
        .enumerate()
        .filter(|(i, answer)| **answer == fan_out_answer(*i))
        .count();
    say_fan_out("stackful", right, now()? - started, elapsed(cpu));
    Ok(())
}

/// The same thousand from async tasks.
pub async fn fan_out_async(server: SocketAddr) -> Result<(), SchedError> {
    let (started, cpu) = (now()?, cpu_time());
    let mut tasks = Vec::new();
    for i in 0..FAN_OUT {
        tasks.push(spawn_async("fan", async move {
            fetch_async(server, &path(&format!("fan{i}"), FAN_OUT_MS)).await
        })?);
    }
    let mut right = 0;
    for (i, task) in tasks.into_iter().enumerate() {
        if task.await? == fan_out_answer(i) {
            right += 1;
        }
    }
    say_fan_out("async", right, now()? - started, elapsed(cpu));
    Ok(())
}
// ANCHOR_END: fan_out

/// The CPU time this thread has used since `before`.
fn elapsed(before: Option<Duration>) -> Option<Duration> {
    before
        .zip(cpu_time())
        .map(|(before, after)| after.saturating_sub(before))
}

/// Runs `program` on a new scheduler on the real clock, and returns the
/// CPU time of this thread and the wall time it took.
fn measured(
    program: impl FnOnce(&Scheduler) -> Result<(), SchedError>,
) -> (Option<Duration>, Duration) {
    let scheduler = Scheduler::new(Clock::Real);
    let (cpu, started) = (cpu_time(), Instant::now());
    if let Err(error) = program(&scheduler) {
        panic!("the fetch failed: {error}");
    }
    (elapsed(cpu), started.elapsed())
}

/// A `[cost]` line: CPU time against wall time.
fn say_cpu(what: &str, cpu: Option<Duration>, wall: Duration) {
    match cpu {
        Some(cpu) => say!(
            "cost",
            "{what}: CPU time {:.1} ms of {:.1} ms wall time ({:.0}%)",
            cpu.as_secs_f64() * 1000.0,
            wall.as_secs_f64() * 1000.0,
            100.0 * cpu.as_secs_f64() / wall.as_secs_f64()
        ),
        None => say!(
            "cost",
            "{what}: CPU time not measured on this OS, wall time {:.1} ms",
            wall.as_secs_f64() * 1000.0
        ),
    }
}

// ANCHOR: client
/// The client half of the example: the four requests one after the other,
/// then at once, stackful and async. `examples/ch10_sockets.py` is the same
/// client in Python, and prints the same lines.
pub fn client(server: SocketAddr) -> (Option<Duration>, Duration) {
    say!(
        "demo",
        "Four requests, one after the other (chapter 7's, for real)"
    );
    measured(|scheduler| scheduler.run_until_complete(move || one_after_the_other(server)));
    say!(
        "demo",
        "The same four at once, a task each, answers in request order"
    );
    let cost = measured(|scheduler| scheduler.run_until_complete(move || all_at_once(server)));
    say!("demo", "The same four at once, from async tasks");
    measured(|scheduler| scheduler.run_until_complete_async(all_at_once_async(server)));
    cost
}
// ANCHOR_END: client

/// Chapter 5's loop waiting out the same four requests, as sleeps: its
/// `sleep` spins, so it is on the CPU the whole time.
fn chapter_5_bill() -> (Option<Duration>, Duration) {
    let event_loop = EventLoop::new();
    let (cpu, started) = (cpu_time(), Instant::now());
    let outcome = event_loop.run_until_complete(|| {
        let handle = ch05::current_loop()?;
        let tasks: Vec<_> = REQUESTS
            .iter()
            .map(|&(what, wait)| {
                handle.create_task(what, move || ch05::sleep(Duration::from_millis(wait)))
            })
            .collect::<Result<_, _>>()?;
        for task in &tasks {
            ch05::await_future(task)??;
        }
        Ok::<(), ch05::LoopError>(())
    });
    if let Err(error) = outcome {
        panic!("chapter 5's loop failed: {error}");
    }
    (elapsed(cpu), started.elapsed())
}

/// Everything, against a server started here.
pub fn programs() {
    // Two descriptors a connection, and a few more for the pollers.
    let wanted = 2 * FAN_OUT as u64 + 64;
    if let Err(problem) = raise_open_file_limit(wanted) {
        say!("error", "{problem}; the fan-out may fail");
    }
    let server = match SlowServer::start() {
        Ok(server) => server,
        Err(problem) => {
            say!("error", "the slow server did not start: {problem}");
            std::process::exit(1);
        }
    };
    say!(
        "demo",
        "The slow server listens on loopback, on a thread of its own"
    );
    let address = server.address();
    let (cpu, wall) = client(address);

    say!(
        "demo",
        "A fan-out: {FAN_OUT} connections at once, stackful, then async"
    );
    let stackful = Scheduler::new(Clock::Real).with_stack_size(64 * 1024);
    if let Err(error) = stackful.run_until_complete(move || fan_out(address)) {
        panic!("the fan-out failed: {error}");
    }
    let asynchronous = Scheduler::new(Clock::Real);
    if let Err(error) = asynchronous.run_until_complete_async(fan_out_async(address)) {
        panic!("the fan-out failed: {error}");
    }

    say!("demo", "What waiting cost: CPU time against wall time");
    say_cpu("the four at once, waiting in the poller", cpu, wall);
    let (cpu, wall) = chapter_5_bill();
    say_cpu("the same four sleeps on chapter 5's busy loop", cpu, wall);
}

/// `--serve`: the server alone, until the process is stopped.
fn serve() {
    match SlowServer::start() {
        Ok(server) => {
            say!("server", "listening on {}", server.address());
            say!(
                "server",
                "try: python3 examples/ch10_sockets.py {}   (Ctrl-C stops the server)",
                server.address()
            );
            loop {
                std::thread::park();
            }
        }
        Err(problem) => {
            say!("error", "the slow server did not start: {problem}");
            std::process::exit(1);
        }
    }
}

/// How to call the example.
pub const USAGE: &str = "cargo run --example ch10_sockets [-- --serve] (--serve runs the slow \
                         server alone, until Ctrl-C; --help prints this)";

/// Runs the example with the options in `args`: none runs everything,
/// `--serve` the server alone; `--help` (or `-h`) prints the usage, and
/// anything else is refused with a message naming it, the usage, and exit
/// code 2, as the other chapters' examples do.
pub fn run(args: &[String]) {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        say!("usage", "{USAGE}");
        return;
    }
    match args {
        [] => programs(),
        [serve_flag] if serve_flag == "--serve" => serve(),
        [unknown, ..] => {
            say!("error", "unknown argument {unknown:?}");
            say!("usage", "{USAGE}");
            std::process::exit(2);
        }
    }
}

/// The entry point: `run` with the command line's arguments.
pub fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run(&args);
}
