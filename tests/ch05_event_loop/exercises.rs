//! The tests of chapter 5's small exercises, one module per exercise.
//!
//! Each module compiles the learner's file under the feature `learner`, and
//! the reference solution otherwise:
//!
//! ```text
//! cargo test --test ch05_event_loop -- exercises::e1_timeout::                    the solution
//! cargo test --features learner --test ch05_event_loop -- exercises::e1_timeout::  your file
//! ```
//!
//! Everything runs on `Clock::Ticks`, so every time and count is exact.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use yieldpoint::ch04_future_task::{Future, FutureError, Status};
use yieldpoint::ch05_event_loop::{
    Clock, EventLoop, LoopError, await_future, current_loop, sleep, yield_now,
};

/// One round of a test loop.
const TICK: Duration = Duration::from_millis(1);

fn ticking_loop() -> EventLoop {
    EventLoop::with_clock(Clock::Ticks(TICK))
}

/// Counts its drops: put one on a task's stack to see the stack go.
struct DropCounter(Rc<Cell<u32>>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

/// Creates a task that sleeps `ticks` and then returns `value`, with a drop
/// counter on its stack; returns its future and the counter.
fn worker(ticks: u32, value: u32) -> Result<(Future<u32>, Rc<Cell<u32>>), LoopError> {
    let drops = Rc::new(Cell::new(0));
    let guard = DropCounter(Rc::clone(&drops));
    let future = current_loop()?.create_task("worker", move || {
        let _on_my_stack = guard;
        let _ = sleep(ticks * TICK);
        value
    })?;
    Ok((future, drops))
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e1_timeout {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch05_event_loop/1_timeout.rs")]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch05_event_loop/1_timeout.rs"
    )]
    mod exercise;
    use exercise::{TimeoutError, timeout};

    #[test]
    fn a_future_that_settles_in_time_gives_its_value_when_it_settles() {
        let event_loop = ticking_loop();
        let outcome = event_loop.run_until_complete(|| {
            let (work, _) = worker(5, 7)?;
            let value = timeout(10 * TICK, &work);
            Ok::<_, LoopError>((value, current_loop()?.now()?))
        });
        // The worker starts in round 1 and returns in round 6; main runs
        // after it in each round, and sees the value at once.
        assert_eq!(outcome, Ok(Ok((Ok(7), 6 * TICK))));
    }

    #[test]
    fn at_the_deadline_the_future_is_cancelled_and_the_wait_gives_up() {
        let event_loop = ticking_loop();
        let outcome = event_loop.run_until_complete(|| {
            let (work, drops) = worker(50, 7)?;
            let value = timeout(3 * TICK, &work);
            let (at, status) = (current_loop()?.now()?, work.status());
            yield_now()?; // the worker's next turn: the loop drops its stack
            Ok::<_, LoopError>((value, at, status, drops.get()))
        });
        assert_eq!(
            outcome,
            Ok(Ok((
                Err(TimeoutError::Elapsed { after: 3 * TICK }),
                3 * TICK,
                Status::Cancelled,
                1
            )))
        );
    }

    #[test]
    fn a_future_that_settles_exactly_at_the_deadline_is_in_time() {
        let event_loop = ticking_loop();
        let outcome = event_loop.run_until_complete(|| {
            // Done at 6 ticks (see the first test); the deadline is 0 + 6.
            let (work, _) = worker(5, 9)?;
            timeout(6 * TICK, &work)
        });
        assert_eq!(outcome, Ok(Ok(9)));
    }

    #[test]
    fn a_future_that_fails_gives_its_error() {
        let event_loop = ticking_loop();
        let outcome = event_loop.run_until_complete(|| {
            let doomed: Future<u32> = Future::new();
            doomed.set_error("no route to host").unwrap();
            timeout(5 * TICK, &doomed)
        });
        assert_eq!(
            outcome,
            Ok(Err(TimeoutError::Loop(LoopError::Future(
                FutureError::Failed("no route to host".to_string())
            ))))
        );
    }

    #[test]
    fn a_limit_of_zero_on_a_pending_future_gives_up_at_once() {
        let event_loop = ticking_loop();
        let outcome = event_loop.run_until_complete(|| {
            let never: Future<u32> = Future::new();
            let value = timeout(Duration::ZERO, &never);
            Ok::<_, LoopError>((value, never.status(), current_loop()?.resumes()?))
        });
        assert_eq!(
            outcome,
            Ok(Ok((
                Err(TimeoutError::Elapsed {
                    after: Duration::ZERO
                }),
                Status::Cancelled,
                1
            )))
        );
    }

    #[test]
    fn outside_a_task_it_says_so() {
        let never: Future<u32> = Future::new();
        assert_eq!(
            timeout(TICK, &never),
            Err(TimeoutError::Loop(LoopError::NotInTask {
                operation: "current_loop"
            }))
        );
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e2_await_both {
    use super::*;

    #[cfg_attr(
        feature = "learner",
        path = "exercises/ch05_event_loop/2_await_both.rs"
    )]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch05_event_loop/2_await_both.rs"
    )]
    mod exercise;
    use exercise::await_both;

    /// A future that a task fails after `ticks`.
    fn failing(ticks: u32, message: &'static str) -> Result<Future<u32>, LoopError> {
        let future = Future::new();
        let to_fail = future.clone();
        current_loop()?.create_task("failing", move || {
            let _ = sleep(ticks * TICK);
            to_fail.set_error(message)
        })?;
        Ok(future)
    }

    #[test]
    fn both_values_come_back_once_the_slower_one_is_done() {
        let event_loop = ticking_loop();
        let outcome = event_loop.run_until_complete(|| {
            let (slow, _) = worker(8, 1)?;
            let (quick, _) = worker(2, 2)?;
            let both = await_both(&slow, &quick)?;
            Ok::<_, LoopError>((both, current_loop()?.now()?))
        });
        assert_eq!(outcome, Ok(Ok(((1, 2), 9 * TICK))));
    }

    #[test]
    fn a_failure_of_the_second_ends_the_wait_at_once_while_the_first_goes_on() {
        let event_loop = ticking_loop();
        let outcome = event_loop.run_until_complete(|| {
            let (slow, drops) = worker(50, 1)?;
            let broken = failing(2, "disk full")?;
            let both = await_both(&slow, &broken);
            let at = current_loop()?.now()?;
            Ok::<_, LoopError>((both, at, slow.status(), drops.get()))
        });
        assert_eq!(
            outcome,
            Ok(Ok((
                Err(LoopError::Future(FutureError::Failed(
                    "disk full".to_string()
                ))),
                3 * TICK,
                Status::Pending,
                0
            )))
        );
    }

    #[test]
    fn a_cancelled_first_future_ends_the_wait_too() {
        let event_loop = ticking_loop();
        let outcome = event_loop.run_until_complete(|| {
            let (first, _) = worker(50, 1)?;
            let (second, _) = worker(50, 2)?;
            let canceller = first.clone();
            current_loop()?.create_task("canceller", move || {
                let _ = sleep(4 * TICK);
                canceller.cancel()
            })?;
            await_both(&first, &second)
        });
        assert_eq!(outcome, Ok(Err(LoopError::Future(FutureError::Cancelled))));
    }

    #[test]
    fn when_both_have_failed_the_first_ones_error_wins() {
        let event_loop = ticking_loop();
        let outcome = event_loop.run_until_complete(|| {
            let (a, b): (Future<u8>, Future<u8>) = (Future::new(), Future::new());
            b.set_error("b broke").unwrap();
            a.set_error("a broke").unwrap();
            await_both(&a, &b)
        });
        assert_eq!(
            outcome,
            Ok(Err(LoopError::Future(FutureError::Failed(
                "a broke".to_string()
            ))))
        );
    }

    #[test]
    fn settled_futures_are_read_without_waiting_a_round() {
        let event_loop = ticking_loop();
        let outcome = event_loop.run_until_complete(|| {
            let (a, b) = (Future::new(), Future::new());
            a.set_result('x').unwrap();
            b.set_result("y").unwrap();
            let both = await_both(&a, &b)?;
            Ok::<_, LoopError>((both, current_loop()?.resumes()?))
        });
        assert_eq!(outcome, Ok(Ok((('x', "y"), 1))));
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e3_predict_resumes {
    use super::*;

    #[cfg_attr(
        feature = "learner",
        path = "exercises/ch05_event_loop/3_predict_resumes.rs"
    )]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch05_event_loop/3_predict_resumes.rs"
    )]
    mod exercise;
    use exercise::{predicted_resumes, predicted_rounds};

    /// Runs the program of the exercise: one task per entry, sleeping that
    /// many ticks, and main awaiting them in order. Returns the loop's
    /// resumes and rounds.
    fn measured(sleeps: &[u64]) -> (u64, u64) {
        let event_loop = ticking_loop();
        let sleeps = sleeps.to_vec();
        let outcome = event_loop.run_until_complete(move || {
            let handle = current_loop()?;
            let sleepers = sleeps
                .iter()
                .enumerate()
                .map(|(i, &ticks)| {
                    let ticks = u32::try_from(ticks).expect("a small sleep");
                    handle.create_task(&format!("sleeper {i}"), move || sleep(ticks * TICK))
                })
                .collect::<Result<Vec<_>, _>>()?;
            for sleeper in &sleepers {
                await_future(sleeper)??;
            }
            Ok::<_, LoopError>(())
        });
        assert_eq!(outcome, Ok(Ok(())));
        (event_loop.resumes(), event_loop.rounds())
    }

    #[test]
    fn it_agrees_with_the_chapter_for_n_sleepers_of_ten_ticks() {
        for n in [1_usize, 2, 4, 8] {
            let sleeps = vec![10; n];
            assert_eq!(
                predicted_resumes(&sleeps),
                11 * n as u64 + 12,
                "{n} sleepers"
            );
            assert_eq!(predicted_rounds(&sleeps), 12, "{n} sleepers");
        }
    }

    #[test]
    fn it_agrees_with_a_real_run_for_sleeps_of_different_lengths() {
        for sleeps in [
            &[3, 1, 4][..],
            &[1, 5, 9, 2, 6],
            &[7],
            &[2, 2, 2],
            &[0, 8],
            &[20, 0, 0, 1],
        ] {
            let (resumes, rounds) = measured(sleeps);
            assert_eq!(predicted_resumes(sleeps), resumes, "resumes for {sleeps:?}");
            assert_eq!(predicted_rounds(sleeps), rounds, "rounds for {sleeps:?}");
        }
    }

    #[test]
    fn it_agrees_when_nobody_sleeps_or_there_is_nobody() {
        for sleeps in [&[][..], &[0], &[0, 0, 0]] {
            let (resumes, rounds) = measured(sleeps);
            assert_eq!(predicted_resumes(sleeps), resumes, "resumes for {sleeps:?}");
            assert_eq!(predicted_rounds(sleeps), rounds, "rounds for {sleeps:?}");
        }
    }

    #[test]
    fn one_long_sleeper_costs_its_length_twice_over() {
        // 1000 ticks: 1001 resumes of the sleeper, 1002 of main.
        assert_eq!(predicted_resumes(&[1000]), 2003);
        assert_eq!(measured(&[1000]), (2003, 1002));
    }
}
