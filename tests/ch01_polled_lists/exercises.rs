//! The tests of chapter 1's small exercises, one module per exercise.
//!
//! Each module compiles the learner's file under the feature `learner`, and
//! the reference solution otherwise:
//!
//! ```text
//! cargo test --test ch01_polled_lists -- exercises::e1_python_bug::                    the solution
//! cargo test --features learner --test ch01_polled_lists -- exercises::e1_python_bug::  your file
//! ```

use yieldpoint::ch01_polled_lists::{Completion, Poll, Request};

/// The `(index, answer)` of every poll a runner makes, and what it returns.
fn traced<T: Clone, R>(
    run: impl FnOnce(&mut dyn FnMut(usize, &Poll<T>)) -> R,
) -> (Vec<(usize, Poll<T>)>, R) {
    let mut trace = Vec::new();
    let result = run(&mut |index, answer: &Poll<T>| trace.push((index, answer.clone())));
    (trace, result)
}

/// The indexes of a trace, in order.
fn indexes<T>(trace: &[(usize, Poll<T>)]) -> Vec<usize> {
    trace.iter().map(|(index, _)| *index).collect()
}

/// The `(index, value)` of each completion, in completion order.
fn finished<T: Copy>(completions: &[Completion<T>]) -> Vec<(usize, T)> {
    completions.iter().map(|c| (c.index, c.value)).collect()
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e1_python_bug {
    use super::*;

    #[cfg_attr(
        feature = "learner",
        path = "exercises/ch01_polled_lists/1_python_bug.rs"
    )]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch01_polled_lists/1_python_bug.rs"
    )]
    mod exercise;
    use exercise::python_round_robin;

    #[test]
    fn three_requests_ready_in_the_same_round_finish_a_c_b() {
        let requests = ['a', 'b', 'c'].map(|name| Request::after_waits(1, name));
        let (trace, done) = traced(|on_poll| python_round_robin(requests.into(), on_poll));
        // Round 2: a finishes and is removed; b slides into slot 0, c into
        // slot 1, and the index moves on to slot 1: c, then nothing.
        assert_eq!(indexes(&trace), [0, 1, 2, 0, 2, 1]);
        assert_eq!(finished(&done), [(0, 'a'), (2, 'c'), (1, 'b')]);
        assert!(done.iter().all(|c| c.polls == 2));
    }

    #[test]
    fn a_request_ready_at_once_makes_the_loop_skip_its_neighbour() {
        let requests = vec![
            Request::after_waits(0, 'a'),
            Request::after_waits(1, 'b'),
            Request::after_waits(1, 'c'),
        ];
        let (trace, done) = traced(|on_poll| python_round_robin(requests, on_poll));
        assert_eq!(indexes(&trace), [0, 2, 1, 2, 1]);
        assert_eq!(finished(&done), [(0, 'a'), (2, 'c'), (1, 'b')]);
    }

    #[test]
    fn with_the_last_request_finishing_nobody_is_skipped() {
        // Step 3's own two requests: the bug stays hidden.
        let requests = vec![
            Request::after_waits(3, "Request One!!!"),
            Request::after_waits(1, "Request Two!!!"),
        ];
        let (trace, done) = traced(|on_poll| python_round_robin(requests, on_poll));
        assert_eq!(
            trace,
            [
                (0, Poll::Wait),
                (1, Poll::Wait),
                (0, Poll::Wait),
                (1, Poll::Ready("Request Two!!!")),
                (0, Poll::Wait),
                (0, Poll::Ready("Request One!!!")),
            ]
        );
        assert_eq!(
            finished(&done),
            [(1, "Request Two!!!"), (0, "Request One!!!")]
        );
    }

    #[test]
    fn a_request_can_be_skipped_round_after_round() {
        // `c` is ready from the start, but someone right in front of it
        // finishes in each of the first two rounds, and `c` slides into the
        // slot the loop has just passed: it is polled only in round 3.
        let requests = vec![
            Request::after_waits(1, 'a'),
            Request::after_waits(0, 'b'),
            Request::after_waits(0, 'c'),
        ];
        let (trace, done) = traced(|on_poll| python_round_robin(requests, on_poll));
        assert_eq!(indexes(&trace), [0, 1, 0, 2]);
        assert_eq!(finished(&done), [(1, 'b'), (0, 'a'), (2, 'c')]);
        assert_eq!(done[2].polls, 1, "c was ready all along");
    }

    #[test]
    fn with_no_requests_the_loop_ends_at_once() {
        let (trace, done) =
            traced(|on_poll| python_round_robin(Vec::<Request<u8>>::new(), on_poll));
        assert!(trace.is_empty());
        assert!(done.is_empty());
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e2_fallible {
    use super::*;

    #[cfg_attr(
        feature = "learner",
        path = "exercises/ch01_polled_lists/2_fallible.rs"
    )]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch01_polled_lists/2_fallible.rs"
    )]
    mod exercise;
    use exercise::{Failure, round_robin_until_error};

    #[test]
    fn when_every_request_succeeds_the_values_come_in_finishing_order() {
        let outcome = round_robin_until_error::<&str, String>(vec![
            Request::after_waits(3, Ok("slow")),
            Request::after_waits(1, Ok("quick")),
            Request::after_waits(0, Ok("instant")),
        ]);
        assert_eq!(outcome, Ok(vec![(2, "instant"), (1, "quick"), (0, "slow")]));
    }

    #[test]
    fn the_first_failure_stops_the_loop_and_names_who_was_still_waiting() {
        let outcome = round_robin_until_error(vec![
            Request::after_waits(2, Ok("a")),
            Request::after_waits(1, Err("b broke")),
            Request::after_waits(0, Ok("c")),
            Request::after_waits(5, Ok("d")),
        ]);
        // Round 1: a waits, b waits, c is done, d waits.
        // Round 2: a waits, b fails: d and a are still waiting, in that order.
        assert_eq!(
            outcome,
            Err(Failure {
                index: 1,
                error: "b broke",
                unfinished: vec![3, 0],
            })
        );
    }

    #[test]
    fn nothing_is_polled_after_the_failure() {
        // If the loop polled on after the failure, `late` would fail first
        // in the finishing order, or be missing from `unfinished`.
        let outcome = round_robin_until_error::<(), &str>(vec![
            Request::after_waits(0, Err("first")),
            Request::after_waits(0, Err("late")),
        ]);
        assert_eq!(
            outcome,
            Err(Failure {
                index: 0,
                error: "first",
                unfinished: vec![1],
            })
        );
    }

    #[test]
    fn a_failure_on_the_last_poll_leaves_nobody_waiting() {
        let outcome = round_robin_until_error(vec![
            Request::after_waits(0, Ok(1)),
            Request::after_waits(2, Err(2)),
        ]);
        assert_eq!(
            outcome,
            Err(Failure {
                index: 1,
                error: 2,
                unfinished: vec![],
            })
        );
    }

    #[test]
    fn no_requests_is_no_failure() {
        assert_eq!(round_robin_until_error::<u8, u8>(vec![]), Ok(vec![]));
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e3_priorities {
    use super::*;

    #[cfg_attr(
        feature = "learner",
        path = "exercises/ch01_polled_lists/3_priorities.rs"
    )]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch01_polled_lists/3_priorities.rs"
    )]
    mod exercise;
    use exercise::run_weighted;

    #[test]
    fn a_request_of_weight_two_gets_two_polls_per_turn() {
        let requests = vec![
            (2, Request::after_waits(5, "heavy")),
            (1, Request::after_waits(2, "light")),
        ];
        let (trace, done) = traced(|on_poll| run_weighted(requests, on_poll));
        assert_eq!(indexes(&trace), [0, 0, 1, 0, 0, 1, 0, 0, 1]);
        assert_eq!(finished(&done), [(0, "heavy"), (1, "light")]);
        assert_eq!((done[0].polls, done[1].polls), (6, 3));
    }

    #[test]
    fn a_request_ready_mid_turn_leaves_at_once_and_the_next_turn_begins() {
        let requests = vec![
            (3, Request::after_waits(1, 'a')),
            (1, Request::after_waits(0, 'b')),
        ];
        let (trace, done) = traced(|on_poll| run_weighted(requests, on_poll));
        assert_eq!(
            trace,
            [
                (0, Poll::Wait),
                (0, Poll::Ready('a')),
                (1, Poll::Ready('b'))
            ]
        );
        assert_eq!(finished(&done), [(0, 'a'), (1, 'b')]);
    }

    #[test]
    fn weights_of_one_are_chapter_1s_round_robin() {
        let waits = [4, 0, 2, 2, 1];
        let (trace, _) = traced(|on_poll| {
            run_weighted(
                waits
                    .iter()
                    .map(|&w| (1, Request::after_waits(w, w)))
                    .collect(),
                on_poll,
            )
        });
        assert_eq!(indexes(&trace), [0, 1, 2, 3, 4, 0, 2, 3, 4, 0, 2, 3, 0, 0]);
    }

    #[test]
    fn a_heavy_request_finishes_first_although_it_waits_longest() {
        let requests = vec![
            (1, Request::after_waits(2, "light one")),
            (4, Request::after_waits(4, "heavy")),
            (1, Request::after_waits(2, "light two")),
        ];
        let (trace, done) = traced(|on_poll| run_weighted(requests, on_poll));
        assert_eq!(indexes(&trace), [0, 1, 1, 1, 1, 2, 0, 1, 2, 0, 2]);
        assert_eq!(
            finished(&done),
            [(1, "heavy"), (0, "light one"), (2, "light two")]
        );
    }

    #[test]
    #[should_panic(
        expected = "run_weighted: request 1 has weight 0, so it would never be polled; \
                    give every request a weight of at least 1"
    )]
    fn a_weight_of_zero_is_refused_naming_the_request() {
        run_weighted(
            vec![
                (1, Request::after_waits(0, ())),
                (0, Request::after_waits(0, ())),
            ],
            |_, _| {},
        );
    }

    #[test]
    fn a_weight_of_zero_is_refused_before_anything_is_polled() {
        let mut polls = 0;
        let refused = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_weighted(
                vec![
                    (1, Request::after_waits(0, ())),
                    (0, Request::after_waits(0, ())),
                ],
                |_, _| polls += 1,
            )
        }));
        let message = refused.expect_err("a weight of 0 is refused");
        assert_eq!(
            message.downcast_ref::<String>().map(String::as_str),
            Some(
                "run_weighted: request 1 has weight 0, so it would never be polled; \
                 give every request a weight of at least 1"
            )
        );
        assert_eq!(polls, 0);
    }
}
