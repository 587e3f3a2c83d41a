//! Run with: cargo run --example ch11_threads
//!
//! Threads against tasks, in five parts:
//!
//! - **The stall**: chapter 10's concurrent fetch of chapter 7's four
//!   requests (10 to 40 ms each, from a slow server on loopback), first
//!   alone, then beside a task that sleeps 300 ms with
//!   `std::thread::sleep`, then beside one that computes for 300 ms. Every
//!   answer comes back only once the blocking task lets go of the thread.
//! - **The fix**: the same sleep handed to a thread of the pool with
//!   `to_thread`: the answers come back on time.
//! - **Seeing it**: the sleeper again, with slow steps reported as asyncio's
//!   debug mode reports them (the report and the watchdog's go to stderr).
//! - **The pool**: at most `max_threads()` threads; a job beyond them waits
//!   in the queue, and `pool_stats()` shows it.
//! - **Memory**: what a blocked thread, a parked stackful task and a parked
//!   async task each add to this process.
//!
//! Every line is the same on every run, save the `[cost]` lines, which
//! carry the measurements (the times at which the answers came back, among
//! them: read those to see the stall).
//!
//! Options (after `--`):
//! - `--debug` reports slow steps (over 100 ms, asyncio's default) in every
//!   part, on stderr, as `asyncio.run(main(), debug=True)` does.
//! - `--trace` draws each fetch's schedule after it runs: the gap where
//!   nothing else ran is in it.
//! - `--crowd` runs something else instead: 10,000 threads, 30,000
//!   stackful tasks and 100,000 async tasks, what each costs, and the limit
//!   each would meet next (`ch11_threads/crowd.rs`).
//! - `--gil` runs something else instead: CPU-bound work on one thread and
//!   on one per core, in Rust and, if `python3` is installed, in Python
//!   (`ch11_threads/gil.rs`).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use yieldpoint::ch06_scheduler::{
    self as ch06, Clock, JoinHandle, SchedError, Scheduler, sleep, spawn,
};
use yieldpoint::ch07_combinators::gather;
use yieldpoint::ch08_cost_of_a_switch::Memory;
use yieldpoint::ch09_async_fn::spawn_async;
use yieldpoint::ch10_sockets::{SlowServer, fetch};
use yieldpoint::ch11_threads::{busy_for, max_threads, pool_stats, to_thread};
use yieldpoint::say;

// Chapter 7's example, compiled in here: its four requests, its unit and
// its way of writing milliseconds, not copies of them.
#[allow(dead_code)]
#[path = "ch07_combinators.rs"]
pub mod ch07_combinators;

use ch07_combinators::{REQUESTS, UNIT, ms};

/// 10,000 threads, 30,000 stackful tasks and 100,000 async tasks: the
/// `--crowd` option.
#[path = "ch11_threads/crowd.rs"]
pub mod crowd;

/// CPU-bound work on threads, in Rust and in Python: the `--gil` option.
#[path = "ch11_threads/gil.rs"]
pub mod gil;

/// How long each blocking task holds the thread: three times asyncio's
/// slow-step threshold.
pub const BLOCK: Duration = Duration::from_millis(300);

/// asyncio's `slow_callback_duration`: a step longer than this is slow.
pub const SLOW: Duration = Duration::from_millis(100);

// ANCHOR: blockers
/// What runs beside the four requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocker {
    /// Nothing: the requests alone.
    Nothing,
    /// A task that sleeps with `std::thread::sleep`: Python's `time.sleep`
    /// in a coroutine.
    Sleeper,
    /// A task that computes for as long, without a pause.
    Cruncher,
    /// A task that hands the same sleep to a thread of the pool, and waits
    /// for it without blocking anyone.
    Offloaded,
}

impl Blocker {
    /// The blocking task's name.
    pub fn name(self) -> &'static str {
        match self {
            Blocker::Nothing => "nobody",
            Blocker::Sleeper => "sleeper",
            Blocker::Cruncher => "cruncher",
            Blocker::Offloaded => "offloaded",
        }
    }

    /// The blocking task's body: block for [`BLOCK`], one way or another,
    /// and say when the blocking ended, and whether it was on a pool thread.
    pub fn run(self) -> Result<(Instant, bool), SchedError> {
        match self {
            Blocker::Nothing => Ok((Instant::now(), false)),
            Blocker::Sleeper => {
                thread::sleep(BLOCK); // the scheduler's thread sleeps
                Ok((Instant::now(), false))
            }
            Blocker::Cruncher => {
                busy_for(BLOCK); // the scheduler's thread computes
                Ok((Instant::now(), false))
            }
            Blocker::Offloaded => to_thread(|| {
                thread::sleep(BLOCK); // a pool thread sleeps
                let pooled = thread::current()
                    .name()
                    .is_some_and(|name| name.starts_with("to_thread"));
                (Instant::now(), pooled)
            }),
        }
    }
}
// ANCHOR_END: blockers

/// What one run of the four requests gave: each answer and when it came
/// back, and when the blocking task let go, all from the start of `main`.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Each request's name, its answer, and when it came back.
    pub answers: Vec<(&'static str, String, Duration)>,
    /// When the blocking ended, and whether it ran on a pool thread.
    pub blocked_until: Option<(Duration, bool)>,
}

// ANCHOR: four_requests
/// Chapter 10's concurrent fetch: the four requests as tasks, then the
/// blocker as a fifth, spawned last; `main` gathers the answers, in the
/// order the requests were made, then joins the blocker.
pub fn four_requests(server: SocketAddr, blocker: Blocker) -> Result<Fetched, SchedError> {
    let start = Instant::now();
    let mut requests = Vec::new();
    for (name, units) in REQUESTS {
        let path = format!("/{}/{name}", (units * UNIT).as_millis());
        requests.push(spawn(name, move || {
            let answer = fetch(server, &path)?;
            Ok::<_, SchedError>((answer, start.elapsed()))
        })?);
    }
    let blocking = match blocker {
        Blocker::Nothing => None,
        _ => Some(spawn(blocker.name(), move || blocker.run())?),
    };
    let answers = gather(&requests)?;
    let blocked_until = match blocking {
        Some(task) => {
            let (until, pooled) = task.join()?;
            Some((until.duration_since(start), pooled))
        }
        None => None,
    };
    Ok(Fetched {
        answers: REQUESTS
            .iter()
            .zip(answers)
            .map(|((name, _), (answer, at))| (*name, answer, at))
            .collect(),
        blocked_until,
    })
}
// ANCHOR_END: four_requests

/// What the command line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Report slow steps in every part.
    pub debug: bool,
    /// Draw each fetch's schedule.
    pub trace: bool,
    /// Run the crowd instead.
    pub crowd: bool,
    /// Run the GIL contrast instead.
    pub gil: bool,
}

/// How to call the example.
pub const USAGE: &str = "cargo run --example ch11_threads -- [--debug] [--trace] [--crowd | --gil]";

/// Reads the options; by default all are off.
///
/// # Errors
///
/// A message naming the argument that is not understood.
pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options::default();
    for arg in args {
        match arg.as_str() {
            "--debug" => options.debug = true,
            "--trace" => options.trace = true,
            "--crowd" => options.crowd = true,
            "--gil" => options.gil = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if options.crowd && options.gil {
        return Err("--crowd and --gil each run instead of the rest: choose one".to_string());
    }
    Ok(options)
}

/// A scheduler on the real clock (sockets need it), with slow steps
/// reported if `--debug` asked for them, and a trace if `--trace` did.
pub fn scheduler(options: Options) -> Scheduler {
    let mut scheduler = Scheduler::new(Clock::Real);
    if options.debug {
        scheduler = scheduler.with_slow_steps(SLOW);
    }
    if options.trace {
        scheduler = scheduler.with_trace();
    }
    scheduler
}

/// The answers in one line, the times in a `[cost]` line.
fn show(blocker: Blocker, fetched: &Fetched) {
    let answers: Vec<&str> = fetched
        .answers
        .iter()
        .map(|(_, answer, _)| answer.as_str())
        .collect();
    say!("main", "answers: {}", answers.join(", "));
    let times: Vec<String> = fetched
        .answers
        .iter()
        .map(|(name, _, at)| format!("{name} {}", ms(*at)))
        .collect();
    match fetched.blocked_until {
        None => say!("cost", "back at: {}", times.join(", ")),
        Some((until, pooled)) => {
            say!(
                "cost",
                "back at: {}; the {} task let go at {}",
                times.join(", "),
                blocker.name(),
                ms(until)
            );
            if pooled {
                say!("main", "the blocking sleep ran on a thread of the pool");
            } else if fetched.answers.iter().all(|(_, _, at)| *at >= until) {
                // Always so: no other task ran while the thread was held.
                say!(
                    "main",
                    "every answer came back after the {} task let go of the thread",
                    blocker.name()
                );
            }
        }
    }
}

/// Runs the four requests beside `blocker` on a scheduler of their own,
/// then shows what came back, and the trace if it was asked for.
pub fn fetch_beside(options: Options, server: SocketAddr, blocker: Blocker) {
    let scheduler = scheduler(options);
    match scheduler.run_until_complete(move || four_requests(server, blocker)) {
        Ok(fetched) => show(blocker, &fetched),
        Err(error) => say!("error", "the requests failed: {error}"),
    }
    if options.trace {
        for line in scheduler.trace().diagram().lines() {
            say!("trace", "{line}");
        }
    }
}

/// The stall and the fix: the four requests alone, beside a sleeper, a
/// cruncher, and the sleep handed to a thread.
pub fn stall_and_fix(options: Options, server: SocketAddr) {
    say!(
        "main",
        "-- chapter 10's four requests at once ({} to {}), nothing else running --",
        ms(UNIT),
        ms(4 * UNIT)
    );
    fetch_beside(options, server, Blocker::Nothing);
    say!(
        "main",
        "-- the same, beside a task that sleeps {} with std::thread::sleep --",
        ms(BLOCK)
    );
    fetch_beside(options, server, Blocker::Sleeper);
    say!(
        "main",
        "-- the same, beside a task that computes for {} --",
        ms(BLOCK)
    );
    fetch_beside(options, server, Blocker::Cruncher);
    say!(
        "main",
        "-- the same, the sleep handed to a thread with to_thread --"
    );
    fetch_beside(options, server, Blocker::Offloaded);
}

// ANCHOR: slow_steps
/// The sleeper again, on a scheduler that reports slow steps as asyncio's
/// debug mode does: on stderr as each one ends (and the watchdog's line
/// while it runs), and in `slow_steps()`.
pub fn seeing_it(options: Options, server: SocketAddr) {
    say!(
        "main",
        "-- the sleeper again, with slow steps reported (over {}, asyncio's default) --",
        ms(SLOW)
    );
    let scheduler = scheduler(options).with_slow_steps(SLOW);
    if let Err(error) =
        scheduler.run_until_complete(move || four_requests(server, Blocker::Sleeper))
    {
        say!("error", "the requests failed: {error}");
    }
    for slow in scheduler.slow_steps() {
        if slow.name == Blocker::Sleeper.name() {
            say!("main", "reported: {} ({})", slow.name, slow.task);
            say!("cost", "{slow}");
        }
    }
}
// ANCHOR_END: slow_steps

/// A gate that jobs wait at until it is opened.
#[derive(Debug, Default)]
pub struct Gate {
    open: Mutex<bool>,
    opened: Condvar,
    /// How many jobs have come to it: each holds a thread of the pool.
    came: AtomicUsize,
}

impl Gate {
    /// Waits until the gate is open; returns whether it had to wait.
    pub fn pass(&self) -> bool {
        self.came.fetch_add(1, Ordering::AcqRel);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let waited = !*open;
        while !*open {
            open = self.opened.wait(open).unwrap_or_else(|e| e.into_inner());
        }
        waited
    }

    /// How many jobs have come to the gate so far.
    pub fn came(&self) -> usize {
        self.came.load(Ordering::Acquire)
    }

    /// Opens the gate for every job, now and later.
    pub fn open(&self) {
        *self.open.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.opened.notify_all();
    }
}

// ANCHOR: full_pool
/// Fills the pool: one task per thread it may have, each handing it a job
/// that waits at a gate, and one task more. The last job finds every
/// thread busy and waits in the queue until the gate opens and a thread
/// comes free. Returns the stats seen while the pool was full, and whether
/// the last job had to wait at the gate (it did not: it began after).
pub fn fill_the_pool() -> Result<(String, bool), SchedError> {
    let gate = Arc::new(Gate::default());
    let mut jobs = Vec::new();
    for n in 0..=max_threads() {
        let gate = Arc::clone(&gate);
        jobs.push(spawn(format!("job {n}"), move || {
            to_thread(move || gate.pass())
        })?);
    }
    // Give the jobs their first steps and the threads time to start.
    let waited_since = Instant::now();
    let full = loop {
        sleep(Duration::from_millis(1))?;
        let stats = pool_stats();
        if stats.queued == 1 && stats.busy == max_threads() {
            break stats;
        }
        if waited_since.elapsed() > Duration::from_secs(10) {
            gate.open();
            return Err(SchedError::Io {
                operation: "fill_the_pool",
                kind: std::io::ErrorKind::TimedOut,
                message: format!("the pool never filled up: {stats:?}"),
            });
        }
    };
    gate.open();
    let waited = gather(&jobs)?;
    Ok((full.to_string(), waited[max_threads()]))
}
// ANCHOR_END: full_pool

/// Sleeps a millisecond at a time, on the scheduler, until `done` says
/// so; ten seconds at most, then the error names `what` it waited for.
pub fn until(what: &str, done: impl Fn() -> bool) -> Result<(), SchedError> {
    let since = Instant::now();
    while !done() {
        if since.elapsed() > Duration::from_secs(10) {
            return Err(SchedError::Io {
                operation: "until",
                kind: std::io::ErrorKind::TimedOut,
                message: format!("waited ten seconds for {what}: {:?}", pool_stats()),
            });
        }
        sleep(Duration::from_millis(1))?;
    }
    Ok(())
}

/// Hands the pool one job per thread it may have, each held at `gate`, and
/// waits until every one has come to the gate: then every thread is busy,
/// and the next job waits in the queue. The tasks that wait for the jobs.
pub fn hold_every_thread(gate: &Arc<Gate>) -> Result<Vec<JoinHandle<bool>>, SchedError> {
    let mut holders = Vec::new();
    for n in 0..max_threads() {
        let gate = Arc::clone(gate);
        holders.push(spawn(format!("holder {n}"), move || {
            to_thread(move || gate.pass())
        })?);
    }
    until("every thread to hold a job", || {
        gate.came() == max_threads()
    })?;
    Ok(holders)
}

// ANCHOR: queued_cancel
/// Fills every thread of the pool with a job held at a gate, hands it one
/// job more, and cancels the task that waits for that job while it is
/// still queued. Returns what joining the task said, and whether the job
/// ever ran: it did not, since a job whose task took its waker back
/// before a thread took the job skips its work, as asyncio's executor
/// skips a cancelled future's.
pub fn cancel_a_queued_job() -> Result<(Result<(), SchedError>, bool), SchedError> {
    let gate = Arc::new(Gate::default());
    let holders = hold_every_thread(&gate)?;
    let ran = Arc::new(AtomicBool::new(false));
    let waiter = spawn("waiter", {
        let ran = Arc::clone(&ran);
        move || to_thread(move || ran.store(true, Ordering::Release))
    })?;
    until("the waiter's job to be queued", || pool_stats().queued == 1)?;
    waiter.cancel();
    let told = waiter.join();
    gate.open();
    gather(&holders)?;
    // A thread takes the waiter's job next, and drops it unrun.
    until("the pool to have no work", || {
        let stats = pool_stats();
        stats.busy == 0 && stats.queued == 0
    })?;
    Ok((told, ran.load(Ordering::Acquire)))
}
// ANCHOR_END: queued_cancel

/// What joining a task said, in words: its error, or that it had none.
pub fn said(joined: &Result<(), SchedError>) -> String {
    match joined {
        Ok(()) => "Ok, not cancelled".to_string(),
        Err(error) => error.to_string(),
    }
}

/// The pool's size, and a full pool's queue.
pub fn the_pool(options: Options) {
    say!(
        "main",
        "-- the pool: at most max_threads() threads, then a queue --"
    );
    let cpus = thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    say!(
        "cost",
        "max_threads() = {}: min(32, {cpus} CPUs + 4), asyncio's default",
        max_threads()
    );
    match scheduler(options).run_until_complete(fill_the_pool) {
        Ok((full, last_waited)) => {
            say!("cost", "while full: {full}");
            if !last_waited {
                say!(
                    "main",
                    "the queued job began only once the gate was open and a thread was free"
                );
            }
        }
        Err(error) => say!("error", "{error}"),
    }
    match scheduler(options).run_until_complete(cancel_a_queued_job) {
        Ok((told, ran)) => {
            say!(
                "main",
                "the waiter of a queued job, cancelled: {}",
                said(&told)
            );
            say!("main", "the job it waited for ran: {ran}");
        }
        Err(error) => say!("error", "{error}"),
    }
}

/// How many threads the memory part blocks.
pub const THREADS: u64 = 100;
/// How many stackful tasks it parks.
pub const STACKFUL: u64 = 1_000;
/// How many async tasks it parks.
pub const ASYNC: u64 = 10_000;

/// What `units` things added to the process, each: a `[cost]` line, never
/// negative, in KiB, so that its masked form never changes.
pub fn per_unit(what: &str, units: u64, before: Memory, after: Memory) {
    let each = after.growth_per_unit(&before, units);
    say!(
        "cost",
        "{what}: {:.1} KiB reserved, {:.1} KiB resident, {:.2} mappings each",
        each.virtual_bytes.max(0.0) / 1024.0,
        each.resident_bytes.max(0.0) / 1024.0,
        each.mappings.max(0.0),
    );
}

/// The process's memory now; `/proc/self` was readable a moment ago.
fn memory_now() -> Memory {
    Memory::now().expect("/proc/self was readable when the memory part began")
}

// ANCHOR: memory
/// Threads blocked on a channel, each with std's default stack, against
/// tasks parked on chapter 6's scheduler: stackful (a stack each, 256 KiB
/// by default) and async (no stack at all).
pub fn memory() {
    say!(
        "main",
        "-- memory: a blocked thread, a parked stackful task, a parked async task --"
    );
    let Ok(start) = Memory::now() else {
        say!("main", "memory figures need Linux's /proc/self: skipped");
        return;
    };

    let barrier = Arc::new(Barrier::new(THREADS as usize + 1));
    let (senders, threads): (Vec<_>, Vec<_>) = (0..THREADS)
        .map(|_| {
            let (sender, receiver) = mpsc::channel::<()>();
            let barrier = Arc::clone(&barrier);
            let thread = thread::spawn(move || {
                barrier.wait();
                let _ = receiver.recv(); // blocked until the sender goes
            });
            (sender, thread)
        })
        .unzip();
    barrier.wait();
    per_unit("a blocked thread", THREADS, start, memory_now());
    drop(senders);
    for thread in threads {
        let _ = thread.join();
    }

    for asynchronous in [false, true] {
        let scheduler = Scheduler::new(Clock::Virtual);
        let parked = Arc::new(AtomicUsize::new(0));
        let count = if asynchronous { ASYNC } else { STACKFUL };
        let measured = scheduler.run_until_complete(move || {
            let before = memory_now();
            for _ in 0..count {
                let parked = Arc::clone(&parked);
                if asynchronous {
                    spawn_async("parked", async move {
                        parked.fetch_add(1, Ordering::Relaxed);
                        std::future::pending::<()>().await;
                        Ok::<(), SchedError>(())
                    })?;
                } else {
                    spawn("parked", move || {
                        parked.fetch_add(1, Ordering::Relaxed);
                        ch06::sleep(Duration::from_secs(3600))
                    })?;
                }
            }
            ch06::yield_now()?; // every one of them runs once, and waits
            Ok::<_, SchedError>((before, memory_now()))
        });
        match measured {
            Ok((before, after)) if asynchronous => {
                per_unit("a parked async task", count, before, after);
            }
            Ok((before, after)) => per_unit("a parked stackful task", count, before, after),
            Err(error) => say!("error", "{error}"),
        }
        drop(scheduler); // cancels them all
    }
}
// ANCHOR_END: memory

/// The default run: every part, in order.
pub fn programs(options: Options) {
    let server = match SlowServer::start() {
        Ok(server) => server,
        Err(problem) => {
            say!("error", "no slow server: {problem}");
            return;
        }
    };
    stall_and_fix(options, server.address());
    seeing_it(options, server.address());
    drop(server);
    the_pool(options);
    memory();
}

/// Runs the example with the options in `args`.
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
        crowd::run();
    } else if options.gil {
        gil::run();
    } else {
        programs(options);
    }
}

/// The entry point: `run` with the command line's arguments.
pub fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run(&args);
}
