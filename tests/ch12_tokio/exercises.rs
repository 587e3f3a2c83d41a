//! The tests of chapter 12's small exercises, one module per exercise.
//!
//! Each module compiles the learner's file under the feature `learner`, and
//! the reference solution otherwise:
//!
//! ```text
//! cargo test --test ch12_tokio -- exercises::e1_port::                    the solution
//! cargo test --features learner --test ch12_tokio -- exercises::e1_port::  your file
//! ```

use yieldpoint::output::capture;

use super::example::on_tokio;
use super::strs;

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e1_port {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch12_tokio/1_port.rs")]
    #[cfg_attr(not(feature = "learner"), path = "solutions/ch12_tokio/1_port.rs")]
    mod exercise;

    #[test]
    fn the_port_prints_every_outcome_in_argument_order_after_the_slowest() {
        let (_, lines) = capture(|| {
            let runtime = on_tokio::paused_runtime();
            runtime.block_on(exercise::gather_results_main());
        });
        assert_eq!(
            strs(&lines),
            [
                "[news] news done at 10 ms",
                "[users] users done at 40 ms",
                "[main] every outcome at 40 ms, in argument order:",
                "[main]   users took 40 ms",
                "[main]   failed: prices: 503 Service Unavailable",
                "[main]   news took 10 ms",
            ]
        );
    }
}

#[path = "../.."]
pub mod e2_race {
    use super::*;

    use std::future::{Future, pending, poll_fn, ready};
    use std::pin::pin;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::task::{Context, Poll, Waker};
    use std::time::Duration;

    use yieldpoint::say;

    #[cfg_attr(feature = "learner", path = "exercises/ch12_tokio/2_race.rs")]
    #[cfg_attr(not(feature = "learner"), path = "solutions/ch12_tokio/2_race.rs")]
    mod exercise;
    use exercise::{Either, TimedOut, race, timeout};

    /// Counts its drops.
    struct Dropped(Arc<AtomicU32>);

    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// A future that is pending `n` times (waking itself), then ready with
    /// `value`, counting its polls.
    fn after<T: Unpin>(n: u32, value: T, polls: Arc<AtomicU32>) -> impl Future<Output = T> {
        let mut value = Some(value);
        let mut left = n;
        poll_fn(move |cx| {
            polls.fetch_add(1, Ordering::SeqCst);
            if left == 0 {
                return Poll::Ready(value.take().expect("not polled after Ready"));
            }
            left -= 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        })
    }

    #[test]
    fn the_first_future_to_be_ready_wins_and_each_is_polled_at_every_poll() {
        let (a_polls, b_polls) = (Arc::default(), Arc::default());
        let mut race = pin!(race(
            after(3, "a", Arc::clone(&a_polls)),
            after(1, 7, Arc::clone(&b_polls))
        ));
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(race.as_mut().poll(&mut cx), Poll::Pending);
        assert_eq!(race.as_mut().poll(&mut cx), Poll::Ready(Either::Right(7)));
        assert_eq!(a_polls.load(Ordering::SeqCst), 2);
        assert_eq!(b_polls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn when_both_are_ready_the_first_wins_and_the_second_is_not_polled() {
        let b_polls = Arc::new(AtomicU32::new(0));
        let mut race = pin!(race(ready(1), after(0, 2, Arc::clone(&b_polls))));
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(race.as_mut().poll(&mut cx), Poll::Ready(Either::Left(1)));
        assert_eq!(b_polls.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn the_loser_is_dropped_with_the_race() {
        let drops = Arc::new(AtomicU32::new(0));
        let guard = Dropped(Arc::clone(&drops));
        let loser = async move {
            let _guard = guard;
            pending::<()>().await;
        };
        let runtime = on_tokio::paused_runtime();
        let won = runtime.block_on(race(loser, async { "winner" }));
        assert_eq!(won, Either::Right("winner"));
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn timeout_gives_the_output_in_time_and_timed_out_at_the_deadline_on_tokio_s_clock() {
        let runtime = on_tokio::paused_runtime();
        runtime.block_on(async {
            let start = tokio::time::Instant::now();
            let quick = timeout(Duration::from_secs(2), async {
                tokio::time::sleep(Duration::from_secs(1)).await;
                "quick"
            });
            assert_eq!(quick.await, Ok("quick"));
            assert_eq!(start.elapsed(), Duration::from_secs(1));
            let slow = timeout(Duration::from_secs(2), pending::<()>());
            assert_eq!(slow.await, Err(TimedOut));
            assert_eq!(start.elapsed(), Duration::from_secs(3));
        });
    }

    #[test]
    fn timeout_drops_the_slow_request_at_its_await_as_tokio_s_own_does() {
        let (_, lines) = capture(|| {
            let runtime = on_tokio::paused_runtime();
            runtime.block_on(async {
                let start = tokio::time::Instant::now();
                tokio::time::sleep(Duration::from_millis(10)).await;
                let limit = Duration::from_millis(20);
                if timeout(limit, on_tokio::slow_request(start)).await.is_err() {
                    let at = yieldpoint::ch12_tokio::ms(start.elapsed());
                    say!("main", "gave up at {at}");
                }
            });
        });
        assert_eq!(lines, on_tokio::timeout_future());
    }
}

#[path = "../.."]
pub mod e3_predict {
    use super::*;

    use yieldpoint::ch12_tokio::{Script, Step, course_order};

    #[cfg_attr(feature = "learner", path = "exercises/ch12_tokio/3_predict.rs")]
    #[cfg_attr(not(feature = "learner"), path = "solutions/ch12_tokio/3_predict.rs")]
    mod exercise;

    /// The program to predict.
    fn script() -> Script {
        use Step::{Join, Sleep, Spawn, Wake, Yield};
        Script::new(&[
            ("main", &[Spawn(1), Spawn(2), Yield, Join(1), Join(2)]),
            ("A", &[Wake, Yield, Wake]),
            ("B", &[Yield, Sleep(1)]),
        ])
    }

    #[test]
    fn the_prediction_for_the_course_s_scheduler_is_its_poll_order() {
        let real = course_order(&script()).expect("the script is sound");
        assert_eq!(
            exercise::predicted_on_the_course(),
            real,
            "left: yours, right: the course's scheduler"
        );
    }

    #[test]
    fn the_prediction_for_tokio_is_its_poll_order() {
        let real = on_tokio::script_order(&script(), 61);
        assert_eq!(
            exercise::predicted_on_tokio(),
            real,
            "left: yours, right: tokio's"
        );
    }
}

#[path = "../.."]
pub mod e4_cooperative {
    use super::*;

    use std::cell::Cell;
    use std::rc::Rc;

    use yieldpoint::ch06_scheduler::{Clock, SchedError, Scheduler};
    use yieldpoint::ch09_async_fn::spawn_async;
    use yieldpoint::ch12_tokio::unbounded_channel;
    use yieldpoint::say;

    #[cfg_attr(feature = "learner", path = "exercises/ch12_tokio/4_cooperative.rs")]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch12_tokio/4_cooperative.rs"
    )]
    mod exercise;
    use exercise::Budgeted;

    /// Chapter 12's drain of `values` ready values, with a budget: the
    /// ticker's line, and how many values the drainer received in all.
    fn drain(values: u32, budget: u32) -> (Vec<String>, u32) {
        let received = Rc::new(Cell::new(0));
        let counted = Rc::clone(&received);
        let seen = Rc::clone(&received);
        let (outcome, lines) = capture(|| {
            let scheduler = Scheduler::new(Clock::Virtual);
            scheduler.run_until_complete_async(async move {
                let (sender, receiver) = unbounded_channel();
                for value in 0..values {
                    sender.send(value);
                }
                drop(sender);
                let mut receiver = Budgeted::new(receiver, budget);
                let drainer = spawn_async("drainer", async move {
                    while let Some(_value) = receiver.recv().await {
                        counted.set(counted.get() + 1);
                    }
                    Ok::<(), SchedError>(())
                })?;
                let ticker = spawn_async("ticker", async move {
                    say!("ticker", "first turn after {} values", seen.get());
                    Ok::<(), SchedError>(())
                })?;
                drainer.await?;
                ticker.await
            })
        });
        assert_eq!(outcome, Ok(()));
        (lines, received.get())
    }

    #[test]
    fn a_drain_gives_the_ticker_a_turn_after_each_budget_and_loses_no_value() {
        let (lines, received) = drain(300, 128);
        assert_eq!(strs(&lines), ["[ticker] first turn after 128 values"]);
        assert_eq!(received, 300);
    }

    #[test]
    fn a_budget_that_is_never_spent_changes_nothing() {
        let (lines, received) = drain(100, 128);
        assert_eq!(strs(&lines), ["[ticker] first turn after 100 values"]);
        assert_eq!(received, 100);
    }

    #[test]
    fn a_small_budget_yields_as_often_as_it_says() {
        let (lines, received) = drain(10, 3);
        assert_eq!(strs(&lines), ["[ticker] first turn after 3 values"]);
        assert_eq!(received, 10);
    }

    #[test]
    fn waiting_on_an_empty_channel_fills_the_budget_again() {
        // Two values, a wait, two more: with a budget of 3, the second
        // pair starts on a full budget, so no forced yield comes in it, and
        // the drainer is polled twice (the first pair; the second pair and
        // the end). Had the wait not filled the budget, a forced yield
        // after the third value would have cost a third poll.
        let scheduler = Scheduler::new(Clock::Virtual);
        let (outcome, lines) = capture(|| {
            scheduler.run_until_complete_async(async {
                let (sender, receiver) = unbounded_channel();
                let mut receiver = Budgeted::new(receiver, 3);
                let drainer = spawn_async("drainer", async move {
                    let mut got = Vec::new();
                    while let Some(value) = receiver.recv().await {
                        got.push(value);
                    }
                    say!("drainer", "received {got:?}");
                    Ok::<(), SchedError>(())
                })?;
                sender.send(1);
                sender.send(2);
                yieldpoint::ch09_async_fn::yield_now().await?;
                yieldpoint::ch09_async_fn::yield_now().await?;
                sender.send(3);
                sender.send(4);
                drop(sender);
                drainer.await
            })
        });
        assert_eq!(outcome, Ok(()));
        assert_eq!(strs(&lines), ["[drainer] received [1, 2, 3, 4]"]);
        // main: 4 polls (its start, two yields, the end of its await).
        assert_eq!(scheduler.resumes(), 4 + 2);
    }
}

#[path = "../.."]
pub mod e5_hold {
    use super::*;

    use std::future::Future;
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    use tokio::runtime::Builder;
    use tokio::time::{Instant, sleep, timeout};
    use yieldpoint::ch10_sockets::SlowServer;
    use yieldpoint::ch12_tokio::{SECOND, ms};
    use yieldpoint::say;

    #[cfg_attr(feature = "learner", path = "exercises/ch12_tokio/5_hold.rs")]
    #[cfg_attr(not(feature = "learner"), path = "solutions/ch12_tokio/5_hold.rs")]
    mod exercise;

    /// Runs `main` on a current-thread runtime with sockets, its clock
    /// paused, on a thread of its own, and returns the lines it said. A
    /// clock held for ever would make the runtime wait for ever: after ten
    /// seconds of real time the test gives up and says so.
    fn on_paused_runtime(main: impl Future<Output = ()> + Send + 'static) -> Vec<String> {
        let (lines, done) = mpsc::channel();
        let runner = thread::spawn(move || {
            let runtime = Builder::new_current_thread()
                .enable_io()
                .enable_time()
                .start_paused(true)
                .build()
                .expect("a current-thread runtime builds");
            let (_, said) = capture(|| runtime.block_on(main));
            let _ = lines.send(said);
        });
        match done.recv_timeout(Duration::from_secs(10)) {
            Ok(lines) => lines,
            // It ended without its lines: it panicked. Pass the panic on.
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                std::panic::resume_unwind(runner.join().expect_err("it panicked"))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => panic!(
                "the runtime has not ended after ten seconds: is tokio's clock still held \
                 (a blocking task that never ends)?"
            ),
        }
    }

    /// Asks the slow server at `server` for `/50/news` through the
    /// exercise, under a timeout of a second, and says what came of it.
    async fn ask(server: std::net::SocketAddr, start: Instant) {
        match timeout(
            SECOND,
            exercise::fetch_holding_the_clock(server, "/50/news"),
        )
        .await
        {
            Ok(Ok(answer)) => say!("main", "got {answer:?} at {}", ms(start.elapsed())),
            Ok(Err(error)) => say!("error", "{error}"),
            Err(_) => say!("main", "gave up at {}", ms(start.elapsed())),
        }
    }

    #[test]
    fn on_the_paused_clock_the_answer_comes_before_the_timeout_and_the_clock_stays_still() {
        let server = SlowServer::start().expect("the slow server starts");
        let address = server.address();
        let lines = on_paused_runtime(async move { ask(address, Instant::now()).await });
        assert_eq!(
            strs(&lines),
            ["[main] got \"200 news after 50 ms\" at 0 ms"]
        );
    }

    #[test]
    fn once_the_fetch_is_done_the_clock_jumps_to_the_next_timer_again() {
        let server = SlowServer::start().expect("the slow server starts");
        let address = server.address();
        let lines = on_paused_runtime(async move {
            let start = Instant::now();
            ask(address, start).await;
            sleep(SECOND).await;
            say!(
                "main",
                "slept a second: the clock reads {}",
                ms(start.elapsed())
            );
        });
        assert_eq!(
            strs(&lines),
            [
                "[main] got \"200 news after 50 ms\" at 0 ms",
                "[main] slept a second: the clock reads 1000 ms",
            ]
        );
    }
}
