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
        group.bench_function(BenchmarkId::new("busy_round", tasks), |b| {
            b.iter_custom(|iters| {
                let event_loop = EventLoop::new();
                for _ in 1..tasks {
                    event_loop.create_task("sleeper", || sleep(Duration::from_secs(3600)));
                }
                // `main` is the one task doing work: each of its steps costs a
                // whole round, in which every sleeper is resumed to look at
                // the clock.
                let start = Instant::now();
                event_loop
                    .run_until_complete(move || {
                        for _ in 0..iters {
                            yield_now().expect("main runs inside the loop");
                        }
                    })
                    .expect("main finishes");
                let elapsed = start.elapsed();
                drop(event_loop); // untimed: cancels and unmaps the sleepers
                elapsed
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = round_trip, poll_step, delegation, event_loop
}
criterion_main!(benches);
