//! The crowd: 10,000 threads, 30,000 stackful tasks and 100,000 async
//! tasks, each waiting for something, and what each costs this process.
//!
//! `cargo run --example ch11_threads -- --crowd` runs this module's [`run`]:
//!
//! 1. [`THREADS`] threads, each blocked on a channel, with std's default
//!    stack (2 MiB of address space, of which a few pages are touched).
//! 2. [`STACKFUL`] stackful tasks asleep on chapter 6's scheduler, on
//!    16 KiB stacks as chapter 6's own crowd has them.
//! 3. [`ASYNC`] async tasks parked on the same scheduler: a boxed future
//!    each, and no stack.
//!
//! For each it prints how long they took to start, what each one added to
//! the process (address space reserved, memory resident, mappings), and
//! which of the operating system's limits it would meet next, read from
//! `/proc` on this machine, with the error that limit gives. A part that
//! meets its limit before its count says where, and with which error.

use std::fs;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use yieldpoint::ch06_scheduler::{self as ch06, Clock, SchedError, Scheduler};
use yieldpoint::ch08_cost_of_a_switch::Memory;
use yieldpoint::ch09_async_fn::spawn_async;
use yieldpoint::say;

/// How many threads.
pub const THREADS: usize = 10_000;
/// How many stackful tasks.
pub const STACKFUL: usize = 30_000;
/// How many async tasks.
pub const ASYNC: usize = 100_000;
/// The stackful tasks' stacks: 16 KiB, as in chapter 6's crowd.
pub const STACK: usize = 16 * 1024;

/// `n` with a comma between each group of three digits: `10,000`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A number read from a file of `/proc` or `/sys` (its first word), if
/// there is one.
fn read_number(path: &str) -> Option<u64> {
    fs::read_to_string(path)
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The soft limit named `name` in `/proc/self/limits` (`Max processes`).
fn self_limit(name: &str) -> Option<String> {
    let limits = fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|line| line.starts_with(name))?;
    line[name.len()..]
        .split_whitespace()
        .next()
        .map(str::to_string)
}

/// A limit for the report: `name value`, or `name ?` if it cannot be read.
fn limit(name: &str, value: Option<impl std::fmt::Display>) -> String {
    value.map_or_else(|| format!("{name} ?"), |value| format!("{name} {value}"))
}

/// What `units` things added, each, and how long they took to start.
fn report(what: &str, units: usize, took: Duration, before: Memory, after: Memory) {
    let each = after.growth_per_unit(&before, units as u64);
    say!(
        "cost",
        "{} {what} in {:.2} s: {:.1} KiB reserved, {:.1} KiB resident, {:.2} mappings each",
        thousands(units),
        took.as_secs_f64(),
        each.virtual_bytes.max(0.0) / 1024.0,
        each.resident_bytes.max(0.0) / 1024.0,
        each.mappings.max(0.0),
    );
}

/// The process's memory now.
fn memory_now() -> Memory {
    Memory::now().expect("/proc/self was readable when the crowd began")
}

// ANCHOR: threads
/// Starts [`THREADS`] threads, each blocked on a channel, measures them,
/// and lets them go.
pub fn threads() {
    say!(
        "main",
        "-- {} threads, each blocked on a channel (std's default stack) --",
        thousands(THREADS)
    );
    let before = memory_now();
    let started = Instant::now();
    let running = Arc::new(AtomicUsize::new(0));
    let mut senders = Vec::new();
    let mut handles = Vec::new();
    for n in 0..THREADS {
        let (sender, receiver) = mpsc::channel::<()>();
        let running = Arc::clone(&running);
        let made = thread::Builder::new().spawn(move || {
            running.fetch_add(1, Ordering::Release);
            let _ = receiver.recv(); // blocked until the sender goes
        });
        match made {
            Ok(handle) => {
                senders.push(sender);
                handles.push(handle);
            }
            Err(error) => {
                say!("main", "thread {} refused: {error}", thousands(n + 1));
                break;
            }
        }
    }
    // Measured once every thread has begun (and touched its stack).
    while running.load(Ordering::Acquire) < handles.len() {
        thread::sleep(Duration::from_millis(1));
    }
    let took = started.elapsed();
    report("threads started", handles.len(), took, before, memory_now());
    drop(senders);
    for handle in handles {
        let _ = handle.join();
    }
    say!(
        "limit",
        "threads: {}, {}, {}, {} (4 mappings each: the stack and the signal stack, \
         each with its guard page); past the first, thread::Builder::spawn says Resource \
         temporarily unavailable (os error 11)",
        limit("pid_max", read_number("/proc/sys/kernel/pid_max")),
        limit("threads-max", read_number("/proc/sys/kernel/threads-max")),
        limit("ulimit -u", self_limit("Max processes")),
        limit(
            "vm.max_map_count",
            read_number("/proc/sys/vm/max_map_count")
        ),
    );
}
// ANCHOR_END: threads

/// Spawns `count` tasks, stackful or async, each waiting for ever, on a
/// scheduler of its own; measures them once every one has run; then drops
/// the scheduler, which cancels them.
fn tasks(count: usize, asynchronous: bool) {
    let scheduler = Scheduler::new(Clock::Virtual).with_stack_size(STACK);
    let outcome = scheduler.run_until_complete(move || {
        let before = memory_now();
        let started = Instant::now();
        let mut spawned = 0;
        for _ in 0..count {
            let made = if asynchronous {
                spawn_async("parked", async {
                    std::future::pending::<()>().await;
                    Ok::<(), SchedError>(())
                })
                .map(drop)
            } else {
                ch06::spawn("asleep", || ch06::sleep(Duration::from_secs(3600))).map(drop)
            };
            if let Err(error) = made {
                say!("main", "task {} refused: {error}", thousands(spawned + 1));
                break;
            }
            spawned += 1;
        }
        ch06::yield_now()?; // every one runs once, and waits
        Ok::<_, SchedError>((spawned, started.elapsed(), before, memory_now()))
    });
    match outcome {
        Ok((spawned, took, before, after)) => {
            let what = if asynchronous {
                "async tasks parked"
            } else {
                "stackful tasks asleep (16 KiB stacks)"
            };
            report(what, spawned, took, before, after);
        }
        Err(error) => say!("error", "{error}"),
    }
}

/// The crowd, part by part.
pub fn run() {
    if Memory::now().is_err() {
        say!(
            "main",
            "the crowd's figures come from Linux's /proc/self, which this system does not have"
        );
        return;
    }
    threads();

    say!(
        "main",
        "-- {} stackful tasks, each asleep --",
        thousands(STACKFUL)
    );
    tasks(STACKFUL, false);
    let mappings = read_number("/proc/sys/vm/max_map_count");
    say!(
        "limit",
        "stackful tasks: {} (2 mappings each, so about {} tasks); past it, spawn says \
         no 16384-byte stack for a new task: the process has ...",
        limit("vm.max_map_count", mappings),
        mappings.map_or_else(|| "?".to_string(), |m| thousands(m as usize / 2)),
    );

    say!(
        "main",
        "-- {} async tasks, each parked --",
        thousands(ASYNC)
    );
    tasks(ASYNC, true);
    say!(
        "limit",
        "async tasks: memory alone ({}); past it, the allocator fails and the process \
         aborts: memory allocation of N bytes failed",
        limit(
            "MemAvailable kB",
            fs::read_to_string("/proc/meminfo").ok().and_then(|info| {
                info.lines()
                    .find(|line| line.starts_with("MemAvailable:"))
                    .and_then(|line| line.split_whitespace().nth(1).map(str::to_string))
            })
        ),
    );
}
