//! Chapter 1's tests. They also judge the rebuild exercise (1.4):
//! `cargo test --features exercise-ch01 --test ch01_polled_lists -- --skip exercises::`.
//! The small exercises' tests are in `ch01_polled_lists/exercises.rs`.

use yieldpoint::ch01_polled_lists::{
    Completion, Poll, Request, RequestError, run_blocking, run_blocking_with, run_round_robin,
    run_round_robin_with,
};
use yieldpoint::output::capture;

#[allow(dead_code)]
#[path = "../examples/ch01_polled_lists.rs"]
mod example;

#[macro_use]
#[path = "support/example_command_line.rs"]
mod example_command_line;
#[path = "support/child.rs"]
mod child;

// The small exercises' tests: `cargo test --test ch01_polled_lists -- exercises::`.
#[path = "ch01_polled_lists/exercises.rs"]
mod exercises;

/// Runs the requests round-robin and returns the index of the request each
/// poll went to, in order, together with the completions.
fn round_robin_trace<T>(requests: Vec<Request<T>>) -> (Vec<usize>, Vec<Completion<T>>) {
    let mut trace = Vec::new();
    let completions = run_round_robin_with(requests, |index, _| trace.push(index));
    (trace, completions)
}

/// The indexes of the completions, in completion order.
fn order<T>(completions: &[Completion<T>]) -> Vec<usize> {
    completions.iter().map(|c| c.index).collect()
}

// --- Request: one answer per poll ------------------------------------------

#[test]
fn a_poll_answer_says_whether_it_is_ready() {
    assert!(Poll::Ready(1).is_ready());
    assert!(!Poll::Ready(1).is_wait());
    assert!(Poll::<u8>::Wait.is_wait());
    assert!(!Poll::<u8>::Wait.is_ready());
}

#[test]
fn poll_hands_out_each_wait_then_the_ready_value() {
    let mut request = Request::after_waits(2, "hi");
    assert!(!request.is_finished());
    assert_eq!((request.polls(), request.remaining()), (0, 3));

    assert_eq!(request.poll(), Poll::Wait);
    assert!(!request.is_finished());
    assert_eq!((request.polls(), request.remaining()), (1, 2));

    assert_eq!(request.poll(), Poll::Wait);
    assert!(!request.is_finished());
    assert_eq!((request.polls(), request.remaining()), (2, 1));

    assert_eq!(request.poll(), Poll::Ready("hi"));
    assert!(request.is_finished());
    assert_eq!((request.polls(), request.remaining()), (3, 0));
}

#[test]
fn a_request_with_no_waits_is_ready_on_the_first_poll() {
    let mut request = Request::after_waits(0, 7);
    assert!(!request.is_finished());
    assert_eq!(request.poll(), Poll::Ready(7));
    assert!(request.is_finished());
    assert_eq!(request.polls(), 1);
}

#[test]
fn new_accepts_waits_then_one_ready_and_hands_them_out_in_order() {
    let mut request = Request::new(vec![
        Poll::Wait,
        Poll::Wait,
        Poll::Ready(String::from("ok")),
    ])
    .unwrap();
    assert_eq!(request, Request::after_waits(2, String::from("ok")));
    assert_eq!(request.poll(), Poll::Wait);
    assert_eq!(request.poll(), Poll::Wait);
    assert_eq!(request.poll(), Poll::Ready(String::from("ok")));
    assert!(request.is_finished());
}

#[test]
fn new_accepts_a_lone_ready() {
    let mut request = Request::new(vec![Poll::Ready('x')]).unwrap();
    assert_eq!(request.remaining(), 1);
    assert_eq!(request.poll(), Poll::Ready('x'));
}

#[test]
fn the_ready_value_is_moved_out_not_cloned() {
    // A type that cannot be cloned still makes a request.
    #[derive(Debug, PartialEq)]
    struct Token(u32);
    let mut request = Request::after_waits(1, Token(5));
    assert_eq!(request.poll(), Poll::Wait);
    assert_eq!(request.poll(), Poll::Ready(Token(5)));
}

#[test]
#[should_panic(expected = "polled a Request after it returned Ready")]
fn polling_a_finished_request_panics_with_a_clear_message() {
    let mut request = Request::after_waits(1, ());
    assert_eq!(request.poll(), Poll::Wait);
    assert_eq!(request.poll(), Poll::Ready(()));
    request.poll();
}

#[test]
fn the_panic_says_how_often_the_request_was_polled_and_what_to_do() {
    let mut request = Request::after_waits(3, ());
    while !request.is_finished() {
        request.poll();
    }
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| request.poll()))
        .expect_err("polling a finished request must panic");
    let message = panic
        .downcast_ref::<String>()
        .expect("the panic message is a formatted String");
    assert!(message.contains("polled 4 time(s)"), "{message}");
    assert!(
        message.contains("stop polling it once it is ready"),
        "{message}"
    );
}

// --- Request::new: what is not a request -----------------------------------

#[test]
fn new_rejects_an_empty_list() {
    assert_eq!(Request::<u8>::new(vec![]).unwrap_err(), RequestError::Empty);
}

#[test]
fn new_rejects_a_list_with_no_ready() {
    assert_eq!(
        Request::<u8>::new(vec![Poll::Wait, Poll::Wait]).unwrap_err(),
        RequestError::NoReady { waits: 2 }
    );
}

#[test]
fn new_rejects_a_ready_before_the_end() {
    assert_eq!(
        Request::new(vec![Poll::Wait, Poll::Ready(1), Poll::Wait]).unwrap_err(),
        RequestError::ReadyBeforeEnd {
            position: 1,
            len: 3
        }
    );
    assert_eq!(
        Request::new(vec![Poll::Ready(1), Poll::Ready(2)]).unwrap_err(),
        RequestError::ReadyBeforeEnd {
            position: 0,
            len: 2
        }
    );
}

#[test]
fn request_errors_name_the_problem_and_the_fix() {
    assert_eq!(
        RequestError::Empty.to_string(),
        "a request cannot be empty: it needs a Ready(value) as its last item; \
         add one, or build it with Request::after_waits(waits, value)"
    );
    assert_eq!(
        RequestError::NoReady { waits: 2 }.to_string(),
        "a request of 2 Wait item(s) and no Ready would never finish; \
         end the list with Ready(value), or build it with Request::after_waits(2, value)"
    );
    assert_eq!(
        RequestError::ReadyBeforeEnd {
            position: 1,
            len: 3
        }
        .to_string(),
        "a request finishes at its Ready, but this one has Ready at position 1 of 3, \
         so the 1 item(s) after it could never be handed out; \
         put exactly one Ready last and only Wait before it"
    );
    assert!(
        RequestError::ReadyBeforeEnd {
            position: 0,
            len: 4
        }
        .to_string()
        .contains("position 0 of 4, so the 3 item(s) after it")
    );
}

// --- run_blocking: one after the other -------------------------------------

#[test]
fn blocking_finishes_the_requests_in_the_order_given() {
    let done = run_blocking(vec![
        Request::after_waits(3, "Request One!!!"),
        Request::after_waits(1, "Request Two!!!"),
    ]);
    assert_eq!(
        done,
        [
            Completion {
                index: 0,
                value: "Request One!!!",
                polls: 4
            },
            Completion {
                index: 1,
                value: "Request Two!!!",
                polls: 2
            },
        ]
    );
}

#[test]
fn blocking_polls_each_request_to_the_end_before_the_next() {
    let mut trace = Vec::new();
    run_blocking_with(
        vec![
            Request::after_waits(2, 'a'),
            Request::after_waits(0, 'b'),
            Request::after_waits(1, 'c'),
        ],
        |index, answer| trace.push((index, *answer)),
    );
    assert_eq!(
        trace,
        [
            (0, Poll::Wait),
            (0, Poll::Wait),
            (0, Poll::Ready('a')),
            (1, Poll::Ready('b')),
            (2, Poll::Wait),
            (2, Poll::Ready('c')),
        ]
    );
}

#[test]
fn runners_return_nothing_for_no_requests() {
    assert!(run_blocking(Vec::<Request<u8>>::new()).is_empty());
    assert!(run_round_robin(Vec::<Request<u8>>::new()).is_empty());
}

// --- run_round_robin: interleaved ------------------------------------------

#[test]
fn round_robin_lets_the_quick_request_finish_first() {
    let done = run_round_robin(vec![
        Request::after_waits(3, "Request One!!!"),
        Request::after_waits(1, "Request Two!!!"),
    ]);
    assert_eq!(
        done,
        [
            Completion {
                index: 1,
                value: "Request Two!!!",
                polls: 2
            },
            Completion {
                index: 0,
                value: "Request One!!!",
                polls: 4
            },
        ]
    );
}

#[test]
fn round_robin_polls_the_requests_in_turn() {
    let mut trace = Vec::new();
    run_round_robin_with(
        vec![
            Request::after_waits(3, "Request One!!!"),
            Request::after_waits(1, "Request Two!!!"),
        ],
        |index, answer| trace.push((index, *answer)),
    );
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
}

// ANCHOR: no_skip
#[test]
fn a_finished_request_leaves_the_rotation_without_skipping_its_neighbour() {
    // All three wait once, then all three are ready in the same round.
    let (trace, done) = round_robin_trace(vec![
        Request::after_waits(1, 'a'),
        Request::after_waits(1, 'b'),
        Request::after_waits(1, 'c'),
    ]);
    // Round 1: everyone waits. Round 2: everyone finishes, in turn.
    assert_eq!(trace, [0, 1, 2, 0, 1, 2]);
    assert_eq!(order(&done), [0, 1, 2]);
    assert!(done.iter().all(|c| c.polls == 2));
    // The Python loop that removes from the list it iterates prints a, c, b
    // here: removing `a` shifts `b` into the slot the loop has just passed.
}
// ANCHOR_END: no_skip

#[test]
fn a_request_finishing_on_its_first_poll_does_not_skip_the_next() {
    // The Python loop polls a, c, b, c, b and finishes a, c, b.
    let (trace, done) = round_robin_trace(vec![
        Request::after_waits(0, 'a'),
        Request::after_waits(1, 'b'),
        Request::after_waits(1, 'c'),
    ]);
    assert_eq!(trace, [0, 1, 2, 1, 2]);
    assert_eq!(order(&done), [0, 1, 2]);
    let values: Vec<char> = done.iter().map(|c| c.value).collect();
    assert_eq!(values, ['a', 'b', 'c']);
}

#[test]
fn round_robin_gives_every_waiting_request_one_poll_per_round() {
    let waits = [4, 0, 2, 2, 1];
    let (trace, done) =
        round_robin_trace(waits.iter().map(|&w| Request::after_waits(w, w)).collect());
    assert_eq!(
        trace,
        [
            0, 1, 2, 3, 4, // round 1: 1 finishes
            0, 2, 3, 4, // round 2: 4 finishes
            0, 2, 3, // round 3: 2 and 3 finish
            0, 0, // rounds 4 and 5: only 0 is left
        ]
    );
    assert_eq!(order(&done), [1, 4, 2, 3, 0]);
    for completion in &done {
        assert_eq!(completion.polls, waits[completion.index] + 1);
        assert_eq!(completion.value, waits[completion.index]);
    }
}

#[test]
fn both_runners_poll_every_item_exactly_once() {
    let make = || -> Vec<Request<usize>> {
        (0..10)
            .map(|i| Request::after_waits((i * 7) % 5, i))
            .collect()
    };
    let total: usize = make().iter().map(Request::remaining).sum();
    let (mut blocking_polls, mut round_robin_polls) = (0, 0);
    let blocking = run_blocking_with(make(), |_, _| blocking_polls += 1);
    let round_robin = run_round_robin_with(make(), |_, _| round_robin_polls += 1);
    assert_eq!((blocking_polls, round_robin_polls), (total, total));
    assert_eq!(order(&blocking), (0..10).collect::<Vec<_>>());
    let mut finished = order(&round_robin);
    finished.sort_unstable();
    assert_eq!(finished, (0..10).collect::<Vec<_>>());
}

// --- the example ------------------------------------------------------------

#[test]
fn the_example_prints_the_three_programs() {
    let (_, lines) = capture(|| example::run(&[]));
    assert_eq!(
        lines,
        [
            "[main] 1. One request, polled until it is ready",
            "[loop] poll 1: request 0 -> Wait",
            "[loop] poll 2: request 0 -> Wait",
            "[loop] poll 3: request 0 -> Wait",
            "[loop] poll 4: request 0 -> Ready(\"Hello World from Request One!!!\")",
            "[main] The result is 'Hello World from Request One!!!'",
            "[main] 2. Two requests, one after the other",
            "[loop] poll 1: request 0 -> Wait",
            "[loop] poll 2: request 0 -> Wait",
            "[loop] poll 3: request 0 -> Wait",
            "[loop] poll 4: request 0 -> Ready(\"Request One!!!\")",
            "[loop] poll 5: request 1 -> Wait",
            "[loop] poll 6: request 1 -> Ready(\"Request Two!!!\")",
            "[main] Request One!!!",
            "[main] Request Two!!!",
            "[main] 3. The same two requests, round-robin",
            "[loop] poll 1: request 0 -> Wait",
            "[loop] poll 2: request 1 -> Wait",
            "[loop] poll 3: request 0 -> Wait",
            "[loop] poll 4: request 1 -> Ready(\"Request Two!!!\")",
            "[loop] poll 5: request 0 -> Wait",
            "[loop] poll 6: request 0 -> Ready(\"Request One!!!\")",
            "[main] Request Two!!!",
            "[main] Request One!!!",
        ]
    );
}

#[test]
fn the_example_prints_the_python_results_exactly() {
    // The lines the Python programs print, with only the role tag added.
    let (_, lines) = capture(|| example::run(&[]));
    let main_lines: Vec<&str> = lines
        .iter()
        .filter_map(|line| line.strip_prefix("[main] "))
        .filter(|line| !line.starts_with(char::is_numeric))
        .collect();
    assert_eq!(
        main_lines,
        [
            "The result is 'Hello World from Request One!!!'",
            "Request One!!!",
            "Request Two!!!",
            "Request Two!!!",
            "Request One!!!",
        ]
    );
}

// --- the example's command line ---------------------------------------------

example_command_line_tests!(no_options: "ch01_polled_lists");
