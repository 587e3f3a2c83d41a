//! The tests of chapter 9's small exercises, one module per exercise.
//!
//! Each module compiles the learner's file under the feature `learner`, and
//! the reference solution otherwise:
//!
//! ```text
//! cargo test --test ch09_async_fn -- exercises::e1_countdown_by_hand::                    the solution
//! cargo test --features learner --test ch09_async_fn -- exercises::e1_countdown_by_hand::  your file
//! ```

use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::thread;

use yieldpoint::ch04_future_task::panic_message;
use yieldpoint::ch09_async_fn::{
    Sleep, WakeTarget, a, b, b_by_hand, block_on, channel, drive, waker_by_trait,
};

/// A waker that counts its wakes, and its target.
fn counting_waker() -> (Arc<WakeTarget>, Waker) {
    let target = WakeTarget::counter();
    let waker = waker_by_trait(Arc::clone(&target));
    (target, waker)
}

/// Every poll's outcome until the future is ready, and its wakes.
fn polls_until_ready<F: Future>(future: F) -> (Vec<Poll<F::Output>>, u32) {
    let (target, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    let mut polls = Vec::new();
    loop {
        let poll = future.as_mut().poll(&mut cx);
        let ready = poll.is_ready();
        polls.push(poll);
        if ready {
            return (polls, target.wakes());
        }
    }
}

/// The message of the panic `f` raises.
fn panic_of<R>(f: impl FnOnce() -> R) -> String {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic"),
        Err(payload) => panic_message(payload.as_ref()),
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e1_countdown_by_hand {
    use super::*;

    #[cfg_attr(
        feature = "learner",
        path = "exercises/ch09_async_fn/1_countdown_by_hand.rs"
    )]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch09_async_fn/1_countdown_by_hand.rs"
    )]
    mod exercise;
    use exercise::countdown_by_hand;

    /// The `async fn` the exercise translates.
    async fn countdown(from: u32) -> u32 {
        let mut total = 0;
        for i in (1..=from).rev() {
            Sleep(1).await;
            total += i;
        }
        total
    }

    #[test]
    fn it_polls_exactly_like_the_compiled_countdown() {
        for from in [0, 1, 2, 5] {
            let compiled = polls_until_ready(countdown(from));
            assert_eq!(
                polls_until_ready(countdown_by_hand(from)),
                compiled,
                "countdown({from})"
            );
        }
    }

    #[test]
    fn it_pauses_from_times_and_returns_the_sum_of_1_to_from() {
        assert_eq!(drive(countdown_by_hand(3)), (6, 3));
        assert_eq!(drive(countdown_by_hand(10)), (55, 10));
        assert_eq!(drive(countdown_by_hand(0)), (0, 0));
    }

    #[test]
    fn calling_it_runs_nothing() {
        // Made, not polled: equal to another one made the same way, and
        // different from one with another argument.
        assert_eq!(countdown_by_hand(4), countdown_by_hand(4));
        assert_ne!(countdown_by_hand(4), countdown_by_hand(5));
    }

    #[test]
    fn a_copy_taken_while_it_is_paused_finishes_on_its_own_with_the_same_value() {
        let mut future = countdown_by_hand(5);
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(Pin::new(&mut future).poll(&mut cx), Poll::Pending);
        assert_eq!(Pin::new(&mut future).poll(&mut cx), Poll::Pending);
        // Clone, not Copy: a learner's enum need not be Copy.
        #[allow(clippy::clone_on_copy)]
        let copy = future.clone();
        assert_eq!(drive(future), (15, 3));
        assert_eq!(drive(copy), (15, 3));
    }

    #[test]
    fn polled_after_ready_it_panics_as_the_compiled_one_does() {
        fn after_ready<F: Future>(future: F) -> String {
            let mut future = pin!(future);
            let mut cx = Context::from_waker(Waker::noop());
            while future.as_mut().poll(&mut cx).is_pending() {}
            panic_of(|| future.as_mut().poll(&mut cx))
        }
        for from in [0, 2] {
            assert_eq!(
                after_ready(countdown_by_hand(from)),
                after_ready(countdown(from))
            );
        }
    }
}

#[path = "../.."]
pub mod e2_join2 {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch09_async_fn/2_join2.rs")]
    #[cfg_attr(not(feature = "learner"), path = "solutions/ch09_async_fn/2_join2.rs")]
    mod exercise;
    use exercise::join2;

    #[test]
    fn two_sleeps_together_take_as_long_as_the_longer_one() {
        assert_eq!(drive(join2(Sleep(3), Sleep(5))), (((), ()), 5));
        assert_eq!(drive(join2(Sleep(5), Sleep(3))), (((), ()), 5));
        assert_eq!(drive(join2(Sleep(0), Sleep(0))), (((), ()), 0));
    }

    #[test]
    fn a_and_b_together_take_15_cycles_not_25_and_give_both_values_in_order() {
        assert_eq!(drive(join2(a(), b())), (("Hello World", "Hello World"), 15));
        assert_eq!(drive(join2(async { 1 }, async { "two" })), ((1, "two"), 0));
    }

    #[test]
    fn both_are_polled_at_the_first_poll() {
        let (_first, one) = channel::<u8>();
        let (_second, two) = channel::<u8>();
        let (target, waker) = counting_waker();
        let mut joined = pin!(join2(one, two));
        assert_eq!(
            joined.as_mut().poll(&mut Context::from_waker(&waker)),
            Poll::Pending
        );
        // Each receiver kept a clone of the waker: both were polled.
        assert_eq!(Arc::strong_count(&target), 4);
    }

    #[test]
    fn a_side_that_is_ready_is_never_polled_again() {
        // b_by_hand panics if polled after Ready; so does a compiled b().
        assert_eq!(
            drive(join2(b_by_hand(), Sleep(12))),
            (("Hello World", ()), 12)
        );
        assert_eq!(drive(join2(Sleep(12), b())), (((), "Hello World"), 12));
        let mut polls = 0;
        let once = poll_fn(|_| {
            polls += 1;
            Poll::Ready("once")
        });
        assert_eq!(drive(join2(once, Sleep(3))), (("once", ()), 3));
        assert_eq!(polls, 1);
    }

    #[test]
    fn values_sent_from_two_threads_come_back_in_argument_order() {
        let (first, one) = channel();
        let (second, two) = channel();
        let senders = thread::spawn(move || {
            second.send(2);
            first.send(1);
        });
        assert_eq!(block_on(join2(one, two)), (Ok(1), Ok(2)));
        senders.join().expect("the sending thread does not panic");
    }
}

#[path = "../.."]
pub mod e3_flag {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch09_async_fn/3_flag.rs")]
    #[cfg_attr(not(feature = "learner"), path = "solutions/ch09_async_fn/3_flag.rs")]
    mod exercise;
    use exercise::flag;

    #[test]
    fn it_is_pending_while_down_and_ready_once_raised() {
        let (raiser, raised) = flag();
        let (target, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        let mut raised = pin!(raised);
        assert_eq!(raised.as_mut().poll(&mut cx), Poll::Pending);
        raiser.raise();
        assert_eq!(target.wakes(), 1);
        assert_eq!(raised.as_mut().poll(&mut cx), Poll::Ready(()));
    }

    #[test]
    fn raised_before_the_first_poll_it_is_ready_at_once_and_wakes_nobody() {
        let (raiser, raised) = flag();
        raiser.raise();
        assert_eq!(polls_until_ready(raised), (vec![Poll::Ready(())], 0));
    }

    #[test]
    fn a_spurious_poll_is_pending_again_and_keeps_one_clone_of_the_waker() {
        let (raiser, raised) = flag();
        let (target, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        let mut raised = pin!(raised);
        assert_eq!(raised.as_mut().poll(&mut cx), Poll::Pending);
        assert_eq!(raised.as_mut().poll(&mut cx), Poll::Pending);
        assert_eq!(raised.as_mut().poll(&mut cx), Poll::Pending);
        // The target, the waker, and one kept clone.
        assert_eq!(Arc::strong_count(&target), 3);
        raiser.raise();
        assert_eq!(target.wakes(), 1);
        assert_eq!(Arc::strong_count(&target), 2, "the kept clone was used up");
    }

    #[test]
    fn polled_with_a_new_waker_it_drops_the_stale_one_and_raise_wakes_the_new_one() {
        let (raiser, raised) = flag();
        let (old, old_waker) = counting_waker();
        let (new, new_waker) = counting_waker();
        let mut raised = pin!(raised);
        let _ = raised.as_mut().poll(&mut Context::from_waker(&old_waker));
        let _ = raised.as_mut().poll(&mut Context::from_waker(&new_waker));
        assert_eq!(Arc::strong_count(&old), 2, "the stale clone is gone");
        raiser.raise();
        assert_eq!((old.wakes(), new.wakes()), (0, 1));
    }

    #[test]
    fn raised_on_another_thread_it_ends_a_block_on() {
        let (raiser, raised) = flag();
        let raising = thread::spawn(move || raiser.raise());
        block_on(raised);
        raising.join().expect("the raising thread does not panic");
    }
}

#[path = "../.."]
pub mod e4_timeout {
    use std::cell::Cell;
    use std::rc::Rc;
    use std::time::Duration;

    use yieldpoint::ch06_scheduler::{Clock, SchedError, Scheduler};
    use yieldpoint::ch09_async_fn::sleep;

    #[cfg_attr(feature = "learner", path = "exercises/ch09_async_fn/4_timeout.rs")]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch09_async_fn/4_timeout.rs"
    )]
    mod exercise;
    use exercise::timeout;

    const SECOND: Duration = Duration::from_secs(1);

    /// Counts its drops.
    struct Dropped(Rc<Cell<u32>>);

    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }

    /// A future that sleeps `seconds` then returns them, holding `held`.
    async fn nap(seconds: u32, held: Dropped) -> Result<u32, SchedError> {
        let _held = held;
        sleep(seconds * SECOND).await?;
        Ok(seconds)
    }

    #[test]
    fn a_future_that_is_ready_in_time_gives_its_output() {
        let scheduler = Scheduler::new(Clock::Virtual);
        let drops = Rc::new(Cell::new(0));
        let held = Dropped(Rc::clone(&drops));
        let outcome = scheduler
            .run_until_complete_async(async move { timeout(2 * SECOND, nap(1, held)).await });
        assert_eq!(outcome, Ok(Ok(1)));
        assert_eq!(scheduler.now(), SECOND);
        assert_eq!(drops.get(), 1);
        // Its timer was cancelled: the heap keeps no timer that is wanted.
        assert!(scheduler.pending_timers() <= 1);
    }

    #[test]
    fn once_the_time_is_up_it_says_timed_out_and_drops_the_future_where_it_waits() {
        let scheduler = Scheduler::new(Clock::Virtual);
        let drops = Rc::new(Cell::new(0));
        let held = Dropped(Rc::clone(&drops));
        let watched = Rc::clone(&drops);
        let outcome = scheduler.run_until_complete_async(async move {
            let outcome = timeout(SECOND, nap(3600, held)).await;
            // Dropped by the time the timeout is over, not later.
            Ok::<_, SchedError>((outcome, watched.get()))
        });
        assert_eq!(outcome, Ok((Err(SchedError::TimedOut), 1)));
        assert_eq!(scheduler.now(), SECOND);
    }

    #[test]
    fn a_future_ready_at_once_wins_even_against_a_zero_limit() {
        let scheduler = Scheduler::new(Clock::Virtual);
        let outcome = scheduler
            .run_until_complete_async(async { timeout(Duration::ZERO, async { 7 }).await });
        assert_eq!(outcome, Ok(7));
    }

    #[test]
    fn a_timeout_dropped_early_cancels_its_timer() {
        let scheduler = Rc::new(Scheduler::new(Clock::Virtual));
        let watched = Rc::clone(&scheduler);
        let outcome = scheduler.run_until_complete_async(async move {
            let mut largest = 0;
            for _ in 0..1_000 {
                let drops = Rc::new(Cell::new(0));
                // A timeout of an hour, raced against a short sleep: the
                // sleep wins every time, and the timeout is dropped with
                // its timer set.
                let long = timeout(3600 * SECOND, nap(3600, Dropped(drops)));
                let mut long = Box::pin(long);
                std::future::poll_fn(|cx| {
                    let _ = long.as_mut().poll(cx);
                    std::task::Poll::Ready(())
                })
                .await;
                drop(long);
                // A turn, so that the loop tidies its heap as it goes.
                yieldpoint::ch09_async_fn::yield_now().await?;
                largest = largest.max(watched.pending_timers());
            }
            Ok::<_, SchedError>(largest)
        });
        let largest = outcome.expect("main runs");
        // Without cancelling, two thousand timers would pile up; the heap
        // counts them stale and rebuilds itself past a hundred.
        assert!(largest <= 202, "the heap grew to {largest}");
    }

    #[test]
    fn outside_a_scheduler_it_says_not_in_task() {
        let outcome = yieldpoint::ch09_async_fn::block_on(timeout(SECOND, async { 1 }));
        assert!(
            matches!(outcome, Err(SchedError::NotInTask { .. })),
            "{outcome:?}"
        );
    }
}
