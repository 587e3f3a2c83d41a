//! Chapter 8's tests: the hand-written stackless generator, chains of them,
//! `async fn`s polled by hand, the memory figures, and the example's
//! transcript.
//!
//! They also judge the rebuild exercise (8.4):
//! `cargo test --features exercise-ch08 --test ch08_cost_of_a_switch -- --skip exercises::`.
//! The small exercises' tests are in `ch08_cost_of_a_switch/exercises.rs`.

use std::cell::Cell;
use std::future::{Future, poll_fn};
use std::io;
use std::panic;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, mpsc};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::Duration;

use yieldpoint::ch08_cost_of_a_switch::{
    Counter, Finished, GeneratorState, Memory, Stackless, Stepper, YieldNow, block_on, leaf,
    nested, stackless_chain, yield_now,
};
use yieldpoint::output::{capture, mask_costs};

#[allow(dead_code)]
#[path = "../examples/ch08_cost_of_a_switch.rs"]
mod example;

#[path = "support/child.rs"]
mod child;

// The small exercises' tests: `cargo test --test ch08_cost_of_a_switch -- exercises::`.
#[path = "ch08_cost_of_a_switch/exercises.rs"]
mod exercises;

use GeneratorState::{Complete, Yielded};

/// Calls `resume` with each input in turn and collects what came back.
fn drive(
    mut resume: impl FnMut(u64) -> Result<GeneratorState<u64, u64>, Finished>,
    inputs: &[u64],
) -> Vec<Result<GeneratorState<u64, u64>, Finished>> {
    inputs.iter().map(|&input| resume(input)).collect()
}

// ---------------------------------------------------------------------------
// Counter: Python's `counter(limit)` as a state machine
// ---------------------------------------------------------------------------

#[test]
fn a_new_counter_has_run_nothing_and_keeps_only_its_argument() {
    assert_eq!(Counter::new(3), Counter::Start { limit: 3 });
}

#[test]
fn each_resume_yields_the_next_value_and_leaves_exactly_the_live_locals() {
    let mut counter = Counter::new(3);

    assert_eq!(counter.resume(0), Ok(Yielded(0)));
    assert_eq!(
        counter,
        Counter::Suspended {
            i: 0,
            limit: 3,
            total: 0
        }
    );

    assert_eq!(counter.resume(10), Ok(Yielded(1)));
    assert_eq!(
        counter,
        Counter::Suspended {
            i: 1,
            limit: 3,
            total: 10
        }
    );

    assert_eq!(counter.resume(20), Ok(Yielded(2)));
    assert_eq!(
        counter,
        Counter::Suspended {
            i: 2,
            limit: 3,
            total: 30
        }
    );

    assert_eq!(counter.resume(30), Ok(Complete(60)));
    assert_eq!(counter, Counter::Done);
}

#[test]
fn the_first_resume_ignores_its_input_like_pythons_first_send_of_none() {
    let mut zero = Counter::new(2);
    let mut big = Counter::new(2);
    assert_eq!(zero.resume(0), Ok(Yielded(0)));
    assert_eq!(big.resume(1_000_000), Ok(Yielded(0)));
    // Nothing was paused at a `yield` to receive the first input.
    assert_eq!(zero, big);
    assert_eq!(
        big,
        Counter::Suspended {
            i: 0,
            limit: 2,
            total: 0
        }
    );
    assert_eq!(big.resume(5), Ok(Yielded(1)));
    assert_eq!(big.resume(7), Ok(Complete(12)));
}

#[test]
fn the_return_value_is_the_sum_of_every_input_after_the_first() {
    let mut counter = Counter::new(5);
    let results = drive(|input| counter.resume(input), &[99, 1, 2, 3, 4, 5]);
    assert_eq!(
        results,
        [
            Ok(Yielded(0)),
            Ok(Yielded(1)),
            Ok(Yielded(2)),
            Ok(Yielded(3)),
            Ok(Yielded(4)),
            Ok(Complete(15)),
        ]
    );
}

#[test]
fn a_counter_of_limit_zero_returns_zero_on_its_first_resume() {
    let mut counter = Counter::new(0);
    assert_eq!(counter.resume(42), Ok(Complete(0)));
    assert_eq!(counter, Counter::Done);
    assert_eq!(counter.resume(42), Err(Finished));
}

#[test]
fn a_finished_counter_answers_finished_every_time_and_stays_done() {
    let mut counter = Counter::new(1);
    assert_eq!(counter.resume(0), Ok(Yielded(0)));
    assert_eq!(counter.resume(8), Ok(Complete(8)));
    for input in [0, 1, u64::MAX] {
        assert_eq!(counter.resume(input), Err(Finished));
        assert_eq!(counter, Counter::Done);
    }
}

#[test]
fn a_counter_of_limit_n_yields_n_values_then_returns_the_total_for_every_small_n() {
    for limit in 0..20u64 {
        let mut counter = Counter::new(limit);
        let mut sent = 0;
        for expected in 0..limit {
            // The first input is ignored; later ones are 3, 6, 9, ...
            let input = expected * 3;
            assert_eq!(
                counter.resume(input),
                Ok(Yielded(expected)),
                "limit {limit}"
            );
            if expected > 0 {
                sent += input;
            }
        }
        let last = limit * 3;
        let total = if limit > 0 { sent + last } else { 0 };
        assert_eq!(counter.resume(last), Ok(Complete(total)), "limit {limit}");
        assert_eq!(counter.resume(0), Err(Finished), "limit {limit}");
    }
}

// ---------------------------------------------------------------------------
// Stackless chains: `yield from`, one link per level
// ---------------------------------------------------------------------------

#[test]
fn a_stackless_chain_of_depth_d_is_a_counter_under_d_links() {
    assert_eq!(stackless_chain(0, 4), Stackless::Leaf(Counter::new(4)));
    assert_eq!(
        stackless_chain(2, 4),
        Stackless::Delegate(Box::new(Stackless::Delegate(Box::new(Stackless::Leaf(
            Counter::new(4)
        )))))
    );
    for depth in [0, 1, 10, 100] {
        assert_eq!(stackless_chain(depth, 4).depth(), depth);
    }
}

#[test]
fn a_stackless_chain_yields_and_returns_exactly_what_the_bare_counter_does() {
    let inputs = [7, 1, 2, 3, 4, 5];
    let mut bare = Counter::new(4);
    let expected = drive(|input| bare.resume(input), &inputs);
    assert_eq!(
        expected,
        [
            Ok(Yielded(0)),
            Ok(Yielded(1)),
            Ok(Yielded(2)),
            Ok(Yielded(3)),
            Ok(Complete(10)),
            Err(Finished),
        ]
    );
    for depth in [0, 1, 10] {
        let mut chain = stackless_chain(depth, 4);
        assert_eq!(
            drive(|input| chain.resume(input), &inputs),
            expected,
            "depth {depth}"
        );
        // The links are still there, around a finished leaf.
        assert_eq!(chain.depth(), depth);
        assert_eq!(chain.resume(0), Err(Finished), "depth {depth}");
    }
}

#[test]
fn resuming_a_chain_advances_the_counter_at_its_bottom() {
    let mut chain = stackless_chain(2, 3);
    assert_eq!(chain.resume(0), Ok(Yielded(0)));
    assert_eq!(chain.resume(10), Ok(Yielded(1)));
    let Stackless::Delegate(one) = &chain else {
        panic!("depth 2 starts with a link: {chain:?}")
    };
    let Stackless::Delegate(two) = &**one else {
        panic!("the second level is a link: {one:?}")
    };
    assert_eq!(
        **two,
        Stackless::Leaf(Counter::Suspended {
            i: 1,
            limit: 3,
            total: 10
        })
    );
}

// ---------------------------------------------------------------------------
// yield_now, leaf and nested: async fns, polled by hand
// ---------------------------------------------------------------------------

/// A waker that counts how often it is woken.
#[derive(Default)]
struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl CountingWaker {
    fn wakes(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

#[test]
fn yield_now_is_pending_once_and_wakes_its_waker_then_is_ready() {
    let wakes = Arc::new(CountingWaker::default());
    let waker = Waker::from(Arc::clone(&wakes));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(yield_now());

    assert_eq!(future.as_mut().poll(&mut cx), Poll::Pending);
    assert_eq!(wakes.wakes(), 1, "asks to be polled again before pausing");
    assert_eq!(future.as_mut().poll(&mut cx), Poll::Ready(()));
    assert_eq!(wakes.wakes(), 1, "being ready wakes nobody");
}

#[test]
fn a_default_yield_now_is_the_same_fresh_future() {
    let wakes = Arc::new(CountingWaker::default());
    let waker = Waker::from(Arc::clone(&wakes));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(YieldNow::default());
    assert_eq!(future.as_mut().poll(&mut cx), Poll::Pending);
    assert_eq!(future.as_mut().poll(&mut cx), Poll::Ready(()));
    assert_eq!(wakes.wakes(), 1);
}

#[test]
fn leaf_returns_its_argument_through_block_on() {
    for values in [0, 1, 5, 1000] {
        assert_eq!(block_on(leaf(values)), values);
    }
}

#[test]
fn nested_returns_the_leafs_value_through_block_on_at_any_depth() {
    for depth in [0, 1, 10, 100] {
        for values in [0, 3] {
            assert_eq!(
                block_on(nested(depth, values)),
                values,
                "depth {depth}, {values} values"
            );
        }
    }
}

/// Steps `stepper` until it is ready; returns how many steps were `Pending`
/// and the value.
fn pendings_then_value<F: Future>(stepper: &mut Stepper<F>) -> (usize, F::Output) {
    let mut pendings = 0;
    loop {
        match stepper.step() {
            Ok(Poll::Pending) => pendings += 1,
            Ok(Poll::Ready(value)) => return (pendings, value),
            Err(Finished) => panic!("a future that never said Ready is not finished"),
        }
    }
}

#[test]
fn a_stepper_sees_leaf_pause_exactly_once_per_value_then_return() {
    let mut stepper = Stepper::new(leaf(3));
    assert_eq!(stepper.step(), Ok(Poll::Pending));
    assert_eq!(stepper.step(), Ok(Poll::Pending));
    assert_eq!(stepper.step(), Ok(Poll::Pending));
    assert!(!stepper.is_finished());
    assert_eq!(stepper.step(), Ok(Poll::Ready(3)));
    assert!(stepper.is_finished());

    for values in [0, 1, 7] {
        assert_eq!(
            pendings_then_value(&mut Stepper::new(leaf(values))),
            (values as usize, values)
        );
    }
}

#[test]
fn nested_pauses_exactly_as_often_as_its_leaf_at_any_depth() {
    for depth in [0, 1, 10, 100] {
        for values in [0, 1, 3] {
            assert_eq!(
                pendings_then_value(&mut Stepper::new(nested(depth, values))),
                (values as usize, values),
                "depth {depth}, {values} values"
            );
        }
    }
}

#[test]
fn a_stepper_answers_finished_after_ready_without_polling_again() {
    let polls = Cell::new(0);
    let mut stepper = Stepper::new(poll_fn(|_| {
        polls.set(polls.get() + 1);
        assert_eq!(polls.get(), 1, "polled after it returned Ready");
        Poll::Ready("done")
    }));
    assert_eq!(stepper.step(), Ok(Poll::Ready("done")));
    assert!(stepper.is_finished());
    assert_eq!(stepper.step(), Err(Finished));
    assert_eq!(stepper.step(), Err(Finished));
    assert_eq!(polls.get(), 1);
}

#[test]
fn a_stepper_polls_nothing_when_created_and_exactly_once_per_step() {
    let polls = Cell::new(0);
    let mut stepper = Stepper::new(poll_fn(|_| {
        polls.set(polls.get() + 1);
        if polls.get() < 3 {
            Poll::Pending
        } else {
            Poll::Ready(polls.get())
        }
    }));
    assert_eq!(polls.get(), 0);
    assert!(!stepper.is_finished());
    assert_eq!(stepper.step(), Ok(Poll::Pending));
    assert_eq!(polls.get(), 1);
    assert_eq!(stepper.step(), Ok(Poll::Pending));
    assert_eq!(polls.get(), 2);
    assert_eq!(stepper.step(), Ok(Poll::Ready(3)));
    assert_eq!(polls.get(), 3);
}

#[test]
fn a_steppers_debug_shows_whether_it_has_finished() {
    let mut stepper = Stepper::new(leaf(0));
    assert_eq!(format!("{stepper:?}"), "Stepper { finished: false, .. }");
    assert_eq!(stepper.step(), Ok(Poll::Ready(0)));
    assert_eq!(format!("{stepper:?}"), "Stepper { finished: true, .. }");
}

#[test]
fn block_on_polls_again_as_long_as_the_future_wakes_itself() {
    let polls = Cell::new(0);
    let value = block_on(poll_fn(|cx| {
        polls.set(polls.get() + 1);
        if polls.get() <= 4 {
            cx.waker().wake_by_ref();
            Poll::Pending
        } else {
            Poll::Ready("five polls")
        }
    }));
    assert_eq!(value, "five polls");
    assert_eq!(polls.get(), 5);
}

/// Runs `body` on a thread of its own and returns its panic message, or
/// says why there is none. A `block_on` that spins instead of panicking is
/// left spinning on that thread (it ends with the test process), and the
/// test fails instead of hanging.
fn panic_message_of(body: impl FnOnce() + Send + 'static) -> Result<String, String> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let outcome = panic::catch_unwind(panic::AssertUnwindSafe(body)).map_err(|payload| {
            payload
                .downcast_ref::<&str>()
                .map(|message| message.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default()
        });
        let _ = sender.send(outcome);
    });
    match receiver.recv_timeout(Duration::from_secs(10)) {
        Ok(Err(message)) => Ok(message),
        Ok(Ok(())) => Err("it returned instead of panicking".to_string()),
        Err(_) => Err("it was still running after 10 s: it spins instead of panicking".to_string()),
    }
}

#[test]
fn block_on_panics_instead_of_spinning_on_a_future_that_never_asks_to_be_woken() {
    let message = panic_message_of(|| block_on(std::future::pending::<()>()))
        .unwrap_or_else(|why| panic!("block_on(pending()) must panic, but {why}"));
    assert!(
        message.starts_with("block_on: the future returned Pending without waking its waker")
            && message.contains("Runtime::block_on"),
        "the message says what happened and what to do instead: {message}"
    );
}

#[test]
fn block_on_panics_on_a_future_that_stops_waking_itself_after_some_real_pauses() {
    let polls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&polls);
    let message = panic_message_of(move || {
        block_on(poll_fn(|cx| {
            // Two pauses that ask to be polled again, then one that does not.
            if counted.fetch_add(1, Ordering::SeqCst) < 2 {
                cx.waker().wake_by_ref();
            }
            Poll::<()>::Pending
        }))
    })
    .unwrap_or_else(|why| panic!("block_on must panic, but {why}"));
    assert!(
        message.contains("without waking its waker"),
        "the message says what happened: {message}"
    );
    assert_eq!(
        polls.load(Ordering::SeqCst),
        3,
        "it panics on the first silent pause"
    );
}

// ---------------------------------------------------------------------------
// Memory figures
// ---------------------------------------------------------------------------

fn memory(virtual_bytes: u64, resident_bytes: u64, mappings: u64) -> Memory {
    Memory {
        virtual_bytes,
        resident_bytes,
        mappings,
    }
}

#[test]
#[cfg(target_os = "linux")]
fn the_memory_figures_of_this_process_are_sane() {
    let now = Memory::now().expect("Linux has /proc/self");
    assert!(now.resident_bytes > 0, "{now:?}");
    assert!(now.resident_bytes <= now.virtual_bytes, "{now:?}");
    assert!(now.mappings > 0, "{now:?}");
}

#[test]
fn growth_per_unit_divides_each_figures_growth_by_the_units() {
    let before = memory(100 << 20, 10 << 20, 200);
    let after = memory(
        (100 << 20) + 1000 * 1028 * 1024,
        (10 << 20) + 1000 * 4096,
        2200,
    );
    let each = after.growth_per_unit(&before, 1000);
    assert_eq!(each.virtual_bytes, 1028.0 * 1024.0);
    assert_eq!(each.resident_bytes, 4096.0);
    assert_eq!(each.mappings, 2.0);

    let halves = memory(0, 0, 3).growth_per_unit(&memory(0, 0, 0), 2);
    assert_eq!(halves.mappings, 1.5);
}

#[test]
fn growth_per_unit_is_negative_for_a_figure_that_shrank() {
    let each = memory(1000, 500, 10).growth_per_unit(&memory(3000, 400, 10), 4);
    assert_eq!(each.virtual_bytes, -500.0);
    assert_eq!(each.resident_bytes, 25.0);
    assert_eq!(each.mappings, 0.0);
}

#[test]
fn growth_per_unit_of_zero_units_is_the_whole_growth() {
    let each = memory(10, 8, 3).growth_per_unit(&memory(4, 2, 1), 0);
    assert_eq!(each.virtual_bytes, 6.0);
    assert_eq!(each.resident_bytes, 6.0);
    assert_eq!(each.mappings, 2.0);
}

#[test]
fn memory_parse_reads_vmsize_and_vmrss_in_kib_and_counts_the_mappings() {
    let status = "Name:\tdemo\nVmPeak:\t    9999 kB\nVmSize:\t    3892 kB\nVmRSS:\t    2060 kB\n";
    let maps =
        "a-b r--p 0 00:00 0 /bin/demo\nc-d rw-p 0 00:00 0 [heap]\ne-f rw-p 0 00:00 0 [stack]\n";
    assert_eq!(
        Memory::parse(status, maps).expect("a well-formed status"),
        memory(3892 * 1024, 2060 * 1024, 3)
    );
}

#[test]
fn memory_parse_names_the_line_it_could_not_find_or_read() {
    let error = Memory::parse("Name:\tdemo\nVmRSS:\t    2060 kB\n", "").unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    assert!(error.to_string().contains("VmSize:"), "{error}");

    let error = Memory::parse("VmSize:\t 3892 kB\nVmRSS:\t lots kB\n", "").unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    assert!(error.to_string().contains("VmRSS:"), "{error}");
}

// ---------------------------------------------------------------------------
// The example
// ---------------------------------------------------------------------------

/// The example's lines, from one run shared by the tests below: two runs at
/// once in one process would each measure the other's allocations.
fn example_lines() -> &'static [String] {
    static LINES: OnceLock<Vec<String>> = OnceLock::new();
    LINES.get_or_init(|| capture(|| example::run(&[])).1)
}

#[test]
fn the_example_prints_the_exact_transcript_with_its_measurements_masked() {
    let lines: Vec<String> = example_lines()
        .iter()
        .map(|line| mask_costs(line))
        .collect();

    let mut expected = vec![
        "[main] -- counter(3) as a hand-written state machine --",
        "[main] new: Start { limit: 3 }",
        "[main] resume(0) -> Ok(Yielded(0)), now Suspended { i: 0, limit: 3, total: 0 }",
        "[main] resume(10) -> Ok(Yielded(1)), now Suspended { i: 1, limit: 3, total: 10 }",
        "[main] resume(20) -> Ok(Yielded(2)), now Suspended { i: 2, limit: 3, total: 30 }",
        "[main] resume(30) -> Ok(Complete(60)), now Done",
        "[main] resume(40) -> Err(Finished), now Done",
        "[main] -- leaf(3), an async fn, polled one step at a time --",
        "[main] step 1 -> Ok(Pending)",
        "[main] step 2 -> Ok(Pending)",
        "[main] step 3 -> Ok(Pending)",
        "[main] step 4 -> Ok(Ready(3))",
        "[main] step 5 -> Err(Finished)",
        "[main] nested(10, 3): 3 steps -> Pending, then Ready(3); block_on(nested(10, 3)) = 3",
        "[cost] sizes, fixed at compile time: a Counter N bytes, a leaf future N bytes, \
         one link of nested N bytes (each link in a box of its own)",
    ];
    if Memory::now().is_ok() {
        expected.extend([
            "[main] -- memory per paused unit: this process's growth, divided by the count --",
            "[cost] N,N coroutines (chapter N, N MiB stacks), each paused once: \
             N KiB virtual, N KiB resident, N mappings each",
            "[cost] N,N tasks asleep on chapter N's scheduler (N KiB stacks): \
             N KiB virtual, N KiB resident, N mappings each",
            "[cost] N,N leaf futures, boxed and polled once: \
             N bytes virtual, N bytes resident, N mappings each",
            "[cost] N,N tokio tasks parked on a current-thread runtime: \
             N bytes virtual, N bytes resident, N mappings each",
            "[cost] N threads blocked on a channel (std's default stack): \
             N KiB virtual, N KiB resident, N mappings each",
            "[main] cleaned up: 100 threads joined, the tokio runtime and the scheduler dropped, \
             every future and coroutine dropped",
        ]);
    } else {
        expected.push(
            "[main] memory figures come from Linux's /proc/self, which this system does not \
             have: the memory part is skipped",
        );
    }
    assert_eq!(lines, expected);
}

#[test]
#[cfg(target_os = "linux")]
fn the_example_measures_two_mappings_per_coroutine_and_task_stack() {
    let lines = example_lines();
    // A stack and its guard page: two mappings per coroutine and per
    // chapter 6 task. A test running beside this one, in the same process,
    // may map or unmap a few while the example counts: hence the margin.
    for prefix in ["[cost] 1,000 coroutines", "[cost] 1,000 tasks asleep"] {
        let line = lines
            .iter()
            .find(|line| line.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line starting {prefix:?} in {lines:#?}"));
        let mappings: f64 = line
            .rsplit(", ")
            .next()
            .and_then(|last| last.strip_suffix(" mappings each"))
            .and_then(|number| number.parse().ok())
            .unwrap_or_else(|| panic!("no mapping count in {line:?}"));
        assert!((1.9..2.6).contains(&mappings), "{line}");
    }
}

#[test]
#[ignore = "exits the process on purpose; started in a child process by the test below"]
fn child_runs_the_example_with_an_unknown_flag() {
    if child::is_child("child_runs_the_example_with_an_unknown_flag") {
        example::run(&["--fast".to_string()]);
        println!("the example ran anyway");
    }
}

#[test]
fn the_example_refuses_an_unknown_flag_with_its_usage_and_exit_code_2() {
    let output = child::run("child_runs_the_example_with_an_unknown_flag");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(
            "[error] unknown argument \"--fast\": this example takes no options\n\
             [usage] cargo run --example ch08_cost_of_a_switch (no options; --help prints this)\n"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("the example ran anyway"), "{stdout}");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn the_example_prints_its_usage_for_help_and_runs_nothing_else() {
    let (_, lines) = yieldpoint::output::capture(|| example::run(&["--help".to_string()]));
    assert_eq!(
        lines,
        ["[usage] cargo run --example ch08_cost_of_a_switch (no options; --help prints this)"]
    );
}
