//! The misuse catalogue: what a learner sees when they use the crate wrongly,
//! or when a task goes wrong, one test per row of the README's table under
//! "## When things go wrong".
//!
//! Each row has a function that provokes the misuse for real and returns
//! what the learner sees (an error, or a panic's message), and a test that
//! asserts the exact error: its variant and its whole message. [`ROWS`] lists
//! every row's test with its function, and
//! `the_readme_table_matches_what_each_misuse_really_produces` checks the
//! README's table against them: every test it names exists, every row here
//! is in it, and each "what you see" cell is what the misuse really
//! produces, read from a fresh run, not from a copy. (The stack overflow's
//! row is tested in `tests/stack_overflow.rs`, in a child process: for it,
//! the cell must be the text that test asserts.)
//!
//! To check a table before it is in the README, point
//! `YIELDPOINT_MISUSE_TABLE` at the file that holds it:
//!
//! ```text
//! YIELDPOINT_MISUSE_TABLE=path/to/table.md cargo test --test misuse
//! ```

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::future::{pending, poll_fn};
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use yieldpoint::ch02_coroutines::{
    Finished, Generator, GeneratorState, Wait, Yielder, run_round_robin,
};
use yieldpoint::ch04_future_task::{Future, FutureError, Status, panic_message};
use yieldpoint::ch05_event_loop::{self as ch05, EventLoop, LoopError};
use yieldpoint::ch06_scheduler::{
    Clock, JoinHandle, SchedError, Scheduler, Unretrieved, sleep, spawn,
};
use yieldpoint::ch07_combinators::{gather, wait_for};
use yieldpoint::ch09_async_fn::{Checked, PollError, Sleep, block_on, spawn_async};
use yieldpoint::ch10_sockets::{TcpListener, TcpStream, fetch};
use yieldpoint::ch11_threads::{max_threads, to_thread};
use yieldpoint::ch12_tokio::{Script, ScriptError, course_order};

// Chapter 11's example, for its full pool.
#[allow(dead_code)]
#[path = "../examples/ch11_threads.rs"]
mod ch11_example;

const SECOND: Duration = Duration::from_secs(1);

/// One row of the catalogue: the test that shows it, and the function that
/// provokes the misuse and returns what the learner sees.
struct Row {
    test: &'static str,
    provoke: fn() -> String,
}

/// Every row tested in this file, in the table's order.
const ROWS: &[Row] = &[
    Row {
        test: "resuming_a_finished_generator_says_it_has_finished",
        provoke: || resume_a_finished_generator().to_string(),
    },
    Row {
        test: "round_robin_of_a_finished_generator_panics_naming_it",
        provoke: round_robin_of_a_finished_generator,
    },
    Row {
        test: "reading_the_result_of_a_pending_future_says_it_is_not_ready",
        provoke: || read_a_pending_future().to_string(),
    },
    Row {
        test: "setting_a_futures_result_twice_says_it_is_already_settled",
        provoke: || set_a_result_twice().0.to_string(),
    },
    Row {
        test: "taking_a_futures_value_twice_says_it_was_taken",
        provoke: || take_a_value_twice().to_string(),
    },
    Row {
        test: "chapter_5_a_clock_whose_tick_is_zero_is_refused",
        provoke: tick_of_zero,
    },
    Row {
        test: "chapter_5_sleeping_in_a_generator_nested_in_a_task_says_not_on_task_stack",
        provoke: || sleep_in_a_nested_generator().to_string(),
    },
    Row {
        test: "chapter_5_a_task_awaiting_its_own_future_is_a_deadlock",
        provoke: || await_own_future().to_string(),
    },
    Row {
        test: "chapter_5_a_handle_to_a_dropped_loop_says_loop_gone",
        provoke: || handle_of_a_dropped_loop().to_string(),
    },
    Row {
        test: "sleeping_outside_a_task_says_not_in_task",
        provoke: || sleep_outside_a_task().to_string(),
    },
    Row {
        test: "spawning_outside_a_task_says_not_in_task",
        provoke: || spawn_outside_a_task().to_string(),
    },
    Row {
        test: "sleeping_in_a_done_callback_says_in_callback",
        provoke: || sleep_in_a_done_callback().to_string(),
    },
    Row {
        test: "starting_a_scheduler_inside_a_running_one_says_nested_loop",
        provoke: || start_a_nested_scheduler().to_string(),
    },
    Row {
        test: "joining_a_task_of_another_scheduler_says_foreign_task",
        provoke: || join_a_foreign_task().to_string(),
    },
    Row {
        test: "waiting_for_a_task_of_another_scheduler_says_foreign_task",
        provoke: || wait_for_a_foreign_task().to_string(),
    },
    Row {
        test: "a_task_joining_itself_says_join_self",
        provoke: || join_self().to_string(),
    },
    Row {
        test: "gathering_the_callers_own_task_says_join_self",
        provoke: || gather_self().to_string(),
    },
    Row {
        test: "a_cycle_of_joins_is_a_deadlock_naming_who_waits_for_whom",
        provoke: || join_in_a_cycle().to_string(),
    },
    Row {
        test: "sleeping_in_a_destructor_while_its_task_panics_says_unwinding",
        provoke: || sleep_while_unwinding().to_string(),
    },
    Row {
        test: "joining_a_task_that_panicked_gives_its_failure",
        provoke: || join_a_panicked_task().to_string(),
    },
    Row {
        test: "a_failure_nobody_joins_is_reported_naming_the_task",
        provoke: || unjoined_failure().to_string(),
    },
    Row {
        test: "dropping_a_scheduler_with_tasks_pending_cancels_them_and_runs_their_destructors",
        provoke: || drop_a_busy_scheduler().0.to_string(),
    },
    Row {
        test: "the_os_refusing_a_stack_says_stack_refused",
        provoke: || refused_stack().to_string(),
    },
    Row {
        test: "running_out_of_memory_mappings_says_how_many_there_are_and_what_helps",
        provoke: mapping_limit_message,
    },
    Row {
        test: "polling_a_future_after_ready_says_after_ready",
        provoke: || poll_after_ready().to_string(),
    },
    Row {
        test: "polling_a_future_after_its_poll_panicked_says_after_panic",
        provoke: || poll_after_panic().to_string(),
    },
    Row {
        test: "block_on_of_a_future_that_keeps_no_waker_says_it_would_park_forever",
        provoke: || panic_of(|| block_on(pending::<()>())),
    },
    Row {
        test: "a_stackful_operation_in_an_async_task_says_in_async_task",
        provoke: || stackful_sleep_in_async_task().to_string(),
    },
    Row {
        test: "a_stackful_combinator_in_an_async_task_names_the_async_twins",
        provoke: || gather_in_async_task().to_string(),
    },
    Row {
        test: "block_on_inside_a_running_scheduler_refuses_at_once",
        provoke: block_on_in_a_task,
    },
    Row {
        test: "an_async_task_that_loses_its_waker_is_named_in_the_deadlock",
        provoke: || lost_waker_deadlock().to_string(),
    },
    Row {
        test: "connecting_where_nothing_listens_says_refused",
        provoke: || connect_where_nothing_listens().to_string(),
    },
    Row {
        test: "a_connection_reset_by_the_peer_says_it_closed_abruptly",
        provoke: || fetch_from_a_resetting_server().to_string(),
    },
    Row {
        test: "an_answer_cut_off_in_the_middle_says_what_came",
        provoke: || fetch_an_answer_cut_off().to_string(),
    },
    Row {
        test: "reading_a_socket_outside_a_task_says_not_in_task",
        provoke: || read_outside_a_task().to_string(),
    },
    Row {
        test: "a_stackful_read_in_an_async_task_names_its_async_twin",
        provoke: || stackful_read_in_async_task().to_string(),
    },
    Row {
        test: "two_tasks_reading_one_socket_says_the_second_is_busy",
        provoke: || two_readers().to_string(),
    },
    Row {
        test: "reading_a_socket_of_another_scheduler_says_so",
        provoke: || read_a_socket_of_another_scheduler().to_string(),
    },
    Row {
        test: "a_server_that_never_answers_is_given_up_on_by_wait_for",
        provoke: || wait_for_a_silent_server().to_string(),
    },
    Row {
        test: "running_out_of_file_descriptors_says_so_and_names_ulimit",
        provoke: descriptor_limit_message,
    },
    Row {
        test: "a_socket_on_the_virtual_clock_says_it_needs_the_real_clock",
        provoke: || socket_on_the_virtual_clock().to_string(),
    },
    Row {
        test: "a_blocking_step_is_reported_when_it_ends_as_asyncios_debug_mode_reports_it",
        provoke: slow_step_report,
    },
    Row {
        test: "a_step_still_blocking_is_named_by_the_watchdog_while_it_runs",
        provoke: watchdog_report,
    },
    Row {
        test: "offloading_outside_a_task_says_not_in_task",
        provoke: || offload_outside_a_task().to_string(),
    },
    Row {
        test: "the_stackful_to_thread_in_an_async_task_names_to_thread_async",
        provoke: || offload_from_an_async_task().to_string(),
    },
    Row {
        test: "a_job_that_panics_hands_its_panic_to_its_task",
        provoke: || panicking_job().to_string(),
    },
    Row {
        test: "cancelling_a_task_that_waits_for_a_job_leaves_the_job_running",
        provoke: || cancel_a_task_waiting_for_a_job().0.to_string(),
    },
    Row {
        test: "cancelling_a_task_whose_job_is_still_queued_keeps_the_job_from_running",
        provoke: || cancel_a_task_whose_job_is_queued().0,
    },
    Row {
        test: "dropping_a_scheduler_while_a_task_waits_for_a_job_detaches_the_job",
        provoke: || drop_a_scheduler_with_a_job_in_flight().0.to_string(),
    },
    Row {
        test: "a_job_that_never_returns_can_only_be_given_up_on",
        provoke: || give_up_on_a_job().to_string(),
    },
    Row {
        test: "a_full_pool_queues_the_next_job_and_says_so",
        provoke: full_pool_report,
    },
    Row {
        test: "a_script_that_breaks_a_rule_says_which_rule",
        provoke: || run_a_script_with_an_orphan().to_string(),
    },
];

/// Tests in this file that are not catalogue rows.
const NOT_ROWS: &[&str] = &[
    "child_spawns_until_the_mappings_run_out",
    "child_connects_until_the_descriptors_run_out",
    "child_blocks_with_the_watchdog_on",
    "child_fills_the_pool",
    "child_cancels_the_waiter_of_a_queued_job",
    "every_test_in_this_file_is_a_row_of_the_catalogue",
    "the_readme_table_matches_what_each_misuse_really_produces",
];

/// Runs `f`, and returns the message of the panic it must raise.
#[track_caller]
fn panic_of<R>(f: impl FnOnce() -> R) -> String {
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic"),
        Err(payload) => panic_message(payload.as_ref()),
    }
}

/// Counts how many times it is dropped.
struct DropCounter(Rc<Cell<u32>>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

fn virtual_scheduler() -> Scheduler {
    Scheduler::new(Clock::Virtual)
}

fn ticking_loop() -> EventLoop {
    EventLoop::with_clock(ch05::Clock::Ticks(Duration::from_millis(1)))
}

// ---- chapter 2: generators ----

fn resume_a_finished_generator() -> Finished {
    let mut generator = Generator::new(|_: &Yielder<(), ()>, ()| "done");
    assert_eq!(generator.resume(()), Ok(GeneratorState::Complete("done")));
    generator.resume(()).unwrap_err()
}

#[test]
fn resuming_a_finished_generator_says_it_has_finished() {
    let error = resume_a_finished_generator();
    assert_eq!(error, Finished);
    assert_eq!(
        error.to_string(),
        "resumed a generator that has already finished (its body returned or panicked); \
         create a new Generator to run the body again"
    );
}

fn round_robin_of_a_finished_generator() -> String {
    let mut spent = Generator::<(), Wait, &str>::new(|_, ()| "spent");
    assert_eq!(spent.resume(()), Ok(GeneratorState::Complete("spent")));
    panic_of(|| run_round_robin(vec![spent]))
}

#[test]
fn round_robin_of_a_finished_generator_panics_naming_it() {
    assert_eq!(
        round_robin_of_a_finished_generator(),
        "run_round_robin: generator 0 has already finished, so it has no return value left to \
         give; pass only generators that have not finished"
    );
}

// ---- chapter 4: futures ----

fn read_a_pending_future() -> FutureError {
    Future::<u32>::new().result().unwrap_err()
}

#[test]
fn reading_the_result_of_a_pending_future_says_it_is_not_ready() {
    let error = read_a_pending_future();
    assert_eq!(error, FutureError::NotReady);
    assert_eq!(
        error.to_string(),
        "the future is still pending: wait until it is done (await_future, or a done callback) \
         before reading its result"
    );
}

/// The error of a second `set_result`, and the value the future keeps.
fn set_a_result_twice() -> (FutureError, Result<&'static str, FutureError>) {
    let future = Future::new();
    future.set_result("first").unwrap();
    let error = future.set_result("second").unwrap_err();
    (error, future.result())
}

#[test]
fn setting_a_futures_result_twice_says_it_is_already_settled() {
    let (error, kept) = set_a_result_twice();
    assert_eq!(error, FutureError::AlreadySettled(Status::Done));
    assert_eq!(
        error.to_string(),
        "the future is already settled (Done); a future's result, error or cancellation can be \
         set only once"
    );
    assert_eq!(kept, Ok("first"), "the first value stays");
}

fn take_a_value_twice() -> FutureError {
    let future = Future::new();
    future.set_result(String::from("pizza")).unwrap();
    assert_eq!(future.take_result(), Ok(String::from("pizza")));
    future.take_result().unwrap_err()
}

#[test]
fn taking_a_futures_value_twice_says_it_was_taken() {
    let error = take_a_value_twice();
    assert_eq!(error, FutureError::Taken);
    assert_eq!(
        error.to_string(),
        "the future's value was already taken out with take_result; use result() (with T: \
         Clone) when more than one party reads it"
    );
}

// ---- chapter 5: the event loop ----

fn tick_of_zero() -> String {
    panic_of(|| EventLoop::with_clock(ch05::Clock::Ticks(Duration::ZERO)))
}

#[test]
fn chapter_5_a_clock_whose_tick_is_zero_is_refused() {
    assert_eq!(
        tick_of_zero(),
        "EventLoop::with_clock(Clock::Ticks(Duration::ZERO)): a tick of zero never advances the \
         clock, so every sleep would spin forever; give the tick a length, such as \
         Clock::Ticks(Duration::from_millis(1))"
    );
}

fn sleep_in_a_nested_generator() -> LoopError {
    let outcome = ticking_loop().run_until_complete(|| {
        // A chapter 2 generator, on a stack of its own, inside the main task.
        let mut nested = Generator::<(), (), _>::new(|_, ()| ch05::sleep(SECOND));
        nested.resume(())
    });
    match outcome {
        Ok(Ok(GeneratorState::Complete(Err(error)))) => error,
        other => panic!("expected the nested sleep to be refused, got {other:?}"),
    }
}

#[test]
fn chapter_5_sleeping_in_a_generator_nested_in_a_task_says_not_on_task_stack() {
    let error = sleep_in_a_nested_generator();
    assert_eq!(
        error,
        LoopError::NotOnTaskStack {
            operation: "sleep",
            task: String::from("main"),
        }
    );
    assert_eq!(
        error.to_string(),
        "sleep() was called from a coroutine nested inside task \"main\", not from the task \
         itself; only the task can be suspended by the loop, so call it from the task's own \
         code (or yield from the nested generator and let the task call it)"
    );
}

fn await_own_future() -> LoopError {
    let outcome = ticking_loop().run_until_complete(|| {
        let mirror: Rc<RefCell<Option<Future<()>>>> = Rc::default();
        let seen = Rc::clone(&mirror);
        let ouroboros = ch05::current_loop()?.create_task("ouroboros", move || {
            let me = seen.borrow().clone().expect("main stored my future");
            let _ = ch05::await_future(&me);
        })?;
        *mirror.borrow_mut() = Some(ouroboros.clone());
        ch05::await_future(&ouroboros)
    });
    outcome.unwrap_err()
}

#[test]
fn chapter_5_a_task_awaiting_its_own_future_is_a_deadlock() {
    let error = await_own_future();
    assert_eq!(
        error,
        LoopError::Deadlock(vec![String::from("ouroboros"), String::from("main")])
    );
    assert_eq!(
        error.to_string(),
        "deadlock: every remaining task waits on a future that nothing will settle: ouroboros, \
         main"
    );
}

fn handle_of_a_dropped_loop() -> LoopError {
    let event_loop = ticking_loop();
    let handle = event_loop.handle();
    drop(event_loop);
    handle.create_task("orphan", || ()).unwrap_err()
}

#[test]
fn chapter_5_a_handle_to_a_dropped_loop_says_loop_gone() {
    let error = handle_of_a_dropped_loop();
    assert_eq!(error, LoopError::LoopGone);
    assert_eq!(
        error.to_string(),
        "the event loop behind this handle has been dropped"
    );
}

// ---- chapters 6 and 7: the scheduler ----

fn sleep_outside_a_task() -> SchedError {
    sleep(SECOND).unwrap_err()
}

#[test]
fn sleeping_outside_a_task_says_not_in_task() {
    let error = sleep_outside_a_task();
    assert_eq!(error, SchedError::NotInTask { operation: "sleep" });
    assert_eq!(
        error.to_string(),
        "sleep() was called outside a task: only code running inside a task of a running \
         Scheduler can use it; start it with Scheduler::run_until_complete or spawn"
    );
}

fn spawn_outside_a_task() -> SchedError {
    spawn("stray", || Ok::<(), SchedError>(())).unwrap_err()
}

#[test]
fn spawning_outside_a_task_says_not_in_task() {
    let error = spawn_outside_a_task();
    assert_eq!(error, SchedError::NotInTask { operation: "spawn" });
    assert_eq!(
        error.to_string(),
        "spawn() was called outside a task: only code running inside a task of a running \
         Scheduler can use it; start it with Scheduler::run_until_complete or spawn"
    );
}

fn sleep_in_a_done_callback() -> SchedError {
    let seen: Rc<RefCell<Option<SchedError>>> = Rc::default();
    let record = Rc::clone(&seen);
    let outcome = virtual_scheduler().run_until_complete(move || {
        let quick = spawn("quick", || Ok::<(), SchedError>(()))?;
        quick.add_done_callback(move |_| {
            *record.borrow_mut() = sleep(SECOND).err();
        });
        quick.join()?;
        sleep(SECOND)
    });
    assert_eq!(outcome, Ok(()));
    seen.borrow_mut().take().expect("the callback ran")
}

#[test]
fn sleeping_in_a_done_callback_says_in_callback() {
    let error = sleep_in_a_done_callback();
    assert_eq!(error, SchedError::InCallback { operation: "sleep" });
    assert_eq!(
        error.to_string(),
        "sleep() was called from a callback (a done callback, or one given to call_soon or \
         call_later); a callback runs to its end on the scheduler's own stack and cannot \
         wait, so spawn a task from the callback to do the waiting"
    );
}

fn start_a_nested_scheduler() -> SchedError {
    let outcome = virtual_scheduler().run_until_complete(|| {
        Ok::<_, SchedError>(virtual_scheduler().run_until_complete(|| Ok::<u32, SchedError>(1)))
    });
    outcome.unwrap().unwrap_err()
}

#[test]
fn starting_a_scheduler_inside_a_running_one_says_nested_loop() {
    let error = start_a_nested_scheduler();
    assert_eq!(error, SchedError::NestedLoop);
    assert_eq!(
        error.to_string(),
        "run_until_complete() was called while a scheduler is already running on this thread; \
         inside a task, spawn the work and join it instead"
    );
}

fn join_a_foreign_task() -> SchedError {
    let elsewhere = virtual_scheduler();
    let stranger = elsewhere
        .spawn("stranger", || Ok::<u32, SchedError>(1))
        .unwrap();
    let outcome =
        virtual_scheduler().run_until_complete(move || Ok::<_, SchedError>(stranger.join()));
    outcome.unwrap().unwrap_err()
}

#[test]
fn joining_a_task_of_another_scheduler_says_foreign_task() {
    let error = join_a_foreign_task();
    assert_eq!(
        error,
        SchedError::ForeignTask {
            task: String::from("stranger"),
        }
    );
    assert_eq!(
        error.to_string(),
        "task \"stranger\" belongs to another scheduler; a task can only wait for tasks of \
         the scheduler it runs on"
    );
}

fn wait_for_a_foreign_task() -> SchedError {
    let elsewhere = virtual_scheduler();
    let stranger = elsewhere
        .spawn("stranger", || Ok::<u32, SchedError>(1))
        .unwrap();
    let outcome = virtual_scheduler()
        .run_until_complete(move || Ok::<_, SchedError>(wait_for(&stranger, SECOND)));
    let error = outcome.unwrap().unwrap_err();
    drop(elsewhere);
    error
}

#[test]
fn waiting_for_a_task_of_another_scheduler_says_foreign_task() {
    let error = wait_for_a_foreign_task();
    assert_eq!(
        error,
        SchedError::ForeignTask {
            task: String::from("stranger"),
        }
    );
}

/// Where a task finds its own handle.
type OwnHandle = Rc<RefCell<Option<JoinHandle<()>>>>;

fn join_self() -> SchedError {
    let seen: Rc<RefCell<Option<SchedError>>> = Rc::default();
    let record = Rc::clone(&seen);
    let outcome = virtual_scheduler().run_until_complete(move || {
        let own: OwnHandle = Rc::default();
        let inside = Rc::clone(&own);
        let selfish = spawn("selfish", move || {
            let me = inside.borrow().clone().expect("set before it runs");
            *record.borrow_mut() = me.join().err();
            Ok::<(), SchedError>(())
        })?;
        *own.borrow_mut() = Some(selfish.clone());
        selfish.join()
    });
    assert_eq!(outcome, Ok(()));
    seen.borrow_mut().take().expect("the join was refused")
}

#[test]
fn a_task_joining_itself_says_join_self() {
    let error = join_self();
    assert_eq!(
        error,
        SchedError::JoinSelf {
            task: String::from("selfish"),
        }
    );
    assert_eq!(
        error.to_string(),
        "task \"selfish\" tried to wait for itself, which would wait forever; wait for another \
         task"
    );
}

fn gather_self() -> SchedError {
    let seen: Rc<RefCell<Option<SchedError>>> = Rc::default();
    let record = Rc::clone(&seen);
    let outcome = virtual_scheduler().run_until_complete(move || {
        let own: OwnHandle = Rc::default();
        let inside = Rc::clone(&own);
        let selfish = spawn("selfish", move || {
            let me = inside.borrow().clone().expect("set before it runs");
            let other = spawn("other", || Ok::<(), SchedError>(()))?;
            *record.borrow_mut() = gather(&[other.clone(), me]).err();
            other.join()
        })?;
        *own.borrow_mut() = Some(selfish.clone());
        selfish.join()
    });
    assert_eq!(outcome, Ok(()));
    seen.borrow_mut().take().expect("gather was refused")
}

#[test]
fn gathering_the_callers_own_task_says_join_self() {
    let error = gather_self();
    assert_eq!(
        error,
        SchedError::JoinSelf {
            task: String::from("selfish"),
        }
    );
}

fn join_in_a_cycle() -> SchedError {
    let outcome = virtual_scheduler().run_until_complete(|| {
        // B needs A's handle, which exists only once A is spawned.
        let a_handle: OwnHandle = Rc::default();
        let for_b = Rc::clone(&a_handle);
        let b = spawn("B", move || {
            let a = for_b.borrow().clone().expect("A was spawned");
            a.join()
        })?;
        let a = spawn("A", move || b.join())?;
        *a_handle.borrow_mut() = Some(a.clone());
        a.join()
    });
    outcome.unwrap_err()
}

#[test]
fn a_cycle_of_joins_is_a_deadlock_naming_who_waits_for_whom() {
    let error = join_in_a_cycle();
    assert!(matches!(error, SchedError::Deadlock(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "deadlock: nothing is ready and no timer is pending, so no task can go on: main (T0) \
         waits for A (T2); B (T1) waits for A (T2); A (T2) waits for B (T1)"
    );
}

fn sleep_while_unwinding() -> SchedError {
    /// Sleeps when it is dropped, and keeps what `sleep` said.
    struct SleepsOnDrop(Rc<RefCell<Option<Result<(), SchedError>>>>);
    impl Drop for SleepsOnDrop {
        fn drop(&mut self) {
            *self.0.borrow_mut() = Some(sleep(SECOND));
        }
    }
    let seen: Rc<RefCell<Option<Result<(), SchedError>>>> = Rc::default();
    let in_task = Rc::clone(&seen);
    let outcome = virtual_scheduler().run_until_complete(move || {
        let doomed = spawn("doomed", move || -> Result<(), SchedError> {
            let _cleanup = SleepsOnDrop(in_task);
            panic!("doomed gives up");
        })?;
        Ok::<_, SchedError>(doomed.join())
    });
    let joined = outcome.unwrap().unwrap_err();
    assert_eq!(
        joined.to_string(),
        "task \"doomed\" (T1) panicked: doomed gives up"
    );
    let slept = seen.borrow_mut().take();
    slept.expect("the destructor ran").unwrap_err()
}

#[test]
fn sleeping_in_a_destructor_while_its_task_panics_says_unwinding() {
    let error = sleep_while_unwinding();
    assert_eq!(error, SchedError::Unwinding { operation: "sleep" });
    assert_eq!(
        error.to_string(),
        "sleep() was called while the task is unwinding (a destructor running during a panic \
         or a forced shutdown); a task cannot suspend then, so do the waiting before the value \
         is dropped"
    );
}

fn join_a_panicked_task() -> SchedError {
    let outcome = virtual_scheduler().run_until_complete(|| {
        let worker = spawn("worker", || -> Result<u32, SchedError> { panic!("boom") })?;
        Ok::<_, SchedError>(worker.join())
    });
    outcome.unwrap().unwrap_err()
}

#[test]
fn joining_a_task_that_panicked_gives_its_failure() {
    let error = join_a_panicked_task();
    let failure = error.failure().expect("a failure");
    assert!(failure.is_panic());
    assert_eq!(failure.message(), "boom");
    assert_eq!(error.to_string(), "task \"worker\" (T1) panicked: boom");
}

fn unjoined_failure() -> Unretrieved {
    let scheduler = virtual_scheduler();
    let outcome = scheduler.run_until_complete(|| {
        spawn("worker", || -> Result<u32, SchedError> { panic!("boom") })?;
        sleep(SECOND)
    });
    assert_eq!(outcome, Ok(()));
    let mut unretrieved = scheduler.take_unretrieved();
    assert_eq!(unretrieved.len(), 1, "{unretrieved:?}");
    unretrieved.remove(0)
}

#[test]
fn a_failure_nobody_joins_is_reported_naming_the_task() {
    let failure = unjoined_failure();
    assert_eq!(failure.task, "worker");
    assert_eq!(failure.id.number(), 1);
    assert_eq!(failure.failure.message(), "boom");
    assert_eq!(
        failure.to_string(),
        "task \"worker\" (T1) panicked: boom, and nobody joined it"
    );
}

/// What joining a pending task says once its scheduler is dropped, and how
/// many times the value on the task's stack was dropped.
fn drop_a_busy_scheduler() -> (SchedError, u32) {
    let drops = Rc::new(Cell::new(0));
    let scheduler = virtual_scheduler();
    let counter = DropCounter(Rc::clone(&drops));
    let sleeper = scheduler
        .run_until_complete(move || {
            let sleeper = spawn("sleeper", move || {
                let _on_my_stack = counter;
                sleep(3600 * SECOND)
            })?;
            sleep(SECOND)?;
            Ok::<_, SchedError>(sleeper)
        })
        .unwrap();
    assert_eq!(drops.get(), 0, "still asleep");
    drop(scheduler);
    (sleeper.join().unwrap_err(), drops.get())
}

#[test]
fn dropping_a_scheduler_with_tasks_pending_cancels_them_and_runs_their_destructors() {
    let (error, drops) = drop_a_busy_scheduler();
    assert_eq!(
        error,
        SchedError::TaskCancelled {
            task: String::from("sleeper")
        }
    );
    assert_eq!(
        error.to_string(),
        "the task \"sleeper\" you waited for was cancelled"
    );
    assert_eq!(drops, 1, "the value on the sleeper's stack, once");
}

/// A stack size no address space holds, but that corosensei's arithmetic
/// does: the OS itself refuses to map it, at once and without touching
/// memory (the mapping is refused before anything is reserved).
const ABSURD_STACK: usize = 1 << 62;

fn refused_stack() -> SchedError {
    let scheduler = virtual_scheduler().with_stack_size(ABSURD_STACK);
    scheduler
        .run_until_complete(|| Ok::<(), SchedError>(()))
        .unwrap_err()
}

#[test]
fn the_os_refusing_a_stack_says_stack_refused() {
    let error = refused_stack();
    let SchedError::StackRefused { size, reason } = &error else {
        panic!("expected StackRefused, got {error:?}");
    };
    assert_eq!(*size, ABSURD_STACK);
    // The OS's own words come last: Linux says ENOMEM ("Cannot allocate
    // memory (os error 12)"); under valgrind, which checks the size itself,
    // EINVAL.
    let advice = "the OS is out of memory or address space for it (see ulimit -v) with 0 \
                  tasks alive; ask for smaller stacks (Scheduler::with_stack_size) or keep \
                  fewer tasks alive at once. (the OS said: ";
    assert!(
        reason == &format!("{advice}Cannot allocate memory (os error 12))")
            || reason == &format!("{advice}Invalid argument (os error 22))"),
        "{reason}"
    );
    assert_eq!(
        error.to_string(),
        format!("no 4611686018427387904-byte stack for a new task: {reason}")
    );
}

/// Runs the ignored test `name` of this binary in a child process, for the
/// misuses that must not share a process with the other tests.
fn run_child(name: &str) -> std::process::Output {
    std::process::Command::new(std::env::current_exe().expect("the test binary's path"))
        .args([
            "--ignored",
            "--exact",
            name,
            "--nocapture",
            "--test-threads=1",
        ])
        .env("YIELDPOINT_MISUSE_CHILD", "1")
        .output()
        .expect("the test binary runs again")
}

#[test]
#[ignore = "uses up the process's memory mappings; started in a child process by the test below"]
fn child_spawns_until_the_mappings_run_out() {
    if std::env::var_os("YIELDPOINT_MISUSE_CHILD").is_none() {
        eprintln!("this test only runs when a test in tests/misuse.rs starts it");
        return;
    }
    // Small stacks: at the mapping limit their size does not matter.
    let scheduler = virtual_scheduler().with_stack_size(16 * 1024);
    let outcome = scheduler.run_until_complete(|| {
        let mut sleepers = Vec::new();
        loop {
            match spawn("sleeper", || sleep(SECOND)) {
                Ok(sleeper) => sleepers.push(sleeper),
                Err(error) => return Ok::<_, SchedError>((sleepers.len(), error)),
            }
        }
    });
    let (alive, error) = outcome.expect("main returns the refusal");
    println!("spawned {alive}");
    println!("{error}");
}

/// What the child that uses up the mappings printed: the refusal.
fn mapping_limit_message() -> String {
    let output = run_child("child_spawns_until_the_mappings_run_out");
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .find(|line| line.starts_with("no "))
        .unwrap_or_else(|| panic!("no refusal printed:\n{stdout}"))
        .to_string()
}

#[test]
fn running_out_of_memory_mappings_says_how_many_there_are_and_what_helps() {
    let limit: usize = std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(0);
    if limit == 0 || limit > 200_000 {
        // A machine with a raised limit would need hundreds of thousands of
        // tasks to reach it; the message is checked by unit tests of
        // `refusal_advice` there.
        eprintln!("vm.max_map_count is {limit}: not reached in a test");
        return;
    }
    let message = mapping_limit_message();
    assert!(
        message.starts_with("no 16384-byte stack for a new task: the process has "),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "memory mappings, and Linux allows {limit} (vm.max_map_count); every task's stack \
             takes two (the stack and its guard page), whatever its size, so with "
        )),
        "{message}"
    );
    assert!(
        message.contains(
            " tasks alive no more fit. Keep fewer tasks alive at once (finished ones give \
             their stacks back), or raise the limit: sudo sysctl -w vm.max_map_count=262144. \
             (the OS said: "
        ),
        "{message}"
    );
}

// ---- chapter 9: polling futures, and wakers ----

fn poll_after_ready() -> PollError {
    let mut sleep = Checked::new(Sleep(1));
    let mut cx = Context::from_waker(Waker::noop());
    assert_eq!(sleep.try_poll(&mut cx), Ok(Poll::Pending));
    assert_eq!(sleep.try_poll(&mut cx), Ok(Poll::Ready(())));
    sleep.try_poll(&mut cx).unwrap_err()
}

#[test]
fn polling_a_future_after_ready_says_after_ready() {
    let error = poll_after_ready();
    assert_eq!(error, PollError::AfterReady { ready_at: 2 });
    assert_eq!(
        error.to_string(),
        "polled a future again after it returned Ready (at poll 2): its output was handed out \
         then, and nothing is left to run; stop polling a future once it is ready (a compiled \
         async fn would panic here)"
    );
}

fn poll_after_panic() -> PollError {
    let mut polls = 0;
    let mut future = Checked::new(poll_fn(move |_| {
        polls += 1;
        if polls == 2 {
            panic!("boom");
        }
        Poll::<()>::Pending
    }));
    let mut cx = Context::from_waker(Waker::noop());
    assert_eq!(future.try_poll(&mut cx), Ok(Poll::Pending));
    assert_eq!(panic_of(|| future.try_poll(&mut cx)), "boom");
    future.try_poll(&mut cx).unwrap_err()
}

#[test]
fn polling_a_future_after_its_poll_panicked_says_after_panic() {
    let error = poll_after_panic();
    assert_eq!(error, PollError::AfterPanic { panicked_at: 2 });
    assert_eq!(
        error.to_string(),
        "polled a future again after its poll 2 panicked: it stopped half-way, in no state to \
         go on; drop it (a compiled async fn would panic here too)"
    );
}

#[test]
fn block_on_of_a_future_that_keeps_no_waker_says_it_would_park_forever() {
    assert_eq!(
        panic_of(|| block_on(pending::<()>())),
        "block_on: the future returned Pending without waking its waker or keeping a clone of \
         it, so nothing can ever wake it and this thread would park forever; before it returns \
         Pending, a future must store cx.waker().clone() where the event it waits for will \
         find it (or wake it at once)"
    );
}

/// Chapter 12: a script whose task `A` no task spawns.
fn run_a_script_with_an_orphan() -> ScriptError {
    course_order(&Script::new(&[("main", &[]), ("A", &[])])).unwrap_err()
}

#[test]
fn a_script_that_breaks_a_rule_says_which_rule() {
    let error = run_a_script_with_an_orphan();
    assert_eq!(
        error,
        ScriptError::Invalid("A is never spawned".to_string())
    );
    assert_eq!(
        error.to_string(),
        "the script cannot run: A is never spawned"
    );
}

// ---- the catalogue itself ----

/// The names of the `#[test]` functions in `source`.
fn test_functions(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut after_test_attribute = false;
    for line in source.lines().map(str::trim) {
        if line == "#[test]" {
            after_test_attribute = true;
        } else if after_test_attribute && line.starts_with("fn ") {
            let name = line["fn ".len()..].split('(').next().unwrap_or_default();
            names.push(name.to_string());
            after_test_attribute = false;
        } else if after_test_attribute && !line.starts_with("#[") {
            after_test_attribute = false;
        }
    }
    names
}

#[test]
fn every_test_in_this_file_is_a_row_of_the_catalogue() {
    let here = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file!()))
        .expect("tests/misuse.rs is readable");
    let rows: BTreeSet<&str> = ROWS.iter().map(|row| row.test).collect();
    assert_eq!(rows.len(), ROWS.len(), "a test listed twice in ROWS");
    let tests: BTreeSet<String> = test_functions(&here)
        .into_iter()
        .filter(|name| !NOT_ROWS.contains(&name.as_str()))
        .collect();
    let rows: BTreeSet<String> = rows.into_iter().map(String::from).collect();
    assert_eq!(rows, tests, "ROWS and the tests of this file differ");
}

/// One row of the README's table.
#[derive(Debug)]
struct TableRow {
    misuse: String,
    what_you_see: String,
    test: String,
}

/// The rows of the first table after the heading "## When things go wrong".
fn catalogue_table(markdown: &str) -> Vec<TableRow> {
    let mut lines = markdown
        .lines()
        .skip_while(|line| line.trim() != "## When things go wrong")
        .skip(1)
        .skip_while(|line| !line.trim_start().starts_with('|'));
    let header = lines
        .next()
        .expect("a table under \"## When things go wrong\"");
    assert_eq!(
        cells(header),
        ["misuse", "what you see", "test"],
        "the table's header"
    );
    let separator = lines.next().expect("the table's separator line");
    assert!(
        cells(separator)
            .iter()
            .all(|cell| !cell.is_empty() && cell.chars().all(|c| c == '-' || c == ':')),
        "{separator}"
    );
    lines
        .take_while(|line| line.trim_start().starts_with('|'))
        .map(|line| {
            let [misuse, what_you_see, test]: [String; 3] = cells(line)
                .try_into()
                .unwrap_or_else(|cells| panic!("three cells in {line:?}, got {cells:?}"));
            TableRow {
                misuse,
                what_you_see: unquote(&what_you_see),
                test: unquote(&test),
            }
        })
        .collect()
}

/// The cells of a table line, trimmed; `\|` is a `|` inside a cell.
fn cells(line: &str) -> Vec<String> {
    let line = line.trim().trim_start_matches('|');
    let line = line.strip_suffix('|').unwrap_or(line);
    let mut cells = vec![String::new()];
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cells.last_mut().unwrap().push('|');
                chars.next();
            }
            '|' => cells.push(String::new()),
            c => cells.last_mut().unwrap().push(c),
        }
    }
    cells.iter().map(|cell| cell.trim().to_string()).collect()
}

/// A cell without the backticks around it.
fn unquote(cell: &str) -> String {
    cell.strip_prefix('`')
        .and_then(|inner| inner.strip_suffix('`'))
        .unwrap_or(cell)
        .to_string()
}

#[test]
fn the_readme_table_matches_what_each_misuse_really_produces() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let table_file = std::env::var_os("YIELDPOINT_MISUSE_TABLE")
        .map_or_else(|| root.join("README.md"), Into::into);
    let markdown = std::fs::read_to_string(&table_file).expect("the README is readable");
    let table = catalogue_table(&markdown);

    // Every test function of every test file, with the file's text.
    let mut files = Vec::new();
    for entry in std::fs::read_dir(root.join("tests")).expect("tests/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|ext| ext == "rs") {
            let source = std::fs::read_to_string(&path).expect("a test file is readable");
            files.push((path, test_functions(&source), source));
        }
    }

    let mut seen = BTreeSet::new();
    for row in &table {
        let test = row.test.as_str();
        assert!(seen.insert(test), "{test} is in the table twice");
        assert!(!row.misuse.is_empty(), "{test}: the misuse is empty");
        let what = row.what_you_see.as_str();
        // "text …" is the start of a longer message.
        let (start, whole) = match what.strip_suffix('…') {
            Some(start) => (start.trim_end(), false),
            None => (what, true),
        };
        assert!(
            whole || start.len() >= 40,
            "{test}: a message's start must say enough: {what:?}"
        );
        if let Some(listed) = ROWS.iter().find(|listed| listed.test == test) {
            // (c) what the misuse really produces, from a fresh run.
            let produced = (listed.provoke)();
            if whole {
                assert_eq!(what, produced, "{test}: the table's text differs");
            } else {
                assert!(
                    produced.starts_with(start),
                    "{test}: the table's text is not the start of the message\n table: \
                     {start}\n really: {produced}"
                );
            }
        } else {
            // (a) a row tested elsewhere: its test exists, and asserts the
            // table's text.
            let Some((path, _, source)) = files
                .iter()
                .find(|(_, tests, _)| tests.iter().any(|name| name == test))
            else {
                panic!("{test}: no test function of that name in tests/*.rs");
            };
            assert!(
                source.contains(start),
                "{test}: {} does not assert the table's text {start:?}",
                path.display()
            );
        }
    }
    // (b) every row of this file is in the table.
    for row in ROWS {
        assert!(
            seen.contains(row.test),
            "{} is missing from the table in {}",
            row.test,
            table_file.display()
        );
    }
}

/// A stackful `sleep` called from inside an async task (chapter 9).
/// Chapter 7's stackful `gather`, called by mistake from an async task:
/// what it says, and whether the task it was given was left alone.
fn gather_in_async_task() -> SchedError {
    let scheduler = virtual_scheduler();
    let outcome = scheduler.run_until_complete_async(async {
        let task = spawn("child", || Ok::<u32, SchedError>(1))?;
        let refused = yieldpoint::ch07_combinators::gather(std::slice::from_ref(&task));
        let value = task.await?;
        Ok::<_, SchedError>((refused, value))
    });
    match outcome {
        Ok((Err(refused), 1)) => refused,
        other => panic!("expected a refusal, and the child left alone; got {other:?}"),
    }
}

#[test]
fn a_stackful_combinator_in_an_async_task_names_the_async_twins() {
    let error = gather_in_async_task();
    assert_eq!(
        error,
        SchedError::InAsyncTask {
            operation: "gather"
        }
    );
    assert_eq!(
        error.to_string(),
        "gather() was called from an async task, which has no stack of its own to suspend; \
         await chapter 9's twins of chapter 7's combinators instead (gather_async, \
         wait_for_async, as_completed_async), or each JoinHandle in turn (nothing was waited \
         for or cancelled)"
    );
}

/// Chapter 9's `block_on`, called by mistake inside a task of a running
/// scheduler, on a future that waits for that scheduler (a sleep): the
/// task's failure, in words.
fn block_on_in_a_task() -> String {
    let scheduler = virtual_scheduler();
    let outcome = scheduler.run_until_complete(|| {
        yieldpoint::ch09_async_fn::block_on(yieldpoint::ch09_async_fn::sleep(SECOND))
    });
    match outcome {
        Err(SchedError::TaskFailed(failure)) if failure.is_panic() => failure.message(),
        other => panic!("expected main to fail with block_on's panic, got {other:?}"),
    }
}

#[test]
fn block_on_inside_a_running_scheduler_refuses_at_once() {
    assert_eq!(
        block_on_in_a_task(),
        "block_on() was called on a thread where a Scheduler is running (in one of its tasks \
         or callbacks): parking this thread would stop that scheduler, every other task, and \
         the timers, sockets and tasks the future may wait for, for ever; await the future in \
         an async task (spawn_async) instead, or call block_on outside run_until_complete"
    );
}

fn stackful_sleep_in_async_task() -> SchedError {
    let scheduler = virtual_scheduler();
    let outcome = scheduler.run_until_complete(|| {
        let task = spawn_async("async", async { sleep(SECOND) })?;
        task.join()?;
        Ok::<(), SchedError>(())
    });
    match outcome {
        Err(SchedError::TaskFailed(failure)) => failure
            .downcast_ref::<SchedError>()
            .expect("the task failed with the scheduler's error")
            .clone(),
        other => panic!("expected the async task to fail, got {other:?}"),
    }
}

#[test]
fn a_stackful_operation_in_an_async_task_says_in_async_task() {
    let error = stackful_sleep_in_async_task();
    assert_eq!(error, SchedError::InAsyncTask { operation: "sleep" });
    assert_eq!(
        error.to_string(),
        "sleep() was called from an async task, which has no stack of its own to suspend; \
         await chapter 9's futures instead (ch09_async_fn::sleep, ch09_async_fn::yield_now, \
         or a JoinHandle itself)"
    );
}

/// An async task whose future returns `Pending` and keeps no waker.
fn lost_waker_deadlock() -> SchedError {
    let scheduler = virtual_scheduler();
    let outcome = scheduler.run_until_complete(|| {
        let lost = spawn_async("lost", async {
            poll_fn(|_| Poll::<()>::Pending).await;
            Ok::<(), SchedError>(())
        })?;
        lost.join()
    });
    outcome.expect_err("nothing can wake the task")
}

#[test]
fn an_async_task_that_loses_its_waker_is_named_in_the_deadlock() {
    assert_eq!(
        lost_waker_deadlock().to_string(),
        "deadlock: nothing is ready and no timer is pending, so no task can go on: main (T0) \
         waits for lost (T1); task 'lost' (T1) returned Pending and dropped every waker it was \
         given, so nothing can wake it"
    );
}

// ---- chapter 10: sockets ----

/// The error `main` returned, out of the failure `run_until_complete` hands
/// back for it.
fn mains_error<T: std::fmt::Debug>(outcome: Result<T, SchedError>) -> SchedError {
    match outcome {
        Err(SchedError::TaskFailed(failure)) => failure
            .downcast_ref::<SchedError>()
            .cloned()
            .unwrap_or(SchedError::TaskFailed(failure)),
        other => panic!("expected main to fail, got {other:?}"),
    }
}

/// A server on a thread of its own that does `serve` with its one
/// connection (blocking std sockets): for servers that misbehave.
fn misbehaving_server(
    serve: impl FnOnce(std::net::TcpStream) + Send + 'static,
) -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback listener");
    let address = listener.local_addr().expect("its address");
    std::thread::spawn(move || {
        if let Ok((stream, _)) = listener.accept() {
            serve(stream);
        }
    });
    address
}

/// Reads a blocking std socket until the end of the stream: the whole
/// request, once the client has shut its side down.
fn read_to_eof(stream: &mut std::net::TcpStream) {
    use std::io::Read;
    let mut request = Vec::new();
    let _ = stream.read_to_end(&mut request);
}

fn real_scheduler() -> Scheduler {
    Scheduler::new(Clock::Real)
}

fn connect_where_nothing_listens() -> SchedError {
    use rustix::net::{AddressFamily, SocketType, bind, getsockname, socket};
    // A port bound and not listening: nothing listens there, and no other
    // test can take it while this socket is open.
    let port = socket(AddressFamily::INET, SocketType::STREAM, None).expect("a socket");
    let any: std::net::SocketAddr = "127.0.0.1:0".parse().expect("an address");
    bind(&port, &any).expect("a loopback port");
    let address: std::net::SocketAddr = getsockname(&port)
        .expect("its address")
        .try_into()
        .expect("an IPv4 address");
    mains_error(real_scheduler().run_until_complete(move || TcpStream::connect(address).map(drop)))
}

#[test]
fn connecting_where_nothing_listens_says_refused() {
    let error = connect_where_nothing_listens();
    assert_eq!(error.io_kind(), Some(std::io::ErrorKind::ConnectionRefused));
    assert_eq!(
        error.to_string(),
        "connect() failed: Connection refused (os error 111); nothing listens at that address: \
         start the server first, or check the port"
    );
}

fn fetch_from_a_resetting_server() -> SchedError {
    let address = misbehaving_server(|mut stream| {
        read_to_eof(&mut stream);
        // SO_LINGER 0: the close sends a reset instead of the orderly end.
        rustix::net::sockopt::set_socket_linger(&stream, Some(Duration::ZERO)).expect("SO_LINGER");
    });
    mains_error(real_scheduler().run_until_complete(move || fetch(address, "/10/users")))
}

#[test]
fn a_connection_reset_by_the_peer_says_it_closed_abruptly() {
    let error = fetch_from_a_resetting_server();
    assert_eq!(error.io_kind(), Some(std::io::ErrorKind::ConnectionReset));
    assert_eq!(
        error.to_string(),
        "read() failed: Connection reset by peer (os error 104); the peer closed the connection \
         abruptly"
    );
}

fn fetch_an_answer_cut_off() -> SchedError {
    let address = misbehaving_server(|mut stream| {
        use std::io::Write;
        read_to_eof(&mut stream);
        stream.write_all(b"200 us").expect("half an answer");
    });
    mains_error(real_scheduler().run_until_complete(move || fetch(address, "/10/users")))
}

#[test]
fn an_answer_cut_off_in_the_middle_says_what_came() {
    let error = fetch_an_answer_cut_off();
    assert_eq!(error.io_kind(), Some(std::io::ErrorKind::UnexpectedEof));
    assert_eq!(
        error.to_string(),
        "read() failed: the connection closed in the middle of the answer, after \"200 us\": an \
         answer is one whole line"
    );
}

/// A connected pair, made in a run that has ended.
fn a_pair_after_the_run(scheduler: &Scheduler) -> (TcpStream, TcpStream) {
    scheduler
        .run_until_complete(|| {
            let listener = TcpListener::bind("127.0.0.1:0")?;
            let client = TcpStream::connect(listener.local_addr()?)?;
            let (server, _) = listener.accept()?;
            Ok::<_, SchedError>((client, server))
        })
        .expect("a connected pair")
}

fn read_outside_a_task() -> SchedError {
    let scheduler = real_scheduler();
    let (_client, server) = a_pair_after_the_run(&scheduler);
    server.read(&mut [0u8; 8]).expect_err("outside a task")
}

#[test]
fn reading_a_socket_outside_a_task_says_not_in_task() {
    let error = read_outside_a_task();
    assert_eq!(error, SchedError::NotInTask { operation: "read" });
    assert_eq!(
        error.to_string(),
        "read() was called outside a task: only code running inside a task of a running \
         Scheduler can use it; start it with Scheduler::run_until_complete or spawn"
    );
}

fn stackful_read_in_async_task() -> SchedError {
    mains_error(real_scheduler().run_until_complete_async(async {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let client = TcpStream::connect_async(listener.local_addr()?).await?;
        let (server, _) = listener.accept_async().await?;
        client.write_all_async(b"x").await?;
        server.read(&mut [0u8; 8]) // the stackful read, not read_async
    }))
}

#[test]
fn a_stackful_read_in_an_async_task_names_its_async_twin() {
    let error = stackful_read_in_async_task();
    assert_eq!(error, SchedError::InAsyncTask { operation: "read" });
    assert_eq!(
        error.to_string(),
        "read() was called from an async task, which has no stack of its own to suspend; await \
         the socket's async twin instead (accept_async, connect_async, read_async, \
         write_all_async)"
    );
}

fn two_readers() -> SchedError {
    let scheduler = real_scheduler();
    let outcome = scheduler.run_until_complete(|| {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let client = TcpStream::connect(listener.local_addr()?)?;
        let (server, _) = listener.accept()?;
        let server = Rc::new(server);
        let first = spawn("first", {
            let server = Rc::clone(&server);
            move || server.read(&mut [0u8; 8])
        })?;
        let second = spawn("second", move || server.read(&mut [0u8; 8]))?;
        let busy = second.join();
        client.write_all(b"for the first")?;
        first.join()?;
        Ok::<_, SchedError>(busy)
    });
    mains_error(outcome.expect("main finishes"))
}

#[test]
fn two_tasks_reading_one_socket_says_the_second_is_busy() {
    let error = two_readers();
    assert_eq!(error.io_kind(), Some(std::io::ErrorKind::ResourceBusy));
    assert_eq!(
        error.to_string(),
        "read() failed: another task is already waiting to read from this socket; a socket has \
         one reader at a time: let one task read and hand what it reads to the others"
    );
}

fn read_a_socket_of_another_scheduler() -> SchedError {
    let first = real_scheduler();
    let (client, server) = a_pair_after_the_run(&first);
    mains_error(real_scheduler().run_until_complete(move || {
        let read = server.read(&mut [0u8; 8]);
        drop(client);
        read
    }))
}

#[test]
fn reading_a_socket_of_another_scheduler_says_so() {
    assert_eq!(
        read_a_socket_of_another_scheduler().to_string(),
        "read() failed: the socket belongs to another scheduler (or to one that has ended): a \
         socket can only be used by the tasks of the scheduler it was opened in"
    );
}

fn wait_for_a_silent_server() -> SchedError {
    let scheduler = real_scheduler();
    let outcome = scheduler.run_until_complete(|| {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?;
        // Accepts, then says nothing, for an hour.
        let silent = spawn("silent", move || {
            let (_stream, _) = listener.accept()?;
            sleep(Duration::from_secs(3600))
        })?;
        let client = spawn("client", move || fetch(address, "/10/users"))?;
        let outcome = wait_for(&client, Duration::from_millis(20));
        silent.cancel();
        let _ = silent.join();
        Ok::<_, SchedError>(outcome)
    });
    outcome
        .expect("main finishes")
        .expect_err("no answer comes")
}

#[test]
fn a_server_that_never_answers_is_given_up_on_by_wait_for() {
    let error = wait_for_a_silent_server();
    assert_eq!(error, SchedError::TimedOut);
    assert_eq!(
        error.to_string(),
        "the wait ran out of time before the work finished"
    );
}

#[test]
#[ignore = "lowers its own limit on open files; started in a child process by the test below"]
fn child_connects_until_the_descriptors_run_out() {
    if std::env::var_os("YIELDPOINT_MISUSE_CHILD").is_none() {
        eprintln!("this test only runs when a test in tests/misuse.rs starts it");
        return;
    }
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = Rlimit {
        current: Some(32),
        maximum: getrlimit(Resource::Nofile).maximum,
    };
    setrlimit(Resource::Nofile, limit).expect("a lower limit on open files");
    let outcome = real_scheduler().run_until_complete(|| {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?;
        let mut open = Vec::new();
        loop {
            match TcpStream::connect(address) {
                Ok(stream) => open.push(stream),
                Err(error) => return Ok::<_, SchedError>(error),
            }
        }
    });
    println!("{}", outcome.expect("main returns the refusal"));
}

/// What the child that runs out of file descriptors printed: the refusal.
fn descriptor_limit_message() -> String {
    let output = run_child("child_connects_until_the_descriptors_run_out");
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .find_map(|line| line.find("connect() failed").map(|at| &line[at..]))
        .unwrap_or_else(|| panic!("no refusal printed:\n{stdout}"))
        .to_string()
}

#[test]
fn running_out_of_file_descriptors_says_so_and_names_ulimit() {
    assert_eq!(
        descriptor_limit_message(),
        "connect() failed: Too many open files (os error 24); the process has run out of file \
         descriptors (ulimit -n is 32): every socket is one, so close sockets you no longer need, \
         keep fewer open at once, or raise the limit with ulimit -n"
    );
}

fn socket_on_the_virtual_clock() -> SchedError {
    mains_error(
        virtual_scheduler().run_until_complete(|| TcpListener::bind("127.0.0.1:0").map(drop)),
    )
}

#[test]
fn a_socket_on_the_virtual_clock_says_it_needs_the_real_clock() {
    let error = socket_on_the_virtual_clock();
    assert_eq!(
        error,
        SchedError::SocketsNeedRealClock { operation: "bind" }
    );
    assert_eq!(
        error.to_string(),
        "bind() needs a scheduler on the real clock: on the virtual clock, time jumps to the \
         next timer whenever nothing is ready, and a reply still on its way through the network \
         is not ready yet, so every timeout would fire at once; use Scheduler::new(Clock::Real) \
         for programs with sockets"
    );
}

// ---- chapter 11: blocking, and threads ----

/// What a slow step's report says, as the scheduler prints it on stderr.
fn slow_step_report() -> String {
    let scheduler = Scheduler::new(Clock::Real).with_slow_steps(Duration::from_millis(100));
    scheduler
        .run_until_complete(|| {
            spawn("blocker", || {
                std::thread::sleep(Duration::from_millis(150));
                Ok::<(), SchedError>(())
            })?
            .join()
        })
        .expect("the program runs");
    let steps = scheduler.slow_steps();
    format!("[scheduler] {}", steps[0])
}

#[test]
fn a_blocking_step_is_reported_when_it_ends_as_asyncios_debug_mode_reports_it() {
    let report = slow_step_report();
    assert!(
        report.starts_with("[scheduler] Executing <Task name='blocker' (T1)> took 0.")
            && report.ends_with(" seconds"),
        "{report}"
    );
}

#[test]
#[ignore = "blocks the thread on purpose; started in a child process by the test below"]
fn child_blocks_with_the_watchdog_on() {
    if std::env::var_os("YIELDPOINT_MISUSE_CHILD").is_none() {
        eprintln!("this test only runs when a test in tests/misuse.rs starts it");
        return;
    }
    let scheduler = Scheduler::new(Clock::Real).with_slow_steps(Duration::from_millis(100));
    let _ = scheduler.run_until_complete(|| {
        spawn("stuck", || {
            std::thread::sleep(Duration::from_millis(600));
            Ok::<(), SchedError>(())
        })?
        .join()
    });
}

/// The watchdog's line, from the stderr of a child whose task blocks.
fn watchdog_report() -> String {
    let output = run_child("child_blocks_with_the_watchdog_on");
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr
        .lines()
        .find(|line| line.starts_with("[watchdog]"))
        .unwrap_or_else(|| panic!("no report from the watchdog:\n{stderr}"))
        .to_string()
}

#[test]
fn a_step_still_blocking_is_named_by_the_watchdog_while_it_runs() {
    let report = watchdog_report();
    assert!(
        report.starts_with("[watchdog] task 'stuck' (T1) has been running for 0.")
            && report.ends_with(
                " seconds without yielding: a blocking call, or a long computation, holds the \
                 thread, and every other task waits"
            ),
        "{report}"
    );
}

fn offload_outside_a_task() -> SchedError {
    to_thread(|| ()).unwrap_err()
}

#[test]
fn offloading_outside_a_task_says_not_in_task() {
    let error = offload_outside_a_task();
    assert_eq!(
        error,
        SchedError::NotInTask {
            operation: "to_thread"
        }
    );
    assert_eq!(
        error.to_string(),
        "to_thread() was called outside a task: only code running inside a task of a running \
         Scheduler can use it; start it with Scheduler::run_until_complete or spawn"
    );
}

/// The stackful `to_thread`, called by mistake from an async task.
fn offload_from_an_async_task() -> SchedError {
    mains_error(real_scheduler().run_until_complete_async(async { to_thread(|| ()) }))
}

#[test]
fn the_stackful_to_thread_in_an_async_task_names_to_thread_async() {
    let error = offload_from_an_async_task();
    assert_eq!(
        error,
        SchedError::InAsyncTask {
            operation: "to_thread"
        }
    );
    assert_eq!(
        error.to_string(),
        "to_thread() was called from an async task, which has no stack of its own to suspend; \
         await to_thread_async(work) instead (the work was not handed over)"
    );
}

fn panicking_job() -> SchedError {
    let scheduler = Scheduler::new(Clock::Real);
    scheduler
        .run_until_complete(|| Ok::<_, SchedError>(to_thread(|| -> u8 { panic!("boom") })))
        .expect("main runs")
        .unwrap_err()
}

#[test]
fn a_job_that_panics_hands_its_panic_to_its_task() {
    let error = panicking_job();
    assert_eq!(
        error,
        SchedError::JobPanicked {
            message: "boom".to_string()
        }
    );
    assert_eq!(
        error.to_string(),
        "the job handed to to_thread panicked on its thread: boom"
    );
}

/// A task waiting for a job that only ends once the task is cancelled;
/// what joining the task says, and whether the job then ran to its end.
fn cancel_a_task_waiting_for_a_job() -> (SchedError, bool) {
    let (began, has_begun) = std::sync::mpsc::channel::<()>();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let (ended, job_ended) = std::sync::mpsc::channel::<()>();
    let scheduler = Scheduler::new(Clock::Real);
    let error = scheduler
        .run_until_complete(move || {
            let waiter = spawn("waiter", move || {
                to_thread(move || {
                    let _ = began.send(());
                    let _ = released.recv();
                    let _ = ended.send(());
                })
            })?;
            ch06_yield()?;
            // A job still queued would be skipped: this one has begun.
            has_begun.recv_timeout(60 * SECOND).expect("the job begins");
            waiter.cancel();
            let outcome = waiter.join();
            let _ = release.send(());
            Ok::<_, SchedError>(outcome.unwrap_err())
        })
        .expect("main runs");
    let ran_on = job_ended.recv_timeout(60 * SECOND).is_ok();
    (error, ran_on)
}

/// A turn at the back of the ready queue: the task spawned just before
/// takes its first step.
fn ch06_yield() -> Result<(), SchedError> {
    yieldpoint::ch06_scheduler::yield_now()
}

#[test]
fn cancelling_a_task_that_waits_for_a_job_leaves_the_job_running() {
    let (error, ran_on) = cancel_a_task_waiting_for_a_job();
    assert_eq!(
        error.to_string(),
        "the task \"waiter\" you waited for was cancelled"
    );
    assert!(
        ran_on,
        "the job ran to its end after its task was cancelled"
    );
}

#[test]
#[ignore = "fills the process's pool; started in a child process by the test below"]
fn child_cancels_the_waiter_of_a_queued_job() {
    if std::env::var_os("YIELDPOINT_MISUSE_CHILD").is_none() {
        eprintln!("this test only runs when a test in tests/misuse.rs starts it");
        return;
    }
    let scheduler = Scheduler::new(Clock::Real);
    let (told, ran) = scheduler
        .run_until_complete(ch11_example::cancel_a_queued_job)
        .expect("the pool fills up, and the waiter is cancelled");
    println!("told: {}", ch11_example::said(&told));
    println!("ran: {ran}");
}

/// A task cancelled while its job waits in a full pool's queue, in a child
/// process whose pool no other test shares: what joining the task said,
/// and whether the job ever ran.
fn cancel_a_task_whose_job_is_queued() -> (String, bool) {
    let output = run_child("child_cancels_the_waiter_of_a_queued_job");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = |label: &str| {
        stdout
            .lines()
            .find_map(|line| line.find(label).map(|at| &line[at + label.len()..]))
            .unwrap_or_else(|| panic!("no {label:?} line:\n{stdout}"))
            .to_string()
    };
    (line("told: "), line("ran: ") == "true")
}

#[test]
fn cancelling_a_task_whose_job_is_still_queued_keeps_the_job_from_running() {
    let (told, ran) = cancel_a_task_whose_job_is_queued();
    assert_eq!(told, "the task \"waiter\" you waited for was cancelled");
    assert!(
        !ran,
        "the job was skipped when a thread took it, as asyncio skips it"
    );
}

/// A scheduler dropped while its task waits for a job: what the task's
/// `to_thread` returned, and whether the job still ran to its end.
fn drop_a_scheduler_with_a_job_in_flight() -> (SchedError, bool) {
    let (began, has_begun) = std::sync::mpsc::channel::<()>();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let (ended, job_ended) = std::sync::mpsc::channel::<()>();
    let (told, task_told) = std::sync::mpsc::channel::<SchedError>();
    let scheduler = Scheduler::new(Clock::Real);
    scheduler
        .run_until_complete(move || {
            spawn("waiter", move || {
                let outcome = to_thread(move || {
                    let _ = began.send(());
                    let _ = released.recv();
                    let _ = ended.send(());
                });
                if let Err(error) = &outcome {
                    let _ = told.send(error.clone());
                }
                outcome
            })?;
            ch06_yield()?;
            has_begun.recv_timeout(60 * SECOND).expect("the job begins");
            Ok::<(), SchedError>(())
        })
        .expect("main runs");
    drop(scheduler);
    let _ = release.send(());
    let error = task_told.recv().expect("the waiter was told");
    (error, job_ended.recv_timeout(60 * SECOND).is_ok())
}

#[test]
fn dropping_a_scheduler_while_a_task_waits_for_a_job_detaches_the_job() {
    let (error, ran_on) = drop_a_scheduler_with_a_job_in_flight();
    assert_eq!(error, SchedError::Cancelled);
    assert!(
        ran_on,
        "the job ran to its end after the scheduler was dropped"
    );
}

/// `wait_for` on a task whose job would never return (here: not before
/// the wait is over, so that the test's thread comes back).
fn give_up_on_a_job() -> SchedError {
    let (release, released) = std::sync::mpsc::channel::<()>();
    let scheduler = Scheduler::new(Clock::Real);
    let error = scheduler
        .run_until_complete(move || {
            let waiter = spawn("waiter", move || to_thread(move || released.recv().is_ok()))?;
            Ok::<_, SchedError>(wait_for(&waiter, Duration::from_millis(20)).unwrap_err())
        })
        .expect("main runs");
    let _ = release.send(());
    error
}

#[test]
fn a_job_that_never_returns_can_only_be_given_up_on() {
    assert_eq!(give_up_on_a_job(), SchedError::TimedOut);
    assert_eq!(
        give_up_on_a_job().to_string(),
        "the wait ran out of time before the work finished"
    );
}

#[test]
#[ignore = "fills the process's pool; started in a child process by the test below"]
fn child_fills_the_pool() {
    if std::env::var_os("YIELDPOINT_MISUSE_CHILD").is_none() {
        eprintln!("this test only runs when a test in tests/misuse.rs starts it");
        return;
    }
    let scheduler = Scheduler::new(Clock::Real);
    let (full, _) = scheduler
        .run_until_complete(ch11_example::fill_the_pool)
        .expect("the pool fills up");
    println!("{full}");
}

/// What `pool_stats()` says of a full pool, in a child process whose pool
/// no other test shares.
fn full_pool_report() -> String {
    let output = run_child("child_fills_the_pool");
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .find_map(|line| line.find("1 job queued").map(|at| line[at..].to_string()))
        .unwrap_or_else(|| panic!("no stats printed:\n{stdout}"))
}

#[test]
fn a_full_pool_queues_the_next_job_and_says_so() {
    let max = max_threads();
    assert_eq!(
        full_pool_report(),
        format!("1 job queued, waiting for one of the pool's {max} threads ({max} busy)")
    );
}
