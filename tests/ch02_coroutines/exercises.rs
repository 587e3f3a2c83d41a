//! The tests of chapter 2's small exercises, one module per exercise.
//!
//! Each module compiles the learner's file under the feature `learner`, and
//! the reference solution otherwise:
//!
//! ```text
//! cargo test --test ch02_coroutines -- exercises::e1_fibonacci::                    the solution
//! cargo test --features learner --test ch02_coroutines -- exercises::e1_fibonacci::  your file
//! ```

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use yieldpoint::ch02_coroutines::{Finished, Generator, GeneratorState, Yielder};

use GeneratorState::{Complete, Yielded};

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

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e1_fibonacci {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch02_coroutines/1_fibonacci.rs")]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch02_coroutines/1_fibonacci.rs"
    )]
    mod exercise;
    use exercise::fibonacci;

    #[test]
    fn the_first_twelve_are_0_1_1_2_3_5_8_13_21_34_55_89() {
        let first: Vec<u64> = fibonacci().take(12).collect();
        assert_eq!(first, [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89]);
    }

    #[test]
    fn each_resume_yields_the_next_one_and_nothing_runs_before_the_first() {
        let mut numbers = fibonacci();
        assert!(!numbers.started());
        assert_eq!(numbers.resume(()), Ok(Yielded(0)));
        assert_eq!(numbers.resume(()), Ok(Yielded(1)));
        assert_eq!(numbers.resume(()), Ok(Yielded(1)));
        assert_eq!(numbers.resume(()), Ok(Yielded(2)));
        assert!(numbers.started() && !numbers.finished());
    }

    #[test]
    fn it_yields_all_94_that_fit_in_a_u64_and_then_returns() {
        let mut numbers = fibonacci();
        let all: Vec<u64> = numbers.by_ref().collect();
        assert_eq!(all.len(), 94);
        assert_eq!(all[93], 12_200_160_415_121_876_738);
        assert_eq!(all[92], 7_540_113_804_746_346_429);
        assert!(all.windows(3).all(|w| w[0] + w[1] == w[2]));
        assert!(numbers.finished());
        assert_eq!(numbers.resume(()), Err(Finished));
    }

    #[test]
    fn it_is_lazy_and_carries_on_where_a_take_stopped() {
        let mut numbers = fibonacci();
        assert_eq!(
            numbers.by_ref().take(5).collect::<Vec<_>>(),
            [0, 1, 1, 2, 3]
        );
        assert_eq!(numbers.by_ref().take(3).collect::<Vec<_>>(), [5, 8, 13]);
        assert_eq!(fibonacci().nth(50), Some(12_586_269_025));
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e2_moving_average {
    use super::*;

    #[cfg_attr(
        feature = "learner",
        path = "exercises/ch02_coroutines/2_moving_average.rs"
    )]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch02_coroutines/2_moving_average.rs"
    )]
    mod exercise;
    use exercise::moving_average;

    #[test]
    fn it_averages_the_last_three_numbers_after_each_one() {
        let mut average = moving_average(3);
        assert!(!average.started());
        assert_eq!(average.resume(Some(3)), Ok(Yielded(3.0)));
        assert_eq!(average.resume(Some(6)), Ok(Yielded(4.5)));
        assert_eq!(average.resume(Some(9)), Ok(Yielded(6.0)));
        assert_eq!(average.resume(Some(12)), Ok(Yielded(9.0)));
        assert_eq!(average.resume(Some(-30)), Ok(Yielded(-3.0)));
        assert_eq!(average.resume(None), Ok(Complete(5)));
        assert!(average.finished());
        assert_eq!(average.resume(Some(1)), Err(Finished));
    }

    #[test]
    fn the_first_number_counts_too() {
        // The first input is the body's argument, not a `suspend`'s answer:
        // dropping it would make every average here wrong.
        let mut average = moving_average(2);
        assert_eq!(average.resume(Some(10)), Ok(Yielded(10.0)));
        assert_eq!(average.resume(Some(20)), Ok(Yielded(15.0)));
        assert_eq!(average.resume(Some(40)), Ok(Yielded(30.0)));
        assert_eq!(average.resume(None), Ok(Complete(3)));
    }

    #[test]
    fn a_window_of_one_yields_each_number_back() {
        let mut average = moving_average(1);
        for number in [7, -2, 0, 5] {
            assert_eq!(average.resume(Some(number)), Ok(Yielded(number as f64)));
        }
        assert_eq!(average.resume(None), Ok(Complete(4)));
    }

    #[test]
    fn told_to_stop_at_once_it_returns_zero() {
        let mut average = moving_average(4);
        assert_eq!(average.resume(None), Ok(Complete(0)));
        assert!(average.finished());
    }

    #[test]
    fn a_window_of_zero_is_refused_when_the_generator_is_created() {
        assert_eq!(
            panic_of(|| moving_average(0)),
            "moving_average: a window of 0 numbers has no average; \
             give it a window of at least 1"
        );
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e3_zip {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch02_coroutines/3_zip.rs")]
    #[cfg_attr(not(feature = "learner"), path = "solutions/ch02_coroutines/3_zip.rs")]
    mod exercise;
    use exercise::zip;

    type Log = Rc<RefCell<Vec<String>>>;

    /// Yields `values`, writing `name` and each value to `log` as it goes.
    fn logged<T: Copy + std::fmt::Debug + 'static>(
        log: &Log,
        name: &'static str,
        values: &'static [T],
    ) -> Generator<(), T, ()> {
        let log = Rc::clone(log);
        Generator::new(move |yielder: &Yielder<(), T>, ()| {
            for &value in values {
                log.borrow_mut().push(format!("{name} yields {value:?}"));
                yielder.suspend(value);
            }
            log.borrow_mut().push(format!("{name} returns"));
        })
    }

    #[test]
    fn it_pairs_the_values_and_stops_at_the_shorter() {
        let log: Log = Rc::default();
        let pairs: Vec<(u8, char)> = zip(
            logged(&log, "a", &[1, 2, 3]),
            logged(&log, "b", &['x', 'y']),
        )
        .collect();
        assert_eq!(pairs, [(1, 'x'), (2, 'y')]);
        assert_eq!(
            *log.borrow(),
            [
                "a yields 1",
                "b yields 'x'",
                "a yields 2",
                "b yields 'y'",
                "a yields 3",
                "b returns",
            ]
        );
    }

    #[test]
    fn once_a_has_returned_b_is_not_resumed() {
        let log: Log = Rc::default();
        let pairs: Vec<(u8, u8)> =
            zip(logged(&log, "a", &[1]), logged(&log, "b", &[10, 20, 30])).collect();
        assert_eq!(pairs, [(1, 10)]);
        assert_eq!(*log.borrow(), ["a yields 1", "b yields 10", "a returns"]);
    }

    #[test]
    fn it_is_lazy_one_pair_per_resume() {
        let log: Log = Rc::default();
        let mut pairs = zip(logged(&log, "a", &[1, 2]), logged(&log, "b", &[3, 4]));
        assert!(
            log.borrow().is_empty(),
            "nothing runs before the first resume"
        );
        assert_eq!(pairs.resume(()), Ok(Yielded((1, 3))));
        assert_eq!(*log.borrow(), ["a yields 1", "b yields 3"]);
        assert_eq!(pairs.resume(()), Ok(Yielded((2, 4))));
        assert_eq!(pairs.resume(()), Ok(Complete(())));
        assert_eq!(log.borrow().len(), 5);
        assert_eq!(pairs.resume(()), Err(Finished));
    }

    #[test]
    fn zipping_with_an_empty_generator_yields_nothing() {
        let log: Log = Rc::default();
        let empty: &'static [u8] = &[];
        assert_eq!(
            zip(logged(&log, "a", empty), logged(&log, "b", &[1_u8])).count(),
            0
        );
        assert_eq!(*log.borrow(), ["a returns"]);
        assert_eq!(
            zip(logged(&log, "c", &[1_u8]), logged(&log, "d", empty)).count(),
            0
        );
        assert_eq!(*log.borrow(), ["a returns", "c yields 1", "d returns"]);
    }
}
