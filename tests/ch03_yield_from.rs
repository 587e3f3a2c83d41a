//! Chapter 3's tests. They also judge the rebuild exercise (3.4):
//! `cargo test --features exercise-ch03 --test ch03_yield_from -- --skip exercises::`.
//! The small exercises' tests are in `ch03_yield_from/exercises.rs`.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

use yieldpoint::ch02_coroutines::{Generator, GeneratorState, Yielder};
use yieldpoint::ch03_yield_from::{stackful_chain, wait_times, yield_from, yield_from_chain};
use yieldpoint::output::capture;

#[allow(dead_code)]
#[path = "../examples/ch03_yield_from.rs"]
mod example;

#[macro_use]
#[path = "support/example_command_line.rs"]
mod example_command_line;
#[path = "support/child.rs"]
mod child;

// The small exercises' tests: `cargo test --test ch03_yield_from -- exercises::`.
#[path = "ch03_yield_from/exercises.rs"]
mod exercises;

use GeneratorState::{Complete, Yielded};

/// The text of a caught panic.
fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        String::from("(a panic without a text message)")
    }
}

/// Resumes with `()` until the generator completes: every value, then the return.
fn run<Y, R>(mut generator: Generator<(), Y, R>) -> (Vec<Y>, R) {
    let mut values = Vec::new();
    loop {
        match generator
            .resume(())
            .expect("resumed only until it completes")
        {
            Yielded(value) => values.push(value),
            Complete(result) => return (values, result),
        }
    }
}

// ---- the example: steps 5 and 8, both ways ----

const STEP5: [&str; 3] = [
    "[main] Main got 'Yielded From B'",
    "[A] A got 'Return From B'",
    "[main] Main got 'Return From A'",
];

const STEP8: [&str; 2] = ["[main] Hello World", "[main] Waited 15 times"];

#[test]
fn the_example_prints_steps_5_and_8_both_ways() {
    let (_, lines) = capture(|| example::run(&[]));
    assert_eq!(
        lines,
        [
            "[main] -- step 5, delegating by a plain call (stackful) --",
            "[main] Main got 'Yielded From B'",
            "[A] A got 'Return From B'",
            "[main] Main got 'Return From A'",
            "[main] -- step 5, delegating with yield_from --",
            "[main] Main got 'Yielded From B'",
            "[A] A got 'Return From B'",
            "[main] Main got 'Return From A'",
            "[main] -- step 8, delegating by a plain call (stackful) --",
            "[main] Hello World",
            "[main] Waited 15 times",
            "[main] -- step 8, delegating with yield_from --",
            "[main] Hello World",
            "[main] Waited 15 times",
        ]
    );
}

#[test]
fn step_5_prints_the_same_lines_whether_b_is_a_plain_call_or_a_yield_from() {
    let (_, stackful) = capture(|| example::step5_main(example::step5_stackful()));
    let (_, delegated) = capture(|| example::step5_main(example::step5_yield_from()));
    assert_eq!(stackful, STEP5);
    assert_eq!(delegated, STEP5);
}

#[test]
fn step_8_counts_fifteen_waits_whether_b_is_a_plain_call_or_a_yield_from() {
    let (_, stackful) = capture(|| example::step8_main(example::step8_stackful()));
    let (_, delegated) = capture(|| example::step8_main(example::step8_yield_from()));
    assert_eq!(stackful, STEP8);
    assert_eq!(delegated, STEP8);
}

// ---- yield_from ----

#[test]
fn yield_from_hands_each_inner_value_up_and_returns_the_inner_result_to_the_outer_body() {
    let mut outer: Generator<(), &str, String> = Generator::new(|yielder, ()| {
        let inner = Generator::new(|yielder: &Yielder<(), &str>, ()| {
            yielder.suspend("one");
            yielder.suspend("two");
            "inner done"
        });
        let got = yield_from(yielder, inner, ());
        yielder.suspend("outer's own");
        format!("outer got {got}")
    });
    assert_eq!(outer.resume(()), Ok(Yielded("one")));
    assert!(outer.started() && !outer.finished());
    assert_eq!(outer.resume(()), Ok(Yielded("two")));
    assert_eq!(outer.resume(()), Ok(Yielded("outer's own")));
    assert_eq!(
        outer.resume(()),
        Ok(Complete(String::from("outer got inner done")))
    );
    assert!(outer.finished());
}

/// A generator that answers each input `x` with `x * 10`, three times, then
/// returns the last input plus 1000.
fn echo_times_ten() -> Generator<i32, i32, i32> {
    Generator::new(|yielder, first| {
        let mut input = first;
        for _ in 0..3 {
            input = yielder.suspend(input * 10);
        }
        input + 1000
    })
}

#[test]
fn yield_from_forwards_each_input_of_the_outer_generator_down_to_the_inner_one() {
    let mut outer: Generator<i32, i32, i32> =
        Generator::new(|yielder, start| yield_from(yielder, echo_times_ten(), start));
    assert_eq!(outer.resume(1), Ok(Yielded(10)));
    assert_eq!(outer.resume(2), Ok(Yielded(20)));
    assert_eq!(outer.resume(3), Ok(Yielded(30)));
    assert_eq!(outer.resume(4), Ok(Complete(1004)));
}

#[test]
fn yield_from_gives_first_to_the_inner_generators_first_resume() {
    let mut outer: Generator<i32, i32, i32> =
        Generator::new(|yielder, start| yield_from(yielder, echo_times_ten(), start + 5));
    assert_eq!(outer.resume(1), Ok(Yielded(60)));
    assert_eq!(outer.resume(7), Ok(Yielded(70)));
}

#[test]
fn yield_from_with_an_already_finished_inner_generator_panics_with_a_clear_message() {
    let mut outer: Generator<(), u64, u64> = Generator::new(|yielder, ()| {
        let mut inner = stackful_chain(0, 0);
        assert_eq!(inner.resume(()), Ok(Complete(0)));
        yield_from(yielder, inner, ())
    });
    let caught = catch_unwind(AssertUnwindSafe(|| outer.resume(())));
    let message = panic_message(caught.expect_err("delegating to a finished generator panics"));
    assert!(
        message.contains("yield_from") && message.contains("already finished"),
        "the message should say what went wrong: {message}"
    );
    assert!(
        message.contains("new Generator"),
        "the message should say what to do: {message}"
    );
    assert!(outer.finished());
}

#[test]
fn a_panic_in_the_inner_generator_reaches_whoever_resumed_the_outer_one() {
    let mut outer: Generator<(), u32, u32> = Generator::new(|yielder, ()| {
        let inner = Generator::new(|yielder: &Yielder<(), u32>, ()| -> u32 {
            yielder.suspend(1);
            panic!("inner gave up");
        });
        yield_from(yielder, inner, ())
    });
    assert_eq!(outer.resume(()), Ok(Yielded(1)));
    let caught = catch_unwind(AssertUnwindSafe(|| outer.resume(())));
    let message = panic_message(caught.expect_err("the inner panic passes through"));
    assert_eq!(message, "inner gave up");
    assert!(
        outer.finished(),
        "the outer body unwound, so it is finished"
    );
}

thread_local! {
    /// How many generator bodies holding an [`Alive`] are running on this thread.
    static LIVE: Cell<usize> = const { Cell::new(0) };
}

/// Counts one live generator body from creation until it is dropped (when the
/// body returns, or unwinds).
struct Alive;

impl Alive {
    fn new() -> Self {
        LIVE.with(|live| live.set(live.get() + 1));
        Alive
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        LIVE.with(|live| live.set(live.get() - 1));
    }
}

fn live() -> usize {
    LIVE.with(Cell::get)
}

/// [`yield_from_chain`]'s shape, with each level's body counted by [`Alive`];
/// the leaf yields 1, 2, 3 and returns 4.
fn counted_chain(depth: usize) -> Generator<(), u64, u64> {
    Generator::new(move |yielder, ()| {
        let _alive = Alive::new();
        if depth == 0 {
            for value in 1..=3 {
                yielder.suspend(value);
            }
            4
        } else {
            yield_from(yielder, counted_chain(depth - 1), ())
        }
    })
}

#[test]
fn a_yield_from_chain_keeps_depth_plus_one_generators_alive_while_the_leaf_runs() {
    for depth in [0, 1, 10] {
        let mut chain = counted_chain(depth);
        assert_eq!(live(), 0, "nothing runs before the first resume");
        for value in 1..=3 {
            assert_eq!(chain.resume(()), Ok(Yielded(value)));
            assert_eq!(live(), depth + 1, "at depth {depth}, after value {value}");
        }
        assert_eq!(chain.resume(()), Ok(Complete(4)));
        assert_eq!(live(), 0, "at depth {depth}, every level has returned");
    }
}

#[test]
fn dropping_the_outer_generator_mid_delegation_unwinds_the_inner_ones_too() {
    let mut chain = counted_chain(3);
    assert_eq!(chain.resume(()), Ok(Yielded(1)));
    assert_eq!(live(), 4);
    drop(chain);
    assert_eq!(live(), 0);
}

// ---- stackful delegation ----

#[test]
fn wait_times_pauses_the_generator_exactly_n_times_then_returns_to_the_body() {
    let mut generator: Generator<(), (), &str> = Generator::new(|yielder, ()| {
        wait_times(yielder, 3);
        "after the waits"
    });
    for _ in 0..3 {
        assert_eq!(generator.resume(()), Ok(Yielded(())));
        assert!(!generator.finished());
    }
    assert_eq!(generator.resume(()), Ok(Complete("after the waits")));
    assert!(generator.finished());
}

#[test]
fn wait_times_zero_does_not_pause() {
    let mut generator: Generator<(), (), &str> = Generator::new(|yielder, ()| {
        wait_times(yielder, 0);
        "straight through"
    });
    assert_eq!(generator.resume(()), Ok(Complete("straight through")));
}

#[test]
fn wait_times_pauses_the_whole_generator_from_inside_nested_plain_calls() {
    fn two_deep(yielder: &Yielder<(), ()>, log: &mut Vec<&'static str>) {
        log.push("two_deep starts");
        wait_times(yielder, 2);
        log.push("two_deep resumes");
    }
    fn one_deep(yielder: &Yielder<(), ()>, log: &mut Vec<&'static str>) {
        two_deep(yielder, log);
        log.push("one_deep resumes");
    }
    let mut generator: Generator<(), (), Vec<&str>> = Generator::new(|yielder, ()| {
        let mut log = Vec::new();
        one_deep(yielder, &mut log);
        log
    });
    assert_eq!(generator.resume(()), Ok(Yielded(())));
    assert_eq!(generator.resume(()), Ok(Yielded(())));
    assert_eq!(
        generator.resume(()),
        Ok(Complete(vec![
            "two_deep starts",
            "two_deep resumes",
            "one_deep resumes"
        ]))
    );
}

// ---- the two chains ----

#[test]
fn both_chains_yield_the_same_values_and_return_the_same_result_at_every_depth() {
    for depth in [0, 1, 10, 100] {
        let stackful = run(stackful_chain(depth, 5));
        let delegated = run(yield_from_chain(depth, 5));
        assert_eq!(
            stackful,
            (vec![0, 1, 2, 3, 4], 5),
            "stackful, depth {depth}"
        );
        assert_eq!(
            delegated,
            (vec![0, 1, 2, 3, 4], 5),
            "yield_from, depth {depth}"
        );
    }
}

#[test]
fn a_chain_with_no_values_completes_on_the_first_resume_both_ways() {
    for depth in [0, 1, 10] {
        let mut stackful = stackful_chain(depth, 0);
        let mut delegated = yield_from_chain(depth, 0);
        assert_eq!(stackful.resume(()), Ok(Complete(0)));
        assert_eq!(delegated.resume(()), Ok(Complete(0)));
        assert!(stackful.finished() && delegated.finished());
    }
}

#[test]
fn a_stackful_helper_receives_each_input_directly_however_deep_it_is() {
    fn deepest(yielder: &Yielder<i32, i32>, calls_left: u32) -> i32 {
        if calls_left > 0 {
            return deepest(yielder, calls_left - 1);
        }
        let first = yielder.suspend(-1);
        let second = yielder.suspend(first * 10);
        first + second
    }
    let mut generator: Generator<i32, i32, i32> = Generator::new(|yielder, _| deepest(yielder, 20));
    assert_eq!(generator.resume(0), Ok(Yielded(-1)));
    assert_eq!(generator.resume(4), Ok(Yielded(40)));
    assert_eq!(generator.resume(5), Ok(Complete(9)));
}

// --- the example's command line ---------------------------------------------

example_command_line_tests!(no_options: "ch03_yield_from");
