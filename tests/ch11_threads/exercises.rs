//! The tests of chapter 11's small exercises, one module per exercise.
//!
//! Each module compiles the learner's file under the feature `learner`, and
//! the reference solution otherwise:
//!
//! ```text
//! cargo test --test ch11_threads -- exercises::e1_unblock::                    the solution
//! cargo test --features learner --test ch11_threads -- exercises::e1_unblock::  your file
//! ```
//!
//! None asserts a duration: a blocking call is caught by the slow-step
//! report (200 ms against a threshold of 100 ms), jobs that run at once by
//! jobs that can only end together.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use yieldpoint::ch06_scheduler::{self as ch06, Clock, EventKind, SchedError, Scheduler, Wait};
use yieldpoint::ch09_async_fn::spawn_async;

use super::PATIENCE;

/// asyncio's slow-step threshold.
const SLOW: Duration = Duration::from_millis(100);

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e1_unblock {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch11_threads/1_unblock.rs")]
    #[cfg_attr(not(feature = "learner"), path = "solutions/ch11_threads/1_unblock.rs")]
    mod exercise;
    use exercise::{checksum, checksum_async, slow_checksum};

    /// Runs `main` with slow steps reported; returns its value and the
    /// names of the tasks whose steps were slow.
    fn watched<T: 'static>(
        main: impl FnOnce() -> Result<T, SchedError> + 'static,
    ) -> (T, Vec<String>) {
        let scheduler = Scheduler::new(Clock::Real).with_slow_steps(SLOW);
        let value = scheduler.run_until_complete(main).expect("main runs");
        let slow = scheduler
            .slow_steps()
            .into_iter()
            .map(|step| step.name)
            .collect();
        (value, slow)
    }

    #[test]
    fn checksum_gives_the_slow_checksum_without_a_slow_step() {
        let (sum, slow) = watched(|| {
            let task = ch06::spawn("checksum", || checksum(vec![1, 2, 3, 250]))?;
            task.join()
        });
        assert_eq!(sum, 256);
        assert_eq!(
            slow,
            Vec::<String>::new(),
            "the blocking call ran in a task"
        );
    }

    #[test]
    fn checksum_async_gives_the_slow_checksum_without_a_slow_step() {
        let (sum, slow) = watched(|| {
            let task = spawn_async("checksum", checksum_async(vec![7; 10]))?;
            task.join()
        });
        assert_eq!(sum, 70);
        assert_eq!(
            slow,
            Vec::<String>::new(),
            "the blocking call ran in a poll"
        );
    }

    #[test]
    fn another_task_runs_while_the_checksum_is_computed() {
        // A ticker ticks on its own task beside the two checksums: no step
        // of any task is slow, the ticker's included.
        let (ticks, slow) = watched(|| {
            let a = ch06::spawn("a", || checksum(vec![1]))?;
            let b = spawn_async("b", checksum_async(vec![2]))?;
            let ticker = ch06::spawn("ticker", || {
                let mut ticks = 0;
                while ticks < 3 {
                    ch06::sleep(Duration::from_millis(1))?;
                    ticks += 1;
                }
                Ok::<_, SchedError>(ticks)
            })?;
            let ticks = ticker.join()?;
            a.join()?;
            b.join()?;
            Ok::<_, SchedError>(ticks)
        });
        assert_eq!(ticks, 3);
        assert_eq!(slow, Vec::<String>::new());
    }

    #[test]
    fn the_blocking_call_is_the_one_given() {
        assert_eq!(slow_checksum(&[]), 0);
        assert_eq!(slow_checksum(&[255, 1]), 256);
    }
}

#[path = "../.."]
pub mod e2_cooperate {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch11_threads/2_cooperate.rs")]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch11_threads/2_cooperate.rs"
    )]
    mod exercise;
    use exercise::sum_of_squares;

    /// The sum computed beside a task that counts its own turns until the
    /// sum is done; returns the sum, how often the summing task yielded,
    /// and the counter's turns.
    fn beside_a_counter(n: u64, chunk: u64) -> (u64, usize, u32) {
        let scheduler = Scheduler::new(Clock::Virtual).with_trace();
        let (sum, turns) = scheduler
            .run_until_complete(move || {
                let summing = ch06::spawn("summing", move || sum_of_squares(n, chunk))?;
                let watched = summing.clone();
                let counting = ch06::spawn("counting", move || {
                    let mut turns = 0;
                    loop {
                        turns += 1;
                        if watched.done() {
                            return Ok::<_, SchedError>(turns);
                        }
                        ch06::yield_now()?;
                    }
                })?;
                Ok::<_, SchedError>((summing.join()?, counting.join()?))
            })
            .expect("the program runs");
        let yields = scheduler
            .trace()
            .events
            .iter()
            .filter(|event| {
                event.task.is_some_and(|task| task.number() == 1)
                    && event.kind == EventKind::Suspended(Wait::Turn)
            })
            .count();
        (sum, yields, turns)
    }

    #[test]
    fn it_sums_the_squares_below_n() {
        let scheduler = Scheduler::new(Clock::Virtual);
        let sums = scheduler
            .run_until_complete(|| {
                Ok::<_, SchedError>([
                    sum_of_squares(0, 1)?,
                    sum_of_squares(1, 1)?,
                    sum_of_squares(4, 2)?,
                    sum_of_squares(1000, 7)?,
                ])
            })
            .expect("main runs");
        assert_eq!(sums, [0, 0, 14, 332_833_500]);
    }

    #[test]
    fn it_yields_after_every_whole_chunk_and_the_other_task_runs_each_time() {
        let (sum, yields, turns) = beside_a_counter(10, 3);
        assert_eq!(sum, 285);
        assert_eq!(yields, 3, "after 3, 6 and 9 numbers");
        // The counter ran at each of the three yields, and once after the
        // last piece, when it saw the sum done.
        assert_eq!(turns, 4);
    }

    #[test]
    fn a_chunk_as_large_as_n_yields_once_and_a_larger_one_never() {
        assert_eq!(beside_a_counter(6, 6).1, 1);
        assert_eq!(beside_a_counter(6, 7).1, 0);
        assert_eq!(beside_a_counter(6, 1).1, 6);
    }

    #[test]
    fn a_cancellation_at_a_yield_ends_it() {
        let scheduler = Scheduler::new(Clock::Virtual);
        let outcome = scheduler
            .run_until_complete(|| {
                let summing = ch06::spawn("summing", || sum_of_squares(1_000_000, 10))?;
                ch06::yield_now()?; // it runs to its first yield
                summing.cancel();
                Ok::<_, SchedError>(summing.join())
            })
            .expect("main runs");
        assert_eq!(
            outcome,
            Err(SchedError::TaskCancelled {
                task: "summing".to_string()
            })
        );
    }
}

#[path = "../.."]
pub mod e3_give_up {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch11_threads/3_give_up.rs")]
    #[cfg_attr(not(feature = "learner"), path = "solutions/ch11_threads/3_give_up.rs")]
    mod exercise;
    use exercise::to_thread_within;

    /// Sends the name of the thread it is dropped on.
    #[derive(Clone)]
    struct SaysWhereItIsDropped(mpsc::Sender<String>);

    impl Drop for SaysWhereItIsDropped {
        fn drop(&mut self) {
            let name = thread::current().name().unwrap_or("unnamed").to_string();
            let _ = self.0.send(name);
        }
    }

    #[test]
    fn a_value_that_comes_in_time_is_returned() {
        let scheduler = Scheduler::new(Clock::Real);
        let value = scheduler
            .run_until_complete(|| to_thread_within(Duration::from_secs(60), || 6 * 7))
            .expect("main runs");
        assert_eq!(value, 42);
    }

    #[test]
    fn a_job_too_slow_times_out_and_is_left_to_the_pool() {
        let (release, released) = mpsc::channel::<()>();
        let (dropped, where_dropped) = mpsc::channel::<String>();
        let scheduler = Scheduler::new(Clock::Real);
        let outcome = scheduler
            .run_until_complete(move || {
                let held = SaysWhereItIsDropped(dropped);
                let outcome = to_thread_within(Duration::from_millis(20), move || {
                    let _held = held;
                    let _ = released.recv(); // not before main says so
                });
                let _ = release.send(()); // only once main has given up
                Ok::<_, SchedError>(outcome)
            })
            .expect("main runs");
        assert_eq!(outcome, Err(SchedError::TimedOut));
        // The job is the pool's now: run to its end if a thread had begun
        // it when main gave up, skipped if it was still queued (how busy
        // the pool was decides). Either way what it holds goes on a thread
        // of the pool, never back to the task.
        let on = where_dropped
            .recv_timeout(PATIENCE)
            .expect("the pool is done with the job");
        assert!(on.starts_with("to_thread "), "dropped on {on}");
    }

    #[test]
    fn it_waits_no_longer_than_the_limit_for_a_job_that_never_ends() {
        let (keep, never) = mpsc::channel::<()>();
        let scheduler = Scheduler::new(Clock::Real);
        let outcome = scheduler
            .run_until_complete(move || {
                Ok::<_, SchedError>(to_thread_within(Duration::from_millis(20), move || {
                    never.recv().is_ok()
                }))
            })
            .expect("main runs");
        assert_eq!(outcome, Err(SchedError::TimedOut));
        drop(keep); // and now the job ends: its thread is not lost for good
    }
}

#[path = "../.."]
pub mod e4_all_at_once {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch11_threads/4_all_at_once.rs")]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch11_threads/4_all_at_once.rs"
    )]
    mod exercise;
    use exercise::{Job, all_at_once};

    /// `n` jobs that each wait until all `n` have started (or a minute has
    /// passed), and return their index and whether they all met.
    fn meeting(n: usize) -> Vec<Job<(usize, bool)>> {
        let arrived = Arc::new(AtomicUsize::new(0));
        (0..n)
            .map(|index| {
                let arrived = Arc::clone(&arrived);
                Box::new(move || {
                    arrived.fetch_add(1, Ordering::AcqRel);
                    let since = Instant::now();
                    while arrived.load(Ordering::Acquire) < n && since.elapsed() < PATIENCE {
                        thread::sleep(Duration::from_millis(1));
                    }
                    (index, arrived.load(Ordering::Acquire) >= n)
                }) as Job<(usize, bool)>
            })
            .collect()
    }

    #[test]
    fn the_jobs_run_at_once_and_their_values_come_back_in_order() {
        let scheduler = Scheduler::new(Clock::Real);
        let values = scheduler
            .run_until_complete(|| all_at_once(meeting(3)))
            .expect("main runs");
        assert_eq!(values, [(0, true), (1, true), (2, true)]);
    }

    #[test]
    fn the_values_keep_the_order_of_the_jobs_not_the_order_they_end() {
        let scheduler = Scheduler::new(Clock::Real);
        let values = scheduler
            .run_until_complete(|| {
                let jobs: Vec<Job<&str>> = vec![
                    Box::new(|| {
                        thread::sleep(Duration::from_millis(30));
                        "slow"
                    }),
                    Box::new(|| "quick"),
                ];
                all_at_once(jobs)
            })
            .expect("main runs");
        assert_eq!(values, ["slow", "quick"]);
    }

    #[test]
    fn no_jobs_give_no_values() {
        let scheduler = Scheduler::new(Clock::Virtual);
        let values = scheduler
            .run_until_complete(|| all_at_once(Vec::<Job<u8>>::new()))
            .expect("main runs");
        assert_eq!(values, Vec::<u8>::new());
    }
}
