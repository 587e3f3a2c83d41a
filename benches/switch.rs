//! What does a switch cost? Run with: cargo bench --bench switch
//!
//! Every benchmark here times one small thing a program does to pause and
//! resume, to hand over to someone else, or to create something that can
//! pause: a round trip into a coroutine and back, one value through a chain,
//! one task switch, one thread hand-off, one creation. Read each result as a
//! ratio to `round_trip/raw_corosensei`, the floor this crate builds on;
//! chapter 8 reads a whole run.
//!
//! | benchmark | one iteration is | left out of the timing |
//! |---|---|---|
//! | `round_trip/raw_corosensei` | `Coroutine::resume` + `Yielder::suspend`, u64 in and out | creating the coroutine and its stack |
//! | `round_trip/raw_corosensei_unit` | the same with `()` in and out: the switch and nothing to carry | the same |
//! | `round_trip/generator` | the u64 round trip through chapter 2's `Generator` | the same |
//! | `round_trip/stackless` | one `Counter::resume(1)` of chapter 8: a call that matches on the state and returns at the next `yield` | nothing: a `Counter` is a plain value |
//! | `round_trip/async_leaf` | one `Stepper::step` of chapter 8's `leaf`: a poll that resumes the `async fn` and returns `Pending` at its next `yield_now().await` | pinning the future on the heap |
//! | `poll_step/request` | one `Request::poll` of chapter 1 (no switch at all) | building the item lists |
//! | `delegation/stackful/N` | one value from a leaf N plain calls deep (chapter 3) | creating the generator |
//! | `delegation/yield_from/N` | one value through a chain of N `yield_from`s (chapter 3) | creating the N + 1 generators |
//! | `delegation/stackless/N` | one `resume(1)` through N stackless links down to a `Counter` and back (chapter 8's `stackless_chain`) | boxing the links |
//! | `delegation/async/N` | one poll through N nested `async fn`s down to `leaf` and back (chapter 8's `nested`) | boxing the levels |
//! | `event_loop/task_lifecycle` | create, run to completion and drop one task on chapter 5's loop | creating the loop (the task's stack `mmap` and `munmap` are counted) |
//! | `event_loop/ping_pong` | one switch: two tasks taking turns with chapter 5's `yield_now`, each round stepping `pong` then `main` | creating the loop and `pong`; `main`'s creation is counted, spread over the batch |
//! | `event_loop/busy_round/N` | one step of the one working task, with N-1 busy sleepers beside it (chapter 5) | creating the sleepers |
//! | `scheduler/ping_pong` | one switch: two tasks taking turns with `yield_now` on chapter 6's scheduler | creating the scheduler; the three spawns are counted, spread over the batch |
//! | `scheduler/async_ping_pong` | the same with two async tasks (chapter 9) taking turns with `ch09_async_fn::yield_now().await`: one switch is one poll | the same |
//! | `scheduler/spawn_join` | spawn an empty task (its stack from the pool), run it, join it (chapter 6) | the pool's one stack |
//! | `scheduler/with_sleepers/N` | one switch of the one working task, with N-1 tasks asleep in the timer heap (chapter 6) | spawning the sleepers |
//! | `scheduler/ping_pong_with_socket` | `scheduler/ping_pong` with one idle socket registered (chapter 10): every iteration asks the poller, with a zero timeout, which sockets are ready (on the real clock, which sockets need; without timers the clock is never read, so this is `ping_pong`'s loop plus the poll) | binding the socket; the rest as `scheduler/ping_pong` |
//! | `tokio/ping_pong` | the same as `scheduler/ping_pong` on tokio's current-thread runtime with `tokio::task::yield_now` | building the runtime; the spawns are counted, spread over the batch |
//! | `tokio/spawn_join` | `tokio::spawn` of an empty future, awaited | building the runtime |
//! | `tokio/ping_pong_with_socket` | `tokio/ping_pong` on a runtime with its I/O driver on and one idle socket registered. A task that yields is woken only after the driver's next poll, so tokio asks the OS, with a zero timeout, each time its run queue has run dry of all but yielders: here once a round of the two tasks | building the runtime and binding the socket (once) |
//! | `tokio/notify_ping_pong` | two tasks on tokio's current-thread runtime waking each other through `tokio::sync::Notify`: a wake puts the other task straight in the run queue | building the runtime |
//! | `tokio/notify_ping_pong_with_socket` | the same with the I/O driver on and one idle socket: the run queue never runs dry, so tokio asks the OS only once every 61 tasks it runs (`event_interval`) | building the runtime and binding the socket (once) |
//! | `threads/ping_pong` | one hand-off: one thread sends a token over a `std::sync::mpsc` channel and waits in `recv`, and the other, waiting in its own `recv`, wakes up with it (channels, not `Mutex` + `Condvar`: see `ThreadPingPong`); a round trip is two iterations | spawning the two threads (once, before any timing) |
//! | `threads/ping_pong_pinned` | the same with both threads pinned to one CPU (`sched_setaffinity`), so every hand-off is a switch on that CPU | the same, and the pinning |
//! | `threads/spawn_join` | `std::thread::spawn` of an empty closure, then `join` | nothing |
//! | `echo/scheduler` | one echo round trip over loopback (chapter 10): a stackful task writes 16 bytes and reads them back from an echoing stackful task, both on one scheduler | creating the scheduler and connecting, spread over the batch |
//! | `echo/scheduler_async` | the same with two async tasks (`read_async`, `write_all_async`) | the same |
//! | `echo/tokio` | the same on tokio's current-thread runtime (`tokio::net`, I/O enabled) | building the runtime (once); connecting, spread over the batch |
//! | `echo/threads` | the same between two OS threads with blocking std sockets | spawning the echo thread and connecting (once, before any timing) |
//! | `create/fresh_stack` | create a corosensei coroutine on a new 1 MiB `DefaultStack` (`mmap`), resume it to completion (touching its first page), drop it (`munmap`) | nothing |
//! | `create/pooled_stack` | the same on one reused stack: `Coroutine::with_stack`, resume to completion, `into_stack` | allocating the one stack |
//! | `create/boxed_async` | `Box::pin` of an async block, polled to completion with a no-op waker, dropped | nothing |
//! | `python/generator_send` | CPython: one `send` to a generator paused at `yield` (a round trip) | building and priming the generator |
//! | `python/yield_from/N` | CPython: one value through a chain of N `yield from`s | building the chain |
//! | `python/asyncio_ping_pong` | CPython: one switch of two tasks doing `await asyncio.sleep(0)` | creating the event loop; the two tasks' creation is counted, spread over the batch |
//!
//! Where a row says "spread over the batch", the benchmark times a whole
//! batch of iterations (criterion's `iter_custom`) and the one-off cost is
//! divided among them: negligible once criterion's batches are long. The
//! chains that build their lower levels on the first resume (`yield_from`,
//! `async`) build them in criterion's warm-up, which is not timed.
//!
//! # One run
//!
//! `main` runs the criterion groups, then `benches/python_costs.py` with
//! `python3` (its top comment says how it measures): the `python/` rows, in
//! nanoseconds per operation, go to `target/python-costs.tsv` and are
//! printed. Without `python3` on `PATH` one line says they were skipped.
//! Under criterion's test mode (`cargo bench --bench switch -- --test`, or
//! `cargo test --benches`) every benchmark runs once and the script runs with
//! `--quick`: tiny counts, printed, no file written. A filter argument that
//! names no `python/` id (`cargo bench --bench switch -- round_trip`) skips
//! the script; `--list` lists its ids with the others.
//!
//! The whole run is sized to finish in three to five minutes on a two-core
//! machine (the limit is ten): 1 s of warm-up and 3 s of measurement per
//! benchmark, fewer and longer samples where a thread is involved or the
//! setup is large, and about 15 s of Python.

#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]

use std::hint::black_box;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc::{self, Receiver, Sender};
use std::task::{self, Context, Waker};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult, Yielder};
use criterion::{BenchmarkId, Criterion, criterion_group};
use yieldpoint::ch01_polled_lists::{Poll, Request};
use yieldpoint::ch02_coroutines::{Generator, GeneratorState};
use yieldpoint::ch03_yield_from::{stackful_chain, yield_from_chain};
use yieldpoint::ch05_event_loop::{EventLoop, sleep, yield_now};
use yieldpoint::ch06_scheduler::{self as ch06, Clock, Scheduler};
use yieldpoint::ch08_cost_of_a_switch::{Counter, Stepper, leaf, nested, stackless_chain};
use yieldpoint::ch09_async_fn as ch09;
use yieldpoint::ch10_sockets::{TcpListener, TcpStream};

/// Short runs: the machine is small and shared, and medians of these
/// nanosecond-scale loops settle quickly. About 4 s per benchmark keeps the
/// whole run near three minutes on two cores.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

/// The body every round trip measures: echo the input plus one, forever.
/// One body for the benches and the instruction probes, so the two count
/// the same work.
fn echo_forever(yielder: &Yielder<u64, u64>, mut input: u64) {
    loop {
        input = yielder.suspend(input.wrapping_add(1));
    }
}

fn round_trip(c: &mut Criterion) {
    let mut group = c.benchmark_group("round_trip");

    // The floor: corosensei with nothing on top. The body echoes its input
    // plus one, forever.
    let mut raw: Coroutine<u64, u64, ()> = Coroutine::new(echo_forever);
    group.bench_function("raw_corosensei", |b| {
        b.iter(|| match raw.resume(black_box(1)) {
            CoroutineResult::Yield(value) => value,
            CoroutineResult::Return(()) => unreachable!("the body never returns"),
        })
    });

    // The switch alone: nothing goes in or comes out.
    let mut raw_unit: Coroutine<(), (), ()> = Coroutine::new(|yielder: &Yielder<(), ()>, ()| {
        loop {
            yielder.suspend(());
        }
    });
    group.bench_function("raw_corosensei_unit", |b| {
        b.iter(|| match raw_unit.resume(()) {
            CoroutineResult::Yield(()) => (),
            CoroutineResult::Return(()) => unreachable!("the body never returns"),
        })
    });

    // The same body, through the crate's wrapper.
    let mut generator: Generator<u64, u64, ()> = Generator::new(echo_forever);
    group.bench_function("generator", |b| {
        b.iter(|| match generator.resume(black_box(1)) {
            Ok(GeneratorState::Yielded(value)) => value,
            _ => unreachable!("the body never returns"),
        })
    });

    // No stack at all: the generator is an enum, and a resume is a call.
    // `u64::MAX` values: it never runs out during a measurement.
    let mut counter = Counter::new(u64::MAX);
    group.bench_function("stackless", |b| {
        b.iter(|| match counter.resume(black_box(1)) {
            Ok(GeneratorState::Yielded(value)) => value,
            _ => unreachable!("the counter never runs out"),
        })
    });

    // The compiler's stackless state machine: an `async fn`, polled by hand.
    let mut async_leaf = Stepper::new(leaf(u64::MAX));
    group.bench_function("async_leaf", |b| {
        b.iter(|| match async_leaf.step() {
            Ok(task::Poll::Pending) => (),
            _ => unreachable!("the leaf never finishes"),
        })
    });
    group.finish();
}

fn poll_step(c: &mut Criterion) {
    /// How many items one request holds; requests are rebuilt, untimed, as
    /// they run out.
    const CHUNK: u64 = 1 << 20;

    let mut group = c.benchmark_group("poll_step");
    group.bench_function("request", |b| {
        b.iter_custom(|iters| {
            let mut elapsed = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let polls = left.min(CHUNK);
                // `polls - 1` Waits then a Ready: exactly `polls` items.
                let mut request = Request::after_waits((polls - 1) as usize, 0u64);
                let start = Instant::now();
                for _ in 0..polls {
                    if let Poll::Ready(value) = black_box(request.poll()) {
                        black_box(value);
                    }
                }
                elapsed += start.elapsed();
                left -= polls;
            }
            elapsed
        })
    });
    group.finish();
}

fn delegation(c: &mut Criterion) {
    let mut group = c.benchmark_group("delegation");
    for depth in [1, 10, 100] {
        // `u64::MAX` values: the leaf never runs out during a measurement.
        let mut stackful = stackful_chain(depth, u64::MAX);
        group.bench_function(BenchmarkId::new("stackful", depth), |b| {
            b.iter(|| stackful.resume(()))
        });
        let mut forwarded = yield_from_chain(depth, u64::MAX);
        group.bench_function(BenchmarkId::new("yield_from", depth), |b| {
            b.iter(|| forwarded.resume(()))
        });
        let mut stackless = stackless_chain(depth, u64::MAX);
        group.bench_function(BenchmarkId::new("stackless", depth), |b| {
            b.iter(|| stackless.resume(black_box(1)))
        });
        let mut awaited = Stepper::new(nested(depth, u64::MAX));
        group.bench_function(BenchmarkId::new("async", depth), |b| {
            b.iter(|| awaited.step())
        });
    }
    group.finish();
}

/// Two tasks that take turns `iters` times in all, on chapter 5's loop;
/// returns the time the turns took.
///
/// `pong` is queued first and the ping runs as `main`, so every round steps
/// exactly the two of them: pong, ping, pong, ping... `pong` takes the odd
/// turn when `iters` is odd, so the two run side by side to the end.
fn ch05_ping_pong(iters: u64) -> Duration {
    let pings = iters / 2;
    let pongs = iters - pings;
    let event_loop = EventLoop::new();
    event_loop.create_task("pong", move || {
        for _ in 0..pongs {
            yield_now().expect("pong runs inside the loop");
        }
    });
    let start = Instant::now();
    event_loop
        .run_until_complete(move || {
            for _ in 0..pings {
                yield_now().expect("main runs inside the loop");
            }
        })
        .expect("main finishes");
    start.elapsed()
    // Dropping the loop drops `pong`, untimed, if its last step is still due.
}

fn event_loop(c: &mut Criterion) {
    let mut group = c.benchmark_group("event_loop");

    let event_loop = EventLoop::new();
    group.bench_function("task_lifecycle", |b| {
        b.iter(|| event_loop.run_until_complete(|| black_box(1)))
    });
    group.bench_function("ping_pong", |b| b.iter_custom(ch05_ping_pong));

    // Building 10,000 tasks takes a while, and the loop's cost per round is
    // steady: fewer, longer samples are enough.
    group.sample_size(10);
    for tasks in [1, 100, 10_000] {
        // The sleepers are created once, before any timing, and sleep for an
        // hour: they stay in the queue across every measurement below, each
        // resumed once a round to look at the clock.
        let event_loop = EventLoop::new();
        for _ in 1..tasks {
            event_loop.create_task("sleeper", || sleep(Duration::from_secs(3600)));
        }
        event_loop
            .run_until_complete(|| yield_now().expect("main runs inside the loop"))
            .expect("main finishes");
        group.bench_function(BenchmarkId::new("busy_round", tasks), |b| {
            b.iter_custom(|iters| {
                // `main` is the one task doing work: each of its steps costs a
                // whole round, in which every sleeper is resumed.
                event_loop
                    .run_until_complete(move || {
                        let start = Instant::now();
                        for _ in 0..iters {
                            yield_now().expect("main runs inside the loop");
                        }
                        start.elapsed()
                    })
                    .expect("main finishes")
            })
        });
        // Dropping the loop cancels and unmaps the sleepers.
    }
    group.finish();
}

/// Two tasks that take turns `iters` times in all, on chapter 6's scheduler;
/// returns the time the turns took.
#[inline(never)] // counted alone: see `run_probe`
fn ch06_ping_pong(iters: u64) -> Duration {
    let scheduler = Scheduler::new(Clock::Virtual);
    let start = Instant::now();
    scheduler
        .run_until_complete(move || {
            let turns = |n: u64| {
                move || {
                    for _ in 0..n {
                        ch06::yield_now()?;
                    }
                    Ok::<(), ch06::SchedError>(())
                }
            };
            let ping = ch06::spawn("ping", turns(iters / 2)).expect("a stack");
            let pong = ch06::spawn("pong", turns(iters - iters / 2)).expect("a stack");
            ping.join().expect("ping finishes");
            pong.join().expect("pong finishes");
            Ok::<(), ch06::SchedError>(())
        })
        .expect("main finishes");
    start.elapsed()
}

/// The same as `ch06_ping_pong` with two async tasks (chapter 9), taking
/// turns with `ch09_async_fn::yield_now().await`: one switch is one poll.
#[inline(never)] // counted alone: see `run_probe`
fn ch06_async_ping_pong(iters: u64) -> Duration {
    let scheduler = Scheduler::new(Clock::Virtual);
    let start = Instant::now();
    scheduler
        .run_until_complete(move || {
            let turns = |n: u64| async move {
                for _ in 0..n {
                    ch09::yield_now().await?;
                }
                Ok::<(), ch06::SchedError>(())
            };
            let ping = ch09::spawn_async("ping", turns(iters / 2))?;
            let pong = ch09::spawn_async("pong", turns(iters - iters / 2))?;
            ping.join()?;
            pong.join()?;
            Ok::<(), ch06::SchedError>(())
        })
        .expect("main finishes");
    start.elapsed()
}

/// `ch06_ping_pong` with one socket registered and idle (chapter 10): the
/// loop asks the poller once an iteration, with a zero timeout, since a
/// task is always ready. Sockets need the real clock; with no timer, the
/// loop never reads it, so the clock makes no other difference.
#[inline(never)] // counted alone: see `run_probe`
fn ch06_ping_pong_with_socket(iters: u64) -> Duration {
    let scheduler = Scheduler::new(Clock::Real);
    scheduler
        .run_until_complete(move || {
            let _idle = TcpListener::bind("127.0.0.1:0")?;
            let turns = |n: u64| {
                move || {
                    for _ in 0..n {
                        ch06::yield_now()?;
                    }
                    Ok::<(), ch06::SchedError>(())
                }
            };
            let start = Instant::now();
            let ping = ch06::spawn("ping", turns(iters / 2))?;
            let pong = ch06::spawn("pong", turns(iters - iters / 2))?;
            ping.join()?;
            pong.join()?;
            Ok::<_, ch06::SchedError>(start.elapsed())
        })
        .expect("main finishes")
}

/// Spawns an empty task and joins it, `iters` times, on chapter 6's
/// scheduler; returns the time that took. The pool is warmed first: the
/// timed spawns all reuse one stack (creating a stack is `create/*`).
#[inline(never)] // counted alone: see `run_probe`
fn ch06_spawn_join(iters: u64) -> Duration {
    let scheduler = Scheduler::new(Clock::Virtual);
    scheduler
        .run_until_complete(|| Ok::<(), ch06::SchedError>(()))
        .expect("main finishes");
    scheduler
        .run_until_complete(move || {
            let start = Instant::now();
            for _ in 0..iters {
                let task = ch06::spawn("empty", || Ok::<(), ch06::SchedError>(()))?;
                task.join()?;
            }
            Ok::<_, ch06::SchedError>(start.elapsed())
        })
        .expect("main finishes")
}

/// The same on tokio's current-thread runtime: `spawn` and `.await`.
#[inline(never)] // counted alone: see `run_probe`
fn tokio_spawn_join(runtime: &tokio::runtime::Runtime, iters: u64) -> Duration {
    runtime.block_on(async move {
        let start = Instant::now();
        for _ in 0..iters {
            tokio::spawn(async {})
                .await
                .expect("the empty task finishes");
        }
        start.elapsed()
    })
}

/// `tokio_ping_pong` on a runtime with I/O enabled, with one idle socket
/// registered with its driver.
#[inline(never)] // counted alone: see `run_probe`
fn tokio_ping_pong_with_socket(runtime: &tokio::runtime::Runtime, iters: u64) -> Duration {
    runtime.block_on(async move {
        let _idle = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback listener");
        let turns = |n: u64| async move {
            for _ in 0..n {
                tokio::task::yield_now().await;
            }
        };
        let start = Instant::now();
        let ping = tokio::spawn(turns(iters / 2));
        let pong = tokio::spawn(turns(iters - iters / 2));
        ping.await.expect("ping finishes");
        pong.await.expect("pong finishes");
        start.elapsed()
    })
}

/// Two tasks taking turns `iters` times in all on tokio's current-thread
/// runtime, each waking the other through a `tokio::sync::Notify` and
/// waiting for its own; with `socket`, an idle listener is registered with
/// the runtime's I/O driver meanwhile (the runtime must have I/O enabled).
#[inline(never)] // counted alone: see `run_probe`
fn tokio_notify_ping_pong(runtime: &tokio::runtime::Runtime, iters: u64, socket: bool) -> Duration {
    use std::sync::Arc;
    use tokio::sync::Notify;
    runtime.block_on(async move {
        let _idle = if socket {
            Some(
                tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("a loopback listener"),
            )
        } else {
            None
        };
        let (to_ping, to_pong) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
        let turns = |n: u64, mine: Arc<Notify>, theirs: Arc<Notify>, first: bool| async move {
            for turn in 0..n {
                if turn > 0 || !first {
                    mine.notified().await;
                }
                theirs.notify_one();
            }
        };
        // Each wakes the other as often as it waits: an equal number of
        // turns each (an odd count is timed one switch short).
        let n = (iters / 2).max(1);
        let start = Instant::now();
        let ping = tokio::spawn(turns(n, Arc::clone(&to_ping), Arc::clone(&to_pong), true));
        let pong = tokio::spawn(turns(n, to_pong, to_ping, false));
        ping.await.expect("ping finishes");
        pong.await.expect("pong finishes");
        start.elapsed()
    })
}

/// The same on tokio's current-thread runtime.
#[inline(never)] // counted alone: see `run_probe`
fn tokio_ping_pong(runtime: &tokio::runtime::Runtime, iters: u64) -> Duration {
    let start = Instant::now();
    runtime.block_on(async move {
        let turns = |n: u64| async move {
            for _ in 0..n {
                tokio::task::yield_now().await;
            }
        };
        let ping = tokio::spawn(turns(iters / 2));
        let pong = tokio::spawn(turns(iters - iters / 2));
        ping.await.expect("ping finishes");
        pong.await.expect("pong finishes");
    });
    start.elapsed()
}

fn scheduler(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime");

    let mut group = c.benchmark_group("scheduler");
    group.bench_function("ping_pong", |b| b.iter_custom(ch06_ping_pong));
    group.bench_function("async_ping_pong", |b| b.iter_custom(ch06_async_ping_pong));
    group.bench_function("ping_pong_with_socket", |b| {
        b.iter_custom(ch06_ping_pong_with_socket)
    });
    group.bench_function("spawn_join", |b| b.iter_custom(ch06_spawn_join));
    group.sample_size(10);
    for tasks in [1, 10_000] {
        // The sleepers are spawned once, before any timing: they sleep for
        // an hour of virtual time, which never passes while main has work,
        // and stay asleep in the timer heap across every measurement below.
        let scheduler = Scheduler::new(Clock::Virtual).with_stack_size(16 * 1024);
        scheduler
            .run_until_complete(move || {
                for _ in 1..tasks {
                    ch06::spawn("sleeper", || ch06::sleep(Duration::from_secs(3600)))
                        .expect("a stack");
                }
                // Let every sleeper reach the timer heap.
                ch06::yield_now()
            })
            .expect("main finishes");
        group.bench_function(BenchmarkId::new("with_sleepers", tasks), |b| {
            b.iter_custom(|iters| {
                scheduler
                    .run_until_complete(move || {
                        let start = Instant::now();
                        for _ in 0..iters {
                            ch06::yield_now()?;
                        }
                        Ok::<_, ch06::SchedError>(start.elapsed())
                    })
                    .expect("main finishes")
            })
        });
        // Dropping the scheduler cancels the sleepers.
    }
    group.finish();

    let mut group = c.benchmark_group("tokio");
    group.bench_function("ping_pong", |b| {
        b.iter_custom(|iters| tokio_ping_pong(&runtime, iters))
    });
    group.bench_function("spawn_join", |b| {
        b.iter_custom(|iters| tokio_spawn_join(&runtime, iters))
    });
    let with_io = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .expect("a tokio runtime with I/O");
    group.bench_function("ping_pong_with_socket", |b| {
        b.iter_custom(|iters| tokio_ping_pong_with_socket(&with_io, iters))
    });
    group.bench_function("notify_ping_pong", |b| {
        b.iter_custom(|iters| tokio_notify_ping_pong(&runtime, iters, false))
    });
    group.bench_function("notify_ping_pong_with_socket", |b| {
        b.iter_custom(|iters| tokio_notify_ping_pong(&with_io, iters, true))
    });
    group.finish();
}

/// Two OS threads, `ping` and `pong`, handing a token back and forth over
/// `std::sync::mpsc` channels, ready to be told how many round trips to make.
///
/// Channels rather than a `Mutex` and a `Condvar`. Both come down to the
/// same pair of system calls on Linux: a `recv` that finds nothing parks its
/// thread (a futex wait) and the `send` unparks it (a futex wake). But a
/// thread woken from `Condvar::wait` must also take the mutex back, which
/// its waker may still hold: extra contention that belongs to the lock, not
/// to the switch. Channels are also what a program reaches for to hand work
/// to a thread (Python's `queue.Queue`).
///
/// Nothing here can hang: every wait is on a channel whose other end is
/// dropped if its thread stops, early or by a panic, and a `recv` on such a
/// channel returns an error at once (which the waiter then reports).
struct ThreadPingPong {
    /// How many round trips `ping` is to time; dropping it ends both threads.
    rounds: Option<Sender<u64>>,
    /// `ping`'s answer: how long the round trips took.
    took: Receiver<Duration>,
    /// `ping`, which joins `pong` before it ends.
    ping: Option<JoinHandle<()>>,
}

impl ThreadPingPong {
    /// Spawns the two threads; with `pinned`, `ping` pins itself to one CPU
    /// first, and `pong`, spawned by `ping`, inherits the pin.
    fn start(pinned: bool) -> Self {
        let (rounds, rounds_rx) = mpsc::channel::<u64>();
        let (took_tx, took) = mpsc::channel::<Duration>();
        let ping = thread::Builder::new()
            .name("ping".into())
            .spawn(move || {
                if pinned && let Err(error) = pin_to_one_cpu() {
                    eprintln!(
                        "threads/ping_pong_pinned: could not pin the threads to one CPU \
                         ({error}); measuring them unpinned"
                    );
                }
                let (to_pong, from_ping) = mpsc::channel::<u64>();
                let (to_ping, from_pong) = mpsc::channel::<u64>();
                let pong = thread::Builder::new()
                    .name("pong".into())
                    .spawn(move || {
                        // Ends when `ping` drops its sender.
                        for token in from_ping {
                            if to_ping.send(token.wrapping_add(1)).is_err() {
                                break;
                            }
                        }
                    })
                    .expect("spawning the pong thread");
                // Ends when the benchmark drops its sender.
                for round_trips in rounds_rx {
                    let mut token = 0u64;
                    let start = Instant::now();
                    for _ in 0..round_trips {
                        to_pong.send(token).expect("pong is running");
                        token = from_pong.recv().expect("pong answers");
                    }
                    let elapsed = start.elapsed();
                    black_box(token);
                    if took_tx.send(elapsed).is_err() {
                        break;
                    }
                }
                drop(to_pong);
                pong.join().expect("the pong thread ends cleanly");
            })
            .expect("spawning the ping thread");
        ThreadPingPong {
            rounds: Some(rounds),
            took,
            ping: Some(ping),
        }
    }

    /// The time of `hand_offs` hand-offs. They come in round trips of two;
    /// an odd count is timed as one more and scaled down.
    fn measure(&self, hand_offs: u64) -> Duration {
        let round_trips = hand_offs.div_ceil(2);
        self.rounds
            .as_ref()
            .expect("the threads are running")
            .send(round_trips)
            .expect("the ping thread is running");
        let elapsed = self.took.recv().expect("the ping thread answers");
        elapsed.mul_f64(hand_offs as f64 / (2 * round_trips) as f64)
    }
}

impl Drop for ThreadPingPong {
    fn drop(&mut self) {
        drop(self.rounds.take());
        if let Some(ping) = self.ping.take()
            && ping.join().is_err()
            && !thread::panicking()
        {
            panic!("the ping thread panicked (its message is above)");
        }
    }
}

/// Pins the calling thread to the first CPU it may run on, and returns that
/// CPU's number. Threads it spawns afterwards inherit the pin (Linux copies
/// the creating thread's CPU affinity into a new thread).
#[cfg(target_os = "linux")]
fn pin_to_one_cpu() -> io::Result<usize> {
    let size = std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: `cpu_set_t` is a plain array of bits, for which all zeroes is
    // a valid value (the empty set). `sched_getaffinity` and
    // `sched_setaffinity` with pid 0 read and write the calling thread's
    // mask through a pointer to a set that lives on this stack for the whole
    // call, and are told its exact size. `CPU_ISSET` and `CPU_SET` are only
    // given CPU numbers below `CPU_SETSIZE`, inside the set.
    unsafe {
        let mut allowed: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, size, &mut allowed) != 0 {
            return Err(io::Error::last_os_error());
        }
        let cpu = (0..libc::CPU_SETSIZE as usize)
            .find(|&cpu| libc::CPU_ISSET(cpu, &allowed))
            .ok_or_else(|| io::Error::other("the thread may run on no CPU at all"))?;
        let mut one: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut one);
        if libc::sched_setaffinity(0, size, &one) != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(cpu)
    }
}

#[cfg(not(target_os = "linux"))]
fn pin_to_one_cpu() -> io::Result<usize> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "pinning a thread here uses Linux's sched_setaffinity",
    ))
}

fn threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("threads");
    // Microseconds per iteration, and the OS scheduler's hiccups come in
    // bursts: fewer, longer samples average them within each sample.
    group.sample_size(50);

    // One pair of threads at a time: the free pair ends before the pinned
    // pair starts.
    let free = ThreadPingPong::start(false);
    group.bench_function("ping_pong", |b| b.iter_custom(|iters| free.measure(iters)));
    drop(free);
    let pinned = ThreadPingPong::start(true);
    group.bench_function("ping_pong_pinned", |b| {
        b.iter_custom(|iters| pinned.measure(iters))
    });
    drop(pinned);

    group.bench_function("spawn_join", |b| {
        b.iter(|| {
            thread::spawn(|| ())
                .join()
                .expect("the empty thread ends cleanly")
        })
    });
    group.finish();
}

/// What every echo round trip carries: 16 bytes, small enough that the
/// copying is nothing beside the system calls.
const MESSAGE: &[u8; 16] = b"echo, echo, echo";

/// Reads from `read` into `buffer` until it is full: one echo's answer
/// (almost always one read).
fn fill(
    buffer: &mut [u8],
    mut read: impl FnMut(&mut [u8]) -> Result<usize, ch06::SchedError>,
) -> Result<(), ch06::SchedError> {
    let mut got = 0;
    while got < buffer.len() {
        match read(&mut buffer[got..])? {
            0 => panic!("the echo ended early"),
            n => got += n,
        }
    }
    Ok(())
}

/// `iters` echo round trips over loopback between two stackful tasks on
/// one scheduler (chapter 10); returns the time they took.
#[inline(never)] // counted alone: see `run_probe`
fn ch10_echo(iters: u64) -> Duration {
    let scheduler = Scheduler::new(Clock::Real);
    scheduler
        .run_until_complete(move || {
            let listener = TcpListener::bind("127.0.0.1:0")?;
            let client = TcpStream::connect(listener.local_addr()?)?;
            let (server, _) = listener.accept()?;
            client.set_nodelay(true)?;
            server.set_nodelay(true)?;
            let echo = ch06::spawn("echo", move || {
                let mut buffer = [0u8; 64];
                loop {
                    match server.read(&mut buffer)? {
                        0 => return Ok::<(), ch06::SchedError>(()),
                        n => server.write_all(&buffer[..n])?,
                    }
                }
            })?;
            let mut answer = [0u8; MESSAGE.len()];
            let start = Instant::now();
            for _ in 0..iters {
                client.write_all(MESSAGE)?;
                fill(&mut answer, |buffer| client.read(buffer))?;
            }
            let took = start.elapsed();
            client.shutdown(std::net::Shutdown::Write)?;
            echo.join()?;
            black_box(answer);
            Ok::<_, ch06::SchedError>(took)
        })
        .expect("main finishes")
}

/// The same between two async tasks (chapter 9) on one scheduler.
#[inline(never)] // counted alone: see `run_probe`
fn ch10_echo_async(iters: u64) -> Duration {
    let scheduler = Scheduler::new(Clock::Real);
    scheduler
        .run_until_complete_async(async move {
            let listener = TcpListener::bind("127.0.0.1:0")?;
            let client = TcpStream::connect_async(listener.local_addr()?).await?;
            let (server, _) = listener.accept_async().await?;
            client.set_nodelay(true)?;
            server.set_nodelay(true)?;
            let echo = ch09::spawn_async("echo", async move {
                let mut buffer = [0u8; 64];
                loop {
                    match server.read_async(&mut buffer).await? {
                        0 => return Ok::<(), ch06::SchedError>(()),
                        n => server.write_all_async(&buffer[..n]).await?,
                    }
                }
            })?;
            let mut answer = [0u8; MESSAGE.len()];
            let start = Instant::now();
            for _ in 0..iters {
                client.write_all_async(MESSAGE).await?;
                let mut got = 0;
                while got < answer.len() {
                    match client.read_async(&mut answer[got..]).await? {
                        0 => panic!("the echo ended early"),
                        n => got += n,
                    }
                }
            }
            let took = start.elapsed();
            client.shutdown(std::net::Shutdown::Write)?;
            echo.await?;
            black_box(answer);
            Ok::<_, ch06::SchedError>(took)
        })
        .expect("main finishes")
}

/// The same on tokio's current-thread runtime, with its I/O driver.
#[inline(never)] // counted alone: see `run_probe`
fn tokio_echo(runtime: &tokio::runtime::Runtime, iters: u64) -> Duration {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback listener");
        let address = listener.local_addr().expect("its address");
        let mut client = tokio::net::TcpStream::connect(address)
            .await
            .expect("connected");
        let (mut server, _) = listener.accept().await.expect("accepted");
        client.set_nodelay(true).expect("TCP_NODELAY");
        server.set_nodelay(true).expect("TCP_NODELAY");
        let echo = tokio::spawn(async move {
            let mut buffer = [0u8; 64];
            loop {
                match server.read(&mut buffer).await.expect("the echo reads") {
                    0 => return,
                    n => server
                        .write_all(&buffer[..n])
                        .await
                        .expect("the echo writes"),
                }
            }
        });
        let mut answer = [0u8; MESSAGE.len()];
        let start = Instant::now();
        for _ in 0..iters {
            client.write_all(MESSAGE).await.expect("the client writes");
            client
                .read_exact(&mut answer)
                .await
                .expect("the client reads");
        }
        let took = start.elapsed();
        client.shutdown().await.expect("the client shuts down");
        echo.await.expect("the echo ends");
        black_box(answer);
        took
    })
}

/// Two OS threads with blocking std sockets: the bench's thread writes and
/// reads, an echo thread, spawned once, sends back what it reads.
struct ThreadEcho {
    client: std::net::TcpStream,
    echo: Option<JoinHandle<()>>,
}

impl ThreadEcho {
    /// Connects, and spawns the echo thread on the accepted end.
    fn start() -> Self {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback listener");
        let client = std::net::TcpStream::connect(listener.local_addr().expect("its address"))
            .expect("connected");
        let (mut server, _) = listener.accept().expect("accepted");
        client.set_nodelay(true).expect("TCP_NODELAY");
        server.set_nodelay(true).expect("TCP_NODELAY");
        let echo = thread::Builder::new()
            .name("echo".into())
            .spawn(move || {
                let mut buffer = [0u8; 64];
                // Ends when the client shuts down (0) or goes away (an error).
                while let Ok(n @ 1..) = server.read(&mut buffer) {
                    if server.write_all(&buffer[..n]).is_err() {
                        break;
                    }
                }
            })
            .expect("spawning the echo thread");
        ThreadEcho {
            client,
            echo: Some(echo),
        }
    }

    /// The time of `iters` round trips.
    fn measure(&mut self, iters: u64) -> Duration {
        use std::io::{Read, Write};
        let mut answer = [0u8; MESSAGE.len()];
        let start = Instant::now();
        for _ in 0..iters {
            self.client.write_all(MESSAGE).expect("the client writes");
            self.client
                .read_exact(&mut answer)
                .expect("the client reads");
        }
        black_box(answer);
        start.elapsed()
    }
}

impl Drop for ThreadEcho {
    fn drop(&mut self) {
        let _ = self.client.shutdown(std::net::Shutdown::Both);
        if let Some(echo) = self.echo.take()
            && echo.join().is_err()
            && !thread::panicking()
        {
            panic!("the echo thread panicked (its message is above)");
        }
    }
}

fn echo(c: &mut Criterion) {
    let mut group = c.benchmark_group("echo");
    // Microseconds per round trip, through the kernel: fewer, longer samples.
    group.sample_size(50);
    group.bench_function("scheduler", |b| b.iter_custom(ch10_echo));
    group.bench_function("scheduler_async", |b| b.iter_custom(ch10_echo_async));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .expect("a tokio runtime with I/O");
    group.bench_function("tokio", |b| {
        b.iter_custom(|iters| tokio_echo(&runtime, iters))
    });
    let mut threads = ThreadEcho::start();
    group.bench_function("threads", |b| b.iter_custom(|iters| threads.measure(iters)));
    drop(threads);
    group.finish();
}

fn create(c: &mut Criterion) {
    let mut group = c.benchmark_group("create");

    // The body returns at once: one resume runs it to completion, after
    // touching the top of its stack.
    group.bench_function("fresh_stack", |b| {
        b.iter(|| {
            let mut coroutine: Coroutine<(), (), u64> =
                Coroutine::new(|_: &Yielder<(), ()>, ()| black_box(1));
            match coroutine.resume(()) {
                CoroutineResult::Return(value) => value,
                CoroutineResult::Yield(()) => unreachable!("the body never suspends"),
            }
            // Dropping the coroutine unmaps its stack, inside the timing.
        })
    });

    // One stack, the same size, handed from each finished coroutine to the
    // next, as chapter 6's pool does.
    let mut pool = Some(DefaultStack::default());
    group.bench_function("pooled_stack", |b| {
        b.iter(|| {
            let stack = pool.take().expect("the stack is back in the pool");
            let mut coroutine: Coroutine<(), (), u64, DefaultStack> =
                Coroutine::with_stack(stack, |_: &Yielder<(), ()>, ()| black_box(1));
            let value = match coroutine.resume(()) {
                CoroutineResult::Return(value) => value,
                CoroutineResult::Yield(()) => unreachable!("the body never suspends"),
            };
            pool = Some(coroutine.into_stack());
            value
        })
    });

    // A future with one captured value, boxed and pinned as a runtime does
    // for a task. `black_box` on the box keeps the compiler from keeping the
    // future on the stack instead.
    group.bench_function("boxed_async", |b| {
        let mut cx = Context::from_waker(Waker::noop());
        b.iter(|| {
            let n = black_box(1u64);
            let mut future = black_box(Box::pin(async move { n + 1 }));
            match future.as_mut().poll(&mut cx) {
                task::Poll::Ready(value) => value,
                task::Poll::Pending => unreachable!("the block never awaits"),
            }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = round_trip, poll_step, delegation, event_loop, scheduler, threads, echo, create
}

/// What `criterion_main!` would do, then the Python twins; or, with
/// `YIELDPOINT_PROBE` set, one workload for `benches/instructions.py`.
fn main() {
    if let Ok(probe) = std::env::var("YIELDPOINT_PROBE") {
        return run_probe(&probe);
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
    python_costs(python_run(&std::env::args().skip(1).collect::<Vec<_>>()));
}

/// The ids `benches/python_costs.py` measures.
const PYTHON_IDS: &[&str] = &[
    "python/generator_send",
    "python/yield_from/1",
    "python/yield_from/10",
    "python/yield_from/100",
    "python/asyncio_ping_pong",
];

/// What this run does with the Python script.
#[derive(Debug, PartialEq)]
enum PythonRun {
    /// Measure and write `target/python-costs.tsv`.
    Measure,
    /// Criterion's test mode: check the script works, with tiny counts.
    Quick,
    /// `--list`: print the ids.
    List,
    /// A filter or mode that leaves the script out.
    Skip,
}

/// Decides from the bench's arguments what to do with the Python script,
/// following criterion's own reading of them: test mode with `--test`, or
/// whenever `--bench` is missing (`cargo test --benches`); the first
/// positional argument is a filter (here matched as a substring, or exactly
/// with `--exact`).
fn python_run(args: &[String]) -> PythonRun {
    /// Criterion's options that take a value as the next argument.
    const WITH_VALUE: &[&str] = &[
        "-c",
        "--color",
        "--colour",
        "-s",
        "--save-baseline",
        "-b",
        "--baseline",
        "--baseline-lenient",
        "--format",
        "--profile-time",
        "--load-baseline",
        "--sample-size",
        "--warm-up-time",
        "--measurement-time",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--plotting-backend",
        "--output-format",
    ];
    let mut flags = Vec::new();
    let mut filter = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg.starts_with('-') {
            let name = arg.split('=').next().unwrap_or(arg);
            if WITH_VALUE.contains(&name) && !arg.contains('=') {
                args.next();
            }
            flags.push(name);
        } else if filter.is_none() {
            filter = Some(arg.as_str());
        }
    }
    let has = |flag: &str| flags.contains(&flag);
    let exact = has("--exact");
    let wanted = filter.is_none_or(|filter| {
        PYTHON_IDS.iter().any(|id| {
            if exact {
                *id == filter
            } else {
                id.contains(filter)
            }
        })
    });
    if has("--list") {
        PythonRun::List
    } else if !wanted || has("--ignored") || has("--profile-time") {
        PythonRun::Skip
    } else if has("--test") || !has("--bench") {
        PythonRun::Quick
    } else {
        PythonRun::Measure
    }
}

/// Where criterion keeps its results' parent: `$CARGO_TARGET_DIR`, else the
/// workspace's `target/` (this bench's package is `benches/`, one level down).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// Runs `benches/python_costs.py` as `run` says. A failing script fails the
/// whole bench run (so CI notices); a missing `python3` does not.
fn python_costs(run: PythonRun) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python_costs.py");
    let mut command = Command::new("python3");
    command.arg(&script);
    match run {
        PythonRun::Skip => return,
        PythonRun::List => {
            for id in PYTHON_IDS {
                println!("{id}: benchmark");
            }
            return;
        }
        PythonRun::Quick => {
            command.arg("--quick");
        }
        PythonRun::Measure => {
            command
                .arg("--out")
                .arg(target_dir().join("python-costs.tsv"));
        }
    }
    // Criterion's lines first, then the script's (its first line says what
    // they are).
    io::stdout().flush().expect("flushing stdout");
    match command.status() {
        Ok(status) if status.success() => {}
        Ok(status) => {
            eprintln!("{} failed ({status})", script.display());
            std::process::exit(1);
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            println!("python3 is not on PATH: the Python figures (python/...) were skipped");
        }
        Err(error) => {
            eprintln!("could not run python3 {}: {error}", script.display());
            std::process::exit(1);
        }
    }
}

/// The workloads `benches/instructions.py` counts the instructions of, run
/// under valgrind's callgrind with `YIELDPOINT_PROBE=<name>:<iterations>`.
/// Each does `iterations` of what its criterion twin times once per
/// iteration; the script runs each twice, with `n` and `2n` iterations, and
/// takes the difference, so that whatever is done once (building the
/// coroutine or the runtime, starting the process) cancels out.
const PROBES: &[&str] = &[
    "raw_corosensei",
    "generator",
    "stackful_1",
    "stackful_100",
    "scheduler_ping_pong",
    "scheduler_async_ping_pong",
    "scheduler_ping_pong_with_socket",
    "tokio_ping_pong",
    "tokio_ping_pong_with_socket",
    "tokio_notify_ping_pong",
    "tokio_notify_ping_pong_with_socket",
    "scheduler_spawn_join",
    "tokio_spawn_join",
    "echo_scheduler",
    "echo_scheduler_async",
    "echo_tokio",
    "echo_threads",
];

/// `iterations` round trips through raw corosensei.
#[inline(never)]
fn probe_raw_corosensei(iterations: u64) {
    let mut raw: Coroutine<u64, u64, ()> = Coroutine::new(echo_forever);
    for _ in 0..iterations {
        black_box(raw.resume(black_box(1)));
    }
}

/// `iterations` round trips through chapter 2's `Generator`.
#[inline(never)]
fn probe_generator(iterations: u64) {
    let mut generator: Generator<u64, u64, ()> = Generator::new(echo_forever);
    for _ in 0..iterations {
        let _ = black_box(generator.resume(black_box(1)));
    }
}

/// `iterations` values from a leaf `depth` plain calls deep.
#[inline(never)]
fn probe_stackful(depth: usize, iterations: u64) {
    let mut chain = stackful_chain(depth, u64::MAX);
    for _ in 0..iterations {
        let _ = black_box(chain.resume(()));
    }
}

/// Runs the probe `spec` (`name:iterations`), or exits with a message
/// naming the probes there are.
///
/// Every probe's loop is a function of its own, never inlined here: this
/// function (and `main`, which it would be inlined into) is large, and the
/// compiler's register choices in it move with any change to the code
/// inlined into it, which once moved the `Generator`'s count by four
/// instructions of spilling that had nothing to do with it.
fn run_probe(spec: &str) {
    let parsed = spec
        .split_once(':')
        .and_then(|(name, n)| Some((name, n.parse::<u64>().ok()?)));
    let Some((name, iterations)) = parsed.filter(|(name, _)| PROBES.contains(name)) else {
        eprintln!(
            "YIELDPOINT_PROBE={spec:?}: expected <name>:<iterations>, with a name among {}",
            PROBES.join(", ")
        );
        std::process::exit(2);
    };
    match name {
        "raw_corosensei" => probe_raw_corosensei(iterations),
        "generator" => probe_generator(iterations),
        "stackful_1" => probe_stackful(1, iterations),
        "stackful_100" => probe_stackful(100, iterations),
        "scheduler_ping_pong" => {
            ch06_ping_pong(iterations);
        }
        "scheduler_async_ping_pong" => {
            ch06_async_ping_pong(iterations);
        }
        "scheduler_ping_pong_with_socket" => {
            ch06_ping_pong_with_socket(iterations);
        }
        "tokio_ping_pong" => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("a tokio runtime");
            tokio_ping_pong(&runtime, iterations);
        }
        "scheduler_spawn_join" => {
            ch06_spawn_join(iterations);
        }
        "tokio_ping_pong_with_socket" => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
                .expect("a tokio runtime with I/O");
            tokio_ping_pong_with_socket(&runtime, iterations);
        }
        "tokio_notify_ping_pong" | "tokio_notify_ping_pong_with_socket" => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
                .expect("a tokio runtime with I/O");
            tokio_notify_ping_pong(&runtime, iterations, name.ends_with("socket"));
        }
        "echo_scheduler" => {
            ch10_echo(iterations);
        }
        "echo_scheduler_async" => {
            ch10_echo_async(iterations);
        }
        "echo_tokio" => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
                .expect("a tokio runtime with I/O");
            tokio_echo(&runtime, iterations);
        }
        "echo_threads" => {
            ThreadEcho::start().measure(iterations);
        }
        "tokio_spawn_join" => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("a tokio runtime");
            tokio_spawn_join(&runtime, iterations);
        }
        _ => unreachable!("checked against PROBES above"),
    }
}
