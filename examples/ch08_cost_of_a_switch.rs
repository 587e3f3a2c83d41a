//! Run with: cargo run --example ch08_cost_of_a_switch
//!
//! The two ways of pausing, side by side, and what each paused thing costs in
//! memory.
//!
//! - First, the stackless way, step by step: Python's `counter(3)` generator
//!   as the hand-written state machine [`Counter`], with the state after every
//!   resume, and the `async fn` [`leaf`] polled one step at a time by a
//!   [`Stepper`]. These lines are the same on every run.
//! - Then the sizes the compiler gave those state machines, and memory: for
//!   each kind of paused unit, the example makes many of them, reads the
//!   process's own memory figures before and after ([`Memory::now`]), and
//!   prints the growth divided by the count. The kinds are coroutines on
//!   chapter 2's 1 MiB stacks, tasks asleep on chapter 6's scheduler, boxed
//!   `async fn` futures, tokio tasks, and threads blocked on a channel.
//!   Everything stays alive until the last kind is measured, so that no
//!   kind reuses memory another one freed; then everything is dropped.
//!
//! Lines tagged `[cost]` carry measurements (and sizes chosen by the
//! compiler); their numbers differ from run to run and machine to machine.
//! Every other line is exact.
//!
//! It takes no options: `--help` prints its usage, and any other argument is
//! refused with a message and exit code 2.

use std::future::pending;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::task::Poll;
use std::thread;
use std::time::Duration;

use yieldpoint::ch02_coroutines::{Generator, Yielder};
use yieldpoint::ch06_scheduler::{self as ch06, Clock, Scheduler};
use yieldpoint::ch08_cost_of_a_switch::{Counter, Memory, Stepper, block_on, leaf, nested};
use yieldpoint::say;

/// How many coroutines, on chapter 2's default 1 MiB stacks, are measured.
pub const COROUTINES: u64 = 1_000;
/// How many tasks asleep on chapter 6's scheduler (256 KiB stacks).
pub const TASKS: u64 = 1_000;
/// How many boxed `leaf` futures, each polled once. Heap objects are small,
/// so there are more of them: their growth must stand out from the noise.
pub const FUTURES: u64 = 10_000;
/// How many tokio tasks, parked on a current-thread runtime.
pub const TOKIO_TASKS: u64 = 10_000;
/// How many threads, blocked on a channel.
pub const THREADS: u64 = 100;

/// The line printed instead of the memory part where `/proc/self` is missing.
pub const NO_PROC: &str = "memory figures come from Linux's /proc/self, which this system \
                           does not have: the memory part is skipped";

pub fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run(&args);
}

/// How to call the example: it takes no options.
pub const USAGE: &str =
    "cargo run --example ch08_cost_of_a_switch (no options; --help prints this)";

/// Runs the example with the options in `args`: there are none, so
/// `--help` (or `-h`) prints the usage, and anything else is refused with a
/// message naming it, the usage, and exit code 2, as the other chapters'
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
    counter();
    stepper();
    sizes();
    match Memory::now() {
        Ok(start) => memory(start),
        Err(_) => say!("main", "{NO_PROC}"),
    }
}

/// Python's `counter(3)`, driven as `gen.send(...)` would drive it: the first
/// input is ignored, and each later one is added to the total.
fn counter() {
    say!("main", "-- counter(3) as a hand-written state machine --");
    let mut counter = Counter::new(3);
    say!("main", "new: {counter:?}");
    for input in [0, 10, 20, 30, 40] {
        let step = counter.resume(input);
        say!("main", "resume({input}) -> {step:?}, now {counter:?}");
    }
}

/// The `async fn` `leaf(3)`, polled one step at a time: three pauses, then
/// its value; then nested 10 deep, where every step goes through 11 polls.
fn stepper() {
    say!(
        "main",
        "-- leaf(3), an async fn, polled one step at a time --"
    );
    let mut stepper = Stepper::new(leaf(3));
    for n in 1..=5 {
        say!("main", "step {n} -> {:?}", stepper.step());
    }
    let mut deep = Stepper::new(nested(10, 3));
    let mut pendings = 0;
    let value = loop {
        match deep.step() {
            Ok(Poll::Pending) => pendings += 1,
            Ok(Poll::Ready(value)) => break value,
            Err(finished) => panic!("stepped a finished future: {finished}"),
        }
    };
    say!(
        "main",
        "nested(10, 3): {pendings} steps -> Pending, then Ready({value}); block_on(nested(10, 3)) = {}",
        block_on(nested(10, 3))
    );
}

/// The sizes of the state machines: fixed when the program is compiled, and
/// chosen by the compiler (which is why they are `[cost]` lines).
fn sizes() {
    say!(
        "cost",
        "sizes, fixed at compile time: a Counter {} bytes, a leaf future {} bytes, \
         one link of nested {} bytes (each link in a box of its own)",
        size_of::<Counter>(),
        size_of_val(&leaf(3)),
        size_of_val(&*nested(1, 3)),
    );
}

/// What `units` things added to the process, each: `[cost]` lines, with
/// every number in a fixed unit and never negative, so that the drift test's
/// masking (each number becomes `N`) always gives the same line.
fn report(what: &str, units: u64, before: Memory, after: Memory, in_kib: bool) {
    let each = after.growth_per_unit(&before, units);
    // A figure can shrink while we measure (another thread frees memory,
    // the allocator returns some): that is noise, shown as 0.
    let bytes = |value: f64| {
        let value = value.max(0.0);
        if in_kib {
            format!("{:.1} KiB", value / 1024.0)
        } else {
            format!("{value:.0} bytes")
        }
    };
    say!(
        "cost",
        "{what}: {} virtual, {} resident, {:.2} mappings each",
        bytes(each.virtual_bytes),
        bytes(each.resident_bytes),
        each.mappings.max(0.0),
    );
}

/// `n` with a comma between each group of three digits: `10,000`.
fn thousands(n: u64) -> String {
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

/// Reads the figures again; they were readable a moment ago.
fn memory_now() -> Memory {
    Memory::now().expect("/proc/self was readable when the example started")
}

fn memory(start: Memory) {
    say!(
        "main",
        "-- memory per paused unit: this process's growth, divided by the count --"
    );

    // ANCHOR: coroutines
    // Coroutines on chapter 2's default stack, each resumed once: paused at
    // its first `suspend`, with the pages its start touched.
    let before = start;
    let coroutines: Vec<Generator<(), (), ()>> = (0..COROUTINES)
        .map(|_| {
            let mut coroutine = Generator::new(|yielder: &Yielder<(), ()>, ()| {
                yielder.suspend(());
            });
            coroutine
                .resume(())
                .expect("a new coroutine can be resumed");
            coroutine
        })
        .collect();
    let after = memory_now();
    // ANCHOR_END: coroutines
    report(
        &format!(
            "{} coroutines (chapter 2, 1 MiB stacks), each paused once",
            thousands(COROUTINES)
        ),
        COROUTINES,
        before,
        after,
        true,
    );

    // ANCHOR: tasks
    // Tasks asleep on chapter 6's scheduler, measured from inside `main`
    // once every sleeper has run and gone to the timer heap. The scheduler
    // keeps them asleep after `main` returns, until it is dropped.
    let scheduler = Scheduler::new(Clock::Virtual);
    let (before, after) = scheduler
        .run_until_complete(|| {
            let before = memory_now();
            for _ in 0..TASKS {
                ch06::spawn("sleeper", || ch06::sleep(Duration::from_secs(3600)))
                    .expect("the OS gives a stack to each sleeper");
            }
            // The sleepers run before main runs again: each goes to sleep.
            ch06::yield_now().expect("main is a task");
            Ok::<_, ch06::SchedError>((before, memory_now()))
        })
        .expect("main measures and returns");
    // ANCHOR_END: tasks
    report(
        &format!(
            "{} tasks asleep on chapter 6's scheduler (256 KiB stacks)",
            thousands(TASKS)
        ),
        TASKS,
        before,
        after,
        true,
    );

    // `leaf` futures, each boxed by its Stepper and polled once: paused at
    // its first `yield_now().await`. Each counts its box and its place in
    // the Vec that holds it.
    let before = memory_now();
    let futures: Vec<_> = (0..FUTURES)
        .map(|_| {
            let mut future = Stepper::new(leaf(1));
            assert_eq!(future.step(), Ok(Poll::Pending), "leaf(1) pauses once");
            future
        })
        .collect();
    let after = memory_now();
    report(
        &format!("{} leaf futures, boxed and polled once", thousands(FUTURES)),
        FUTURES,
        before,
        after,
        false,
    );

    // tokio tasks that have each run once and now wait forever: nothing will
    // ever wake them, and the runtime keeps them until it is dropped.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime");
    let before = memory_now();
    let started = Arc::new(AtomicUsize::new(0));
    runtime.block_on(async {
        for _ in 0..TOKIO_TASKS {
            let started = Arc::clone(&started);
            // The JoinHandle is dropped: the task lives on, detached.
            drop(tokio::spawn(async move {
                started.fetch_add(1, Ordering::Relaxed);
                pending::<()>().await;
            }));
        }
        // Give the runtime turns until every task has been polled once.
        while started.load(Ordering::Relaxed) < TOKIO_TASKS as usize {
            tokio::task::yield_now().await;
        }
    });
    let after = memory_now();
    report(
        &format!(
            "{} tokio tasks parked on a current-thread runtime",
            thousands(TOKIO_TASKS)
        ),
        TOKIO_TASKS,
        before,
        after,
        false,
    );

    // Threads with std's default stack, each waiting for a message that only
    // comes when its sender is dropped. The barrier tells main that every
    // thread has started; each then blocks in `recv`.
    let before = memory_now();
    let barrier = Arc::new(Barrier::new(THREADS as usize + 1));
    let (senders, threads): (Vec<_>, Vec<_>) = (0..THREADS)
        .map(|n| {
            let (sender, receiver) = mpsc::channel::<()>();
            let barrier = Arc::clone(&barrier);
            let thread = thread::Builder::new()
                .name(format!("blocked-{n}"))
                .spawn(move || {
                    barrier.wait();
                    // Err once the sender is dropped: the signal to finish.
                    let _ = receiver.recv();
                })
                .expect("the OS starts a thread");
            (sender, thread)
        })
        .unzip();
    barrier.wait();
    let after = memory_now();
    report(
        &format!(
            "{} threads blocked on a channel (std's default stack)",
            thousands(THREADS)
        ),
        THREADS,
        before,
        after,
        true,
    );

    // Clean up: wake and join the threads, then drop the rest. Dropping the
    // runtime drops its tasks; dropping the scheduler cancels its sleepers;
    // dropping a paused coroutine unwinds its stack, and unmaps it.
    drop(senders);
    for thread in threads {
        thread.join().expect("a blocked thread finishes once woken");
    }
    drop(runtime);
    drop(futures);
    drop(scheduler);
    drop(coroutines);
    say!(
        "main",
        "cleaned up: {THREADS} threads joined, the tokio runtime and the scheduler dropped, \
         every future and coroutine dropped"
    );
}
