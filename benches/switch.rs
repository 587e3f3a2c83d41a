//! What does a switch cost? Run with: cargo bench --bench switch
//!
//! Every benchmark here measures one round trip: the caller resumes, the
//! coroutine (or request) does the least work it can, and control comes back.
//! Read each result as a ratio to `round_trip/raw_corosensei`, the floor this
//! crate builds on; chapter 3 shows the ratios from a real run.
//!
//! | benchmark | one iteration is |
//! |---|---|
//! | `round_trip/raw_corosensei` | `Coroutine::resume` + `Yielder::suspend`, u64 in and out |
//! | `round_trip/generator` | the same through chapter 2's `Generator` |
//! | `poll_step/request` | one `Request::poll` of chapter 1 (no switch at all) |
//! | `delegation/stackful/N` | one value from a leaf N plain calls deep (chapter 3) |
//! | `delegation/yield_from/N` | one value through a chain of N `yield_from`s (chapter 3) |
//! | `event_loop/task_lifecycle` | create, run to completion and drop one task on chapter 5's loop |
//! | `event_loop/busy_round/N` | one step of the one working task, with N-1 busy sleepers beside it (chapter 5) |
//! | `scheduler/ping_pong` | one switch: two tasks taking turns with `yield_now` on chapter 6's scheduler |
//! | `tokio/ping_pong` | the same on tokio's current-thread runtime with `tokio::task::yield_now` |
//! | `scheduler/spawn_join` | spawn an empty task (its stack from the pool), run it, join it (chapter 6) |
//! | `tokio/spawn_join` | `tokio::spawn` of an empty future, awaited |
//! | `scheduler/with_sleepers/N` | one switch of the one working task, with N-1 tasks asleep in the timer heap (chapter 6) |
//!
//! What is left out: allocating and freeing stacks (every coroutine is created
//! once, before the timing starts), building chapter 1's item lists (built
//! outside the timed region), and dropping the coroutines at the end.
//! `event_loop/task_lifecycle` is the exception: it counts a stack's `mmap`
//! and `munmap`, because creating a task is what it measures.

use std::hint::black_box;
use std::time::{Duration, Instant};

use corosensei::{Coroutine, CoroutineResult, Yielder};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use yieldpoint::ch01_polled_lists::{Poll, Request};
use yieldpoint::ch02_coroutines::{Generator, GeneratorState};
use yieldpoint::ch03_yield_from::{stackful_chain, yield_from_chain};
use yieldpoint::ch05_event_loop::{EventLoop, sleep, yield_now};
use yieldpoint::ch06_scheduler::{self as ch06, Clock, Scheduler};

/// Short runs: the machine is small and shared, and medians of these
/// nanosecond-scale loops settle quickly.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

fn round_trip(c: &mut Criterion) {
    let mut group = c.benchmark_group("round_trip");

    // The floor: corosensei with nothing on top. The body echoes its input
    // plus one, forever.
    let mut raw: Coroutine<u64, u64, ()> =
        Coroutine::new(|yielder: &Yielder<u64, u64>, mut input| {
            loop {
                input = yielder.suspend(input.wrapping_add(1));
            }
        });
    group.bench_function("raw_corosensei", |b| {
        b.iter(|| match raw.resume(black_box(1)) {
            CoroutineResult::Yield(value) => value,
            CoroutineResult::Return(()) => unreachable!("the body never returns"),
        })
    });

    // The same body, through the crate's wrapper.
    let mut generator: Generator<u64, u64, ()> =
        Generator::new(|yielder: &Yielder<u64, u64>, mut input| {
            loop {
                input = yielder.suspend(input.wrapping_add(1));
            }
        });
    group.bench_function("generator", |b| {
        b.iter(|| match generator.resume(black_box(1)) {
            Ok(GeneratorState::Yielded(value)) => value,
            _ => unreachable!("the body never returns"),
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
    }
    group.finish();
}

fn event_loop(c: &mut Criterion) {
    let mut group = c.benchmark_group("event_loop");

    let event_loop = EventLoop::new();
    group.bench_function("task_lifecycle", |b| {
        b.iter(|| event_loop.run_until_complete(|| black_box(1)))
    });

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
fn ch06_ping_pong(iters: u64) -> Duration {
    let scheduler = Scheduler::new(Clock::Virtual);
    let start = Instant::now();
    scheduler
        .run_until_complete(move || {
            let turns = |n: u64| {
                move || {
                    for _ in 0..n {
                        ch06::yield_now().expect("inside a task");
                    }
                }
            };
            let ping = ch06::spawn("ping", turns(iters / 2)).expect("a stack");
            let pong = ch06::spawn("pong", turns(iters - iters / 2)).expect("a stack");
            ping.join().expect("ping finishes");
            pong.join().expect("pong finishes");
        })
        .expect("main finishes");
    start.elapsed()
}

/// The same on tokio's current-thread runtime.
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
    group.bench_function("spawn_join", |b| {
        b.iter_custom(|iters| {
            let scheduler = Scheduler::new(Clock::Virtual);
            // Warm the pool: the timed spawns all reuse this one stack.
            scheduler.run_until_complete(|| ()).expect("main finishes");
            scheduler
                .run_until_complete(move || {
                    let start = Instant::now();
                    for _ in 0..iters {
                        let task = ch06::spawn("empty", || ()).expect("a pooled stack");
                        task.join().expect("the empty task finishes");
                    }
                    start.elapsed()
                })
                .expect("main finishes")
        })
    });
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
                ch06::yield_now().expect("inside a task");
            })
            .expect("main finishes");
        group.bench_function(BenchmarkId::new("with_sleepers", tasks), |b| {
            b.iter_custom(|iters| {
                scheduler
                    .run_until_complete(move || {
                        let start = Instant::now();
                        for _ in 0..iters {
                            ch06::yield_now().expect("inside a task");
                        }
                        start.elapsed()
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
        b.iter_custom(|iters| {
            runtime.block_on(async move {
                let start = Instant::now();
                for _ in 0..iters {
                    tokio::spawn(async {})
                        .await
                        .expect("the empty task finishes");
                }
                start.elapsed()
            })
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = round_trip, poll_step, delegation, event_loop, scheduler
}
criterion_main!(benches);
