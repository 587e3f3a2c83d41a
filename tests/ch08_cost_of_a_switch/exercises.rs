//! The tests of chapter 8's small exercises, one module per exercise.
//!
//! Each module compiles the learner's file under the feature `learner`, and
//! the reference solution otherwise:
//!
//! ```text
//! cargo test --test ch08_cost_of_a_switch -- exercises::e1_fibonacci_by_hand::                    the solution
//! cargo test --features learner --test ch08_cost_of_a_switch -- exercises::e1_fibonacci_by_hand::  your file
//! ```

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use yieldpoint::ch08_cost_of_a_switch::{Finished, GeneratorState, Stepper, block_on, yield_now};

use GeneratorState::{Complete, Yielded};

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

/// A counting waker, and a `Waker` that wakes it.
fn counting_waker() -> (Arc<CountingWaker>, Waker) {
    let wakes = Arc::new(CountingWaker::default());
    let waker = Waker::from(Arc::clone(&wakes));
    (wakes, waker)
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

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e1_fibonacci_by_hand {
    use super::*;

    #[cfg_attr(
        feature = "learner",
        path = "exercises/ch08_cost_of_a_switch/1_fibonacci_by_hand.rs"
    )]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch08_cost_of_a_switch/1_fibonacci_by_hand.rs"
    )]
    mod exercise;
    use exercise::Fibonacci;

    /// Every number `fibonacci` yields until it returns.
    fn all(mut fibonacci: Fibonacci) -> Vec<u64> {
        let mut numbers = Vec::new();
        while let Ok(Yielded(number)) = fibonacci.resume() {
            numbers.push(number);
        }
        numbers
    }

    #[test]
    fn each_resume_yields_the_next_number_0_1_1_2_3_5_8() {
        let mut fibonacci = Fibonacci::new();
        for expected in [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89] {
            assert_eq!(fibonacci.resume(), Ok(Yielded(expected)));
        }
    }

    #[test]
    fn it_yields_all_94_that_fit_in_a_u64_then_returns_then_says_finished() {
        let mut fibonacci = Fibonacci::new();
        let mut numbers = Vec::new();
        let ending = loop {
            match fibonacci.resume() {
                Ok(Yielded(number)) => numbers.push(number),
                other => break other,
            }
        };
        assert_eq!(ending, Ok(Complete(())));
        assert_eq!(numbers.len(), 94);
        assert_eq!(numbers[93], 12_200_160_415_121_876_738);
        assert_eq!(numbers[92], 7_540_113_804_746_346_429);
        assert!(numbers.windows(3).all(|w| w[0] + w[1] == w[2]));
        assert_eq!(fibonacci.resume(), Err(Finished));
        assert_eq!(fibonacci.resume(), Err(Finished));
    }

    #[test]
    fn it_is_a_plain_value_a_copy_taken_halfway_carries_on_from_there_on_its_own() {
        let mut fibonacci = Fibonacci::new();
        for _ in 0..10 {
            fibonacci.resume().unwrap();
        }
        let copy = fibonacci.clone();
        assert_eq!(copy, fibonacci, "the same state, so equal");
        let from_copy = all(copy);
        assert_eq!(from_copy.len(), 84);
        assert_eq!(&from_copy[..3], &[55, 89, 144]);
        assert_eq!(all(fibonacci), from_copy);
        assert_eq!(all(Fibonacci::new()).len(), 94, "a new one starts over");
    }

    #[test]
    fn its_whole_state_is_the_two_numbers_alive_at_the_pause_and_which_pause_it_is() {
        // No stack: two u64s (16 bytes) and a tag, rounded up to 8 bytes.
        // Chapter 2's generator of the same numbers has a stack of a
        // megabyte behind it.
        let size = std::mem::size_of::<Fibonacci>();
        assert!((17..=24).contains(&size), "{size} bytes");
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e2_pause {
    use super::*;

    #[cfg_attr(
        feature = "learner",
        path = "exercises/ch08_cost_of_a_switch/2_pause.rs"
    )]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch08_cost_of_a_switch/2_pause.rs"
    )]
    mod exercise;
    use exercise::Pause;

    #[test]
    fn it_is_pending_exactly_n_times_then_ready_with_n() {
        let mut stepper = Stepper::new(Pause::new(3));
        assert_eq!(stepper.step(), Ok(Poll::Pending));
        assert_eq!(stepper.step(), Ok(Poll::Pending));
        assert_eq!(stepper.step(), Ok(Poll::Pending));
        assert_eq!(stepper.step(), Ok(Poll::Ready(3)));
        assert_eq!(stepper.step(), Err(Finished));
        for times in [1, 2, 10, 1000] {
            let (pendings, value) = pendings_then_value(&mut Stepper::new(Pause::new(times)));
            assert_eq!((pendings, value), (times as usize, times));
        }
    }

    #[test]
    fn each_pending_wakes_the_waker_once_before_returning_and_ready_wakes_nobody() {
        let (wakes, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        let mut future = pin!(Pause::new(2));
        assert_eq!(future.as_mut().poll(&mut cx), Poll::Pending);
        assert_eq!(wakes.wakes(), 1);
        assert_eq!(future.as_mut().poll(&mut cx), Poll::Pending);
        assert_eq!(wakes.wakes(), 2);
        assert_eq!(future.as_mut().poll(&mut cx), Poll::Ready(2));
        assert_eq!(wakes.wakes(), 2, "being ready wakes nobody");
    }

    #[test]
    fn it_wakes_the_waker_of_the_latest_poll_not_an_earlier_one() {
        // An executor may poll with a different waker each time (the task
        // moved, say): only the newest one still reaches it.
        let (first, first_waker) = counting_waker();
        let (second, second_waker) = counting_waker();
        let mut future = pin!(Pause::new(2));
        let poll = future.as_mut().poll(&mut Context::from_waker(&first_waker));
        assert_eq!(poll, Poll::Pending);
        let poll = future
            .as_mut()
            .poll(&mut Context::from_waker(&second_waker));
        assert_eq!(poll, Poll::Pending);
        assert_eq!((first.wakes(), second.wakes()), (1, 1));
    }

    #[test]
    fn zero_pauses_is_ready_at_the_first_poll_without_waking() {
        let (wakes, waker) = counting_waker();
        let mut future = pin!(Pause::new(0));
        assert_eq!(
            future.as_mut().poll(&mut Context::from_waker(&waker)),
            Poll::Ready(0)
        );
        assert_eq!(wakes.wakes(), 0);
    }

    #[test]
    fn block_on_drives_it_because_it_asks_to_be_polled_again() {
        // block_on panics on a Pending that woke nobody.
        assert_eq!(block_on(Pause::new(5)), 5);
        assert_eq!(block_on(Pause::new(0)), 0);
    }

    #[test]
    fn awaited_in_async_fns_its_pauses_add_up_through_every_level() {
        async fn both() -> u32 {
            Pause::new(2).await + Pause::new(3).await
        }
        async fn outer() -> u32 {
            yield_now().await;
            both().await * 10
        }
        let (pendings, value) = pendings_then_value(&mut Stepper::new(outer()));
        assert_eq!((pendings, value), (6, 50));
        assert_eq!(block_on(outer()), 50);
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e3_predict_sizes {
    use super::*;

    #[cfg_attr(
        feature = "learner",
        path = "exercises/ch08_cost_of_a_switch/3_predict_sizes.rs"
    )]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch08_cost_of_a_switch/3_predict_sizes.rs"
    )]
    mod exercise;
    use exercise::{Program, Size, predicted_size};

    // ---- the programs: read these, then predict ----

    /// The size of the buffers below.
    const BUF: usize = 4096;

    async fn no_buffer() -> u8 {
        yield_now().await;
        1
    }

    async fn buffer_across_await() -> u8 {
        let buffer = [7_u8; BUF];
        yield_now().await;
        buffer[BUF - 1]
    }

    async fn buffer_before_await() -> u8 {
        let last = {
            let buffer = [7_u8; BUF];
            buffer[BUF - 1]
        };
        yield_now().await;
        last
    }

    async fn buffer_argument(_buffer: [u8; BUF]) -> u8 {
        yield_now().await;
        1
    }

    async fn two_in_sequence() -> u8 {
        buffer_across_await().await + buffer_across_await().await
    }

    async fn two_at_once() -> u8 {
        let first = buffer_across_await();
        let second = buffer_across_await();
        first.await + second.await
    }

    async fn three_deep() -> u8 {
        two_in_sequence().await
    }

    async fn boxed() -> u8 {
        Box::pin(buffer_across_await()).await
    }

    async fn on_the_heap() -> u8 {
        let buffer = vec![7_u8; BUF];
        yield_now().await;
        buffer[BUF - 1]
    }

    // ---- the measurements ----

    /// The size of `program`'s future, in bytes, measured; and the value it
    /// returns, to show that each one runs.
    fn measured(program: Program) -> (usize, u8) {
        fn size_and_value<F: Future<Output = u8>>(future: F) -> (usize, u8) {
            (std::mem::size_of_val(&future), block_on(future))
        }
        match program {
            Program::NoBuffer => size_and_value(no_buffer()),
            Program::BufferAcrossAwait => size_and_value(buffer_across_await()),
            Program::BufferBeforeAwait => size_and_value(buffer_before_await()),
            Program::BufferArgument => size_and_value(buffer_argument([0; BUF])),
            Program::TwoInSequence => size_and_value(two_in_sequence()),
            Program::TwoAtOnce => size_and_value(two_at_once()),
            Program::ThreeDeep => size_and_value(three_deep()),
            Program::Boxed => size_and_value(boxed()),
            Program::OnTheHeap => size_and_value(on_the_heap()),
        }
    }

    /// Which [`Size`] `bytes` falls in.
    fn size_of(bytes: usize) -> Size {
        match bytes {
            0..64 => Size::Small,
            b if (BUF..BUF + 64).contains(&b) => Size::OneBuffer,
            b if (2 * BUF..2 * BUF + 64).contains(&b) => Size::TwoBuffers,
            other => panic!("{other} bytes is in none of the sizes"),
        }
    }

    /// Checks the prediction for each of `programs` against its measured
    /// size.
    fn check(programs: &[Program]) {
        for &program in programs {
            let (bytes, value) = measured(program);
            assert!(value > 0, "{program:?} ran");
            assert_eq!(
                predicted_size(program),
                size_of(bytes),
                "{program:?}: you predicted the left, the future is {bytes} bytes"
            );
        }
    }

    #[test]
    fn a_local_counts_only_if_it_is_alive_across_an_await() {
        check(&[
            Program::NoBuffer,
            Program::BufferAcrossAwait,
            Program::BufferBeforeAwait,
        ]);
    }

    #[test]
    fn an_argument_is_kept_from_before_the_first_poll() {
        check(&[Program::BufferArgument]);
    }

    #[test]
    fn futures_awaited_one_after_the_other_share_their_place_and_those_alive_together_do_not() {
        check(&[Program::TwoInSequence, Program::TwoAtOnce]);
    }

    #[test]
    fn a_caller_holds_its_callees_future_inside_its_own() {
        check(&[Program::ThreeDeep]);
    }

    #[test]
    fn a_box_or_a_vec_keeps_only_a_pointer_in_the_future() {
        check(&[Program::Boxed, Program::OnTheHeap]);
    }
}
