//! The tests of chapter 7's small exercises, one module per exercise.
//!
//! Each module compiles the learner's file under the feature `learner`, and
//! the reference solution otherwise:
//!
//! ```text
//! cargo test --test ch07_combinators -- exercises::e1_wait_first::                    the solution
//! cargo test --features learner --test ch07_combinators -- exercises::e1_wait_first::  your file
//! ```
//!
//! Everything runs on the virtual clock: a line such as `[slow] slow cleans
//! up at 1.5` says the task ran at exactly 1.5 s of virtual time.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::time::Duration;

use yieldpoint::ch06_scheduler::{
    BoxError, Clock, JoinHandle, SchedError, Scheduler, now, sleep, spawn,
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

/// A task body: sleeps `ms`, says it is done, returns its name.
fn nap(name: &'static str, ms: u64) -> impl FnOnce() -> Result<&'static str, SchedError> {
    move || {
        sleep(millis(ms))?;
        say!(name, "{name} done at {}", at());
        Ok(name)
    }
}

/// A task body: sleeps `ms`, says so, and fails with the error "disk full".
fn broken(name: &'static str, ms: u64) -> impl FnOnce() -> Result<&'static str, BoxError> {
    move || {
        sleep(millis(ms))?;
        say!(name, "{name} fails at {}", at());
        Err("disk full".into())
    }
}

/// A task body like [`nap`] that, cancelled, cleans up for half a second
/// (cleanup that waits), saying when it begins and ends.
fn careful(name: &'static str, ms: u64) -> impl FnOnce() -> Result<&'static str, SchedError> {
    move || match sleep(millis(ms)) {
        Ok(()) => {
            say!(name, "{name} done at {}", at());
            Ok(name)
        }
        Err(error) => {
            say!(name, "{name} cleans up at {}", at());
            sleep(millis(500))?;
            say!(name, "{name} cleaned up at {}", at());
            Err(error)
        }
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e1_wait_first {
    use super::*;

    #[cfg_attr(
        feature = "learner",
        path = "exercises/ch07_combinators/1_wait_first.rs"
    )]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch07_combinators/1_wait_first.rs"
    )]
    mod exercise;
    use exercise::wait_first;

    #[test]
    fn it_gives_the_index_and_value_of_the_first_task_to_end_and_leaves_the_others_running() {
        let (lines, end) = run_virtual(|| {
            let slow = spawn("slow", nap("slow", 3000))?;
            let quick = spawn("quick", nap("quick", 1000))?;
            let mid = spawn("mid", nap("mid", 2000))?;
            let (index, outcome) = wait_first(&[slow.clone(), quick, mid.clone()])?;
            say!(
                "main",
                "first: {index}, {outcome:?}, at {}; slow and mid still running? {} {}",
                at(),
                !slow.done(),
                !mid.done()
            );
            slow.join()?;
            mid.join()?;
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[quick] quick done at 1",
                "[main] first: 1, Ok(\"quick\"), at 1; slow and mid still running? true true",
                "[mid] mid done at 2",
                "[slow] slow done at 3",
            ]
        );
        assert_eq!(end, 3 * SECOND);
    }

    #[test]
    fn a_failure_that_comes_first_is_the_outcome_it_gives_not_an_error_of_its_own() {
        let (lines, _) = run_virtual(|| {
            let fine = spawn("fine", nap("fine", 2000))?;
            let bad = spawn("bad", broken("bad", 500))?;
            let (index, outcome) = wait_first(&[fine.clone(), bad])?;
            match outcome {
                Ok(value) => say!("main", "first: {index}, the value {value}"),
                Err(error) => say!("main", "first: {index}, the error {error}"),
            }
            fine.join()?;
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[bad] bad fails at 0.5",
                "[main] first: 1, the error task \"bad\" (T2) failed: disk full",
                "[fine] fine done at 2",
            ]
        );
    }

    #[test]
    fn tasks_that_end_at_the_same_moment_go_in_the_order_their_timers_were_set() {
        let (lines, _) = run_virtual(|| {
            let early = spawn("early", nap("early", 1000))?;
            let later = spawn("later", nap("later", 1000))?;
            // Argument order does not decide: the order they ended does.
            let (index, outcome) = wait_first(&[later.clone(), early])?;
            say!("main", "first: {index}, {outcome:?}");
            later.join()?;
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[early] early done at 1",
                "[later] later done at 1",
                "[main] first: 1, Ok(\"early\")",
            ]
        );
    }

    #[test]
    fn tasks_ended_before_the_call_win_in_argument_order_a_pass_later_as_in_asyncio() {
        let (lines, _) = run_virtual(|| {
            let a = spawn("a", nap("a", 0))?;
            let b = spawn("b", nap("b", 0))?;
            sleep(SECOND)?;
            let bystander = spawn("bystander", || {
                say!("bystander", "my turn");
                Ok::<(), SchedError>(())
            })?;
            // asyncio's `wait` adds a done callback to every task; those of
            // tasks that have ended are queued at once, behind the
            // bystander, and the waiter runs after them.
            let (index, outcome) = wait_first(&[b, a])?;
            say!("main", "first: {index}, {outcome:?}");
            bystander.join()
        });
        assert_eq!(
            lines,
            [
                "[a] a done at 0",
                "[b] b done at 0",
                "[bystander] my turn",
                "[main] first: 0, Ok(\"b\")",
            ]
        );
    }

    #[test]
    fn cancelling_the_waiting_task_stops_the_wait_and_leaves_the_tasks_running() {
        let (lines, _) = run_virtual(|| {
            let one = spawn("one", nap("one", 2000))?;
            let two = spawn("two", nap("two", 3000))?;
            let waiter = {
                let tasks = [one.clone(), two.clone()];
                spawn("waiter", move || {
                    let got = wait_first(&tasks);
                    say!("waiter", "wait_first gave {got:?} at {}", at());
                    got.map(drop)
                })?
            };
            sleep(SECOND)?;
            waiter.cancel();
            one.join()?;
            two.join()?;
            say!("main", "waiter cancelled? {}", waiter.cancelled());
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[waiter] wait_first gave Err(Cancelled) at 1",
                "[one] one done at 2",
                "[two] two done at 3",
                "[main] waiter cancelled? true",
            ]
        );
    }

    #[test]
    fn no_tasks_at_all_is_refused_with_a_message() {
        assert_eq!(
            panic_of(|| wait_first::<u32>(&[])),
            "wait_first: no tasks to wait for; give it at least one"
        );
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e2_gather_or_cancel {
    use super::*;

    #[cfg_attr(
        feature = "learner",
        path = "exercises/ch07_combinators/2_gather_or_cancel.rs"
    )]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch07_combinators/2_gather_or_cancel.rs"
    )]
    mod exercise;
    use exercise::gather_or_cancel;

    #[test]
    fn when_every_task_succeeds_the_values_come_in_argument_order() {
        let (lines, end) = run_virtual(|| {
            let tasks = [
                spawn("c", careful("c", 3000))?,
                spawn("a", careful("a", 1000))?,
                spawn("b", careful("b", 2000))?,
            ];
            let values = gather_or_cancel(&tasks)?;
            say!("main", "{values:?} at {}", at());
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[a] a done at 1",
                "[b] b done at 2",
                "[c] c done at 3",
                "[main] [\"c\", \"a\", \"b\"] at 3",
            ]
        );
        assert_eq!(end, 3 * SECOND);
    }

    #[test]
    fn the_first_failure_cancels_the_others_and_comes_back_once_their_cleanup_is_over() {
        let (lines, end) = run_virtual(|| {
            let slow = spawn("slow", careful("slow", 3000))?;
            let bad = spawn("bad", broken("bad", 1000))?;
            let quick = spawn("quick", careful("quick", 500))?;
            let got = gather_or_cancel(&[slow.clone(), bad, quick]);
            say!(
                "main",
                "gave {} at {}; slow cancelled? {}",
                got.expect_err("bad failed"),
                at(),
                slow.cancelled()
            );
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[quick] quick done at 0.5",
                "[bad] bad fails at 1",
                // The chapter's `gather` would return here, at 1 s, with
                // `slow` still running and nobody to hear how it ends.
                "[slow] slow cleans up at 1",
                "[slow] slow cleaned up at 1.5",
                "[main] gave task \"bad\" (T2) failed: disk full at 1.5; slow cancelled? true",
            ]
        );
        assert_eq!(end, millis(1500));
    }

    #[test]
    fn a_failure_during_the_cleanup_does_not_hide_the_first_failure() {
        let (lines, _) = run_virtual(|| {
            let messy = spawn("messy", || match sleep(3 * SECOND) {
                Ok(()) => Ok("messy"),
                Err(_) => {
                    say!("messy", "messy fails while cleaning up at {}", at());
                    Err::<&str, BoxError>("cleanup went wrong".into())
                }
            })?;
            let bad = spawn("bad", broken("bad", 1000))?;
            let got = gather_or_cancel(&[messy, bad]);
            say!("main", "gave {}", got.expect_err("bad failed"));
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[bad] bad fails at 1",
                "[messy] messy fails while cleaning up at 1",
                "[main] gave task \"bad\" (T2) failed: disk full",
            ]
        );
    }

    #[test]
    fn cancelling_the_caller_cancels_every_task_and_returns_once_their_cleanup_is_over() {
        let (lines, _) = run_virtual(|| {
            let one = spawn("one", careful("one", 5000))?;
            let two = spawn("two", careful("two", 5000))?;
            let gatherer = {
                let tasks = [one.clone(), two.clone()];
                spawn("gatherer", move || {
                    let got = gather_or_cancel(&tasks);
                    say!("gatherer", "gave {got:?} at {}", at());
                    got.map(drop)
                })?
            };
            sleep(SECOND)?;
            gatherer.cancel();
            let joined = gatherer.join();
            say!(
                "main",
                "{joined:?}; one and two cancelled? {} {}",
                one.cancelled(),
                two.cancelled()
            );
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[one] one cleans up at 1",
                "[two] two cleans up at 1",
                "[one] one cleaned up at 1.5",
                "[two] two cleaned up at 1.5",
                "[gatherer] gave Err(Cancelled) at 1.5",
                "[main] Err(TaskCancelled { task: \"gatherer\" }); one and two cancelled? true true",
            ]
        );
    }

    #[test]
    fn no_tasks_gives_an_empty_vec_without_suspending() {
        let scheduler = Scheduler::new(Clock::Virtual);
        let outcome = scheduler.run_until_complete(|| {
            let none: [JoinHandle<u32>; 0] = [];
            gather_or_cancel(&none)
        });
        assert_eq!(outcome, Ok(vec![]));
        assert_eq!(scheduler.resumes(), 1, "main ran in one step");
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e3_shield {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch07_combinators/3_shield.rs")]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch07_combinators/3_shield.rs"
    )]
    mod exercise;
    use exercise::shield;

    /// Spawns a task called `request` that waits for `save` through
    /// `shield`, and says what it got.
    fn request(save: &JoinHandle<&'static str>) -> Result<JoinHandle<()>, SchedError> {
        let save = save.clone();
        spawn("request", move || {
            let got = shield(&save);
            say!("request", "shield gave {got:?} at {}", at());
            got.map(drop)
        })
    }

    #[test]
    fn cancelling_the_caller_ends_its_wait_at_once_and_the_task_runs_on() {
        let (lines, end) = run_virtual(|| {
            let save = spawn("save", nap("save", 2000))?;
            let request = request(&save)?;
            sleep(SECOND)?;
            request.cancel();
            let saved = save.join()?;
            say!(
                "main",
                "save gave {saved} at {}; request cancelled? {}",
                at(),
                request.cancelled()
            );
            Ok(())
        });
        // With `save.join()` in place of `shield`, cancelling `request`
        // would have cancelled `save` too (chapter 7, "Cancellation").
        assert_eq!(
            lines,
            [
                "[request] shield gave Err(Cancelled) at 1",
                "[save] save done at 2",
                "[main] save gave save at 2; request cancelled? true",
            ]
        );
        assert_eq!(end, 2 * SECOND);
    }

    #[test]
    fn left_alone_it_gives_the_tasks_value_when_the_task_ends() {
        let (lines, _) = run_virtual(|| {
            let save = spawn("save", nap("save", 2000))?;
            request(&save)?.join()
        });
        assert_eq!(
            lines,
            [
                "[save] save done at 2",
                "[request] shield gave Ok(\"save\") at 2"
            ]
        );
    }

    #[test]
    fn the_tasks_own_failure_or_cancellation_still_comes_through() {
        let (lines, _) = run_virtual(|| {
            let bad = spawn("bad", broken("bad", 500))?;
            let got = shield(&bad);
            say!("main", "shield of bad: {}", got.expect_err("bad failed"));
            let save = spawn("save", nap("save", 2000))?;
            let request = request(&save)?;
            sleep(SECOND)?;
            save.cancel();
            let _ = request.join();
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[bad] bad fails at 0.5",
                "[main] shield of bad: task \"bad\" (T1) failed: disk full",
                "[request] shield gave Err(TaskCancelled { task: \"save\" }) at 1.5",
            ]
        );
    }

    #[test]
    fn a_task_that_has_ended_gives_its_value_without_suspending() {
        let scheduler = Scheduler::new(Clock::Virtual);
        let outcome = scheduler.run_until_complete(|| {
            let quick = spawn("quick", || Ok::<u32, SchedError>(7))?;
            quick.join()?;
            shield(&quick)
        });
        assert_eq!(outcome, Ok(7));
        // main: its start and after quick ended; quick: one. No more.
        assert_eq!(scheduler.resumes(), 3);
    }

    #[test]
    fn shielding_the_callers_own_task_is_refused_instead_of_waiting_forever() {
        let (lines, _) = run_virtual(|| {
            let own: Rc<RefCell<Option<JoinHandle<u32>>>> = Rc::default();
            let me = {
                let own = Rc::clone(&own);
                spawn("me", move || {
                    let me = own.borrow().clone().expect("main put it there");
                    let got = shield(&me);
                    say!("me", "shield of myself: {got:?}");
                    Ok::<u32, SchedError>(1)
                })?
            };
            *own.borrow_mut() = Some(me.clone());
            me.join()?;
            Ok(())
        });
        assert_eq!(
            lines,
            ["[me] shield of myself: Err(JoinSelf { task: \"me\" })"]
        );
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e4_retry {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch07_combinators/4_retry.rs")]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch07_combinators/4_retry.rs"
    )]
    mod exercise;
    use exercise::retry_with_limit;

    /// What an attempt does.
    #[derive(Debug, Clone, Copy)]
    enum Plan {
        /// Succeeds after this many milliseconds, with its number.
        Succeed(u64),
        /// Fails after this many milliseconds.
        Fail(u64),
        /// Waits an hour; cancelled, cleans up for half a second.
        Hang,
    }

    /// A `start` for `retry_with_limit`: attempt `n` follows `plans[n - 1]`.
    /// `started` counts the attempts.
    fn starter(
        plans: &'static [Plan],
        started: &Rc<Cell<u32>>,
    ) -> impl FnMut(u32) -> Result<JoinHandle<u32>, SchedError> + use<> {
        let started = Rc::clone(started);
        move |n| {
            started.set(started.get() + 1);
            let plan = plans[n as usize - 1];
            let name = format!("attempt {n}");
            spawn(name.clone(), move || -> Result<u32, BoxError> {
                say!(&name, "starts at {}", at());
                match plan {
                    Plan::Succeed(ms) => {
                        sleep(millis(ms))?;
                        say!(&name, "succeeds at {}", at());
                        Ok(n)
                    }
                    Plan::Fail(ms) => {
                        sleep(millis(ms))?;
                        say!(&name, "fails at {}", at());
                        Err(format!("attempt {n} failed").into())
                    }
                    Plan::Hang => match sleep(3600 * SECOND) {
                        Ok(()) => Ok(n),
                        Err(cancelled) => {
                            say!(&name, "cleans up at {}", at());
                            sleep(millis(500))?;
                            say!(&name, "cleaned up at {}", at());
                            Err(cancelled.into())
                        }
                    },
                }
            })
        }
    }

    #[test]
    fn an_attempt_out_of_time_is_cancelled_and_cleaned_up_before_the_next_begins() {
        const PLANS: &[Plan] = &[Plan::Hang, Plan::Fail(250), Plan::Succeed(500)];
        let started = Rc::new(Cell::new(0));
        let counted = Rc::clone(&started);
        let (lines, end) = run_virtual(move || {
            let got = retry_with_limit(3, SECOND, starter(PLANS, &counted));
            say!("main", "retry gave {got:?} at {}", at());
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[attempt 1] starts at 0",
                "[attempt 1] cleans up at 1",
                "[attempt 1] cleaned up at 1.5",
                "[attempt 2] starts at 1.5",
                "[attempt 2] fails at 1.75",
                "[attempt 3] starts at 1.75",
                "[attempt 3] succeeds at 2.25",
                "[main] retry gave Ok(3) at 2.25",
            ]
        );
        assert_eq!(end, millis(2250));
        assert_eq!(started.get(), 3);
    }

    #[test]
    fn the_limit_is_for_each_attempt_and_the_last_failure_comes_back() {
        // Three attempts of 0.75 s: 2.25 s in all, longer than one limit.
        const PLANS: &[Plan] = &[Plan::Fail(750), Plan::Fail(750), Plan::Fail(750)];
        let started = Rc::new(Cell::new(0));
        let counted = Rc::clone(&started);
        let (lines, _) = run_virtual(move || {
            let got = retry_with_limit(3, SECOND, starter(PLANS, &counted));
            say!(
                "main",
                "retry gave {} at {}",
                got.expect_err("all fail"),
                at()
            );
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[attempt 1] starts at 0",
                "[attempt 1] fails at 0.75",
                "[attempt 2] starts at 0.75",
                "[attempt 2] fails at 1.5",
                "[attempt 3] starts at 1.5",
                "[attempt 3] fails at 2.25",
                "[main] retry gave task \"attempt 3\" (T3) failed: attempt 3 failed at 2.25",
            ]
        );
        assert_eq!(started.get(), 3);
    }

    #[test]
    fn when_the_last_attempt_runs_out_of_time_it_says_timed_out() {
        const PLANS: &[Plan] = &[Plan::Fail(100), Plan::Hang, Plan::Succeed(0)];
        let started = Rc::new(Cell::new(0));
        let counted = Rc::clone(&started);
        let (lines, _) = run_virtual(move || {
            let got = retry_with_limit(2, SECOND, starter(PLANS, &counted));
            say!("main", "retry gave {got:?} at {}", at());
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[attempt 1] starts at 0",
                "[attempt 1] fails at 0.1",
                "[attempt 2] starts at 0.1",
                "[attempt 2] cleans up at 1.1",
                "[attempt 2] cleaned up at 1.6",
                "[main] retry gave Err(TimedOut) at 1.6",
            ]
        );
        assert_eq!(started.get(), 2, "two attempts allowed, two made");
    }

    #[test]
    fn cancelling_the_caller_cancels_the_running_attempt_and_makes_no_more() {
        const PLANS: &[Plan] = &[Plan::Hang, Plan::Succeed(0)];
        let started = Rc::new(Cell::new(0));
        let counted = Rc::clone(&started);
        let (lines, _) = run_virtual(move || {
            let caller = spawn("caller", move || {
                let got = retry_with_limit(2, SECOND, starter(PLANS, &counted));
                say!("caller", "retry gave {got:?} at {}", at());
                got.map(drop)
            })?;
            sleep(millis(400))?;
            caller.cancel();
            let _ = caller.join();
            Ok(())
        });
        assert_eq!(
            lines,
            [
                "[attempt 1] starts at 0",
                "[attempt 1] cleans up at 0.4",
                "[attempt 1] cleaned up at 0.9",
                "[caller] retry gave Err(Cancelled) at 0.9",
            ]
        );
        assert_eq!(started.get(), 1, "no attempt after the cancellation");
    }

    #[test]
    fn zero_attempts_is_refused_with_a_message() {
        let started = Rc::new(Cell::new(0));
        assert_eq!(
            panic_of(|| retry_with_limit(0, SECOND, starter(&[], &started))),
            "retry_with_limit: 0 attempts would never try; allow at least 1"
        );
        assert_eq!(started.get(), 0);
    }
}
