//! Chapter 7's tests. They also judge the rebuild exercise (7.5):
//! `cargo test --features exercise-ch07 --test ch07_combinators -- --skip exercises::`.
//! The small exercises' tests are in `ch07_combinators/exercises.rs`.
//!
//! Everything runs on the virtual clock, so every time below is exact: a
//! line such as `[slow] cancelled at 2` says the task ran at exactly 2 s of
//! virtual time, and no test depends on how fast this machine is. Where a
//! test says what CPython does, `tests/asyncio/` holds the same program in
//! both languages, and `tests/asyncio_parity.rs` compares them.
//!
//! A few tasks here panic on purpose: Rust's panic hook prints their
//! messages on stderr while the tests run. That is expected; the task
//! boundary catches each panic.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use yieldpoint::ch06_scheduler::{
    BoxError, Clock, JoinHandle, SchedError, Scheduler, current_task, now, sleep, spawn, yield_now,
};
use yieldpoint::ch07_combinators::{
    as_completed, gather, gather_results, spawn_and_gather, wait_for,
};
use yieldpoint::output::capture;
use yieldpoint::say;

#[allow(dead_code)]
#[path = "../examples/ch07_combinators.rs"]
mod example;

// The small exercises' tests: `cargo test --test ch07_combinators -- exercises::`.
#[path = "ch07_combinators/exercises.rs"]
mod exercises;

const SECOND: Duration = Duration::from_secs(1);

fn secs(seconds: f64) -> Duration {
    Duration::from_secs_f64(seconds)
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|arg| arg.to_string()).collect()
}

/// The running scheduler's time in seconds, the short way: `2`, `1.5`.
fn at() -> String {
    format!("{}", now().expect("inside a task").as_secs_f64())
}

/// Runs `program` as main on `scheduler`, and returns its outcome and the
/// lines it said.
fn run_on<T: 'static>(
    scheduler: &Scheduler,
    program: impl FnOnce() -> Result<T, SchedError> + 'static,
) -> (Result<T, SchedError>, Vec<String>) {
    let (outcome, lines) = capture(|| scheduler.run_until_complete(program));
    (outcome, lines)
}

/// Runs `program` as main on a new virtual scheduler; returns the lines it
/// said and the time the clock reads at the end.
///
/// # Panics
///
/// If the program fails, with its lines so far.
fn run_virtual<T: 'static>(
    program: impl FnOnce() -> Result<T, SchedError> + 'static,
) -> (Vec<String>, Duration) {
    let scheduler = Scheduler::new(Clock::Virtual);
    let (outcome, lines) = run_on(&scheduler, program);
    if let Err(error) = outcome {
        panic!("the program failed: {error}\n{lines:#?}");
    }
    (lines, scheduler.now())
}

/// A task body: sleeps `seconds`, says it is done, and returns its name.
fn nap(name: &'static str, seconds: f64) -> impl FnOnce() -> Result<&'static str, SchedError> {
    move || {
        sleep(secs(seconds))?;
        say!(name, "{name} done at {}", at());
        Ok(name)
    }
}

/// A task body: sleeps `seconds`, then fails with `message` (an error its
/// body returns, as a Python coroutine raises).
fn fail_after(
    seconds: f64,
    message: &'static str,
) -> impl FnOnce() -> Result<&'static str, BoxError> {
    move || {
        sleep(secs(seconds))?;
        Err(message.into())
    }
}

/// A task body: sleeps `seconds`, then panics with `message`.
fn panic_after(
    seconds: f64,
    message: &'static str,
) -> impl FnOnce() -> Result<&'static str, SchedError> {
    move || {
        sleep(secs(seconds))?;
        panic!("{message}");
    }
}

/// A task body that waits ten seconds; cancelled, it says so, cleans up
/// for half a second (a sleep: cleanup that waits), says so, and returns.
fn patient(name: &'static str) -> impl FnOnce() -> Result<&'static str, SchedError> {
    move || match sleep(10 * SECOND) {
        Ok(()) => Ok(name),
        Err(error) => {
            say!(name, "{name} cancelled at {}", at());
            sleep(secs(0.5))?;
            say!(name, "{name} cleaned up at {}", at());
            Err(error)
        }
    }
}

/// Counts how many times it is dropped: put one on a task's stack to see
/// the stack being cleaned up.
struct DropCounter(Rc<Cell<u32>>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

/// What joining a task called `name` that was cancelled gives.
fn cancelled(name: &str) -> SchedError {
    SchedError::TaskCancelled {
        task: name.to_string(),
    }
}

/// What a failure says, whichever way it is wrapped.
fn said(error: &SchedError) -> String {
    error.to_string()
}

// ---- the example ----

// ANCHOR: transcript
const TRANSCRIPT: &[&str] = &[
    "[demo] Four requests, one after the other (clock: virtual, unit: 10 ms)",
    "[main] users took 40 ms, done at 40 ms",
    "[main] news took 10 ms, done at 50 ms",
    "[main] prices took 30 ms, done at 80 ms",
    "[main] weather took 20 ms, done at 100 ms",
    "[main] run time 100 ms; the requests took 100 ms in all",
    "[demo] The same four at once, each printed as it completes (as_completed)",
    "[main] news took 10 ms, done at 10 ms",
    "[main] weather took 20 ms, done at 20 ms",
    "[main] prices took 30 ms, done at 30 ms",
    "[main] users took 40 ms, done at 40 ms",
    "[main] run time 40 ms; the requests took 100 ms in all",
    "[demo] gather: the values in argument order",
    "[main] gather returned [\"users\", \"news\", \"prices\", \"weather\"] at 40 ms",
    "[demo] gather, and one request fails",
    "[main] gather failed at 10 ms: task \"prices\" (T2) failed: prices: 503 Service Unavailable",
    "[users] users done at 40 ms",
    "[main] users still finished, at 40 ms: nobody cancelled it",
    "[demo] gather_results: every outcome, failures too",
    "[news] news done at 10 ms",
    "[users] users done at 40 ms",
    "[main] gather_results returned at 40 ms:",
    "[main]   users took 40 ms",
    "[main]   failed: task \"prices\" (T2) failed: prices: 503 Service Unavailable",
    "[main]   news took 10 ms",
    "[demo] wait_for: in time, then too late",
    "[main] wait_for gave news at 10 ms",
    "[slow] request sent at 10 ms",
    "[slow] cancelled at 30 ms; closing the connection",
    "[slow] connection closed at 35 ms",
    "[main] wait_for gave up at 35 ms: the wait ran out of time before the work finished",
    "[main] joining slow: the task \"slow\" you waited for was cancelled",
    "[demo] Cancelling a task that never started",
    "[main] cancel() = true",
    "[main] cancel() again = true",
    "[main] joining it: the task \"never\" you waited for was cancelled",
];
// ANCHOR_END: transcript

#[test]
fn the_example_prints_the_fetch_lesson_and_every_combinator_with_exact_virtual_times() {
    let (_, lines) = capture(|| example::run(&args(&["--clock", "virtual"])));
    assert_eq!(lines, TRANSCRIPT);
}

#[test]
fn the_example_with_trace_draws_each_programs_schedule_after_its_lines() {
    let (_, lines) = capture(|| example::run(&args(&["--clock", "virtual", "--trace"])));
    let told: Vec<&String> = lines
        .iter()
        .filter(|line| !line.starts_with("[trace]"))
        .collect();
    assert_eq!(told, TRANSCRIPT);
    let diagrams = lines
        .iter()
        .filter(|line| line.starts_with("[trace]  time | main"))
        .count();
    assert_eq!(diagrams, 7, "one diagram per program");
    // The concurrent fetch: main parks in as_completed while all four sleep.
    let concurrent = "[trace]  time | main                  | users            | news             | prices           | weather";
    assert!(lines.iter().any(|line| line == concurrent), "{lines:#?}");
    assert!(lines.iter().any(|line| line.contains("x cancel requested")));
    assert!(
        lines
            .iter()
            .any(|line| line.contains("x cancelled before it ran"))
    );
}

#[test]
fn the_example_reads_its_clock_and_trace_options_and_refuses_bad_ones() {
    let defaults = example::parse_args(&[]).unwrap();
    assert_eq!(defaults.clock, Clock::Real);
    assert!(!defaults.trace);
    let real = example::parse_args(&args(&["--clock", "real", "--trace"])).unwrap();
    assert_eq!(real.clock, Clock::Real);
    assert!(real.trace);
    assert_eq!(
        example::parse_args(&args(&["--clock", "sundial"])),
        Err("--clock sundial: the clock is either `virtual` or `real`".to_string())
    );
    assert_eq!(
        example::parse_args(&args(&["--clock"])),
        Err("--clock needs a value: `virtual` or `real`".to_string())
    );
    assert_eq!(
        example::parse_args(&args(&["--fast"])),
        Err("unknown argument \"--fast\"".to_string())
    );
}

// ---- gather ----

#[test]
fn gather_returns_the_values_in_argument_order_not_the_order_they_finish() {
    let (lines, end) = run_virtual(|| {
        let slow = spawn("slow", nap("slow", 3.0))?;
        let fast = spawn("fast", nap("fast", 1.0))?;
        let medium = spawn("medium", nap("medium", 2.0))?;
        let values = gather(&[slow, fast, medium])?;
        say!("main", "gather returned {values:?} at {}", at());
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[fast] fast done at 1",
            "[medium] medium done at 2",
            "[slow] slow done at 3",
            "[main] gather returned [\"slow\", \"fast\", \"medium\"] at 3",
        ]
    );
    assert_eq!(end, 3 * SECOND, "the slowest task's time, not the sum");
}

#[test]
fn gather_takes_a_tuple_of_tasks_of_different_types_and_returns_a_tuple() {
    let (lines, _) = run_virtual(|| {
        let count = spawn("count", || {
            sleep(SECOND)?;
            Ok::<u32, SchedError>(3)
        })?;
        let word = spawn("word", nap("word", 2.0))?;
        let (n, w) = gather(&(count, word))?;
        say!("main", "gather returned ({n}, {w:?}) at {}", at());
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[word] word done at 2",
            "[main] gather returned (3, \"word\") at 2"
        ]
    );
}

#[test]
fn spawn_and_gather_spawns_the_bodies_in_argument_order_then_gathers_them() {
    let (lines, _) = run_virtual(|| {
        let (a, b) = spawn_and_gather((
            || {
                say!("first", "starts first");
                Ok::<u32, SchedError>(1)
            },
            || {
                say!("second", "starts second");
                Ok::<&str, SchedError>("two")
            },
        ))?;
        say!("main", "got ({a}, {b:?})");
        let many = spawn_and_gather(vec![nap("x", 1.0), nap("y", 0.5)])?;
        say!("main", "got {many:?} at {}", at());
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[first] starts first",
            "[second] starts second",
            "[main] got (1, \"two\")",
            "[y] y done at 0.5",
            "[x] x done at 1",
            "[main] got [\"x\", \"y\"] at 1",
        ]
    );
}

#[test]
fn gather_of_no_tasks_returns_an_empty_vec_without_suspending() {
    let (lines, end) = run_virtual(|| {
        let other = spawn("other", || {
            say!("other", "other runs");
            Ok::<(), SchedError>(())
        })?;
        let nothing: &[JoinHandle<u32>] = &[];
        let values = gather(nothing)?;
        say!("main", "gather of nothing: {values:?} at {}", at());
        other.join()?;
        Ok(())
    });
    // Main spoke before `other` had a turn: gather never let go of the thread.
    assert_eq!(
        lines,
        ["[main] gather of nothing: [] at 0", "[other] other runs"]
    );
    assert_eq!(end, Duration::ZERO);
}

#[test]
fn gather_of_tasks_that_have_ended_still_waits_a_pass_for_their_callbacks_as_in_asyncio() {
    let (lines, _) = run_virtual(|| {
        let a = spawn("a", || Ok::<u32, SchedError>(1))?;
        let b = spawn("b", || Ok::<u32, SchedError>(2))?;
        sleep(SECOND)?; // both end meanwhile
        assert!(a.done() && b.done());
        let other = spawn("other", || {
            say!("other", "other runs at {}", at());
            Ok::<(), SchedError>(())
        })?;
        let before = now()?;
        let values = gather(&[b, a])?;
        assert_eq!(now()?, before, "no time passed");
        say!("main", "gather returned {values:?} at {}", at());
        other.join()?;
        Ok(())
    });
    // asyncio schedules the done callbacks of an ended task with call_soon,
    // so gather suspends its caller until they have run: `other`, which was
    // ready first, goes first (CPython 3.11 prints the same).
    assert_eq!(
        lines,
        [
            "[other] other runs at 1",
            "[main] gather returned [2, 1] at 1"
        ]
    );
}

#[test]
fn the_first_failure_comes_back_at_once_and_the_sibling_keeps_running() {
    let scheduler = Scheduler::new(Clock::Virtual);
    let (outcome, lines) = run_on(&scheduler, || {
        let slow = spawn("slow", nap("slow", 3.0))?;
        let bad = spawn("bad", fail_after(1.0, "bad request"))?;
        let error = gather(&[slow.clone(), bad]).unwrap_err();
        say!("main", "gather failed at {}: {error}", at());
        let failure = error.failure().expect("a failure");
        assert!(!failure.is_panic());
        assert_eq!(failure.message(), "bad request");
        let late = slow.join()?;
        say!("main", "then joined {late} at {}", at());
        Ok(())
    });
    assert_eq!(outcome, Ok(()));
    assert_eq!(
        lines,
        [
            "[main] gather failed at 1: task \"bad\" (T2) failed: bad request",
            "[slow] slow done at 3",
            "[main] then joined slow at 3",
        ]
    );
    assert_eq!(
        scheduler.take_unretrieved(),
        [],
        "gather handed the failure over"
    );
}

#[test]
fn gather_fails_with_the_task_that_fails_first_in_time_and_a_later_failure_stays_unretrieved() {
    let scheduler = Scheduler::new(Clock::Virtual);
    let (outcome, lines) = run_on(&scheduler, || {
        let late = spawn("late", fail_after(2.0, "late failure"))?;
        let early = spawn("early", panic_after(1.0, "early failure"))?;
        let error = gather(&[late.clone(), early]).unwrap_err();
        say!("main", "gather failed at {}: {error}", at());
        sleep(5 * SECOND)?; // `late` fails meanwhile, and nobody joins it
        Ok(())
    });
    assert_eq!(outcome, Ok(()));
    assert_eq!(
        lines,
        ["[main] gather failed at 1: task \"early\" (T2) panicked: early failure"]
    );
    // asyncio's gather marks a later failure as retrieved and says nothing;
    // here it is reported, because nobody was handed it.
    let unretrieved: Vec<String> = scheduler
        .take_unretrieved()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        unretrieved,
        ["task \"late\" (T1) failed: late failure, and nobody joined it"]
    );
}

#[test]
fn gather_of_a_task_cancelled_before_it_started_fails_when_that_task_ends_cancelled() {
    let (lines, _) = run_virtual(|| {
        let fine = spawn("fine", nap("fine", 1.0))?;
        let gone = spawn("gone", nap("gone", 1.0))?;
        assert!(gone.cancel());
        assert!(!gone.done(), "it ends at its first step, as in asyncio");
        assert_eq!(gather(&[fine.clone(), gone]), Err(cancelled("gone")));
        say!("main", "gather failed at {}", at());
        fine.join()?;
        Ok(())
    });
    assert_eq!(
        lines,
        ["[main] gather failed at 0", "[fine] fine done at 1"]
    );
}

/// `A` ends in its first step while a ticker counts passes with
/// `yield_now`; main waits for `A` with a join or with gather.
fn who_wakes_when(use_gather: bool) -> Vec<String> {
    run_virtual(move || {
        let a = spawn("A", || {
            say!("A", "A ends");
            Ok::<(), SchedError>(())
        })?;
        let ticker = spawn("ticker", || {
            for tick in 0..4 {
                say!("ticker", "tick {tick}");
                yield_now()?;
            }
            Ok::<(), SchedError>(())
        })?;
        if use_gather {
            gather(&[a])?;
        } else {
            a.join()?;
        }
        say!("main", "main resumes");
        ticker.join()?;
        Ok(())
    })
    .0
}

#[test]
fn gather_wakes_its_caller_one_pass_after_a_join_would_as_in_asyncio() {
    // A join wakes in the pass after `A` ends. gather's done callback runs
    // in that pass, and wakes main for the one after (CPython 3.11 prints
    // exactly these lines for both programs).
    assert_eq!(
        who_wakes_when(false),
        [
            "[A] A ends",
            "[ticker] tick 0",
            "[main] main resumes",
            "[ticker] tick 1",
            "[ticker] tick 2",
            "[ticker] tick 3",
        ]
    );
    assert_eq!(
        who_wakes_when(true),
        [
            "[A] A ends",
            "[ticker] tick 0",
            "[ticker] tick 1",
            "[main] main resumes",
            "[ticker] tick 2",
            "[ticker] tick 3",
        ]
    );
}

/// Main starts a task that gathers two patient tasks (with `gather` or
/// `gather_results`), then cancels it after a second.
fn cancel_the_gatherer(use_results: bool) -> Vec<String> {
    run_virtual(move || {
        let gatherer = spawn("gatherer", move || {
            let a = spawn("a", patient("a"))?;
            let b = spawn("b", patient("b"))?;
            let error = if use_results {
                gather_results(&[a.clone(), b.clone()]).unwrap_err()
            } else {
                gather(&[a.clone(), b.clone()]).unwrap_err()
            };
            assert!(a.done() && b.done());
            say!("gatherer", "gather: {error} (at {})", at());
            Err::<(), SchedError>(error)
        })?;
        sleep(SECOND)?;
        assert!(gatherer.cancel());
        let error = gatherer.join().unwrap_err();
        say!("main", "the gatherer: {error} (at {})", at());
        Ok(())
    })
    .0
}

#[test]
fn cancelling_the_task_that_gathers_cancels_the_gathered_tasks_instead() {
    // The gatherer is not woken: its cancellation goes to the two tasks,
    // and gather ends with it once they have ended cancelled.
    let expected = [
        "[a] a cancelled at 1",
        "[b] b cancelled at 1",
        "[a] a cleaned up at 1.5",
        "[b] b cleaned up at 1.5",
        "[gatherer] gather: this task was cancelled while it waited; clean up, then pass \
         this error on with ? so that the task ends cancelled (at 1.5)",
        "[main] the gatherer: the task \"gatherer\" you waited for was cancelled (at 1.5)",
    ];
    assert_eq!(cancel_the_gatherer(false), expected);
    assert_eq!(cancel_the_gatherer(true), expected);
}

#[test]
fn gather_results_returns_every_outcome_in_argument_order_once_the_last_has_ended() {
    let scheduler = Scheduler::new(Clock::Virtual);
    let (outcome, lines) = run_on(&scheduler, || {
        let a = spawn("a", nap("a", 3.0))?;
        let bad = spawn("bad", fail_after(1.0, "bad request"))?;
        let c = spawn("c", nap("c", 2.0))?;
        let outcomes = gather_results(&[a, bad, c])?;
        say!("main", "gather_results returned at {}", at());
        Ok(outcomes)
    });
    let outcomes: Vec<String> = outcome
        .unwrap()
        .iter()
        .map(|outcome| match outcome {
            Ok(value) => format!("Ok({value})"),
            Err(error) => format!("Err({error})"),
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            "Ok(a)",
            "Err(task \"bad\" (T2) failed: bad request)",
            "Ok(c)"
        ]
    );
    assert_eq!(
        lines,
        [
            "[c] c done at 2",
            "[a] a done at 3",
            "[main] gather_results returned at 3",
        ]
    );
    assert_eq!(scheduler.take_unretrieved(), []);
}

#[test]
fn gather_refuses_the_callers_own_task_and_a_task_of_another_scheduler() {
    let elsewhere = Scheduler::new(Clock::Virtual);
    let foreign = elsewhere
        .spawn("stranger", || Ok::<(), SchedError>(()))
        .unwrap();
    let (lines, _) = run_virtual(move || {
        let me = spawn("me", move || {
            let own = current_task()?;
            let other = spawn("other", || Ok::<(), SchedError>(()))?;
            // A handle to itself, typed: wait for it through a done callback.
            say!("me", "{}", own.check_awaitable("gather").unwrap_err());
            let outcome = gather(&[other.clone(), foreign.clone()]);
            say!("me", "{}", outcome.unwrap_err());
            let outcome = wait_for(&foreign, SECOND);
            say!("me", "{}", outcome.unwrap_err());
            other.join()?;
            Ok::<(), SchedError>(())
        })?;
        me.join()?;
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[me] task \"me\" tried to wait for itself, which would wait forever; wait for \
             another task",
            "[me] task \"stranger\" belongs to another scheduler; a task can only wait for \
             tasks of the scheduler it runs on",
            "[me] task \"stranger\" belongs to another scheduler; a task can only wait for \
             tasks of the scheduler it runs on",
        ]
    );
    drop(elsewhere);
}

#[test]
fn the_combinators_refuse_a_task_of_another_scheduler_even_once_it_has_ended() {
    // The task is done, on a scheduler that still exists and will not run
    // again: a done callback on it would be queued there, and the waiting
    // task would wait for ever (the deadlock it once reported).
    let elsewhere = Scheduler::new(Clock::Virtual);
    let finished = elsewhere
        .run_until_complete(|| {
            let task = spawn("finished elsewhere", || Ok::<u32, SchedError>(7))?;
            task.join()?;
            Ok::<_, SchedError>(task)
        })
        .expect("the other scheduler runs");
    let scheduler = Scheduler::new(Clock::Virtual);
    let outcome = scheduler.run_until_complete(move || {
        let gathered = gather(std::slice::from_ref(&finished));
        let waited = wait_for(&finished, SECOND);
        let listed = as_completed(vec![finished.clone()])
            .next()
            .map(|next| next.map(drop));
        // Joining a task that has ended needs no callback: its value.
        let joined = finished.join();
        Ok::<_, SchedError>((gathered, waited, listed, joined))
    });
    let refused = SchedError::ForeignTask {
        task: "finished elsewhere".to_string(),
    };
    assert_eq!(
        outcome,
        Ok((
            Err(refused.clone()),
            Err(refused.clone()),
            Some(Err(refused)),
            Ok(7)
        ))
    );
    drop(elsewhere);
}

#[test]
fn gather_that_includes_the_callers_own_handle_says_join_self_instead_of_deadlocking() {
    let (lines, _) = run_virtual(|| {
        let own: Rc<RefCell<Option<JoinHandle<()>>>> = Rc::default();
        let inside = Rc::clone(&own);
        let selfish = spawn("selfish", move || {
            let me = inside.borrow().clone().expect("set before it runs");
            let helper = spawn("helper", || Ok::<(), SchedError>(()))?;
            let helper_for_gather = spawn("helper2", || Ok::<(), SchedError>(()))?;
            let _ = helper_for_gather;
            say!("selfish", "{}", gather(&[me, helper.clone()]).unwrap_err());
            helper.join()?;
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

// ---- as_completed ----

#[test]
fn as_completed_hands_out_each_outcome_as_its_task_ends_with_its_index() {
    let (lines, _) = run_virtual(|| {
        let tasks = vec![
            spawn("slow", nap("slow", 3.0))?,
            spawn("fast", nap("fast", 1.0))?,
            spawn("medium", nap("medium", 2.0))?,
        ];
        for item in as_completed(tasks) {
            let (index, name) = item?;
            say!("main", "#{index} {} at {}", name?, at());
        }
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[fast] fast done at 1",
            "[main] #1 fast at 1",
            "[medium] medium done at 2",
            "[main] #2 medium at 2",
            "[slow] slow done at 3",
            "[main] #0 slow at 3",
        ]
    );
}

#[test]
fn as_completed_gives_tasks_that_end_at_the_same_time_in_the_order_they_ended() {
    let (lines, _) = run_virtual(|| {
        // `b` sets its timer first, so at 1 s it fires first and ends first.
        let b = spawn("b", nap("b", 1.0))?;
        let a = spawn("a", nap("a", 1.0))?;
        for item in as_completed(vec![a, b]) {
            let (index, name) = item?;
            say!("main", "#{index} {} at {}", name?, at());
        }
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[b] b done at 1",
            "[a] a done at 1",
            "[main] #1 b at 1",
            "[main] #0 a at 1",
        ]
    );
}

#[test]
fn as_completed_hands_out_a_failure_with_its_index_in_its_turn_and_goes_on() {
    let (lines, _) = run_virtual(|| {
        let tasks = vec![
            spawn("fine", nap("fine", 2.0))?,
            spawn("bad", fail_after(1.0, "bad request"))?,
        ];
        for item in as_completed(tasks) {
            match item? {
                (index, Ok(name)) => say!("main", "#{index} {name} at {}", at()),
                (index, Err(error)) => say!("main", "#{index} {error} at {}", at()),
            }
        }
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[main] #1 task \"bad\" (T2) failed: bad request at 1",
            "[fine] fine done at 2",
            "[main] #0 fine at 2",
        ]
    );
}

#[test]
fn as_completed_gives_ended_tasks_in_argument_order_and_nothing_for_no_tasks() {
    let (lines, _) = run_virtual(|| {
        let a = spawn("a", || Ok::<&str, SchedError>("a"))?;
        let b = spawn("b", || Ok::<&str, SchedError>("b"))?;
        sleep(SECOND)?;
        let mut empty = as_completed(Vec::<JoinHandle<u8>>::new());
        assert!(empty.next().is_none());
        let mut order = Vec::new();
        for item in as_completed(vec![b, a]) {
            let (index, value) = item?;
            order.push((index, value?));
        }
        say!("main", "{order:?} at {}", at());
        Ok(())
    });
    assert_eq!(lines, ["[main] [(0, \"b\"), (1, \"a\")] at 1"]);
}

#[test]
fn cancelling_the_task_in_as_completed_leaves_the_group_running() {
    let (lines, _) = run_virtual(|| {
        let slow = spawn("slow", nap("slow", 3.0))?;
        let reader = spawn("reader", {
            let slow = slow.clone();
            move || {
                for item in as_completed(vec![slow]) {
                    let outcome = item.map(|(index, _)| index);
                    say!("reader", "next item: {outcome:?} at {}", at());
                    outcome?;
                }
                Ok::<(), SchedError>(())
            }
        })?;
        sleep(SECOND)?;
        assert!(reader.cancel());
        assert_eq!(reader.join(), Err(cancelled("reader")));
        say!("main", "slow still gives {} at {}", slow.join()?, at());
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[reader] next item: Err(Cancelled) at 1",
            "[slow] slow done at 3",
            "[main] slow still gives slow at 3",
        ]
    );
}

// ---- wait_for ----

#[test]
fn wait_for_returns_the_value_as_soon_as_the_task_finishes_in_time() {
    let (lines, end) = run_virtual(|| {
        let quick = spawn("quick", nap("quick", 1.0))?;
        let value = wait_for(&quick, 5 * SECOND)?;
        say!("main", "wait_for gave {value} at {}", at());
        Ok(())
    });
    assert_eq!(
        lines,
        ["[quick] quick done at 1", "[main] wait_for gave quick at 1"]
    );
    assert_eq!(end, SECOND, "the unused timeout does not hold the loop");
}

#[test]
fn wait_for_cancels_a_task_that_takes_too_long_and_returns_after_its_cleanup() {
    let scheduler = Scheduler::new(Clock::Virtual);
    let (outcome, lines) = run_on(&scheduler, || {
        let slow = spawn("slow", patient("slow"))?;
        let error = wait_for(&slow, 2 * SECOND).unwrap_err();
        say!("main", "wait_for: {error} (at {})", at());
        assert!(slow.done());
        Ok((error, slow.join().unwrap_err()))
    });
    assert_eq!(outcome, Ok((SchedError::TimedOut, cancelled("slow"))));
    assert_eq!(
        lines,
        [
            "[slow] slow cancelled at 2",
            "[slow] slow cleaned up at 2.5",
            "[main] wait_for: the wait ran out of time before the work finished (at 2.5)",
        ]
    );
    // The cancelled task's ten-second timer did not keep the loop waiting.
    assert_eq!(scheduler.now(), secs(2.5));
}

// ANCHOR: diagram_test
#[test]
fn the_trace_of_a_wait_for_that_times_out_draws_this_exact_diagram() {
    let scheduler = Scheduler::new(Clock::Virtual).with_trace();
    let (outcome, _) = run_on(&scheduler, || {
        let slow = spawn("slow", patient("slow"))?;
        Ok(wait_for(&slow, 2 * SECOND))
    });
    assert_eq!(outcome, Ok(Err(SchedError::TimedOut)));
    let expected = "
 time | main                  | slow
------+-----------------------+--------------------
0.000 | spawned               |
0.000 | > runs                |
0.000 |                       | spawned by main
0.000 | | parks to 2          |
0.000 |                       | > runs
0.000 |                       | | sleeps to 10
0.000 | (idle until 2.000)
2.000 | * timer fires         |
2.000 | > runs                |
2.000 |                       | x cancel requested
2.000 | | parks               |
2.000 |                       | > runs
2.000 |                       | | sleeps to 2.5
2.000 | (idle until 2.500)
2.500 |                       | * timer fires
2.500 |                       | > runs
2.500 |                       | = cancelled
2.500 | * woken by a callback |
2.500 | > runs                |
2.500 | = done                |
";
    assert_eq!(format!("\n{}", scheduler.trace().diagram()), expected);
}
// ANCHOR_END: diagram_test

#[test]
fn wait_for_a_task_that_fails_returns_the_failure_before_the_timeout() {
    let scheduler = Scheduler::new(Clock::Virtual);
    let (outcome, lines) = run_on(&scheduler, || {
        let bad = spawn("bad", fail_after(1.0, "bad request"))?;
        let error = wait_for(&bad, 5 * SECOND).unwrap_err();
        say!("main", "wait_for: {error} (at {})", at());
        Ok(())
    });
    assert_eq!(outcome, Ok(()));
    assert_eq!(
        lines,
        ["[main] wait_for: task \"bad\" (T1) failed: bad request (at 1)"]
    );
    assert_eq!(scheduler.take_unretrieved(), []);
}

#[test]
fn wait_for_a_task_that_panics_while_it_cleans_up_returns_that_panic_not_the_timeout() {
    let (lines, _) = run_virtual(|| {
        let clumsy = spawn("clumsy", || -> Result<&'static str, SchedError> {
            if sleep(10 * SECOND).is_err() {
                sleep(secs(0.5))?;
                panic!("cleanup failed");
            }
            Ok("never")
        })?;
        let error = wait_for(&clumsy, SECOND).unwrap_err();
        assert!(error.failure().is_some_and(|failure| failure.is_panic()));
        say!("main", "wait_for: {error} (at {})", at());
        Ok(())
    });
    assert_eq!(
        lines,
        ["[main] wait_for: task \"clumsy\" (T1) panicked: cleanup failed (at 1.5)"]
    );
}

#[test]
fn wait_for_with_a_zero_timeout_gives_an_ended_task_its_value_without_suspending() {
    let (lines, _) = run_virtual(|| {
        let done = spawn("done", || Ok::<u32, SchedError>(7))?;
        yield_now()?; // `done` runs and ends
        let other = spawn("other", || {
            say!("other", "other runs");
            Ok::<(), SchedError>(())
        })?;
        let value = wait_for(&done, Duration::ZERO)?;
        say!("main", "wait_for gave {value} at {}", at());
        other.join()?;
        Ok(())
    });
    assert_eq!(lines, ["[main] wait_for gave 7 at 0", "[other] other runs"]);
}

#[test]
fn wait_for_with_a_timeout_waits_a_pass_for_the_done_callback_of_an_ended_task() {
    let (lines, _) = run_virtual(|| {
        let done = spawn("done", || Ok::<u32, SchedError>(7))?;
        yield_now()?; // `done` runs and ends
        let other = spawn("other", || {
            say!("other", "other runs");
            Ok::<(), SchedError>(())
        })?;
        let value = wait_for(&done, SECOND)?;
        say!("main", "wait_for gave {value} at {}", at());
        other.join()?;
        Ok(())
    });
    // CPython 3.11's wait_for adds a done callback even to an ended task
    // and waits for it: `other` runs first.
    assert_eq!(lines, ["[other] other runs", "[main] wait_for gave 7 at 0"]);
}

#[test]
fn wait_for_with_a_zero_timeout_cancels_an_unfinished_task_and_waits_for_its_cleanup() {
    let (lines, end) = run_virtual(|| {
        // Not started yet: its first step delivers the cancellation, so it
        // never runs (as in asyncio).
        let fresh = spawn("fresh", nap("fresh", 1.0))?;
        let error = wait_for(&fresh, Duration::ZERO).unwrap_err();
        say!("main", "fresh: {error} (at {})", at());
        assert_eq!(fresh.join(), Err(cancelled("fresh")));
        // Started: cancelled where it sleeps; wait_for waits out its cleanup.
        let started = spawn("started", patient("started"))?;
        yield_now()?;
        let error = wait_for(&started, Duration::ZERO).unwrap_err();
        say!("main", "started: {error} (at {})", at());
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[main] fresh: the wait ran out of time before the work finished (at 0)",
            "[started] started cancelled at 0",
            "[started] started cleaned up at 0.5",
            "[main] started: the wait ran out of time before the work finished (at 0.5)",
        ]
    );
    assert_eq!(end, secs(0.5));
}

/// A task body that sleeps two seconds and returns `"value"`, saying so
/// if it is cancelled instead.
fn two_seconds() -> Result<&'static str, SchedError> {
    if let Err(error) = sleep(2 * SECOND) {
        say!("job", "cancelled at {}", at());
        return Err(error);
    }
    Ok("value")
}

#[test]
fn a_task_that_finishes_exactly_at_the_deadline_wins_only_if_its_timer_was_set_first() {
    let (lines, _) = run_virtual(|| {
        // wait_for parks (setting its deadline) before the job's first step.
        let job = spawn("job", two_seconds)?;
        let outcome = wait_for(&job, 2 * SECOND);
        say!("main", "deadline set first: {outcome:?} at {}", at());
        // The job starts (setting its timer) before wait_for is called.
        let job = spawn("job", two_seconds)?;
        yield_now()?;
        let outcome = wait_for(&job, 2 * SECOND)?;
        say!("main", "job's timer set first: {outcome:?} at {}", at());
        Ok(())
    });
    // CPython 3.11 decides both ties the same way.
    assert_eq!(
        lines,
        [
            "[job] cancelled at 2",
            "[main] deadline set first: Err(TimedOut) at 2",
            "[main] job's timer set first: \"value\" at 4",
        ]
    );
}

#[test]
fn cancelling_the_task_in_wait_for_cancels_the_task_it_waits_for_too() {
    let (lines, end) = run_virtual(|| {
        let inner = spawn("inner", patient("inner"))?;
        let waiter = spawn("waiter", {
            let inner = inner.clone();
            move || {
                let error = wait_for(&inner, 60 * SECOND).unwrap_err();
                say!("waiter", "wait_for: {error} (at {})", at());
                Err::<(), SchedError>(error)
            }
        })?;
        sleep(SECOND)?;
        assert!(waiter.cancel());
        assert_eq!(waiter.join(), Err(cancelled("waiter")));
        say!("main", "waiter cancelled, at {}", at());
        assert_eq!(inner.join(), Err(cancelled("inner")));
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[inner] inner cancelled at 1",
            "[inner] inner cleaned up at 1.5",
            "[waiter] wait_for: this task was cancelled while it waited; clean up, then pass \
             this error on with ? so that the task ends cancelled (at 1.5)",
            "[main] waiter cancelled, at 1.5",
        ]
    );
    assert_eq!(end, secs(1.5));
}

// ---- cancellation ----

#[test]
fn cancel_is_delivered_as_an_error_returned_by_the_suspension_point_the_task_waits_at() {
    let (lines, _) = run_virtual(|| {
        let sleeper = spawn("sleeper", || {
            let outcome = sleep(10 * SECOND);
            say!("sleeper", "sleep returned {outcome:?} at {}", at());
            outcome
        })?;
        sleep(SECOND)?;
        assert!(!sleeper.done());
        assert!(sleeper.cancel());
        assert_eq!(sleeper.join(), Err(cancelled("sleeper")));
        assert!(sleeper.cancelled());
        say!("main", "joined at {}", at());
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[sleeper] sleep returned Err(Cancelled) at 1",
            "[main] joined at 1",
        ]
    );
}

/// Three nested calls, each with a counter on its frame; the innermost
/// sleeps, and `?` carries a cancellation back out through all three.
fn deep(level: u32, drops: Rc<Cell<u32>>) -> Result<(), SchedError> {
    let _counter = DropCounter(Rc::clone(&drops));
    if level == 0 {
        sleep(10 * SECOND)
    } else {
        deep(level - 1, drops)
    }
}

#[test]
fn a_cancelled_task_runs_the_destructors_of_every_frame_on_its_stack() {
    let drops = Rc::new(Cell::new(0));
    let seen = Rc::clone(&drops);
    let (lines, _) = run_virtual(move || {
        let task = spawn("deep", move || deep(2, seen))?;
        sleep(SECOND)?;
        assert_eq!(drops.get(), 0, "nothing dropped before the cancel");
        task.cancel();
        assert_eq!(drops.get(), 0, "delivered at the task's next resume");
        assert_eq!(task.join(), Err(cancelled("deep")));
        say!("main", "{} counters dropped at {}", drops.get(), at());
        Ok(())
    });
    assert_eq!(lines, ["[main] 3 counters dropped at 1"]);
}

#[test]
fn cleanup_that_waits_runs_to_its_end_before_the_cancelled_task_ends() {
    let (lines, end) = run_virtual(|| {
        let task = spawn("worker", || {
            if let Err(error) = sleep(10 * SECOND) {
                say!("worker", "cancelled at {}", at());
                sleep(secs(0.5))?;
                say!("worker", "flushed at {}", at());
                sleep(secs(0.25))?;
                say!("worker", "closed at {}", at());
                return Err(error);
            }
            Ok(())
        })?;
        sleep(SECOND)?;
        task.cancel();
        let outcome = task.join();
        say!("main", "joined at {}: {outcome:?}", at());
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[worker] cancelled at 1",
            "[worker] flushed at 1.5",
            "[worker] closed at 1.75",
            "[main] joined at 1.75: Err(TaskCancelled { task: \"worker\" })",
        ]
    );
    assert_eq!(end, secs(1.75));
}

#[test]
fn a_task_that_swallows_its_cancellation_and_returns_a_value_ends_done_as_in_asyncio() {
    let (lines, _) = run_virtual(|| {
        let stubborn = spawn("stubborn", || {
            let _ = sleep(10 * SECOND); // ignores the cancellation
            say!("stubborn", "returning 42 anyway");
            Ok::<u32, SchedError>(42)
        })?;
        sleep(SECOND)?;
        stubborn.cancel();
        assert_eq!(stubborn.join(), Ok(42));
        assert!(!stubborn.cancelled());
        say!("main", "the 42 came through");
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[stubborn] returning 42 anyway",
            "[main] the 42 came through"
        ]
    );
}

#[test]
fn a_task_cancelled_before_it_started_never_runs_and_its_body_is_dropped_at_its_first_step() {
    let scheduler = Scheduler::new(Clock::Virtual);
    let ran = Rc::new(Cell::new(false));
    let drops = Rc::new(Cell::new(0));
    let (ran_seen, drops_seen) = (Rc::clone(&ran), Rc::clone(&drops));
    let (outcome, lines) = run_on(&scheduler, move || {
        let counter = DropCounter(Rc::clone(&drops_seen));
        let flag = Rc::clone(&ran_seen);
        let never = spawn("never", move || {
            let _counter = counter;
            flag.set(true);
            Ok::<(), SchedError>(())
        })?;
        assert_eq!(drops_seen.get(), 0);
        assert!(never.cancel());
        assert_eq!(drops_seen.get(), 0, "nothing runs until its step");
        assert!(!never.done());
        assert_eq!(never.join(), Err(cancelled("never")));
        assert_eq!(drops_seen.get(), 1, "dropped at its first step");
        sleep(SECOND)?;
        Ok(())
    });
    assert_eq!(outcome, Ok(()));
    assert!(lines.is_empty());
    assert!(!ran.get(), "the task never ran");
    assert_eq!(drops.get(), 1);
    assert_eq!(scheduler.live_tasks(), 0);
}

#[test]
fn cancelling_an_ended_task_returns_false_and_changes_nothing() {
    let (lines, _) = run_virtual(|| {
        let done = spawn("done", || Ok::<u32, SchedError>(7))?;
        assert_eq!(done.join(), Ok(7));
        assert!(!done.cancel());
        assert_eq!(done.join(), Ok(7));
        let bad = spawn("bad", fail_after(0.5, "bad request"))?;
        let first = said(&bad.join().unwrap_err());
        assert!(!bad.cancel());
        assert_eq!(said(&bad.join().unwrap_err()), first);
        say!("main", "both unchanged: {first}");
        Ok(())
    });
    assert_eq!(
        lines,
        ["[main] both unchanged: task \"bad\" (T2) failed: bad request"]
    );
}

#[test]
fn cancelling_twice_before_it_is_delivered_delivers_it_once() {
    let (lines, _) = run_virtual(|| {
        let worker = spawn("worker", patient("worker"))?;
        sleep(SECOND)?;
        assert!(worker.cancel());
        assert!(
            worker.cancel(),
            "still pending, so true again (asyncio too)"
        );
        assert_eq!(worker.join(), Err(cancelled("worker")));
        Ok(())
    });
    // One cancellation: the cleanup's own sleep is not interrupted.
    assert_eq!(
        lines,
        [
            "[worker] worker cancelled at 1",
            "[worker] worker cleaned up at 1.5",
        ]
    );
}

#[test]
fn a_second_cancel_during_the_cleanup_interrupts_the_cleanup_as_in_asyncio() {
    let (lines, _) = run_virtual(|| {
        let worker = spawn("worker", patient("worker"))?;
        sleep(SECOND)?;
        worker.cancel();
        sleep(secs(0.25))?; // the worker is in its cleanup sleep now
        assert!(worker.cancel());
        assert_eq!(worker.join(), Err(cancelled("worker")));
        say!("main", "joined at {}", at());
        Ok(())
    });
    // The cleanup's `sleep(..)?` returned the second cancellation.
    assert_eq!(
        lines,
        ["[worker] worker cancelled at 1", "[main] joined at 1.25"]
    );
}

#[test]
fn a_task_that_cancels_itself_runs_on_until_its_next_suspension_point() {
    let (lines, _) = run_virtual(|| {
        let handle = spawn("self", || {
            let own = current_task()?;
            say!("self", "cancel() = {}", own.cancel());
            say!("self", "still running");
            let outcome = yield_now();
            say!("self", "yield_now returned {outcome:?}");
            outcome
        })?;
        assert_eq!(handle.join(), Err(cancelled("self")));
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[self] cancel() = true",
            "[self] still running",
            "[self] yield_now returned Err(Cancelled)",
        ]
    );
}

#[test]
fn cancelling_a_task_that_joins_another_cancels_the_joined_task_as_in_asyncio() {
    let (lines, _) = run_virtual(|| {
        let target = spawn("target", patient("target"))?;
        let joiner = spawn("joiner", {
            let target = target.clone();
            move || {
                let outcome = target.join();
                say!("joiner", "join returned {outcome:?} at {}", at());
                outcome
            }
        })?;
        sleep(SECOND)?;
        assert!(joiner.cancel());
        assert_eq!(joiner.join(), Err(cancelled("joiner")));
        assert!(target.cancelled());
        say!("main", "both cancelled at {}", at());
        Ok(())
    });
    // asyncio's `await target` in the joiner: cancelling the joiner cancels
    // `target`, and the joiner's await then raises CancelledError once
    // `target` has cleaned up. Passed on with `?`, it ends the joiner
    // cancelled.
    assert_eq!(
        lines,
        [
            "[target] target cancelled at 1",
            "[target] target cleaned up at 1.5",
            "[joiner] join returned Err(TaskCancelled { task: \"target\" }) at 1.5",
            "[main] both cancelled at 1.5",
        ]
    );
}

#[test]
fn cancelling_a_task_in_a_cycle_of_joins_hands_it_the_cancellation_once_round_the_cycle() {
    // A joins B and B joins A. Cancelling A passes it on to B, which passes
    // it back to A: A, met a second time, keeps it (asyncio would pass it
    // round until Python's recursion limit). A's join returns Cancelled, A
    // ends cancelled, and B's join of A then says so.
    let (lines, _) = run_virtual(|| {
        let slot: Rc<RefCell<Option<JoinHandle<()>>>> = Rc::default();
        let for_b = Rc::clone(&slot);
        let b = spawn("B", move || {
            let a = for_b.borrow().clone().expect("A was spawned");
            let outcome = a.join();
            say!("B", "join of A returned {outcome:?}");
            Ok::<(), SchedError>(())
        })?;
        let a = spawn("A", move || {
            let outcome = b.join();
            say!("A", "join of B returned {outcome:?}");
            outcome
        })?;
        *slot.borrow_mut() = Some(a.clone());
        yield_now()?;
        assert!(a.cancel());
        let ended = a.join();
        say!("main", "A ended {ended:?}");
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[A] join of B returned Err(Cancelled)",
            "[B] join of A returned Err(TaskCancelled { task: \"A\" })",
            "[main] A ended Err(TaskCancelled { task: \"A\" })",
        ]
    );
}

#[test]
fn a_cancellation_passed_on_with_question_mark_ends_the_task_cancelled_and_gather_fails_fast() {
    let (lines, _) = run_virtual(|| {
        let inner = spawn("inner", patient("inner"))?;
        let outer = spawn("outer", {
            let inner = inner.clone();
            move || inner.join()
        })?;
        let sibling = spawn("sibling", nap("sibling", 5.0))?;
        sleep(SECOND)?;
        inner.cancel();
        let error = gather(&[outer.clone(), sibling.clone()]).unwrap_err();
        say!("main", "gather: {error} at {}", at());
        say!("main", "outer cancelled: {}", outer.cancelled());
        sibling.join()?;
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[inner] inner cancelled at 1",
            "[inner] inner cleaned up at 1.5",
            "[main] gather: the task \"outer\" you waited for was cancelled at 1.5",
            "[main] outer cancelled: true",
            "[sibling] sibling done at 5",
        ]
    );
}

#[test]
fn a_failure_passed_on_with_question_mark_keeps_the_first_tasks_failure() {
    let (lines, _) = run_virtual(|| {
        let inner = spawn("inner", fail_after(1.0, "disk full"))?;
        let outer = spawn("outer", {
            let inner = inner.clone();
            move || inner.join()
        })?;
        let error = outer.join().unwrap_err();
        say!("main", "{error}");
        let failure = error.failure().expect("a failure");
        say!("main", "from {} ({})", failure.task(), failure.id());
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[main] task \"inner\" (T1) failed: disk full",
            "[main] from inner (T1)"
        ]
    );
}

#[test]
fn a_failure_keeps_its_error_value_and_its_panic_payload_for_matching_by_type() {
    #[derive(Debug, Clone, PartialEq)]
    struct HttpError(u16);
    impl std::fmt::Display for HttpError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "HTTP {}", self.0)
        }
    }
    impl std::error::Error for HttpError {}
    let (lines, _) = run_virtual(|| {
        let typed = spawn("typed", || -> Result<(), HttpError> { Err(HttpError(503)) })?;
        let payload = spawn("payload", || -> Result<(), SchedError> {
            std::panic::panic_any(HttpError(418))
        })?;
        let failure = typed.join().unwrap_err().failure().cloned().unwrap();
        say!("main", "{:?}", failure.downcast_ref::<HttpError>());
        let failure = payload.join().unwrap_err().failure().cloned().unwrap();
        say!("main", "{:?}", failure.panic_payload::<HttpError>());
        say!("main", "{}", failure.message());
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[main] Some(HttpError(503))",
            "[main] Some(HttpError(418))",
            "[main] a panic with a payload that is not a string (see Failure::panic_payload)",
        ]
    );
}

// ---- failures nobody awaited ----

#[test]
fn a_failure_nobody_joins_is_reported_by_take_unretrieved_naming_the_task() {
    let scheduler = Scheduler::new(Clock::Virtual);
    let (outcome, lines) = run_on(&scheduler, || {
        let _orphan = spawn("orphan", panic_after(1.0, "nobody listens"))?;
        let joined = spawn("joined", fail_after(1.0, "somebody listens"))?;
        let fine = spawn("fine", nap("fine", 2.0))?;
        assert!(joined.join().is_err());
        fine.join()?;
        Ok(())
    });
    assert_eq!(outcome, Ok(()));
    assert_eq!(lines, ["[fine] fine done at 2"], "the others kept running");
    let unretrieved = scheduler.take_unretrieved();
    assert_eq!(unretrieved.len(), 1);
    assert_eq!(unretrieved[0].task, "orphan");
    assert_eq!(
        unretrieved[0].to_string(),
        "task \"orphan\" (T1) panicked: nobody listens, and nobody joined it"
    );
    assert_eq!(scheduler.take_unretrieved(), [], "taken once");
}

// ---- misuse ----

#[test]
fn outside_a_task_every_combinator_says_not_in_task_naming_itself() {
    let scheduler = Scheduler::new(Clock::Virtual);
    let pending = scheduler
        .spawn("pending", || Ok::<u32, SchedError>(1))
        .unwrap();
    let not_in = |operation| SchedError::NotInTask { operation };
    assert_eq!(
        gather(std::slice::from_ref(&pending)),
        Err(not_in("gather"))
    );
    assert_eq!(
        gather_results(std::slice::from_ref(&pending)),
        Err(not_in("gather_results"))
    );
    assert_eq!(wait_for(&pending, SECOND), Err(not_in("wait_for")));
    let mut items = as_completed(vec![pending.clone()]);
    assert_eq!(items.next(), Some(Err(not_in("as_completed"))));
    assert_eq!(items.next(), None);
    // Even once it has ended: gathering means waiting for done callbacks.
    let (outcome, _) = run_on(&scheduler, || Ok::<(), SchedError>(()));
    assert_eq!(outcome, Ok(()));
    assert!(pending.done());
    assert_eq!(
        gather(std::slice::from_ref(&pending)),
        Err(not_in("gather"))
    );
    // An empty group needs nothing at all.
    let nothing: &[JoinHandle<u32>] = &[];
    assert_eq!(gather(nothing), Ok(vec![]));
}

#[test]
fn in_a_callback_every_combinator_says_in_callback_naming_itself() {
    let seen: Rc<RefCell<Vec<String>>> = Rc::default();
    let record = Rc::clone(&seen);
    let (lines, _) = run_virtual(move || {
        let quick = spawn("quick", || Ok::<u32, SchedError>(1))?;
        let watched = quick.clone();
        quick.add_done_callback(move |_| {
            record.borrow_mut().push(
                gather(std::slice::from_ref(&watched))
                    .unwrap_err()
                    .to_string(),
            );
            record
                .borrow_mut()
                .push(wait_for(&watched, SECOND).unwrap_err().to_string());
        });
        quick.join()?;
        sleep(SECOND)?;
        Ok(())
    });
    assert!(lines.is_empty());
    assert_eq!(
        *seen.borrow(),
        [
            "gather() was called from a callback (a done callback, or one given to call_soon \
             or call_later); a callback runs to its end on the scheduler's own stack and \
             cannot wait, so spawn a task from the callback to do the waiting",
            "wait_for() was called from a callback (a done callback, or one given to \
             call_soon or call_later); a callback runs to its end on the scheduler's own \
             stack and cannot wait, so spawn a task from the callback to do the waiting",
        ]
    );
}

// ---- a wake from elsewhere ----
//
// A chapter 9 waker (`task_waker`, which chapter 11's `to_thread` hands to
// its thread) wakes whatever `park` its task is in, as a
// `std::task::Waker` may: a park can end before what it waits for has
// happened. The combinators look again, and park again.

#[test]
fn a_wake_from_elsewhere_does_not_make_wait_for_give_up_before_its_deadline() {
    let (lines, end) = run_virtual(|| {
        let stray = yieldpoint::ch06_scheduler::task_waker()?;
        yieldpoint::ch06_scheduler::call_later(secs(0.5), move || stray.wake())?;
        let slow = spawn("slow", nap("slow", 2.0))?;
        let value = wait_for(&slow, 3 * SECOND)?;
        say!("main", "wait_for gave {value} at {}", at());
        Ok(())
    });
    assert_eq!(
        lines,
        ["[slow] slow done at 2", "[main] wait_for gave slow at 2"]
    );
    assert_eq!(end, 2 * SECOND);
}

#[test]
fn a_wake_from_elsewhere_during_the_cleanup_wait_for_waits_for_does_not_strand_it() {
    let (lines, end) = run_virtual(|| {
        // Cancelled at 1 s, its cleanup sleeps half a second; a stray wake
        // at 1.25 s lands in the middle of it.
        let stray = yieldpoint::ch06_scheduler::task_waker()?;
        yieldpoint::ch06_scheduler::call_later(secs(1.25), move || stray.wake())?;
        let careful = spawn("careful", patient("careful"))?;
        let error = wait_for(&careful, SECOND).unwrap_err();
        say!("main", "wait_for: {error} at {}", at());
        Ok(())
    });
    assert_eq!(
        lines,
        [
            "[careful] careful cancelled at 1",
            "[careful] careful cleaned up at 1.5",
            "[main] wait_for: the wait ran out of time before the work finished at 1.5",
        ]
    );
    assert_eq!(end, secs(1.5));
}
