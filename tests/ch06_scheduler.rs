//! Chapter 6's tests. They also judge the rebuild exercise (6.6):
//! `cargo test --features exercise-ch06 --test ch06_scheduler -- --skip exercises::`.
//! The small exercises' tests are in `ch06_scheduler/exercises.rs`.
//!
//! Everything about time and order runs on the virtual clock, where time
//! stands still while tasks run and jumps to the next deadline when none is
//! ready: the times and counts below are exact, and no test depends on how
//! fast this machine is. The one test on the real clock counts resumes, not
//! seconds.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use yieldpoint::ch02_coroutines::{Generator, GeneratorState};
use yieldpoint::ch06_scheduler::{
    Cause, Clock, EventKind, JoinHandle, POOL_LIMIT, Resume, SchedError, Scheduler, StuckTask,
    Wait, call_soon, now, park, sleep, spawn, stop, waker, yield_now,
};
use yieldpoint::output::capture;
use yieldpoint::say;

#[allow(dead_code)]
#[path = "../examples/ch06_scheduler.rs"]
mod example;

// The small exercises' tests: `cargo test --test ch06_scheduler -- exercises::`.
#[path = "ch06_scheduler/exercises.rs"]
mod exercises;

const SECOND: Duration = Duration::from_secs(1);

fn virtual_scheduler() -> Scheduler {
    Scheduler::new(Clock::Virtual)
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|arg| arg.to_string()).collect()
}

/// Counts how many times it is dropped: put one on a task's stack to see
/// the task's stack being unwound.
struct DropCounter(Rc<Cell<u32>>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

/// Runs `program` as main on a new virtual scheduler; returns the lines it
/// said and the time the clock reads at the end.
fn run_virtual<T: 'static>(
    program: impl FnOnce() -> Result<T, SchedError> + 'static,
) -> (Vec<String>, Duration) {
    let scheduler = virtual_scheduler();
    let (outcome, lines) = capture(|| scheduler.run_until_complete(program));
    if let Err(error) = outcome {
        panic!("the program failed: {error}\n{lines:#?}");
    }
    (lines, scheduler.now())
}

// ---- the example ----

const STEP_10: [&str; 14] = [
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

#[test]
fn the_example_on_the_virtual_clock_prints_step_10_both_bills_the_orderings_and_the_quiz() {
    let (_, lines) = capture(|| example::run(&args(&["--clock", "virtual"])));
    let mut expected: Vec<&str> =
        vec!["[demo] Step 10 on the scheduler: unit 100ms, clock: virtual"];
    expected.extend(STEP_10);
    expected.extend([
        "[scheduler] 16 resumes; the virtual clock reads 1.000 s",
        "[cost] (chapter 6)",
        "[demo] The same program on chapter 5's loop, on ticks of 1ms, on a second thread meanwhile",
        "[loop] the same 14 lines; 2003 resumes in 1002 rounds",
        "[cost] (chapter 5)",
        "[demo] create_task(X), then await Y() directly: Y runs inline, before X",
        "[main] Y runs",
        "[X] X runs",
        "[demo] create_task(X), create_task(Y), then await Y: first in, first out",
        "[X] X runs",
        "[Y] Y runs",
        "[demo] Tasks created in the order T1, T3, T2; only T1 sleeps",
        "[main] main start",
        "[main] main middle",
        "[T1] T1 start",
        "[T3] T3 start",
        "[T3] T3 end",
        "[T2] T2 start",
        "[T2] T2 end",
        "[T1] T1 end",
        "[main] main end",
        "[demo] Quiz: await say_after(1, \"hello\"), then await say_after(2, \"world\")",
        "[main] started at 0.000 s",
        "[main] hello",
        "[main] world",
        "[main] finished at 3.000 s",
        "[demo] Quiz: the same two, created as tasks first",
        "[main] started at 0.000 s",
        "[task1] hello",
        "[task2] world",
        "[main] finished at 2.000 s",
        "[demo] One after the other: 3 s; as tasks: 2 s",
    ]);
    assert_eq!(lines.len(), expected.len(), "{lines:#?}");
    for (line, want) in lines.iter().zip(&expected) {
        if want.starts_with("[cost] (") {
            // Measured: only the shape is fixed.
            assert!(
                line.starts_with("[cost] CPU time ") && line.contains(" s, wall time "),
                "{line}"
            );
        } else {
            assert_eq!(line, want);
        }
    }
}

#[test]
fn the_example_reads_its_unit_clock_and_trace_options_from_the_command_line() {
    let defaults = example::parse_args(&[]).unwrap();
    assert_eq!(defaults.unit, Duration::from_millis(100));
    assert_eq!(defaults.clock, Clock::Real);
    assert!(!defaults.trace && !defaults.crowd);
    assert_eq!(defaults.trace_json, None);
    let all = example::parse_args(&args(&[
        "--unit",
        "1s",
        "--clock",
        "virtual",
        "--trace",
        "--trace-json",
        "out.json",
        "--crowd",
    ]))
    .unwrap();
    assert_eq!(all.unit, SECOND);
    assert_eq!(all.clock, Clock::Virtual);
    assert!(all.trace && all.crowd);
    assert_eq!(all.trace_json.as_deref(), Some("out.json"));
}

#[test]
fn the_example_refuses_bad_arguments_with_a_message_naming_them() {
    let problem = |list: &[&str]| example::parse_args(&args(list)).unwrap_err();
    assert_eq!(
        problem(&["--clock", "ticks"]),
        "--clock ticks: the clock is either `real` or `virtual`"
    );
    assert_eq!(problem(&["--trace-json"]), "--trace-json needs a value");
    assert_eq!(problem(&["--fast"]), "unknown argument \"--fast\"");
    assert!(problem(&["--unit", "1h"]).starts_with("--unit 1h: "));
}

#[test]
fn the_example_with_trace_draws_step_10_as_a_diagram_of_61_events() {
    let (_, lines) = capture(|| example::run(&args(&["--clock", "virtual", "--trace"])));
    let diagram: Vec<&String> = lines
        .iter()
        .filter(|line| line.starts_with("[trace] "))
        .collect();
    // A header, a rule, and one row per event.
    assert_eq!(diagram.len(), 2 + 61, "{diagram:#?}");
    assert_eq!(
        diagram[0],
        "[trace]  time | main                | countdown"
    );
    assert_eq!(diagram[2], "[trace] 0.000 | spawned             |");
    assert_eq!(diagram[62], "[trace] 1.000 | = done              |");
}

#[test]
fn a_relative_trace_file_is_written_where_the_caller_is_and_named_in_full() {
    use std::path::PathBuf;
    let caller = PathBuf::from("/home/learner/notes");
    let current = PathBuf::from("/srv/yieldpoint");
    // Through the course runner, which says where its caller was.
    assert_eq!(
        example::resolve_against("trace.json", Some(caller.clone()), Some(current.clone())),
        caller.join("trace.json")
    );
    // Through `cargo run --example`: the current directory.
    assert_eq!(
        example::resolve_against("trace.json", None, Some(current.clone())),
        current.join("trace.json")
    );
    // An absolute path stays as it is.
    assert_eq!(
        example::resolve_against("/tmp/t.json", Some(caller), Some(current)),
        PathBuf::from("/tmp/t.json")
    );
}

#[test]
fn the_example_with_trace_json_writes_a_chrome_trace_file() {
    let path = std::env::temp_dir().join(format!("ch06-trace-{}.json", std::process::id()));
    let path_text = path.display().to_string();
    let (_, lines) =
        capture(|| example::run(&args(&["--clock", "virtual", "--trace-json", &path_text])));
    let written = std::fs::read_to_string(&path).expect("the example wrote the file");
    std::fs::remove_file(&path).ok();
    assert!(lines.contains(&format!(
        "[trace] wrote 61 events to {path_text}: open it in https://ui.perfetto.dev"
    )));
    assert!(written.starts_with("[\n{") && written.ends_with("}\n]\n"));
    assert!(written.contains(r#""args":{"name":"countdown"}"#));
}

// ---- step 10 ----

#[test]
fn step_10_on_the_virtual_clock_takes_16_resumes_and_ends_at_ten_units() {
    // 11 resumes of the countdown (its first, and one per tick) and 5 of
    // main (its first, after its nap, after each sleep in do_stuff and
    // do_more_stuff, and when the countdown is done): only resumes that do
    // visible work.
    let unit = Duration::from_millis(100);
    let scheduler = virtual_scheduler();
    let (outcome, lines) =
        capture(|| scheduler.run_until_complete(move || example::main_task(unit)));
    assert_eq!(outcome, Ok(()));
    assert_eq!(lines, STEP_10);
    assert_eq!(scheduler.resumes(), 16);
    assert_eq!(scheduler.now(), 10 * unit);
    assert_eq!(scheduler.live_tasks(), 0);
}

#[test]
fn step_10_costs_16_resumes_whatever_the_unit() {
    for unit in [Duration::from_millis(1), SECOND, 3600 * SECOND] {
        let scheduler = virtual_scheduler();
        let (outcome, lines) =
            capture(|| scheduler.run_until_complete(move || example::main_task(unit)));
        assert_eq!(outcome, Ok(()), "unit {unit:?}");
        assert_eq!(lines, STEP_10, "unit {unit:?}");
        assert_eq!(scheduler.resumes(), 16, "unit {unit:?}");
        assert_eq!(scheduler.now(), 10 * unit, "unit {unit:?}");
    }
}

#[test]
fn on_the_real_clock_a_sleeping_task_blocks_the_thread_instead_of_being_resumed() {
    // Chapter 5's loop resumes a sleeper thousands of times in 20 ms. Here
    // the task runs once, the thread sleeps until the deadline, and the task
    // runs once more.
    let scheduler = Scheduler::new(Clock::Real).with_trace();
    let outcome = scheduler.run_until_complete(|| sleep(Duration::from_millis(20)));
    assert_eq!(outcome, Ok(()));
    assert_eq!(scheduler.resumes(), 2);
    let idles = scheduler
        .trace()
        .events
        .iter()
        .filter(|event| matches!(event.kind, EventKind::Idle { .. }))
        .count();
    // One wait until the deadline; an idle_until that returned without
    // blocking would make the scheduler go round and round, idling each time.
    assert!(
        (1..=2).contains(&idles),
        "expected one blocking wait, saw {idles} idle events"
    );
}

// ---- asyncio's orderings ----

#[test]
fn spawning_x_then_awaiting_a_plain_function_y_runs_y_inline_before_x() {
    let (lines, _) = run_virtual(example::spawn_x_then_call_y);
    assert_eq!(lines, ["[main] Y runs", "[X] X runs"]);
}

#[test]
fn spawning_x_and_y_then_joining_y_runs_x_first_because_the_ready_queue_is_fifo() {
    let (lines, _) = run_virtual(example::spawn_x_and_y_then_join_y);
    assert_eq!(lines, ["[X] X runs", "[Y] Y runs"]);
}

#[test]
fn tasks_created_t1_t3_t2_start_in_that_order_and_the_sleeper_ends_last() {
    let (lines, end) = run_virtual(example::t1_t3_t2);
    assert_eq!(
        lines,
        [
            "[main] main start",
            "[main] main middle",
            "[T1] T1 start",
            "[T3] T3 start",
            "[T3] T3 end",
            "[T2] T2 start",
            "[T2] T2 end",
            "[T1] T1 end",
            "[main] main end",
        ]
    );
    assert_eq!(end, SECOND);
}

#[test]
fn awaiting_say_after_twice_takes_3_seconds_and_creating_tasks_first_takes_2() {
    let (lines, end) = run_virtual(example::quiz_one_after_the_other);
    assert_eq!(
        lines,
        [
            "[main] started at 0.000 s",
            "[main] hello",
            "[main] world",
            "[main] finished at 3.000 s",
        ]
    );
    assert_eq!(end, 3 * SECOND);
    let (lines, end) = run_virtual(example::quiz_as_tasks);
    assert_eq!(
        lines,
        [
            "[main] started at 0.000 s",
            "[task1] hello",
            "[task2] world",
            "[main] finished at 2.000 s",
        ]
    );
    assert_eq!(end, 2 * SECOND);
}

#[test]
fn a_spawned_task_does_not_run_until_the_spawner_suspends() {
    let (lines, _) = run_virtual(|| {
        let child = spawn("child", || {
            say!("child", "runs");
            Ok::<(), SchedError>(())
        })?;
        say!("main", "spawned; finished yet? {}", child.done());
        say!("main", "still main's turn");
        yield_now()?;
        say!("main", "after one turn; finished yet? {}", child.done());
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[main] spawned; finished yet? false",
            "[main] still main's turn",
            "[child] runs",
            "[main] after one turn; finished yet? true",
        ]
    );
}

#[test]
fn tasks_spawned_before_the_run_go_ahead_of_main() {
    let scheduler = virtual_scheduler();
    let early = scheduler
        .spawn("early", || {
            say!("early", "runs");
            Ok::<(), SchedError>(())
        })
        .unwrap();
    assert_eq!(early.id().number(), 0);
    assert_eq!(early.id().to_string(), "T0");
    let (outcome, lines) = capture(|| {
        scheduler.run_until_complete(|| {
            say!("main", "runs");
            Ok::<_, SchedError>(7)
        })
    });
    assert_eq!(outcome, Ok(7));
    assert_eq!(lines, ["[early] runs", "[main] runs"]);
}

#[test]
fn after_main_ends_the_tasks_ready_then_get_one_more_step_as_in_asyncio() {
    // asyncio.run(main()) where main spawns `a` and returns: CPython 3.11
    // prints "main end", then "a first step", and never "a second step"
    // (its loop stops after the pass that runs its stop callback).
    let scheduler = virtual_scheduler();
    let (outcome, lines) = capture(|| {
        scheduler.run_until_complete(|| {
            spawn("a", || {
                say!("a", "first step");
                sleep(Duration::ZERO)?;
                say!("a", "second step");
                Ok::<(), SchedError>(())
            })?;
            say!("main", "main end");
            Ok::<(), SchedError>(())
        })
    });
    assert_eq!(outcome, Ok(()));
    assert_eq!(lines, ["[main] main end", "[a] first step"]);
    assert_eq!(scheduler.live_tasks(), 1, "`a` is still alive, ready");
    // Running again carries on with it.
    let (_, lines) = capture(|| scheduler.run_until_complete(|| Ok::<(), SchedError>(())));
    assert_eq!(lines, ["[a] second step"]);
    assert_eq!(scheduler.live_tasks(), 0);
}

#[test]
fn sleep_zero_and_yield_now_take_turns_in_ready_queue_order() {
    fn taker(name: &'static str, zero_sleep: bool) -> impl FnOnce() -> Result<(), SchedError> {
        move || {
            for i in 0..3 {
                say!(name, "{i}");
                if zero_sleep {
                    sleep(Duration::ZERO)?;
                } else {
                    yield_now()?;
                }
            }
            Ok(())
        }
    }
    let (lines, end) = run_virtual(|| {
        let a = spawn("a", taker("a", true))?;
        let b = spawn("b", taker("b", false))?;
        a.join()?;
        b.join()?;
        Ok(())
    });
    // CPython 3.11, with asyncio.sleep(0) in both: a 0, b 0, a 1, b 1, a 2, b 2.
    assert_eq!(
        lines,
        ["[a] 0", "[b] 0", "[a] 1", "[b] 1", "[a] 2", "[b] 2"]
    );
    assert_eq!(end, Duration::ZERO, "a zero sleep sets no timer");
}

#[test]
fn sleep_zero_gives_the_other_ready_tasks_a_turn_before_the_caller_goes_on() {
    let (lines, _) = run_virtual(|| {
        spawn("other", || {
            say!("other", "my turn");
            Ok::<(), SchedError>(())
        })?;
        say!("main", "before sleep(0)");
        sleep(Duration::ZERO)?;
        say!("main", "after sleep(0)");
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[main] before sleep(0)",
            "[other] my turn",
            "[main] after sleep(0)"
        ]
    );
}

#[test]
fn timers_with_equal_deadlines_fire_in_the_order_they_were_set() {
    // Each task sleeps until 1 s, but they set their timers in the order
    // c, b, a (a yields twice first, b once): they wake in that order, not
    // in spawn order.
    fn sleeper(name: &'static str, turns_first: u32) -> impl FnOnce() -> Result<(), SchedError> {
        move || {
            for _ in 0..turns_first {
                yield_now()?;
            }
            say!(name, "sets its timer");
            sleep(SECOND - now()?)?;
            say!(name, "wakes at {:?}", now()?);
            Ok(())
        }
    }
    let (lines, end) = run_virtual(|| {
        let handles = [
            spawn("a", sleeper("a", 2))?,
            spawn("b", sleeper("b", 1))?,
            spawn("c", sleeper("c", 0))?,
        ];
        for handle in &handles {
            handle.join()?;
        }
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[c] sets its timer",
            "[b] sets its timer",
            "[a] sets its timer",
            "[c] wakes at 1s",
            "[b] wakes at 1s",
            "[a] wakes at 1s",
        ]
    );
    assert_eq!(end, SECOND);
}

#[test]
fn timers_fire_in_deadline_order_and_the_virtual_clock_jumps_to_each_deadline() {
    let (lines, end) = run_virtual(|| {
        let mut handles = Vec::new();
        for (name, secs) in [("three", 3), ("one", 1), ("two", 2)] {
            handles.push(spawn(name, move || {
                sleep(secs * SECOND)?;
                say!(name, "wakes at {:?}", now()?);
                Ok::<(), SchedError>(())
            })?);
        }
        for handle in &handles {
            handle.join()?;
        }
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[one] wakes at 1s",
            "[two] wakes at 2s",
            "[three] wakes at 3s"
        ]
    );
    assert_eq!(end, 3 * SECOND);
}

#[test]
fn an_hour_of_virtual_sleep_ends_at_once_and_an_endless_one_does_not_overflow() {
    let (_, end) = run_virtual(|| sleep(3600 * SECOND));
    assert_eq!(end, 3600 * SECOND);
    let (_, end) = run_virtual(|| {
        sleep(SECOND)?;
        sleep(Duration::MAX) // now + MAX saturates instead of panicking
    });
    assert_eq!(end, Duration::MAX);
}

#[test]
fn timers_left_behind_by_early_wake_ups_are_thrown_away_so_the_heap_stays_small() {
    // Each round parks with an hour's deadline and is woken at once by a
    // callback: its timer is left in the heap, no longer wanted. Without
    // asyncio's housekeeping the heap would hold 10,000 of them; with it, a
    // heap of over 100 timers that is more than half stale is rebuilt.
    let scheduler = Rc::new(virtual_scheduler());
    let watched = Rc::clone(&scheduler);
    let outcome = scheduler.run_until_complete(move || {
        let mut sizes = Vec::new();
        for _ in 0..10_000 {
            let waker = waker()?;
            call_soon(move || {
                waker.wake();
            })?;
            let deadline = now()? + 3600 * SECOND;
            assert_eq!(park(Some(deadline))?, Resume::Ready);
            sizes.push(watched.pending_timers());
        }
        Ok::<_, SchedError>(sizes)
    });
    let sizes = outcome.expect("main parks and returns");
    // The heap grows by one stale timer a round; once it holds 101 timers,
    // 100 of them stale, the next iteration rebuilds it with only the one
    // still wanted (the round's own), which is then left behind in turn.
    assert_eq!(sizes[..3], [1, 2, 3]);
    assert_eq!(sizes[98..102], [99, 100, 1, 2]);
    assert_eq!(sizes.iter().max(), Some(&100));
    assert_eq!(sizes.iter().filter(|&&size| size == 1).count(), 100);
    // Nobody slept: the clock never moved.
    assert_eq!(scheduler.now(), Duration::ZERO);
}

// ---- joins ----

#[test]
fn tasks_that_spawn_tasks_pass_their_values_back_up_the_joins() {
    let (lines, _) = run_virtual(|| {
        let parent = spawn("parent", || {
            say!("parent", "spawns child");
            let child = spawn("child", || {
                say!("child", "spawns grandchild");
                let grandchild = spawn("grandchild", || {
                    say!("grandchild", "returns 1");
                    Ok::<u32, SchedError>(1)
                })?;
                Ok::<u32, SchedError>(grandchild.join()? + 1)
            })?;
            say!("parent", "joins child");
            Ok::<u32, SchedError>(child.join()? + 1)
        })?;
        let value = parent.join()?;
        say!("main", "got {value}");
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[parent] spawns child",
            "[parent] joins child",
            "[child] spawns grandchild",
            "[grandchild] returns 1",
            "[main] got 3",
        ]
    );
}

#[test]
fn joining_a_finished_task_returns_its_value_at_once_without_suspending() {
    let scheduler = virtual_scheduler().with_trace();
    let outcome = scheduler.run_until_complete(|| {
        let quick = spawn("quick", || Ok::<u32, SchedError>(42))?;
        yield_now()?; // quick runs and finishes during this turn
        assert!(quick.done());
        let first = quick.join()?;
        let second = quick.join()?; // again: still at once
        Ok::<u32, SchedError>(first + second)
    });
    assert_eq!(outcome, Ok(84));
    // main twice (its first step, after its yield), quick once: no resume
    // was spent on the joins.
    assert_eq!(scheduler.resumes(), 3);
    let joined = scheduler
        .trace()
        .events
        .iter()
        .any(|event| matches!(event.kind, EventKind::Suspended(Wait::Task(_))));
    assert!(!joined, "no task suspended to join");
}

#[test]
fn nested_joins_wake_from_the_inside_out_one_pass_apart() {
    let scheduler = virtual_scheduler().with_trace();
    let outcome = scheduler.run_until_complete(|| {
        let outer = spawn("outer", || {
            let inner = spawn("inner", || {
                let innermost = spawn("innermost", || {
                    sleep(SECOND)?;
                    Ok::<&str, SchedError>("deep")
                })?;
                innermost.join()
            })?;
            inner.join()
        })?;
        outer.join()
    });
    assert_eq!(outcome, Ok("deep"));
    assert_eq!(scheduler.now(), SECOND);
    let woken: Vec<String> = scheduler
        .trace()
        .events
        .iter()
        .filter_map(|event| match event.kind {
            EventKind::Woken(Cause::Timer) => Some(format!("{} by timer", event.task.unwrap())),
            EventKind::Woken(Cause::Joined(by)) => Some(format!("{} by {by}", event.task.unwrap())),
            _ => None,
        })
        .collect();
    assert_eq!(woken, ["T3 by timer", "T2 by T3", "T1 by T2", "T0 by T1"]);
}

#[test]
fn a_chain_of_500_tasks_each_joining_the_next_unwinds_to_500() {
    fn link(depth: u32) -> Result<u32, SchedError> {
        if depth == 0 {
            sleep(SECOND)?;
            return Ok(0);
        }
        let next = spawn("link", move || link(depth - 1))?;
        Ok(next.join()? + 1)
    }
    let scheduler = virtual_scheduler();
    let outcome = scheduler.run_until_complete(|| link(500));
    assert_eq!(outcome, Ok(500));
    assert_eq!(scheduler.now(), SECOND);
    // Every link: its first step, and its wake-up when the next is done;
    // the last one sleeps instead of joining.
    assert_eq!(scheduler.resumes(), 2 * 501);
    assert_eq!(scheduler.live_tasks(), 0);
    assert_eq!(scheduler.pooled_stacks(), 501);
}

#[test]
fn two_tasks_joining_the_same_task_wake_in_the_order_they_joined() {
    let (lines, _) = run_virtual(|| {
        let slow = spawn("slow", || sleep(SECOND))?;
        let mut waiters = Vec::new();
        for name in ["first", "second"] {
            let slow = slow.clone();
            waiters.push(spawn(name, move || {
                slow.join()?;
                say!(name, "saw slow finish");
                Ok::<(), SchedError>(())
            })?);
        }
        for waiter in &waiters {
            waiter.join()?;
        }
        Ok(())
    });
    assert_eq!(
        lines,
        ["[first] saw slow finish", "[second] saw slow finish"]
    );
}

// ---- the trace ----

// ANCHOR: diagram_test
#[test]
fn the_trace_of_t1_t3_t2_draws_this_exact_diagram() {
    let scheduler = virtual_scheduler().with_trace();
    let (outcome, _) = capture(|| scheduler.run_until_complete(example::t1_t3_t2));
    assert_eq!(outcome, Ok(()));
    // (The literal starts with a line break, so that its first row lines up.)
    let expected = "
 time | main         | T1              | T3              | T2
------+--------------+-----------------+-----------------+-----------------
0.000 | spawned      |                 |                 |
0.000 | > runs       |                 |                 |
0.000 |              | spawned by main |                 |
0.000 |              |                 | spawned by main |
0.000 |              |                 |                 | spawned by main
0.000 | | joins T1   |                 |                 |
0.000 |              | > runs          |                 |
0.000 |              | | sleeps to 1   |                 |
0.000 |              |                 | > runs          |
0.000 |              |                 | = done          |
0.000 |              |                 |                 | > runs
0.000 |              |                 |                 | = done
0.000 | (idle until 1.000)
1.000 |              | * timer fires   |                 |
1.000 |              | > runs          |                 |
1.000 |              | = done          |                 |
1.000 | * T1 is done |                 |                 |
1.000 | > runs       |                 |                 |
1.000 | = done       |                 |                 |
";
    assert_eq!(format!("\n{}", scheduler.trace().diagram()), expected);
}
// ANCHOR_END: diagram_test

#[test]
fn the_chrome_json_has_one_thread_name_per_task_and_one_record_per_line() {
    let scheduler = virtual_scheduler().with_trace();
    let (outcome, _) = capture(|| scheduler.run_until_complete(example::t1_t3_t2));
    assert_eq!(outcome, Ok(()));
    let trace = scheduler.trace();
    assert_eq!(
        trace
            .tasks()
            .iter()
            .map(|(id, name)| format!("{id} {name}"))
            .collect::<Vec<_>>(),
        ["T0 main", "T1 T1", "T2 T3", "T3 T2"]
    );
    let json = trace.chrome_json();
    assert!(json.starts_with("[\n") && json.ends_with("\n]\n"), "{json}");
    let records: Vec<&str> = json
        .trim_start_matches("[\n")
        .trim_end_matches("\n]\n")
        .split(",\n")
        .collect();
    for record in &records {
        assert!(record.starts_with('{') && record.ends_with('}'), "{record}");
        assert_eq!(
            record.matches('{').count(),
            record.matches('}').count(),
            "{record}"
        );
        assert_eq!(record.matches('"').count() % 2, 0, "{record}");
    }
    let thread_names: Vec<&&str> = records
        .iter()
        .filter(|record| record.starts_with(r#"{"name":"thread_name""#))
        .collect();
    // One per task, plus the scheduler's own (its idle time).
    assert_eq!(thread_names.len(), 4 + 1);
    for (tid, name) in ["scheduler", "main", "T1", "T3", "T2"].iter().enumerate() {
        let record = format!(
            r#"{{"name":"thread_name","ph":"M","pid":1,"tid":{tid},"args":{{"name":"{name}"}}}}"#
        );
        assert!(records.contains(&record.as_str()), "missing {record}");
    }
    // One slice from each resume to the suspension or end that follows it.
    let steps = records
        .iter()
        .filter(|record| record.starts_with(r#"{"name":"step","ph":"X""#))
        .count();
    assert_eq!(steps as u64, scheduler.resumes());
    assert!(records.contains(&r#"{"name":"idle","ph":"X","pid":1,"tid":0,"ts":0,"dur":1000000}"#));
}

#[test]
fn a_scheduler_without_tracing_records_nothing() {
    let scheduler = virtual_scheduler();
    let (outcome, _) = capture(|| scheduler.run_until_complete(example::t1_t3_t2));
    assert_eq!(outcome, Ok(()));
    assert!(scheduler.resumes() > 0);
    assert!(scheduler.trace().events.is_empty());
    assert_eq!(
        scheduler.trace().diagram(),
        "time\n-----\n",
        "an empty diagram is only its header"
    );
}

// ---- what can go wrong ----

#[test]
fn a_cycle_of_joins_is_a_deadlock_naming_each_stuck_task_and_what_it_waits_for() {
    let dropped = Rc::new(Cell::new(0));
    let scheduler = virtual_scheduler();
    let guard = Rc::clone(&dropped);
    let outcome = scheduler.run_until_complete(move || {
        // B needs A's handle, which exists only once A is spawned.
        let a_handle: Rc<RefCell<Option<JoinHandle<()>>>> = Rc::default();
        let for_b = Rc::clone(&a_handle);
        let b = spawn("B", move || {
            let _held = DropCounter(guard);
            let a = for_b.borrow().clone().expect("A was spawned");
            let _ = a.join();
            Ok::<(), SchedError>(())
        })?;
        let a = spawn("A", move || {
            let _ = b.join();
            Ok::<(), SchedError>(())
        })?;
        *a_handle.borrow_mut() = Some(a.clone());
        a.join()
    });
    let Err(SchedError::Deadlock(stuck)) = outcome else {
        panic!("expected a deadlock, got {outcome:?}");
    };
    let described: Vec<String> = stuck.iter().map(StuckTask::to_string).collect();
    assert_eq!(
        described,
        [
            "main (T0) waits for A (T2)",
            "B (T1) waits for A (T2)",
            "A (T2) waits for B (T1)",
        ]
    );
    assert_eq!(
        SchedError::Deadlock(stuck).to_string(),
        "deadlock: nothing is ready and no timer is pending, so no task can go on: \
         main (T0) waits for A (T2); B (T1) waits for A (T2); A (T2) waits for B (T1)"
    );
    // The stuck tasks were cancelled: their stacks unwound.
    assert_eq!(scheduler.live_tasks(), 0);
    assert_eq!(dropped.get(), 1);
}

#[test]
fn a_task_joining_itself_is_refused() {
    let (lines, _) = run_virtual(|| {
        let own: Rc<RefCell<Option<JoinHandle<()>>>> = Rc::default();
        let inside = Rc::clone(&own);
        let selfish = spawn("selfish", move || {
            let me = inside.borrow().clone().expect("set before it runs");
            let refused = me.join();
            say!("selfish", "{}", refused.unwrap_err());
            Ok::<(), SchedError>(())
        })?;
        *own.borrow_mut() = Some(selfish.clone());
        selfish.join()
    });
    assert_eq!(
        lines,
        [
            "[selfish] task \"selfish\" tried to wait for itself, which would wait forever; \
             wait for another task"
        ]
    );
}

#[test]
fn joining_a_task_of_another_scheduler_is_refused() {
    let elsewhere = virtual_scheduler();
    let foreign = elsewhere
        .spawn("stranger", || Ok::<u32, SchedError>(1))
        .unwrap();
    let scheduler = virtual_scheduler();
    let outcome = scheduler.run_until_complete(move || Ok::<_, SchedError>(foreign.join()));
    let refused = SchedError::ForeignTask {
        task: "stranger".to_string(),
    };
    assert_eq!(outcome, Ok(Err(refused.clone())));
    assert_eq!(
        refused.to_string(),
        "task \"stranger\" belongs to another scheduler; a task can only wait for tasks of \
         the scheduler it runs on"
    );
}

#[test]
fn outside_a_task_every_scheduler_operation_says_not_in_task() {
    let not_in = |operation| SchedError::NotInTask { operation };
    assert_eq!(sleep(SECOND), Err(not_in("sleep")));
    assert_eq!(sleep(Duration::ZERO), Err(not_in("sleep")));
    assert_eq!(yield_now(), Err(not_in("yield_now")));
    assert_eq!(now(), Err(not_in("now")));
    assert_eq!(
        spawn("x", || Ok::<(), SchedError>(())).unwrap_err(),
        not_in("spawn")
    );
    let scheduler = virtual_scheduler();
    let pending = scheduler
        .spawn("pending", || Ok::<(), SchedError>(()))
        .unwrap();
    assert_eq!(pending.join(), Err(not_in("join")));
    assert!(
        not_in("sleep")
            .to_string()
            .starts_with("sleep() was called outside a task")
    );
}

#[test]
fn sleeping_in_a_generator_nested_in_a_task_is_refused_instead_of_unsound() {
    let scheduler = virtual_scheduler();
    let outcome = scheduler.run_until_complete(|| {
        // A chapter 2 generator, with a stack of its own, inside main.
        let mut nested = Generator::<(), (), _>::new(|_, ()| sleep(SECOND));
        Ok::<_, SchedError>(nested.resume(()))
    });
    let refused = SchedError::NotOnTaskStack {
        operation: "sleep",
        task: "main".to_string(),
    };
    assert_eq!(outcome, Ok(Ok(GeneratorState::Complete(Err(refused)))));
    assert_eq!(scheduler.now(), Duration::ZERO, "nothing slept");
}

#[test]
fn starting_a_scheduler_inside_a_running_one_says_nested_loop() {
    let scheduler = virtual_scheduler();
    let outcome = scheduler.run_until_complete(|| {
        Ok::<_, SchedError>(virtual_scheduler().run_until_complete(|| Ok::<u32, SchedError>(1)))
    });
    assert_eq!(outcome, Ok(Err(SchedError::NestedLoop)));
}

#[test]
fn a_destructor_that_sleeps_while_its_task_panics_is_refused_and_the_rest_goes_on() {
    struct SleepsOnDrop(Rc<RefCell<Option<Result<(), SchedError>>>>);
    impl Drop for SleepsOnDrop {
        fn drop(&mut self) {
            *self.0.borrow_mut() = Some(sleep(SECOND));
        }
    }
    let seen: Rc<RefCell<Option<Result<(), SchedError>>>> = Rc::default();
    let in_task = Rc::clone(&seen);
    let (lines, _) = run_virtual(move || {
        let doomed = spawn("doomed", move || -> Result<(), SchedError> {
            let _cleanup = SleepsOnDrop(in_task);
            panic!("boom");
        })?;
        let other = spawn("other", || {
            say!("other", "still runs");
            Ok::<(), SchedError>(())
        })?;
        let panicked = doomed.join();
        say!("main", "{}", panicked.unwrap_err());
        other.join()?;
        Ok(())
    });
    assert_eq!(
        *seen.borrow(),
        Some(Err(SchedError::Unwinding { operation: "sleep" }))
    );
    assert_eq!(
        lines,
        [
            "[other] still runs",
            "[main] task \"doomed\" (T1) panicked: boom"
        ]
    );
}

#[test]
fn a_panicking_task_gives_its_joiner_the_panic_and_the_others_keep_running() {
    let (lines, end) = run_virtual(|| {
        let steady = spawn("steady", || {
            for i in 1..=3 {
                sleep(SECOND)?;
                say!("steady", "tick {i}");
            }
            Ok::<(), SchedError>(())
        })?;
        let fragile = spawn("fragile", || -> Result<(), SchedError> {
            sleep(SECOND + SECOND / 2)?;
            panic!("fragile broke");
        })?;
        let outcome = fragile.join();
        say!("main", "{}", outcome.unwrap_err());
        let again = fragile.join().unwrap_err();
        let failure = again.failure().expect("a failure");
        assert!(failure.is_panic());
        assert_eq!(failure.message(), "fragile broke");
        assert_eq!(failure.task(), "fragile");
        steady.join()?;
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[steady] tick 1",
            "[main] task \"fragile\" (T2) panicked: fragile broke",
            "[steady] tick 2",
            "[steady] tick 3",
        ]
    );
    assert_eq!(end, 3 * SECOND);
}

#[test]
fn a_panic_in_main_comes_out_of_run_until_complete_as_an_error() {
    let scheduler = virtual_scheduler();
    let outcome =
        scheduler.run_until_complete(|| -> Result<(), SchedError> { panic!("main broke") });
    assert_eq!(
        outcome.unwrap_err().to_string(),
        "task \"main\" (T0) panicked: main broke"
    );
    assert!(
        scheduler.take_unretrieved().is_empty(),
        "handed back: retrieved"
    );
    assert_eq!(scheduler.live_tasks(), 0);
}

// ---- stacks ----

/// The address of a local variable in a task's body, reached along the same
/// path for every task: equal addresses mean the same stack.
fn stack_probe(seen: Rc<RefCell<Vec<usize>>>) -> impl FnOnce() -> Result<(), SchedError> {
    move || {
        let local = 0_u8;
        seen.borrow_mut()
            .push(std::hint::black_box(&local as *const u8) as usize);
        sleep(SECOND)
    }
}

#[test]
fn finished_tasks_give_their_stacks_to_the_pool_and_new_tasks_reuse_them() {
    let scheduler = virtual_scheduler();
    let seen: Rc<RefCell<Vec<usize>>> = Rc::default();
    let probe = Rc::clone(&seen);
    let outcome = scheduler.run_until_complete(move || {
        // Two at once: two different stacks.
        let a = spawn("a", stack_probe(Rc::clone(&probe)))?;
        let b = spawn("b", stack_probe(Rc::clone(&probe)))?;
        a.join()?;
        b.join()?;
        Ok::<(), SchedError>(())
    });
    assert_eq!(outcome, Ok(()));
    assert_eq!(scheduler.live_tasks(), 0);
    assert_eq!(scheduler.pooled_stacks(), 3, "main, a and b");

    // The next run takes all its stacks from the pool: it does not grow.
    let probe = Rc::clone(&seen);
    let outcome = scheduler.run_until_complete(move || {
        let c = spawn("c", stack_probe(probe))?;
        c.join()
    });
    assert_eq!(outcome, Ok(()));
    assert_eq!(scheduler.pooled_stacks(), 3);
    let seen = seen.borrow();
    assert_ne!(seen[0], seen[1], "a and b were alive at once");
    assert!(
        seen[..2].contains(&seen[2]),
        "c ran on a recycled stack: {seen:x?}"
    );
}

#[test]
fn an_absurd_stack_size_is_refused_with_an_error_saying_what_to_do() {
    // Beyond isize::MAX no address space holds it: refused before the OS is
    // asked. Just below, the OS is asked, and says no.
    let expected = [
        (
            usize::MAX,
            "no address space holds a stack that large; ask for a few KiB to a few MiB \
             (Scheduler::with_stack_size; the default is 256 KiB)",
        ),
        (
            usize::MAX / 2,
            "the OS is out of memory or address space for it (see ulimit -v) with 0 tasks \
             alive; ask for smaller stacks (Scheduler::with_stack_size) or keep fewer tasks \
             alive at once. (the OS said: ",
        ),
    ];
    for (size, advice) in expected {
        let scheduler = virtual_scheduler().with_stack_size(size);
        let outcome = scheduler.run_until_complete(|| Ok::<u32, SchedError>(1));
        let Err(error @ SchedError::StackRefused { size: refused, .. }) = outcome.clone() else {
            panic!("size {size}: expected StackRefused, got {outcome:?}");
        };
        assert_eq!(refused, size);
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("no {size}-byte stack for a new task: {advice}")),
            "{message}"
        );
        assert!(scheduler.spawn("x", || Ok::<(), SchedError>(())).is_err());
        assert_eq!(scheduler.live_tasks(), 0);
    }
}

#[test]
fn dropping_the_scheduler_cancels_its_pending_tasks_and_runs_their_destructors() {
    let dropped = Rc::new(Cell::new(0));
    let scheduler = virtual_scheduler();
    let counter = Rc::clone(&dropped);
    let sleepers = scheduler
        .run_until_complete(move || {
            let mut handles = Vec::new();
            for _ in 0..3 {
                let counter = Rc::clone(&counter);
                handles.push(spawn("sleeper", move || {
                    let _held = DropCounter(counter);
                    sleep(3600 * SECOND)
                })?);
            }
            sleep(SECOND)?; // every sleeper is asleep now, holding its counter
            Ok::<_, SchedError>(handles)
        })
        .unwrap();
    assert_eq!(scheduler.live_tasks(), 3);
    assert_eq!(dropped.get(), 0);

    drop(scheduler);
    assert_eq!(dropped.get(), 3, "each sleeper's stack unwound, once");
    for sleeper in &sleepers {
        assert!(sleeper.done());
        assert!(sleeper.cancelled());
        assert_eq!(
            sleeper.join(),
            Err(SchedError::TaskCancelled {
                task: "sleeper".to_string()
            })
        );
    }
}

#[test]
fn dropping_a_scheduler_drops_the_closures_of_tasks_that_never_started() {
    let dropped = Rc::new(Cell::new(0));
    let scheduler = virtual_scheduler();
    let counter = DropCounter(Rc::clone(&dropped));
    let never = scheduler
        .spawn("never", move || {
            drop(counter);
            Ok::<(), SchedError>(())
        })
        .unwrap();
    assert_eq!(scheduler.live_tasks(), 1);
    drop(scheduler);
    assert_eq!(dropped.get(), 1);
    assert!(never.cancelled());
    assert_eq!(
        never.join(),
        Err(SchedError::TaskCancelled {
            task: "never".to_string()
        })
    );
}

#[test]
fn on_the_real_clock_a_woken_sleeper_runs_one_pass_after_its_timer_fires_as_in_asyncio() {
    // CPython 3.11 prints hog 0, hog 1, hog 2, sleeper wakes, hog 3 for the
    // same program: the timer completes the sleep in the pass where it is
    // found due, and the sleeper's step is queued behind the ready hog.
    // Deterministic on the real clock: `std::thread::sleep` blocks for at
    // least 30 ms, so the 10 ms timer is due by the hog's first turn.
    let scheduler = Scheduler::new(Clock::Real);
    let (outcome, lines) = capture(|| {
        scheduler.run_until_complete(|| {
            let sleeper = spawn("sleeper", || {
                sleep(Duration::from_millis(10))?;
                say!("sleeper", "wakes");
                Ok::<_, SchedError>(())
            })?;
            let hog = spawn("hog", || {
                std::thread::sleep(Duration::from_millis(30));
                for turn in 0..4 {
                    say!("hog", "{turn}");
                    yield_now()?;
                }
                Ok::<_, SchedError>(())
            })?;
            sleeper.join()?;
            hog.join()?;
            Ok::<_, SchedError>(())
        })
    });
    assert_eq!(outcome, Ok(()));
    assert_eq!(
        lines,
        [
            "[hog] 0",
            "[hog] 1",
            "[hog] 2",
            "[sleeper] wakes",
            "[hog] 3"
        ]
    );
}

#[test]
fn a_stack_of_an_older_size_is_not_pooled_so_a_new_task_never_gets_a_smaller_one() {
    // Spawned before the size changes, "small" gets a default 256 KiB stack;
    // main, spawned when the run begins (before "small" has run), gets a
    // fresh 1 MiB one.
    let scheduler = virtual_scheduler();
    scheduler
        .spawn("small", || Ok::<(), SchedError>(()))
        .expect("a stack");
    let scheduler = scheduler.with_stack_size(1024 * 1024);
    let outcome = scheduler.run_until_complete(|| Ok::<(), SchedError>(()));
    assert_eq!(outcome, Ok(()));
    // Pooled: main's 1 MiB stack only. Had "small"'s 256 KiB stack been
    // pooled too, the next task could get it, and overflow where the size
    // asked for would have held.
    assert_eq!(scheduler.pooled_stacks(), 1);
    let pooled_after_next = {
        let outcome =
            scheduler.run_until_complete(|| spawn("next", || Ok::<(), SchedError>(()))?.join());
        assert_eq!(outcome, Ok(()));
        scheduler.pooled_stacks()
    };
    // The next run's tasks take and give back 1 MiB stacks only.
    assert_eq!(pooled_after_next, 2);
}

#[test]
fn the_pool_keeps_at_most_pool_limit_stacks_and_unmaps_the_rest() {
    let scheduler = Scheduler::new(Clock::Virtual).with_stack_size(16 * 1024);
    let crowd = POOL_LIMIT + 50;
    let outcome = scheduler.run_until_complete(move || {
        let tasks = (0..crowd)
            .map(|_| spawn("sleeper", || sleep(SECOND)))
            .collect::<Result<Vec<_>, _>>()?;
        for task in &tasks {
            task.join()?;
        }
        Ok::<_, SchedError>(())
    });
    assert_eq!(outcome, Ok(()));
    assert_eq!(scheduler.live_tasks(), 0);
    assert_eq!(scheduler.pooled_stacks(), POOL_LIMIT);
}

#[test]
fn stop_lets_the_iteration_finish_then_ends_the_run_and_the_next_run_carries_on() {
    let scheduler = virtual_scheduler();
    let (outcome, lines) = capture(|| {
        scheduler.run_until_complete(|| {
            let a = spawn("a", || {
                say!("a", "stop");
                stop()?;
                say!("a", "goes on until it suspends");
                yield_now()?;
                say!("a", "runs again in the next run");
                Ok::<_, SchedError>(())
            })?;
            let b = spawn("b", || {
                say!("b", "runs in the same iteration as the stop");
                Ok::<(), SchedError>(())
            })?;
            say!("main", "waits for b");
            b.join()?;
            say!("main", "b is done");
            a.join()?;
            say!("main", "a is done");
            Ok::<_, SchedError>(())
        })
    });
    assert_eq!(outcome, Err(SchedError::Stopped));
    assert_eq!(
        lines,
        [
            "[main] waits for b",
            "[a] stop",
            "[a] goes on until it suspends",
            "[b] runs in the same iteration as the stop",
        ]
    );
    // Nothing was cancelled: main and a wait where they were.
    assert_eq!(scheduler.live_tasks(), 2);

    let (outcome, lines) = capture(|| {
        scheduler.run_until_complete(|| {
            say!("main", "of the second run");
            Ok::<u32, SchedError>(7)
        })
    });
    assert_eq!(outcome, Ok(7));
    assert_eq!(
        lines,
        [
            // a was ready first; it finishes, so the first main's join of a
            // returns at once, before the second main starts.
            "[a] runs again in the next run",
            "[main] b is done",
            "[main] a is done",
            "[main] of the second run",
        ]
    );
    assert_eq!(scheduler.live_tasks(), 0);
}

#[test]
fn a_stop_in_the_iteration_where_main_finishes_changes_nothing() {
    let scheduler = virtual_scheduler();
    assert_eq!(
        scheduler.run_until_complete(|| {
            stop()?;
            Ok::<_, SchedError>("main returned")
        }),
        Ok("main returned")
    );
    // Nor does it linger into the next run.
    assert_eq!(
        scheduler.run_until_complete(|| Ok::<u32, SchedError>(2)),
        Ok(2)
    );
}

#[test]
fn stop_outside_a_task_is_refused_and_its_message_says_what_stopped_means() {
    assert_eq!(stop(), Err(SchedError::NotInTask { operation: "stop" }));
    assert_eq!(
        SchedError::Stopped.to_string(),
        "the scheduler was stopped (a task called stop()) before main finished; main and \
         every other unfinished task still wait where they were: run the scheduler again to \
         let them go on, or drop it to cancel them"
    );
}
