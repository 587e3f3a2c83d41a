//! Chapter 4's tests. They also judge the rebuild exercise (4.4):
//! `cargo test --features exercise-ch04 --test ch04_future_task -- --skip exercises::`.
//! The small exercises' tests are in `ch04_future_task/exercises.rs`.
//!
//! The future tests settle a future one call at a time and check its status,
//! its result and a shared log of callbacks after every call. The task tests
//! step a task one step at a time and check what came back, what the body
//! did, and the status of the task's future after every step.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use yieldpoint::ch02_coroutines::Yielder;
use yieldpoint::ch04_future_task::{
    Future, FutureError, Status, Step, Task, await_future, panic_message,
};
use yieldpoint::output::capture;

#[allow(dead_code)]
#[path = "../examples/ch04_future_task.rs"]
mod example;

#[macro_use]
#[path = "support/example_command_line.rs"]
mod example_command_line;
#[path = "support/child.rs"]
mod child;

// The small exercises' tests: `cargo test --test ch04_future_task -- exercises::`.
#[path = "ch04_future_task/exercises.rs"]
mod exercises;

/// A shared list that callbacks, task bodies and the test all write to, to
/// check who ran when.
type Log = Rc<RefCell<Vec<String>>>;

fn new_log() -> Log {
    Rc::new(RefCell::new(Vec::new()))
}

fn log_of(log: &Log) -> Vec<String> {
    log.borrow().clone()
}

/// A done callback that writes `name` and the future's status to `log`.
fn logging(log: &Log, name: &str) -> impl FnOnce(&Future<String>) + 'static {
    let (log, name) = (Rc::clone(log), name.to_string());
    move |future| {
        log.borrow_mut()
            .push(format!("{name} saw {:?}", future.status()))
    }
}

/// Counts its own drops in a shared counter.
struct DropCounter(Rc<Cell<usize>>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

/// A value that is not `Clone`, for `take_result`.
#[derive(Debug, PartialEq)]
struct Pizza(&'static str);

// ---------------------------------------------------------------------------
// The example

#[test]
fn the_example_tells_both_orders_round_by_round() {
    let (_, lines) = capture(|| example::run(&[]));
    assert_eq!(
        lines,
        [
            "[main] -- order 1: a margherita, baked by the kitchen itself --",
            "[main] the order is placed: an empty box (Pending), a kitchen task, a customer task",
            "[main] round 1",
            "[kitchen] rolling out the dough for a margherita",
            "[customer] I peek into the box: Pending, result() = Err(NotReady)",
            "[main] round 2",
            "[kitchen] baking, minute 1 of 2",
            "[main] round 3",
            "[kitchen] baking, minute 2 of 2",
            "[main] round 4",
            "[kitchen] the margherita goes into the box",
            "[box] the pizza is here: a margherita",
            "[main] kitchen settled after 4 steps: Done",
            "[customer] I open the box: a margherita",
            "[main] customer settled after 4 steps: Done",
            "[main] -- order 2: a calzone, baked by an oven task --",
            "[main] the order is placed: an empty box (Pending), a kitchen task, an oven task, \
             a customer task",
            "[main] round 1",
            "[kitchen] rolling out the dough for a calzone",
            "[oven] baking, minute 1 of 1",
            "[customer] I peek into the box: Pending, result() = Err(NotReady)",
            "[main] round 2",
            "[panic] the calzone caught fire",
            "[main] oven settled after 2 steps: Failed",
            "[main] round 3",
            "[kitchen] the oven failed: the task panicked: the calzone caught fire",
            "[box] no pizza: the future failed: the kitchen burnt the calzone",
            "[main] kitchen settled after 3 steps: Done",
            "[customer] no dinner tonight: the future failed: the kitchen burnt the calzone",
            "[main] customer settled after 3 steps: Done",
        ]
    );
}

#[test]
fn the_hand_loop_steps_tasks_in_order_and_a_settled_one_leaves_without_skipping_its_neighbour() {
    let log = new_log();
    let task = |name: &'static str, steps: usize| {
        let log = Rc::clone(&log);
        Box::new(Task::new(name, move |yielder: &Yielder<(), ()>| {
            for step in 1..=steps {
                log.borrow_mut().push(format!("{name}{step}"));
                if step < steps {
                    yielder.suspend(());
                }
            }
        })) as Box<dyn example::Runnable>
    };
    let (_, lines) =
        capture(|| example::run_by_hand(vec![task("a", 2), task("b", 1), task("c", 2)]));
    assert_eq!(log_of(&log), ["a1", "b1", "c1", "a2", "c2"]);
    assert_eq!(
        lines,
        [
            "[main] round 1",
            "[main] b settled after 1 step: Done",
            "[main] round 2",
            "[main] a settled after 2 steps: Done",
            "[main] c settled after 2 steps: Done",
        ]
    );
}

// ---------------------------------------------------------------------------
// Future: states, results and errors

#[test]
fn a_new_future_is_pending_and_has_no_result_yet() {
    let future: Future<String> = Future::new();
    assert_eq!(future.status(), Status::Pending);
    assert!(!future.is_settled());
    assert_eq!(future.result(), Err(FutureError::NotReady));
    assert_eq!(future.take_result(), Err(FutureError::NotReady));
    assert_eq!(future.status(), Status::Pending, "reading changes nothing");
    let default: Future<String> = Future::default();
    assert_eq!(default.status(), Status::Pending);
}

#[test]
fn set_result_makes_the_future_done_and_result_gives_the_value_every_time() {
    let future = Future::new();
    assert_eq!(future.set_result(String::from("margherita")), Ok(()));
    assert_eq!(future.status(), Status::Done);
    assert!(future.is_settled());
    assert_eq!(future.result(), Ok(String::from("margherita")));
    assert_eq!(future.result(), Ok(String::from("margherita")));
}

#[test]
fn settling_a_done_future_again_is_an_error_and_keeps_the_first_value() {
    let future = Future::new();
    future.set_result(1).unwrap();
    assert_eq!(
        future.set_result(2),
        Err(FutureError::AlreadySettled(Status::Done))
    );
    assert_eq!(
        future.set_error("too late"),
        Err(FutureError::AlreadySettled(Status::Done))
    );
    assert_eq!(future.status(), Status::Done);
    assert_eq!(future.result(), Ok(1));
}

#[test]
fn set_error_makes_the_future_failed_and_result_gives_the_message() {
    let future: Future<u32> = Future::new();
    assert_eq!(future.set_error("the oven broke"), Ok(()));
    assert_eq!(future.status(), Status::Failed);
    assert!(future.is_settled());
    assert_eq!(
        future.result(),
        Err(FutureError::Failed(String::from("the oven broke")))
    );
    assert_eq!(
        future.take_result(),
        Err(FutureError::Failed(String::from("the oven broke")))
    );
    assert_eq!(
        future.set_result(3),
        Err(FutureError::AlreadySettled(Status::Failed))
    );
    assert_eq!(
        future.set_error("again"),
        Err(FutureError::AlreadySettled(Status::Failed))
    );
    assert_eq!(
        future.result(),
        Err(FutureError::Failed(String::from("the oven broke")))
    );
}

#[test]
fn cancelling_a_pending_future_returns_true_and_it_then_has_no_result() {
    let future: Future<u32> = Future::new();
    assert!(future.cancel());
    assert_eq!(future.status(), Status::Cancelled);
    assert!(future.is_settled());
    assert_eq!(future.result(), Err(FutureError::Cancelled));
    assert_eq!(future.take_result(), Err(FutureError::Cancelled));
    assert_eq!(
        future.set_result(1),
        Err(FutureError::AlreadySettled(Status::Cancelled))
    );
    assert_eq!(future.status(), Status::Cancelled);
}

#[test]
fn cancelling_a_settled_future_returns_false_and_changes_nothing() {
    let log = new_log();

    let done = Future::new();
    done.set_result(String::from("kept")).unwrap();
    done.add_done_callback(logging(&log, "done"));
    assert!(!done.cancel());
    assert_eq!(done.status(), Status::Done);
    assert_eq!(done.result(), Ok(String::from("kept")));

    let failed: Future<String> = Future::new();
    failed.set_error("kept").unwrap();
    failed.add_done_callback(logging(&log, "failed"));
    assert!(!failed.cancel());
    assert_eq!(failed.status(), Status::Failed);
    assert_eq!(
        failed.result(),
        Err(FutureError::Failed(String::from("kept")))
    );

    let cancelled: Future<String> = Future::new();
    cancelled.add_done_callback(logging(&log, "cancelled"));
    assert!(cancelled.cancel());
    assert!(!cancelled.cancel());
    assert_eq!(cancelled.status(), Status::Cancelled);

    // Each callback ran once: the second cancel ran none of them again.
    assert_eq!(
        log_of(&log),
        [
            "done saw Done",
            "failed saw Failed",
            "cancelled saw Cancelled"
        ]
    );
}

#[test]
fn take_result_moves_the_value_out_and_then_the_value_is_gone() {
    let future = Future::new();
    future.set_result(Pizza("quattro formaggi")).unwrap();
    assert_eq!(future.take_result(), Ok(Pizza("quattro formaggi")));
    assert_eq!(future.status(), Status::Done, "still done, but empty");
    assert_eq!(future.take_result(), Err(FutureError::Taken));
    assert_eq!(
        future.set_result(Pizza("another")),
        Err(FutureError::AlreadySettled(Status::Done))
    );
    assert_eq!(future.take_result(), Err(FutureError::Taken));
}

#[test]
fn result_after_take_result_says_the_value_was_taken() {
    let future = Future::new();
    future.set_result(String::from("diavola")).unwrap();
    assert_eq!(future.result(), Ok(String::from("diavola")));
    assert_eq!(future.take_result(), Ok(String::from("diavola")));
    assert_eq!(future.result(), Err(FutureError::Taken));
}

#[test]
fn clones_are_handles_to_the_same_box() {
    let future: Future<u32> = Future::new();
    let clone = future.clone();
    let stranger: Future<u32> = Future::new();
    assert!(future.same_as(&clone));
    assert!(clone.same_as(&future));
    assert!(!future.same_as(&stranger));

    clone.set_result(7).unwrap();
    assert_eq!(future.status(), Status::Done);
    assert_eq!(future.result(), Ok(7));
    assert_eq!(
        future.set_result(8),
        Err(FutureError::AlreadySettled(Status::Done))
    );
    assert_eq!(stranger.status(), Status::Pending);
}

#[test]
fn every_error_says_what_went_wrong() {
    let cases = [
        (
            FutureError::NotReady,
            "the future is still pending: wait until it is done (await_future, or a done \
             callback) before reading its result",
        ),
        (
            FutureError::Cancelled,
            "the future was cancelled, so it has no result",
        ),
        (
            FutureError::Failed(String::from("the oven broke")),
            "the future failed: the oven broke",
        ),
        (
            FutureError::Panicked(String::from("the calzone caught fire")),
            "the task panicked: the calzone caught fire",
        ),
        (
            FutureError::Taken,
            "the future's value was already taken out with take_result; use result() \
             (with T: Clone) when more than one party reads it",
        ),
        (
            FutureError::AlreadySettled(Status::Done),
            "the future is already settled (Done); a future's result, error or \
             cancellation can be set only once",
        ),
        (
            FutureError::AlreadySettled(Status::Cancelled),
            "the future is already settled (Cancelled); a future's result, error or \
             cancellation can be set only once",
        ),
    ];
    for (error, text) in cases {
        assert_eq!(error.to_string(), text);
    }
    let boxed: Box<dyn std::error::Error> = Box::new(FutureError::NotReady);
    assert!(boxed.to_string().starts_with("the future is still pending"));
}

#[test]
fn debug_shows_the_status_and_the_waiting_callbacks() {
    let future: Future<u32> = Future::new();
    future.add_done_callback(|_| {});
    future.add_done_callback(|_| {});
    assert_eq!(
        format!("{future:?}"),
        "Future { status: Pending, callbacks: 2, .. }"
    );
    future.set_result(1).unwrap();
    assert_eq!(
        format!("{future:?}"),
        "Future { status: Done, callbacks: 0, .. }"
    );
}

// ---------------------------------------------------------------------------
// Future: done callbacks

#[test]
fn done_callbacks_wait_for_the_future_and_then_run_once_in_the_order_added() {
    let log = new_log();
    let future: Future<String> = Future::new();
    future.add_done_callback(logging(&log, "first"));
    future.add_done_callback(logging(&log, "second"));
    future.add_done_callback(logging(&log, "third"));
    assert!(log_of(&log).is_empty(), "nothing runs while pending");

    future.set_result(String::from("margherita")).unwrap();
    assert_eq!(
        log_of(&log),
        ["first saw Done", "second saw Done", "third saw Done"]
    );

    // Settling again fails and runs nothing a second time.
    assert!(future.set_result(String::from("again")).is_err());
    assert!(!future.cancel());
    assert_eq!(log_of(&log).len(), 3);
}

#[test]
fn set_error_and_cancel_run_the_done_callbacks_too() {
    let log = new_log();
    let failed: Future<String> = Future::new();
    failed.add_done_callback(logging(&log, "failed"));
    let cancelled: Future<String> = Future::new();
    cancelled.add_done_callback(logging(&log, "cancelled"));

    failed.set_error("burnt").unwrap();
    assert_eq!(log_of(&log), ["failed saw Failed"]);
    cancelled.cancel();
    assert_eq!(
        log_of(&log),
        ["failed saw Failed", "cancelled saw Cancelled"]
    );
}

#[test]
fn a_callback_added_after_the_future_settled_runs_at_once() {
    let log = new_log();
    let future: Future<String> = Future::new();
    future.set_result(String::from("margherita")).unwrap();
    future.add_done_callback(logging(&log, "late"));
    assert_eq!(
        log_of(&log),
        ["late saw Done"],
        "it ran before add_done_callback returned"
    );
    future.add_done_callback(logging(&log, "later"));
    assert_eq!(log_of(&log), ["late saw Done", "later saw Done"]);
}

#[test]
fn a_callback_added_by_a_callback_runs_at_once_before_the_callbacks_still_waiting() {
    let log = new_log();
    let future: Future<String> = Future::new();
    future.add_done_callback({
        let log = Rc::clone(&log);
        move |future| {
            log.borrow_mut().push(String::from("first"));
            future.add_done_callback(logging(&log, "added by first"));
            log.borrow_mut().push(String::from("first again"));
        }
    });
    future.add_done_callback(logging(&log, "second"));
    future.set_result(String::from("margherita")).unwrap();
    assert_eq!(
        log_of(&log),
        [
            "first",
            "added by first saw Done",
            "first again",
            "second saw Done"
        ]
    );
}

#[test]
fn a_callback_can_read_the_future_through_its_argument_or_through_a_clone() {
    let log = new_log();
    let future: Future<String> = Future::new();
    let clone = future.clone();
    future.add_done_callback({
        let log = Rc::clone(&log);
        move |settled| {
            log.borrow_mut()
                .push(format!("argument: {:?}", settled.result()));
            log.borrow_mut()
                .push(format!("clone: {:?} {:?}", clone.status(), clone.result()));
            log.borrow_mut().push(format!(
                "set again: {:?}",
                clone.set_result(String::from("x"))
            ));
        }
    });
    future.set_result(String::from("margherita")).unwrap();
    assert_eq!(
        log_of(&log),
        [
            "argument: Ok(\"margherita\")",
            "clone: Done Ok(\"margherita\")",
            "set again: Err(AlreadySettled(Done))",
        ]
    );
}

#[test]
fn a_panicking_callback_does_not_stop_the_others_and_its_panic_comes_out_afterwards() {
    let log = new_log();
    let future: Future<String> = Future::new();
    future.add_done_callback(logging(&log, "first"));
    future.add_done_callback(|_| panic!("the doorbell is broken"));
    future.add_done_callback(logging(&log, "third"));
    future.add_done_callback(|_| panic!("a second panic is dropped"));
    future.add_done_callback(logging(&log, "fifth"));

    let caught = catch_unwind(AssertUnwindSafe(|| {
        future.set_result(String::from("margherita"))
    }));
    let payload = caught.expect_err("the callback's panic comes out of set_result");
    assert_eq!(panic_message(payload.as_ref()), "the doorbell is broken");
    assert_eq!(
        log_of(&log),
        ["first saw Done", "third saw Done", "fifth saw Done"]
    );
    assert_eq!(future.status(), Status::Done, "the future settled anyway");
    assert_eq!(future.result(), Ok(String::from("margherita")));
}

#[test]
fn a_panicking_callback_added_after_settling_panics_out_of_add_done_callback() {
    let future: Future<u32> = Future::new();
    future.set_result(1).unwrap();
    let caught = catch_unwind(AssertUnwindSafe(|| {
        future.add_done_callback(|_| panic!("late and broken"))
    }));
    let payload = caught.expect_err("a callback that runs at once panics at once");
    assert_eq!(panic_message(payload.as_ref()), "late and broken");
    assert_eq!(future.result(), Ok(1));
}

#[test]
fn panic_message_reads_str_and_string_payloads() {
    let literal = catch_unwind(|| panic!("plain")).unwrap_err();
    assert_eq!(panic_message(literal.as_ref()), "plain");
    let formatted = catch_unwind(|| panic!("{} {}", "with", 2)).unwrap_err();
    assert_eq!(panic_message(formatted.as_ref()), "with 2");
    let other = catch_unwind(|| std::panic::panic_any(42_u8)).unwrap_err();
    assert_eq!(
        panic_message(other.as_ref()),
        "a panic with a payload that is not a string"
    );
}

// ---------------------------------------------------------------------------
// Task

#[test]
fn a_new_task_runs_nothing_until_its_first_step() {
    let log = new_log();
    let task = Task::new("pizzaiolo", {
        let log = Rc::clone(&log);
        move |_: &Yielder<(), ()>| log.borrow_mut().push(String::from("ran"))
    });
    assert!(log_of(&log).is_empty());
    assert_eq!(task.name(), "pizzaiolo");
    assert_eq!(task.future().status(), Status::Pending);
    assert_eq!(task.future().result(), Err(FutureError::NotReady));
}

#[test]
fn each_step_resumes_the_coroutine_once_and_the_last_one_settles_the_future() {
    let log = new_log();
    let mut task = Task::new("counter", {
        let log = Rc::clone(&log);
        move |yielder: &Yielder<(), ()>| {
            log.borrow_mut().push(String::from("part 1"));
            yielder.suspend(());
            log.borrow_mut().push(String::from("part 2"));
            yielder.suspend(());
            log.borrow_mut().push(String::from("part 3"));
            7
        }
    });

    assert_eq!(task.step(), Step::Pending);
    assert_eq!(log_of(&log), ["part 1"]);
    assert_eq!(task.future().status(), Status::Pending);
    assert_eq!(task.future().result(), Err(FutureError::NotReady));

    assert_eq!(task.step(), Step::Pending);
    assert_eq!(log_of(&log), ["part 1", "part 2"]);
    assert_eq!(task.future().status(), Status::Pending);

    assert_eq!(task.step(), Step::Settled);
    assert_eq!(log_of(&log), ["part 1", "part 2", "part 3"]);
    assert_eq!(task.future().status(), Status::Done);
    assert_eq!(task.future().result(), Ok(7));
}

#[test]
fn a_task_that_never_suspends_settles_on_its_first_step() {
    let mut task = Task::new("quick", |_: &Yielder<(), ()>| "done at once");
    assert_eq!(task.step(), Step::Settled);
    assert_eq!(task.future().result(), Ok("done at once"));
}

#[test]
fn stepping_a_settled_task_does_nothing_and_keeps_saying_settled() {
    let runs = Rc::new(Cell::new(0));
    let mut task = Task::new("once", {
        let runs = Rc::clone(&runs);
        move |_: &Yielder<(), ()>| {
            runs.set(runs.get() + 1);
            String::from("the only value")
        }
    });
    assert_eq!(task.step(), Step::Settled);
    for _ in 0..3 {
        assert_eq!(task.step(), Step::Settled);
    }
    assert_eq!(runs.get(), 1);
    assert_eq!(task.future().status(), Status::Done);
    assert_eq!(task.future().result(), Ok(String::from("the only value")));
}

#[test]
fn the_tasks_done_callbacks_run_during_the_step_that_settles_it() {
    let log = new_log();
    let mut task = Task::new("kitchen", {
        let log = Rc::clone(&log);
        move |yielder: &Yielder<(), ()>| {
            yielder.suspend(());
            log.borrow_mut().push(String::from("body returns"));
            String::from("margherita")
        }
    });
    task.future().add_done_callback(logging(&log, "callback"));
    assert_eq!(task.step(), Step::Pending);
    assert!(log_of(&log).is_empty());
    assert_eq!(task.step(), Step::Settled);
    assert_eq!(log_of(&log), ["body returns", "callback saw Done"]);
}

#[test]
fn a_panic_inside_the_task_becomes_its_error_and_does_not_reach_the_stepper() {
    let log = new_log();
    let mut task: Task<u32> = Task::new("oven", |yielder: &Yielder<(), ()>| {
        yielder.suspend(());
        let degrees = 900;
        panic!("the oven reached {degrees} degrees");
    });
    task.future().add_done_callback({
        let log = Rc::clone(&log);
        move |future| log.borrow_mut().push(format!("{:?}", future.result()))
    });
    assert_eq!(task.step(), Step::Pending);
    assert_eq!(task.step(), Step::Settled);
    assert_eq!(task.future().status(), Status::Failed);
    let error = task.future().result().unwrap_err();
    assert_eq!(
        error,
        FutureError::Panicked(String::from("the oven reached 900 degrees"))
    );
    assert_eq!(
        error.to_string(),
        "the task panicked: the oven reached 900 degrees"
    );
    assert_eq!(
        log_of(&log),
        ["Err(Panicked(\"the oven reached 900 degrees\"))"]
    );
    assert_eq!(task.step(), Step::Settled, "a failed task stays settled");
}

#[test]
fn a_panicking_task_drops_the_values_on_its_stack() {
    let drops = Rc::new(Cell::new(0));
    let mut task: Task<()> = Task::new("oven", {
        let drops = Rc::clone(&drops);
        move |yielder: &Yielder<(), ()>| {
            let _dough = DropCounter(drops);
            yielder.suspend(());
            panic!("burnt");
        }
    });
    assert_eq!(task.step(), Step::Pending);
    assert_eq!(drops.get(), 0);
    assert_eq!(task.step(), Step::Settled);
    assert_eq!(drops.get(), 1);
}

#[test]
fn cancelling_a_suspended_task_drops_the_values_on_its_stack_and_cancels_its_future() {
    let drops = Rc::new(Cell::new(0));
    let log = new_log();
    let mut task = Task::new("kitchen", {
        let (drops, log) = (Rc::clone(&drops), Rc::clone(&log));
        move |yielder: &Yielder<(), ()>| {
            let _dough = DropCounter(Rc::clone(&drops));
            let _cheese = DropCounter(drops);
            yielder.suspend(());
            log.borrow_mut().push(String::from("never gets here"));
            String::from("margherita")
        }
    });
    assert_eq!(task.step(), Step::Pending);
    assert_eq!(drops.get(), 0);

    assert!(task.cancel());
    assert_eq!(drops.get(), 2, "both values on the stack were dropped");
    assert_eq!(task.future().status(), Status::Cancelled);
    assert_eq!(task.future().result(), Err(FutureError::Cancelled));
    assert!(task.stack_range().is_empty(), "the coroutine is gone");

    assert_eq!(task.step(), Step::Settled);
    assert!(!task.cancel(), "a second cancel finds it settled");
    assert!(log_of(&log).is_empty());
    assert_eq!(drops.get(), 2, "nothing is dropped twice");
}

#[test]
fn a_cancelled_tasks_cleanup_runs_before_its_done_callbacks() {
    struct Cleanup(Log);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            self.0.borrow_mut().push(String::from("cleanup"));
        }
    }
    let log = new_log();
    let mut task = Task::new("kitchen", {
        let log = Rc::clone(&log);
        move |yielder: &Yielder<(), ()>| {
            let _cleanup = Cleanup(log);
            yielder.suspend(());
            String::new()
        }
    });
    task.future().add_done_callback(logging(&log, "callback"));
    assert_eq!(task.step(), Step::Pending);
    assert!(task.cancel());
    assert_eq!(log_of(&log), ["cleanup", "callback saw Cancelled"]);
}

#[test]
fn cancelling_a_task_that_never_started_drops_its_body_without_running_it() {
    let drops = Rc::new(Cell::new(0));
    let ran = Rc::new(Cell::new(false));
    let mut task = Task::new("kitchen", {
        let (captured, ran) = (DropCounter(Rc::clone(&drops)), Rc::clone(&ran));
        move |_: &Yielder<(), ()>| {
            let _captured = captured;
            ran.set(true);
        }
    });
    assert!(task.cancel());
    assert_eq!(drops.get(), 1);
    assert_eq!(task.step(), Step::Settled);
    assert!(!ran.get());
    assert_eq!(task.future().result(), Err(FutureError::Cancelled));
}

#[test]
fn cancelling_a_finished_task_returns_false_and_keeps_its_value() {
    let mut task = Task::new("quick", |_: &Yielder<(), ()>| 5);
    assert_eq!(task.step(), Step::Settled);
    assert!(!task.cancel());
    assert_eq!(task.future().status(), Status::Done);
    assert_eq!(task.future().result(), Ok(5));
}

#[test]
fn cancelling_the_tasks_future_from_outside_stops_the_task_at_its_next_step() {
    let drops = Rc::new(Cell::new(0));
    let log = new_log();
    let mut task = Task::new("kitchen", {
        let (drops, log) = (Rc::clone(&drops), Rc::clone(&log));
        move |yielder: &Yielder<(), ()>| {
            let _dough = DropCounter(drops);
            log.borrow_mut().push(String::from("step 1"));
            yielder.suspend(());
            log.borrow_mut().push(String::from("step 2"));
            1
        }
    });
    let handle = task.future().clone();
    assert_eq!(task.step(), Step::Pending);
    assert!(handle.cancel());
    assert_eq!(task.future().status(), Status::Cancelled);
    assert_eq!(
        drops.get(),
        0,
        "the stack is still there until the next step"
    );

    assert_eq!(task.step(), Step::Settled);
    assert_eq!(log_of(&log), ["step 1"], "the body did not carry on");
    assert_eq!(drops.get(), 1);
    assert_eq!(task.future().result(), Err(FutureError::Cancelled));
}

#[test]
fn a_task_whose_future_is_cancelled_during_its_own_step_settles_in_that_step() {
    let drops = Rc::new(Cell::new(0));
    let own_future: Rc<RefCell<Option<Future<u32>>>> = Rc::new(RefCell::new(None));
    let mut task = Task::new("self-cancelling", {
        let (drops, own_future) = (Rc::clone(&drops), Rc::clone(&own_future));
        move |yielder: &Yielder<(), ()>| {
            let _dough = DropCounter(drops);
            let future = own_future
                .borrow()
                .clone()
                .expect("set before the first step");
            future.cancel();
            yielder.suspend(());
            1
        }
    });
    *own_future.borrow_mut() = Some(task.future().clone());
    assert_eq!(task.step(), Step::Settled);
    assert_eq!(drops.get(), 1, "its coroutine was dropped in that step");
    assert_eq!(task.future().result(), Err(FutureError::Cancelled));
}

/// A value whose destructor panics.
struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("the bomb's destructor went off");
    }
}

#[test]
#[ignore = "aborts on purpose; started in a child process by the test below"]
fn child_cancels_a_paused_task_whose_destructor_panics() {
    if !child::is_child("child_cancels_a_paused_task_whose_destructor_panics") {
        return;
    }
    let mut task = Task::new("bomb", |yielder| {
        let _bomb = Bomb;
        yielder.suspend(());
    });
    assert_eq!(task.step(), Step::Pending);
    println!("cancelling the paused task");
    task.cancel();
    println!("still alive after the cancel");
}

#[test]
fn cancelling_a_paused_task_whose_destructor_panics_aborts_the_process() {
    let output = child::run("child_cancels_a_paused_task_whose_destructor_panics");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.contains("cancelling the paused task"), "{stdout}");
    assert!(!stdout.contains("still alive"), "{stdout}");
    assert!(
        stderr.contains("the bomb's destructor went off"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "panic in a destructor during cleanup\nthread caused non-unwinding panic. aborting."
        ),
        "{stderr}"
    );
    assert!(child::aborted(&output), "{:?}", output.status);
}

#[test]
fn dropping_a_task_without_cancelling_it_drops_its_stack_but_leaves_its_future_pending() {
    let drops = Rc::new(Cell::new(0));
    let mut task = Task::new("kitchen", {
        let drops = Rc::clone(&drops);
        move |yielder: &Yielder<(), ()>| {
            let _dough = DropCounter(drops);
            yielder.suspend(());
            1
        }
    });
    let handle = task.future().clone();
    assert_eq!(task.step(), Step::Pending);
    drop(task);
    assert_eq!(drops.get(), 1);
    assert_eq!(handle.status(), Status::Pending, "nobody settled it");
    assert_eq!(handle.result(), Err(FutureError::NotReady));
}

#[test]
fn a_task_has_its_own_stack_until_it_finishes() {
    let mut task = Task::new("kitchen", |yielder: &Yielder<(), ()>| {
        yielder.suspend(());
    });
    let range = task.stack_range();
    assert!(!range.is_empty());
    assert_eq!(task.step(), Step::Pending);
    assert_eq!(task.stack_range(), range, "the stack stays put");
    assert_eq!(task.step(), Step::Settled);
    assert!(task.stack_range().is_empty());
}

#[test]
fn debug_shows_the_tasks_name_and_status() {
    let mut task = Task::new("kitchen", |_: &Yielder<(), ()>| 1);
    assert_eq!(
        format!("{task:?}"),
        "Task { name: \"kitchen\", status: Pending, .. }"
    );
    task.step();
    assert_eq!(
        format!("{task:?}"),
        "Task { name: \"kitchen\", status: Done, .. }"
    );
}

// ---------------------------------------------------------------------------
// Awaiting

#[test]
fn await_future_suspends_while_the_future_is_pending_then_continues_with_its_value() {
    let log = new_log();
    let pizza_box: Future<String> = Future::new();
    let mut customer = Task::new("customer", {
        let (log, pizza_box) = (Rc::clone(&log), pizza_box.clone());
        move |yielder: &Yielder<(), ()>| {
            log.borrow_mut().push(String::from("waiting"));
            let pizza = await_future(yielder, &pizza_box);
            log.borrow_mut().push(format!("got {pizza:?}"));
            pizza.map(|pizza| pizza.len())
        }
    });
    for _ in 0..3 {
        assert_eq!(customer.step(), Step::Pending);
        assert_eq!(customer.future().status(), Status::Pending);
    }
    assert_eq!(log_of(&log), ["waiting"]);

    pizza_box.set_result(String::from("margherita")).unwrap();
    assert_eq!(log_of(&log), ["waiting"], "setting the result steps nobody");
    assert_eq!(customer.step(), Step::Settled);
    assert_eq!(log_of(&log), ["waiting", "got Ok(\"margherita\")"]);
    assert_eq!(customer.future().result(), Ok(Ok(10)));
}

#[test]
fn await_future_on_a_settled_future_continues_without_suspending() {
    let ready: Future<u32> = Future::new();
    ready.set_result(3).unwrap();
    let mut task = Task::new("reader", move |yielder: &Yielder<(), ()>| {
        await_future(yielder, &ready)
    });
    assert_eq!(task.step(), Step::Settled);
    assert_eq!(task.future().result(), Ok(Ok(3)));
}

#[test]
fn await_future_gives_back_the_error_of_a_failed_or_cancelled_future() {
    let failed: Future<u32> = Future::new();
    let cancelled: Future<u32> = Future::new();
    let mut task = Task::new("reader", {
        let (failed, cancelled) = (failed.clone(), cancelled.clone());
        move |yielder: &Yielder<(), ()>| {
            (
                await_future(yielder, &failed),
                await_future(yielder, &cancelled),
            )
        }
    });
    assert_eq!(task.step(), Step::Pending);
    failed.set_error("burnt").unwrap();
    assert_eq!(task.step(), Step::Pending, "now waiting on the second");
    cancelled.cancel();
    assert_eq!(task.step(), Step::Settled);
    assert_eq!(
        task.future().result(),
        Ok((
            Err(FutureError::Failed(String::from("burnt"))),
            Err(FutureError::Cancelled)
        ))
    );
}

#[test]
fn a_task_can_await_another_tasks_future_including_its_panic() {
    let mut oven: Task<String> = Task::new("oven", |yielder: &Yielder<(), ()>| {
        yielder.suspend(());
        panic!("the calzone caught fire");
    });
    let mut kitchen = Task::new("kitchen", {
        let from_oven = oven.future().clone();
        move |yielder: &Yielder<(), ()>| await_future(yielder, &from_oven)
    });
    assert_eq!(kitchen.step(), Step::Pending);
    assert_eq!(oven.step(), Step::Pending);
    assert_eq!(kitchen.step(), Step::Pending);
    assert_eq!(oven.step(), Step::Settled);
    assert_eq!(kitchen.step(), Step::Settled);
    assert_eq!(
        kitchen.future().result(),
        Ok(Err(FutureError::Panicked(String::from(
            "the calzone caught fire"
        ))))
    );
}

/// A plain function that suspends whichever task calls it, twice, and
/// reports where its local variable lives.
fn bake_twice(yielder: &Yielder<(), ()>, log: &Log) -> usize {
    let oven_timer = 0_u8;
    log.borrow_mut().push(String::from("bake 1"));
    yielder.suspend(());
    log.borrow_mut().push(String::from("bake 2"));
    yielder.suspend(());
    std::ptr::from_ref(&oven_timer) as usize
}

#[test]
fn calling_a_plain_function_that_suspends_runs_it_inside_the_same_task() {
    let log = new_log();
    let mut kitchen = Task::new("kitchen", {
        let log = Rc::clone(&log);
        move |yielder: &Yielder<(), ()>| {
            log.borrow_mut().push(String::from("dough"));
            let where_it_ran = bake_twice(yielder, &log); // no new task
            log.borrow_mut().push(String::from("box"));
            where_it_ran
        }
    });
    let stack = kitchen.stack_range();

    // Every suspension of bake_twice is a step of the kitchen itself.
    assert_eq!(kitchen.step(), Step::Pending);
    assert_eq!(log_of(&log), ["dough", "bake 1"]);
    assert_eq!(kitchen.step(), Step::Pending);
    assert_eq!(log_of(&log), ["dough", "bake 1", "bake 2"]);
    assert_eq!(kitchen.step(), Step::Settled);
    assert_eq!(log_of(&log), ["dough", "bake 1", "bake 2", "box"]);

    // And it ran on the kitchen's own stack.
    let where_it_ran = kitchen.future().result().unwrap();
    assert!(
        stack.contains(&where_it_ran),
        "{where_it_ran:#x} is outside the kitchen's stack {stack:x?}"
    );
}

#[test]
fn the_same_function_as_a_second_task_runs_only_when_that_task_is_stepped() {
    let log = new_log();
    let mut oven = Task::new("oven", {
        let log = Rc::clone(&log);
        move |yielder: &Yielder<(), ()>| bake_twice(yielder, &log)
    });
    let mut kitchen = Task::new("kitchen", {
        let (log, from_oven) = (Rc::clone(&log), oven.future().clone());
        move |yielder: &Yielder<(), ()>| {
            log.borrow_mut().push(String::from("dough"));
            let where_it_ran = await_future(yielder, &from_oven);
            log.borrow_mut().push(String::from("box"));
            where_it_ran
        }
    });
    let oven_stack = oven.stack_range();
    let kitchen_stack = kitchen.stack_range();

    // Stepping only the kitchen never bakes: nobody steps the oven.
    for _ in 0..5 {
        assert_eq!(kitchen.step(), Step::Pending);
    }
    assert_eq!(log_of(&log), ["dough"]);

    // The oven's suspensions are its own steps, not the kitchen's.
    assert_eq!(oven.step(), Step::Pending);
    assert_eq!(oven.step(), Step::Pending);
    assert_eq!(oven.step(), Step::Settled);
    assert_eq!(log_of(&log), ["dough", "bake 1", "bake 2"]);
    assert_eq!(kitchen.step(), Step::Settled);
    assert_eq!(log_of(&log), ["dough", "bake 1", "bake 2", "box"]);

    // bake_twice ran on the oven's stack, not the kitchen's.
    let where_it_ran = kitchen.future().result().unwrap().unwrap();
    assert!(oven_stack.contains(&where_it_ran));
    assert!(!kitchen_stack.contains(&where_it_ran));
}

#[test]
fn the_quiet_hook_tells_this_threads_panics_as_lines_and_is_put_back_after() {
    let (caught, lines) = capture(|| {
        let _quiet = example::QuietPanics::install();
        catch_unwind(|| panic!("a deliberate panic")).is_err()
    });
    assert!(caught);
    assert_eq!(lines, ["[panic] a deliberate panic"]);
    // Dropped: a panic now goes to the hook that was there before, which
    // prints on stderr, not through `say!`.
    let (caught, lines) = capture(|| catch_unwind(|| panic!("after the guard")).is_err());
    assert!(caught);
    assert!(lines.is_empty(), "{lines:?}");
}

// --- the example's command line ---------------------------------------------

example_command_line_tests!(no_options: "ch04_future_task");
