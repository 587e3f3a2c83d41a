//! The tests of chapter 3's small exercises, one module per exercise.
//!
//! Each module compiles the learner's file under the feature `learner`, and
//! the reference solution otherwise:
//!
//! ```text
//! cargo test --test ch03_yield_from -- exercises::e1_three_levels::                    the solution
//! cargo test --features learner --test ch03_yield_from -- exercises::e1_three_levels::  your file
//! ```

use std::panic::{AssertUnwindSafe, catch_unwind};

use yieldpoint::ch02_coroutines::{Finished, Generator, GeneratorState, Yielder};

use GeneratorState::{Complete, Yielded};

/// Every value a generator yields with `()` in, and what it returns.
fn drain<Y, R>(mut generator: Generator<(), Y, R>) -> (Vec<Y>, R) {
    let mut values = Vec::new();
    loop {
        match generator.resume(()).expect("resumed only until it returns") {
            Yielded(value) => values.push(value),
            Complete(result) => return (values, result),
        }
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e1_three_levels {
    use super::*;

    #[cfg_attr(
        feature = "learner",
        path = "exercises/ch03_yield_from/1_three_levels.rs"
    )]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch03_yield_from/1_three_levels.rs"
    )]
    mod exercise;
    use exercise::{count_by_level, three_levels_stackful, three_levels_yield_from};

    const LEVELS: [u8; 15] = [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3];

    #[test]
    fn stackful_the_waits_come_level_by_level_and_hello_world_comes_back() {
        assert_eq!(
            drain(three_levels_stackful()),
            (LEVELS.to_vec(), "Hello World")
        );
    }

    #[test]
    fn with_yield_from_the_same_values_come_out() {
        assert_eq!(
            drain(three_levels_yield_from()),
            (LEVELS.to_vec(), "Hello World")
        );
    }

    #[test]
    fn the_driver_counts_five_waits_per_level_both_ways() {
        assert_eq!(
            count_by_level(three_levels_stackful()),
            ([5, 5, 5], "Hello World")
        );
        assert_eq!(
            count_by_level(three_levels_yield_from()),
            ([5, 5, 5], "Hello World")
        );
    }

    #[test]
    fn the_driver_counts_whatever_levels_a_generator_yields() {
        let uneven = Generator::new(|yielder: &Yielder<(), u8>, ()| {
            for level in [3, 1, 3, 2, 3] {
                yielder.suspend(level);
            }
            "uneven"
        });
        assert_eq!(count_by_level(uneven), ([1, 1, 3], "uneven"));
        let at_once = Generator::new(|_: &Yielder<(), u8>, ()| "no waits");
        assert_eq!(count_by_level(at_once), ([0, 0, 0], "no waits"));
    }

    #[test]
    fn nothing_runs_before_the_first_resume_and_the_end_is_final() {
        for mut generator in [three_levels_stackful(), three_levels_yield_from()] {
            assert!(!generator.started());
            for _ in 0..15 {
                assert!(matches!(generator.resume(()), Ok(Yielded(_))));
            }
            assert_eq!(generator.resume(()), Ok(Complete("Hello World")));
            assert_eq!(generator.resume(()), Err(Finished));
        }
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e2_map_values {
    use super::*;

    #[cfg_attr(
        feature = "learner",
        path = "exercises/ch03_yield_from/2_map_values.rs"
    )]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch03_yield_from/2_map_values.rs"
    )]
    mod exercise;
    use exercise::yield_from_map;

    /// Yields `first`, `first * 2`, then three times its next input; returns
    /// the last input it got.
    fn numbers() -> Generator<u32, u32, u32> {
        Generator::new(|yielder, first: u32| {
            yielder.suspend(first);
            let next = yielder.suspend(first * 2);
            let last = yielder.suspend(next * 3);
            last + 1000
        })
    }

    #[test]
    fn each_value_goes_up_transformed_and_the_return_comes_back_unchanged() {
        let mut outer: Generator<u32, String, String> = Generator::new(|yielder, start| {
            let got = yield_from_map(yielder, numbers(), start, |n| format!("#{n}"));
            format!("inner returned {got}")
        });
        assert_eq!(outer.resume(5), Ok(Yielded("#5".to_string())));
        assert_eq!(outer.resume(0), Ok(Yielded("#10".to_string())));
        assert_eq!(outer.resume(7), Ok(Yielded("#21".to_string())));
        assert_eq!(
            outer.resume(9),
            Ok(Complete("inner returned 1009".to_string()))
        );
    }

    #[test]
    fn the_function_sees_the_values_in_order_and_may_keep_state() {
        let mut outer: Generator<(), (usize, char), usize> = Generator::new(|yielder, ()| {
            let letters = Generator::new(|yielder: &Yielder<(), char>, ()| {
                for letter in ['a', 'b', 'c'] {
                    yielder.suspend(letter);
                }
                3
            });
            let mut seen = 0;
            yield_from_map(yielder, letters, (), |letter| {
                seen += 1;
                (seen, letter)
            })
        });
        assert_eq!(outer.resume(()), Ok(Yielded((1, 'a'))));
        assert_eq!(outer.resume(()), Ok(Yielded((2, 'b'))));
        assert_eq!(outer.resume(()), Ok(Yielded((3, 'c'))));
        assert_eq!(outer.resume(()), Ok(Complete(3)));
    }

    #[test]
    fn an_inner_generator_that_returns_at_once_yields_nothing() {
        let mut outer: Generator<(), bool, &str> = Generator::new(|yielder, ()| {
            let quick = Generator::new(|_: &Yielder<(), u8>, ()| "quick");
            yield_from_map(yielder, quick, (), |_| true)
        });
        assert_eq!(outer.resume(()), Ok(Complete("quick")));
    }

    #[test]
    fn a_finished_inner_generator_is_refused_with_a_clear_message() {
        let mut outer: Generator<(), u8, u8> = Generator::new(|yielder, ()| {
            let mut spent = Generator::new(|_: &Yielder<(), u8>, ()| 1);
            assert_eq!(spent.resume(()), Ok(Complete(1)));
            yield_from_map(yielder, spent, (), |x| x)
        });
        let payload = catch_unwind(AssertUnwindSafe(|| outer.resume(())))
            .expect_err("delegating to a finished generator panics");
        assert_eq!(
            payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or(payload.downcast_ref::<&str>().copied()),
            Some(
                "yield_from_map was given a generator that has already finished; \
                 pass a new Generator"
            )
        );
        assert!(outer.finished());
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e3_pass_inputs_down {
    use super::*;

    #[cfg_attr(
        feature = "learner",
        path = "exercises/ch03_yield_from/3_pass_inputs_down.rs"
    )]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch03_yield_from/3_pass_inputs_down.rs"
    )]
    mod exercise;
    use exercise::{summer, two_sums};

    #[test]
    fn a_summer_yields_running_totals_and_returns_the_total_at_zero() {
        let mut sum = summer();
        assert_eq!(sum.resume(4), Ok(Yielded(4)));
        assert_eq!(sum.resume(-1), Ok(Yielded(3)));
        assert_eq!(sum.resume(10), Ok(Yielded(13)));
        assert_eq!(sum.resume(0), Ok(Complete(13)));
        assert_eq!(sum.resume(1), Err(Finished));
    }

    #[test]
    fn a_summer_told_zero_at_once_returns_zero() {
        assert_eq!(summer().resume(0), Ok(Complete(0)));
    }

    #[test]
    fn two_sums_passes_every_input_down_and_yields_the_subtotal_between() {
        let mut sums = two_sums();
        assert_eq!(sums.resume(1), Ok(Yielded(1)));
        assert_eq!(sums.resume(2), Ok(Yielded(3)));
        // The first summer returns 3; two_sums shows it...
        assert_eq!(sums.resume(0), Ok(Yielded(3)));
        // ...and the answer is the second summer's first number.
        assert_eq!(sums.resume(10), Ok(Yielded(10)));
        assert_eq!(sums.resume(5), Ok(Yielded(15)));
        assert_eq!(sums.resume(0), Ok(Complete((3, 15))));
        assert!(sums.finished());
    }

    #[test]
    fn two_empty_sums_take_two_zeros() {
        let mut sums = two_sums();
        assert_eq!(sums.resume(0), Ok(Yielded(0)));
        assert_eq!(sums.resume(0), Ok(Complete((0, 0))));
    }
}
