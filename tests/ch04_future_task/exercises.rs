//! The tests of chapter 4's small exercises, one module per exercise.
//!
//! Each module compiles the learner's file under the feature `learner`, and
//! the reference solution otherwise:
//!
//! ```text
//! cargo test --test ch04_future_task -- exercises::e1_both_settled::                    the solution
//! cargo test --features learner --test ch04_future_task -- exercises::e1_both_settled::  your file
//! ```

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use yieldpoint::ch02_coroutines::Yielder;
use yieldpoint::ch04_future_task::{Future, FutureError, Status, Step, Task, panic_message};

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e1_both_settled {
    use super::*;

    #[cfg_attr(
        feature = "learner",
        path = "exercises/ch04_future_task/1_both_settled.rs"
    )]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch04_future_task/1_both_settled.rs"
    )]
    mod exercise;
    use exercise::both;

    #[test]
    fn it_is_done_with_both_values_once_both_are_done_in_either_order() {
        for a_first in [true, false] {
            let (a, b) = (Future::new(), Future::new());
            let joint = both(&a, &b);
            assert_eq!(joint.status(), Status::Pending);
            if a_first {
                a.set_result("pizza").unwrap();
            } else {
                b.set_result(2).unwrap();
            }
            assert_eq!(joint.status(), Status::Pending, "one is not enough");
            if a_first {
                b.set_result(2).unwrap();
            } else {
                a.set_result("pizza").unwrap();
            }
            assert_eq!(joint.result(), Ok(("pizza", 2)));
        }
    }

    #[test]
    fn a_failure_fails_it_at_once_without_waiting_for_the_other() {
        let (a, b): (Future<u8>, Future<u8>) = (Future::new(), Future::new());
        let joint = both(&a, &b);
        b.set_error("the oven broke").unwrap();
        assert_eq!(
            joint.result(),
            Err(FutureError::Failed(
                "second: the future failed: the oven broke".to_string()
            ))
        );
        // Whatever happens to the first one later changes nothing.
        a.set_result(1).unwrap();
        assert_eq!(joint.status(), Status::Failed);
    }

    #[test]
    fn a_cancellation_fails_it_naming_which_one() {
        let (a, b): (Future<u8>, Future<u8>) = (Future::new(), Future::new());
        let joint = both(&a, &b);
        a.cancel();
        assert_eq!(
            joint.result(),
            Err(FutureError::Failed(
                "first: the future was cancelled, so it has no result".to_string()
            ))
        );
        b.cancel();
        assert_eq!(
            joint.result(),
            Err(FutureError::Failed(
                "first: the future was cancelled, so it has no result".to_string()
            ))
        );
    }

    #[test]
    fn futures_settled_before_the_call_count_at_once() {
        let (a, b) = (Future::new(), Future::new());
        a.set_result('x').unwrap();
        b.set_result('y').unwrap();
        assert_eq!(both(&a, &b).result(), Ok(('x', 'y')));

        let failed: Future<char> = Future::new();
        failed.set_panicked("the calzone caught fire").unwrap();
        let pending: Future<char> = Future::new();
        assert_eq!(
            both(&pending, &failed).result(),
            Err(FutureError::Failed(
                "second: the task panicked: the calzone caught fire".to_string()
            ))
        );
    }

    #[test]
    fn its_own_done_callbacks_run_once_when_it_settles() {
        let (a, b) = (Future::new(), Future::new());
        let joint = both(&a, &b);
        let seen: Rc<RefCell<Vec<String>>> = Rc::default();
        let log = Rc::clone(&seen);
        joint.add_done_callback(move |joint| {
            log.borrow_mut().push(format!("{:?}", joint.result()));
        });
        a.set_result(1).unwrap();
        assert!(seen.borrow().is_empty());
        b.set_result(2).unwrap();
        assert_eq!(*seen.borrow(), ["Ok((1, 2))"]);
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e2_ordered_cleanup {
    use super::*;

    #[cfg_attr(
        feature = "learner",
        path = "exercises/ch04_future_task/2_ordered_cleanup.rs"
    )]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch04_future_task/2_ordered_cleanup.rs"
    )]
    mod exercise;
    use exercise::{Log, Pool, Resource, server};

    const NAMES: &[&str] = &["database", "cache", "socket"];

    /// A server, with a done callback that writes the status to the log.
    fn watched_server(log: &Log) -> Task<usize> {
        let task = server(NAMES, log);
        let callback_log = Rc::clone(log);
        task.future().add_done_callback(move |future| {
            callback_log
                .borrow_mut()
                .push(format!("callback: {:?}", future.status()));
        });
        task
    }

    #[test]
    fn a_resource_says_when_it_opens_and_closes() {
        let log: Log = Rc::default();
        let resource = Resource::open("file", &log);
        assert_eq!(*log.borrow(), ["open file"]);
        drop(resource);
        assert_eq!(*log.borrow(), ["open file", "close file"]);
    }

    #[test]
    fn a_pool_closes_last_opened_first() {
        let log: Log = Rc::default();
        let mut pool = Pool::default();
        for name in ["one", "two", "three"] {
            pool.push(Resource::open(name, &log));
        }
        drop(pool);
        assert_eq!(
            *log.borrow(),
            [
                "open one",
                "open two",
                "open three",
                "close three",
                "close two",
                "close one"
            ]
        );
    }

    #[test]
    fn cancelled_after_two_opens_it_closes_those_two_in_reverse_then_the_callback_runs() {
        let log: Log = Rc::default();
        let mut task = watched_server(&log);
        assert_eq!(task.step(), Step::Pending);
        assert_eq!(task.step(), Step::Pending);
        assert_eq!(*log.borrow(), ["open database", "open cache"]);
        assert!(task.cancel());
        assert_eq!(
            *log.borrow(),
            [
                "open database",
                "open cache",
                "close cache",
                "close database",
                "callback: Cancelled"
            ]
        );
    }

    #[test]
    fn cancelled_before_it_starts_it_opens_and_closes_nothing() {
        let log: Log = Rc::default();
        let mut task = watched_server(&log);
        assert!(task.cancel());
        assert_eq!(*log.borrow(), ["callback: Cancelled"]);
    }

    #[test]
    fn left_to_finish_it_returns_three_and_closes_everything_in_reverse_first() {
        let log: Log = Rc::default();
        let mut task = watched_server(&log);
        let mut steps = 0;
        while task.step() == Step::Pending {
            steps += 1;
        }
        assert_eq!(steps, 3, "one pause after each open");
        assert_eq!(task.future().result(), Ok(3));
        assert_eq!(
            *log.borrow(),
            [
                "open database",
                "open cache",
                "open socket",
                "close socket",
                "close cache",
                "close database",
                "callback: Done"
            ]
        );
    }
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e3_retry {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch04_future_task/3_retry.rs")]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch04_future_task/3_retry.rs"
    )]
    mod exercise;
    use exercise::{GaveUp, retry};

    type Log = Rc<RefCell<Vec<String>>>;

    /// Steps `task` until it settles, writing `step N` to `log` before each
    /// step; returns how many steps it took.
    fn run(task: &mut Task<Result<&'static str, GaveUp>>, log: &Log) -> usize {
        let mut steps = 0;
        loop {
            steps += 1;
            log.borrow_mut().push(format!("step {steps}"));
            if task.step() == Step::Settled {
                return steps;
            }
        }
    }

    /// A task that retries up to `attempts` times an attempt that fails
    /// until attempt number `succeeds_at`.
    fn flaky(log: &Log, attempts: u32, succeeds_at: u32) -> Task<Result<&'static str, GaveUp>> {
        let log = Rc::clone(log);
        Task::new("flaky", move |yielder| {
            retry(yielder, attempts, |_, n| {
                log.borrow_mut().push(format!("attempt {n}"));
                if n >= succeeds_at {
                    Ok("connected")
                } else {
                    Err(format!("refused ({n})"))
                }
            })
        })
    }

    #[test]
    fn it_backs_off_one_step_then_two_then_succeeds() {
        let log: Log = Rc::default();
        let mut task = flaky(&log, 5, 3);
        assert_eq!(run(&mut task, &log), 4);
        assert_eq!(task.future().result(), Ok(Ok("connected")));
        assert_eq!(
            *log.borrow(),
            [
                "step 1",
                "attempt 1",
                "step 2",
                "attempt 2",
                "step 3",
                "step 4",
                "attempt 3"
            ]
        );
    }

    #[test]
    fn a_first_success_returns_without_suspending() {
        let log: Log = Rc::default();
        let mut task = flaky(&log, 3, 1);
        assert_eq!(run(&mut task, &log), 1);
        assert_eq!(task.future().result(), Ok(Ok("connected")));
        assert_eq!(*log.borrow(), ["step 1", "attempt 1"]);
    }

    #[test]
    fn after_the_last_failure_it_gives_up_at_once_with_the_last_error() {
        let log: Log = Rc::default();
        let mut task = flaky(&log, 3, 10);
        // Back-offs of 1 and 2 steps between the three attempts, none after.
        assert_eq!(run(&mut task, &log), 4);
        assert_eq!(
            task.future().result(),
            Ok(Err(GaveUp {
                attempts: 3,
                last_error: "refused (3)".to_string()
            }))
        );
        assert_eq!(
            log.borrow()
                .iter()
                .filter(|line| line.starts_with("attempt"))
                .count(),
            3
        );
    }

    #[test]
    fn an_attempt_may_suspend_the_task_itself() {
        let log: Log = Rc::default();
        let attempts_log = Rc::clone(&log);
        let mut task = Task::new("patient", move |yielder: &Yielder<(), ()>| {
            retry(yielder, 2, |yielder, n| {
                yielder.suspend(()); // the attempt takes a step of its own
                attempts_log.borrow_mut().push(format!("attempt {n} done"));
                if n == 2 {
                    Ok("second time")
                } else {
                    Err("no".to_string())
                }
            })
        });
        assert_eq!(run(&mut task, &log), 4);
        assert_eq!(task.future().result(), Ok(Ok("second time")));
        assert_eq!(
            *log.borrow(),
            [
                "step 1",
                "step 2",
                "attempt 1 done",
                "step 3",
                "step 4",
                "attempt 2 done"
            ]
        );
    }

    #[test]
    fn zero_attempts_are_refused_with_a_clear_message() {
        let mut task = Task::new("never", |yielder: &Yielder<(), ()>| {
            retry(yielder, 0, |_, _| Ok::<_, String>(()))
        });
        assert_eq!(task.step(), Step::Settled);
        assert_eq!(
            task.future().result(),
            Err(FutureError::Panicked(
                "retry: 0 attempts would never try; allow at least 1".to_string()
            ))
        );
        // The same message, caught directly.
        let yielderless = catch_unwind(AssertUnwindSafe(|| {
            let mut generator =
                yieldpoint::ch02_coroutines::Generator::new(|yielder: &Yielder<(), ()>, ()| {
                    retry(yielder, 0, |_, _| Ok::<_, String>(()))
                });
            let _ = generator.resume(());
        }))
        .expect_err("it panics");
        assert_eq!(
            panic_message(yielderless.as_ref()),
            "retry: 0 attempts would never try; allow at least 1"
        );
    }
}
