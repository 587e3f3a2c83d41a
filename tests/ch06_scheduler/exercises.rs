//! The tests of chapter 6's small exercises, one module per exercise.
//!
//! Each module compiles the learner's file under the feature `learner`, and
//! the reference solution otherwise:
//!
//! ```text
//! cargo test --test ch06_scheduler -- exercises::e1_event::                    the solution
//! cargo test --features learner --test ch06_scheduler -- exercises::e1_event::  your file
//! ```
//!
//! Everything runs on the virtual clock: every time below is exact, and no
//! test depends on how fast this machine is.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::time::Duration;

use yieldpoint::ch06_scheduler::{
    Clock, JoinHandle, SchedError, Scheduler, call_later, call_soon, now, sleep, spawn, yield_now,
};
use yieldpoint::output::capture;
use yieldpoint::say;

const SECOND: Duration = Duration::from_secs(1);

fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

/// The running scheduler's time in seconds, the short way: `2`, `1.5`.
fn at() -> String {
    format!("{}", now().expect("inside a task").as_secs_f64())
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
    let (outcome, lines) = capture(|| scheduler.run_until_complete(program));
    if let Err(error) = outcome {
        panic!("the program failed: {error}\n{lines:#?}");
    }
    (lines, scheduler.now())
}

/// The message of the panic `f` must raise.
fn panic_of<R>(f: impl FnOnce() -> R) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f))
        .err()
        .expect("this must panic");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// Joins every task, in order, passing the first error on.
fn join_all(tasks: &[JoinHandle<()>]) -> Result<(), SchedError> {
    tasks.iter().try_for_each(JoinHandle::join)
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e1_event {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch06_scheduler/1_event.rs")]
    #[cfg_attr(not(feature = "learner"), path = "solutions/ch06_scheduler/1_event.rs")]
    mod exercise;
    use exercise::Event;

    /// A task body: says when it begins to wait and when it wakes.
    fn waiter(
        name: &'static str,
        event: &Rc<Event>,
    ) -> impl FnOnce() -> Result<(), SchedError> + use<> {
        let event = Rc::clone(event);
        move || {
            say!(name, "{name} waits at {}", at());
            event.wait()?;
            say!(name, "{name} woke at {}", at());
            Ok(())
        }
    }

    #[test]
    fn set_wakes_every_waiter_in_the_order_they_began_to_wait() {
        let (lines, end) = run_virtual(|| {
            let event = Rc::new(Event::new());
            // Spawned first, but it begins to wait last.
            let late = {
                let body = waiter("late", &event);
                spawn("late", move || {
                    sleep(SECOND)?;
                    body()
                })?
            };
            let a = spawn("a", waiter("a", &event))?;
            let b = spawn("b", waiter("b", &event))?;
            sleep(2 * SECOND)?;
            say!(
                "main",
                "sets it at {}; set before? {}",
                at(),
                event.is_set()
            );
            event.set();
            say!("main", "set now? {}", event.is_set());
            join_all(&[late, a, b])
        });
        assert_eq!(
            lines,
            [
                "[a] a waits at 0",
                "[b] b waits at 0",
                "[late] late waits at 1",
                "[main] sets it at 2; set before? false",
                // `set` only makes them ready: main goes on until it joins.
                "[main] set now? true",
                "[a] a woke at 2",
                "[b] b woke at 2",
                "[late] late woke at 2",
            ]
        );
        assert_eq!(end, 2 * SECOND);
    }

    #[test]
    fn waiting_on_an_event_already_set_returns_at_once_without_suspending() {
        let scheduler = Scheduler::new(Clock::Virtual);
        let (outcome, lines) = capture(|| {
            scheduler.run_until_complete(|| {
                let other = spawn("other", || {
                    say!("other", "my turn");
                    Ok::<(), SchedError>(())
                })?;
                let event = Event::new();
                event.set();
                event.wait()?;
                event.wait()?;
                say!("main", "past both waits");
                other.join()?;
                Ok::<bool, SchedError>(event.is_set())
            })
        });
        assert_eq!(outcome, Ok(true));
        // Had a wait suspended, `other` would have run before main's line.
        assert_eq!(lines, ["[main] past both waits", "[other] my turn"]);
        // main: its first step and the one after `other` ended; other: one.
        assert_eq!(scheduler.resumes(), 3);
    }

    #[test]
    fn a_callback_can_set_the_event_and_wake_the_waiters() {
        let (lines, end) = run_virtual(|| {
            let event = Rc::new(Event::new());
            let setter = Rc::clone(&event);
            call_later(millis(1500), move || {
                say!("callback", "set at {}", at());
                setter.set();
            })?;
            let a = spawn("a", waiter("a", &event))?;
            say!("main", "main waits too, set? {}", event.is_set());
            event.wait()?;
            say!("main", "main woke at {}", at());
            a.join()
        });
        assert_eq!(
            lines,
            [
                "[main] main waits too, set? false",
                "[a] a waits at 0",
                "[callback] set at 1.5",
                "[main] main woke at 1.5",
                "[a] a woke at 1.5",
            ]
        );
        assert_eq!(end, millis(1500));
    }

    #[test]
    fn a_waiter_cancelled_while_it_waits_ends_cancelled_and_the_others_still_wake() {
        let (lines, _) = run_virtual(|| {
            let event = Rc::new(Event::new());
            let quitter = {
                let event = Rc::clone(&event);
                spawn("quitter", move || {
                    let waited = event.wait();
                    say!("quitter", "wait gave {waited:?} at {}", at());
                    waited
                })?
            };
            let stayer = spawn("stayer", waiter("stayer", &event))?;
            sleep(SECOND)?;
            quitter.cancel();
            sleep(SECOND)?;
            event.set();
            stayer.join()?;
            say!("main", "quitter cancelled? {}", quitter.cancelled());
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[stayer] stayer waits at 0",
                "[quitter] wait gave Err(Cancelled) at 1",
                "[stayer] stayer woke at 2",
                "[main] quitter cancelled? true",
            ]
        );
    }

    #[test]
    fn waiting_outside_a_task_is_refused() {
        let event = Event::new();
        assert!(
            matches!(event.wait(), Err(SchedError::NotInTask { .. })),
            "wait() outside a scheduler must say NotInTask"
        );
        assert!(!event.is_set());
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e2_semaphore {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch06_scheduler/2_semaphore.rs")]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch06_scheduler/2_semaphore.rs"
    )]
    mod exercise;
    use exercise::Semaphore;

    /// A task body: takes a permit, holds it for `hold`, gives it back.
    fn worker(
        name: &'static str,
        semaphore: &Rc<Semaphore>,
        hold: Duration,
    ) -> impl FnOnce() -> Result<(), SchedError> + use<> {
        let semaphore = Rc::clone(semaphore);
        move || {
            semaphore.acquire()?;
            say!(name, "{name} got a permit at {}", at());
            sleep(hold)?;
            say!(name, "{name} releases at {}", at());
            semaphore.release();
            Ok(())
        }
    }

    #[test]
    fn permits_go_to_the_waiters_in_the_order_they_asked() {
        let (lines, end) = run_virtual(|| {
            let semaphore = Rc::new(Semaphore::new(2));
            let mut workers = vec![spawn("w0", worker("w0", &semaphore, 3 * SECOND))?];
            for name in ["w1", "w2", "w3", "w4"] {
                workers.push(spawn(name, worker(name, &semaphore, SECOND))?);
            }
            join_all(&workers)?;
            say!("main", "available at the end: {}", semaphore.available());
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[w0] w0 got a permit at 0",
                "[w1] w1 got a permit at 0",
                "[w1] w1 releases at 1",
                "[w2] w2 got a permit at 1",
                "[w2] w2 releases at 2",
                "[w3] w3 got a permit at 2",
                // Both release at 3; w0's timer was set first. w4 asked
                // long before: w0's permit goes straight to it.
                "[w0] w0 releases at 3",
                "[w3] w3 releases at 3",
                "[w4] w4 got a permit at 3",
                "[w4] w4 releases at 4",
                "[main] available at the end: 2",
            ]
        );
        assert_eq!(end, 4 * SECOND);
    }

    #[test]
    fn acquire_does_not_suspend_while_a_permit_is_free() {
        let scheduler = Scheduler::new(Clock::Virtual);
        let outcome = scheduler.run_until_complete(|| {
            let semaphore = Semaphore::new(3);
            let mut seen = vec![semaphore.available()];
            for _ in 0..3 {
                semaphore.acquire()?;
                seen.push(semaphore.available());
            }
            for _ in 0..3 {
                semaphore.release();
                seen.push(semaphore.available());
            }
            Ok::<_, SchedError>(seen)
        });
        assert_eq!(outcome, Ok(vec![3, 2, 1, 0, 1, 2, 3]));
        assert_eq!(scheduler.resumes(), 1, "main ran in one step");
    }

    #[test]
    fn a_task_that_releases_and_asks_again_at_once_queues_behind_the_waiter() {
        let (lines, _) = run_virtual(|| {
            let semaphore = Rc::new(Semaphore::new(1));
            let greedy = {
                let semaphore = Rc::clone(&semaphore);
                spawn("greedy", move || {
                    semaphore.acquire()?;
                    say!("greedy", "greedy got a permit at {}", at());
                    sleep(SECOND)?;
                    semaphore.release();
                    // No suspension between the two: the permit was handed
                    // to the waiter already, so this one must wait.
                    semaphore.acquire()?;
                    say!("greedy", "greedy got it again at {}", at());
                    semaphore.release();
                    Ok::<(), SchedError>(())
                })?
            };
            let patient = spawn("patient", worker("patient", &semaphore, SECOND))?;
            join_all(&[greedy, patient])
        });
        assert_eq!(
            lines,
            [
                "[greedy] greedy got a permit at 0",
                "[patient] patient got a permit at 1",
                "[patient] patient releases at 2",
                "[greedy] greedy got it again at 2",
            ]
        );
    }

    #[test]
    fn a_waiter_cancelled_in_the_queue_gives_up_its_place_to_the_next() {
        let (lines, _) = run_virtual(|| {
            let semaphore = Rc::new(Semaphore::new(1));
            let holder = spawn("holder", worker("holder", &semaphore, 2 * SECOND))?;
            let gone = spawn("gone", worker("gone", &semaphore, SECOND))?;
            let next = spawn("next", worker("next", &semaphore, SECOND))?;
            sleep(SECOND)?;
            gone.cancel();
            join_all(&[holder, next])?;
            say!(
                "main",
                "gone cancelled? {}; available: {}",
                gone.cancelled(),
                semaphore.available()
            );
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[holder] holder got a permit at 0",
                "[holder] holder releases at 2",
                "[next] next got a permit at 2",
                "[next] next releases at 3",
                "[main] gone cancelled? true; available: 1",
            ]
        );
    }

    #[test]
    fn a_waiter_cancelled_after_it_was_handed_a_permit_passes_the_permit_on() {
        let (lines, _) = run_virtual(|| {
            let semaphore = Rc::new(Semaphore::new(1));
            semaphore.acquire()?;
            let first = spawn("first", worker("first", &semaphore, SECOND))?;
            let second = spawn("second", worker("second", &semaphore, SECOND))?;
            yield_now()?; // both are in the queue now
            // The permit goes to `first`, which is made ready; then, before
            // it runs, it is cancelled: its acquire returns an error, and
            // the permit it was handed must not be lost.
            semaphore.release();
            first.cancel();
            second.join()?;
            say!(
                "main",
                "first cancelled? {}; available: {}",
                first.cancelled(),
                semaphore.available()
            );
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[second] second got a permit at 0",
                "[second] second releases at 1",
                "[main] first cancelled? true; available: 1",
            ]
        );
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e3_ticker {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch06_scheduler/3_ticker.rs")]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch06_scheduler/3_ticker.rs"
    )]
    mod exercise;
    use exercise::{Tick, tick_every};

    /// Work for tick `n` that takes `took(n)`, saying when it starts.
    fn work(took: impl Fn(u32) -> Duration) -> impl FnMut(u32) -> Result<(), SchedError> {
        move |n| {
            say!("ticker", "tick {n} at {}", at());
            sleep(took(n))
        }
    }

    fn ticks(list: &[(u32, u64)]) -> Vec<Tick> {
        list.iter()
            .map(|&(number, ms)| Tick {
                number,
                at: millis(ms),
            })
            .collect()
    }

    #[test]
    fn each_tick_starts_on_the_grid_however_long_the_work_before_it_took() {
        let (lines, end) = run_virtual(|| {
            sleep(millis(500))?; // the grid starts when tick_every is called
            let ran = tick_every(SECOND, 4, work(|_| millis(300)))?;
            assert_eq!(ran, ticks(&[(0, 500), (1, 1500), (2, 2500), (3, 3500)]));
            Ok(())
        });
        // `sleep(period)` after each tick's work would start them at 0.5,
        // 1.8, 3.1 and 4.4: the 0.3 s of work would pile up.
        assert_eq!(
            lines,
            [
                "[ticker] tick 0 at 0.5",
                "[ticker] tick 1 at 1.5",
                "[ticker] tick 2 at 2.5",
                "[ticker] tick 3 at 3.5",
            ]
        );
        assert_eq!(end, millis(3800), "it returns when the last work ends");
    }

    #[test]
    fn ticks_whose_time_passed_while_the_work_ran_are_skipped_not_run_late() {
        let (lines, _) = run_virtual(|| {
            let slow_second = |n| if n == 1 { millis(2500) } else { millis(100) };
            let ran = tick_every(SECOND, 6, work(slow_second))?;
            assert_eq!(ran, ticks(&[(0, 0), (1, 1000), (4, 4000), (5, 5000)]));
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[ticker] tick 0 at 0",
                "[ticker] tick 1 at 1",
                // Tick 1's work ends at 3.5: ticks 2 (due at 2) and 3 (due
                // at 3) are gone; tick 4 is on time.
                "[ticker] tick 4 at 4",
                "[ticker] tick 5 at 5",
            ]
        );
    }

    #[test]
    fn work_that_ends_exactly_on_the_next_deadline_misses_nothing() {
        let (lines, end) = run_virtual(|| {
            let ran = tick_every(millis(250), 3, work(|_| millis(250)))?;
            assert_eq!(ran, ticks(&[(0, 0), (1, 250), (2, 500)]));
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[ticker] tick 0 at 0",
                "[ticker] tick 1 at 0.25",
                "[ticker] tick 2 at 0.5"
            ]
        );
        assert_eq!(end, millis(750));
    }

    #[test]
    fn between_ticks_the_ticker_sleeps_and_other_tasks_run() {
        let (lines, _) = run_virtual(|| {
            let other = spawn("other", || {
                for _ in 0..3 {
                    sleep(SECOND)?;
                    say!("other", "other at {}", at());
                }
                Ok::<(), SchedError>(())
            })?;
            let ran = tick_every(millis(1500), 3, work(|_| Duration::ZERO))?;
            assert_eq!(ran.len(), 3);
            other.join()
        });
        assert_eq!(
            lines,
            [
                "[ticker] tick 0 at 0",
                "[other] other at 1",
                "[ticker] tick 1 at 1.5",
                "[other] other at 2",
                "[ticker] tick 2 at 3",
                "[other] other at 3",
            ]
        );
    }

    #[test]
    fn cancelling_the_ticking_task_stops_it_at_its_wait() {
        let (lines, _) = run_virtual(|| {
            let ticker = spawn("ticker", || {
                let outcome = tick_every(SECOND, 10, work(|_| Duration::ZERO));
                say!("ticker", "tick_every gave {outcome:?} at {}", at());
                outcome.map(drop)
            })?;
            sleep(millis(2500))?;
            ticker.cancel();
            let joined = ticker.join();
            say!("main", "join gave {joined:?}");
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[ticker] tick 0 at 0",
                "[ticker] tick 1 at 1",
                "[ticker] tick 2 at 2",
                "[ticker] tick_every gave Err(Cancelled) at 2.5",
                "[main] join gave Err(TaskCancelled { task: \"ticker\" })",
            ]
        );
    }

    #[test]
    fn a_period_of_zero_is_refused_with_a_message() {
        let scheduler = Scheduler::new(Clock::Virtual);
        let outcome = scheduler.run_until_complete(|| {
            let message = panic_of(|| tick_every(Duration::ZERO, 3, |_| Ok(())));
            Ok::<_, SchedError>(message)
        });
        assert_eq!(
            outcome.as_deref(),
            Ok(
                "tick_every: a period of zero would tick forever at the same instant; \
                give it a period above zero"
            )
        );
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e4_predict {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch06_scheduler/4_predict.rs")]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch06_scheduler/4_predict.rs"
    )]
    mod exercise;
    use exercise::{predicted_lines, predicted_resumes};

    /// The program exercise 6.4 asks about. Read it, predict, then run the
    /// check: it runs this as main on a virtual scheduler.
    pub fn program() -> Result<u32, SchedError> {
        let a = spawn("a", || {
            say!("a", "a starts");
            sleep(SECOND)?;
            say!("a", "a wakes at {}", at());
            Ok::<u32, SchedError>(1)
        })?;
        let b = spawn("b", || {
            say!("b", "b starts");
            yield_now()?;
            say!("b", "b again");
            Ok::<u32, SchedError>(2)
        })?;
        call_soon(|| say!("callback", "soon"))?;
        b.add_done_callback(|_| say!("callback", "b is done"));
        call_later(SECOND, || say!("callback", "later"))?;
        say!("main", "main spawned a and b");
        let total = a.join()? + b.join()?;
        say!("main", "total {total} at {}", at());
        Ok(total)
    }

    #[test]
    fn the_predicted_lines_are_the_lines_the_program_says() {
        let (lines, end) = run_virtual(program);
        assert_eq!(
            predicted_lines(),
            lines,
            "your prediction (left) against the run (right)"
        );
        assert_eq!(end, SECOND);
    }

    #[test]
    fn the_predicted_resumes_are_the_resumes_the_program_takes() {
        let scheduler = Scheduler::new(Clock::Virtual);
        let (outcome, _) = capture(|| scheduler.run_until_complete(program));
        assert_eq!(outcome, Ok(3));
        assert_eq!(
            predicted_resumes(),
            scheduler.resumes(),
            "your prediction (left) against the run (right)"
        );
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e5_lifo {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch06_scheduler/5_lifo.rs")]
    #[cfg_attr(not(feature = "learner"), path = "solutions/ch06_scheduler/5_lifo.rs")]
    mod exercise;
    use exercise::{Action, ModelTask, Order, run};

    use Action::{Say, Spawn, Yield};

    fn task(name: &'static str, actions: Vec<Action>) -> ModelTask {
        ModelTask { name, actions }
    }

    /// Chapter 6's "tasks created in the order T1, T3, T2", without the
    /// sleep: main spawns three tasks and ends.
    fn spawn_three() -> ModelTask {
        task(
            "main",
            vec![
                Spawn(task("T1", vec![Say("T1 start")])),
                Spawn(task("T3", vec![Say("T3 start")])),
                Spawn(task("T2", vec![Say("T2 start")])),
                Say("main end"),
            ],
        )
    }

    /// Chapter 6's `sleep(0)` interleaving: two tasks that yield between
    /// their lines.
    fn two_yielders() -> ModelTask {
        let yielder = |name: &'static str, lines: [&'static str; 3]| {
            task(
                name,
                vec![Say(lines[0]), Yield, Say(lines[1]), Yield, Say(lines[2])],
            )
        };
        task(
            "main",
            vec![
                Spawn(yielder("a", ["a 0", "a 1", "a 2"])),
                Spawn(yielder("b", ["b 0", "b 1", "b 2"])),
            ],
        )
    }

    /// "A spawned task does not run until the spawner suspends".
    fn spawn_then_yield() -> ModelTask {
        task(
            "main",
            vec![
                Say("before spawn"),
                Spawn(task("child", vec![Say("child runs")])),
                Say("still main's turn"),
                Yield,
                Say("main again"),
            ],
        )
    }

    /// A task that spawns a task: where does the grandchild go?
    fn nested_spawns() -> ModelTask {
        task(
            "main",
            vec![
                Spawn(task(
                    "x",
                    vec![
                        Say("x runs"),
                        Spawn(task("z", vec![Say("z runs")])),
                        Yield,
                        Say("x again"),
                    ],
                )),
                Spawn(task("y", vec![Say("y runs")])),
            ],
        )
    }

    /// Runs the model program on chapter 6's real scheduler: `Say` is
    /// `say!`, `Spawn` is `spawn`, `Yield` is `yield_now`.
    fn on_the_scheduler(main: ModelTask) -> Vec<String> {
        /// How many model tasks are still alive.
        type Alive = Rc<std::cell::Cell<usize>>;
        fn body(model: ModelTask, alive: Alive) -> impl FnOnce() -> Result<(), SchedError> {
            alive.set(alive.get() + 1);
            move || {
                for action in model.actions {
                    match action {
                        Say(text) => say!(model.name, "{text}"),
                        Spawn(child) => drop(spawn(child.name, body(child, Rc::clone(&alive)))?),
                        Yield => yield_now()?,
                    }
                }
                alive.set(alive.get() - 1);
                Ok(())
            }
        }
        let scheduler = Scheduler::new(Clock::Virtual);
        let alive: Alive = Rc::default();
        // Spawned before the run, the model's main goes ahead of the real
        // main, which only yields (and says nothing) until every model task
        // has ended: its steps in the queue change no one's order.
        scheduler
            .spawn(main.name, body(main, Rc::clone(&alive)))
            .expect("a stack");
        let (outcome, lines) = capture(|| {
            scheduler.run_until_complete(move || {
                while alive.get() > 0 {
                    yield_now()?;
                }
                Ok::<(), SchedError>(())
            })
        });
        assert_eq!(outcome, Ok(()));
        lines
    }

    #[test]
    fn the_fifo_model_says_what_chapter_6s_scheduler_says_on_every_program() {
        for program in [spawn_three, two_yielders, spawn_then_yield, nested_spawns] {
            assert_eq!(run(Order::Fifo, program()), on_the_scheduler(program()));
        }
    }

    #[test]
    fn fifo_starts_tasks_in_the_order_they_were_spawned_and_lifo_reverses_it() {
        assert_eq!(
            run(Order::Fifo, spawn_three()),
            [
                "[main] main end",
                "[T1] T1 start",
                "[T3] T3 start",
                "[T2] T2 start"
            ]
        );
        assert_eq!(
            run(Order::Lifo, spawn_three()),
            [
                "[main] main end",
                "[T2] T2 start",
                "[T3] T3 start",
                "[T1] T1 start"
            ]
        );
    }

    #[test]
    fn under_lifo_a_task_that_yields_runs_again_at_once_so_a_yield_gives_no_turn() {
        assert_eq!(
            run(Order::Fifo, two_yielders()),
            [
                "[a] a 0", "[b] b 0", "[a] a 1", "[b] b 1", "[a] a 2", "[b] b 2"
            ]
        );
        assert_eq!(
            run(Order::Lifo, two_yielders()),
            [
                "[b] b 0", "[b] b 1", "[b] b 2", "[a] a 0", "[a] a 1", "[a] a 2"
            ]
        );
    }

    #[test]
    fn lifo_still_never_runs_a_spawned_task_before_the_spawner_suspends() {
        assert_eq!(
            run(Order::Fifo, spawn_then_yield()),
            [
                "[main] before spawn",
                "[main] still main's turn",
                "[child] child runs",
                "[main] main again",
            ]
        );
        // Spawning only queues, whichever end the loop takes from; but the
        // yield no longer lets the child go first.
        assert_eq!(
            run(Order::Lifo, spawn_then_yield()),
            [
                "[main] before spawn",
                "[main] still main's turn",
                "[main] main again",
                "[child] child runs",
            ]
        );
    }

    #[test]
    fn a_task_spawned_by_a_task_joins_the_back_of_the_queue_in_both_orders() {
        assert_eq!(
            run(Order::Fifo, nested_spawns()),
            ["[x] x runs", "[y] y runs", "[z] z runs", "[x] x again"]
        );
        assert_eq!(
            run(Order::Lifo, nested_spawns()),
            ["[y] y runs", "[x] x runs", "[x] x again", "[z] z runs"]
        );
    }

    #[test]
    fn a_task_with_nothing_to_do_says_nothing() {
        for order in [Order::Fifo, Order::Lifo] {
            assert!(run(order, task("main", vec![])).is_empty());
            assert_eq!(
                run(order, task("main", vec![Yield, Yield, Say("done")])),
                ["[main] done"]
            );
        }
    }
}
