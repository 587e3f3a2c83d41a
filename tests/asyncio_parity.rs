//! Chapter 6's scheduler and chapter 7's combinators and cancellation
//! against CPython's asyncio, scenario by scenario.
//!
//! `tests/asyncio/` holds each scenario twice: `NN_name.py`, a small asyncio
//! program, and `NN_name.rs`, the same program on this crate's scheduler.
//! Both print lines of the form `<time> <who>: <what>`, where the time is in
//! whole units since `main` started: the virtual clock on our side (one unit
//! is 100 ms), and on CPython's side the time of asyncio's own event loop run
//! on a virtual clock (see `parity.py`: asyncio's `SelectorEventLoop`,
//! unchanged but for `time()` and a selector that moves the clock instead of
//! sleeping). `NN_name.expected` holds the lines both must print.
//!
//! ```text
//!   NN_name.rs ──Scheduler, Clock::Virtual────────▶ lines ──must equal──┐
//!                                                                       ├── NN_name.expected
//!   NN_name.py ──python3, asyncio, virtual clock──▶ lines ──must equal──┘   (CPython wrote it)
//! ```
//!
//! The Rust side always runs, so the suite never passes without checking
//! something. The Python side needs `python3` 3.11 or newer; without it the
//! suite says `skipped: python3 3.11+ not found (...)` on stderr and checks
//! the Rust side only. The Python programs run one process each, all at
//! once: on the virtual clock their timing cannot go wrong, however busy the
//! machine, and the suite takes a few seconds, nearly all of it Python's
//! start-up.
//!
//! A scenario where this crate differs from CPython on purpose has a fourth
//! file, `NN_name.diverges`: why (lines starting with `#`), then the lines
//! this crate prints instead. The suite checks both sides against their own
//! lines, and that they do differ.
//!
//! - `PARITY_REQUIRE_PYTHON=1` turns that skip into a failure (for CI).
//! - `PARITY_BLESS=1` rewrites every `.expected` file from CPython's run; use
//!   it when you add a scenario, then read the file before you commit it.
//! - `PARITY_REAL_TIME=1` runs the Python side on the wall clock instead, as
//!   plain `asyncio.run` does (one scenario at a time, 100 ms units, about
//!   ten seconds): the same lines come out, which shows the virtual clock
//!   changes nothing but the waiting.
//!
//! Run one scenario by hand with `python3 tests/asyncio/05_equal_deadlines.py`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

#[path = "asyncio/interpreter.rs"]
mod interpreter;

use interpreter::{flag, python_or_skip};

/// What every Rust scenario shares, as `parity.py` does for the Python ones.
mod parity {
    use std::cell::RefCell;
    use std::fmt::Display;
    use std::time::Duration;

    use yieldpoint::ch06_scheduler::{Clock, JoinHandle, SchedError, Scheduler, now};

    /// One unit of time, as `UNIT = 0.1` in `parity.py`.
    pub const UNIT: Duration = Duration::from_millis(100);

    thread_local! {
        /// The lines said so far by the scenario running on this thread.
        static LINES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    /// Records `<time> <who>: <what>`, with the scheduler's time in units.
    ///
    /// # Panics
    ///
    /// Outside a task, or when the time is not a whole number of units.
    pub fn say(who: &str, what: impl Display) {
        let now = now().expect("say() is called from inside a task");
        let units = now.as_nanos() / UNIT.as_nanos();
        assert_eq!(
            now.as_nanos() % UNIT.as_nanos(),
            0,
            "{who}: {what}: the time {now:?} is not a whole number of units; sleep n * UNIT"
        );
        LINES.with(|lines| lines.borrow_mut().push(format!("{units} {who}: {what}")));
    }

    /// Python's spelling of a bool, `True` or `False`, for lines that show
    /// one (`task.cancel()`, `task.done()`, `task.cancelled()`).
    pub fn py_bool(value: bool) -> &'static str {
        if value { "True" } else { "False" }
    }

    /// Whether the task ended cancelled: asyncio's `task.cancelled()`.
    pub fn cancelled<T: 'static>(task: &JoinHandle<T>) -> bool {
        task.cancelled()
    }

    /// Runs `main` on a fresh scheduler with a virtual clock and returns the
    /// lines the scenario said. Like `run` in `parity.py`, it adds an `ERROR:`
    /// line if tasks are still pending when `main` returns.
    ///
    /// # Panics
    ///
    /// If `main` or a task it joins fails.
    pub fn run(main: fn() -> Result<(), SchedError>) -> Vec<String> {
        LINES.with(|lines| lines.borrow_mut().clear());
        let scheduler = Scheduler::new(Clock::Virtual);
        let outcome = scheduler.run_until_complete(main);
        let mut lines = LINES.with(|lines| lines.take());
        if let Err(error) = outcome {
            panic!(
                "the scenario failed: {error}\nits lines so far:\n{}",
                lines.join("\n")
            );
        }
        let left = scheduler.live_tasks();
        if left > 0 {
            lines.push(format!(
                "ERROR: {left} task(s) still pending when main returned"
            ));
        }
        lines
    }

    /// [`run`] with an async `main` (chapter 9): the scheduler's
    /// `run_until_complete_async`, so that `main` is itself an async task,
    /// as asyncio's is.
    ///
    /// # Panics
    ///
    /// If `main` fails.
    pub fn run_async(
        main: impl std::future::Future<Output = Result<(), SchedError>> + 'static,
    ) -> Vec<String> {
        LINES.with(|lines| lines.borrow_mut().clear());
        let scheduler = Scheduler::new(Clock::Virtual);
        let outcome = scheduler.run_until_complete_async(main);
        let mut lines = LINES.with(|lines| lines.take());
        if let Err(error) = outcome {
            panic!(
                "the scenario failed: {error}\nits lines so far:\n{}",
                lines.join("\n")
            );
        }
        let left = scheduler.live_tasks();
        if left > 0 {
            lines.push(format!(
                "ERROR: {left} task(s) still pending when main returned"
            ));
        }
        lines
    }

    /// Runs `main` as `run` in `parity.py` does with `shutdown=True`:
    /// `ch06_scheduler::run`, asyncio.run's shape, which cancels the tasks
    /// left when `main` returns and runs their cleanup to its end.
    ///
    /// # Panics
    ///
    /// If `main` or the shutdown fails.
    pub fn run_shutdown(main: fn() -> Result<(), SchedError>) -> Vec<String> {
        LINES.with(|lines| lines.borrow_mut().clear());
        let outcome = yieldpoint::ch06_scheduler::run(Clock::Virtual, main);
        let lines = LINES.with(|lines| lines.take());
        if let Err(error) = outcome {
            panic!(
                "the scenario failed: {error}\nits lines so far:\n{}",
                lines.join("\n")
            );
        }
        lines
    }
}

#[path = "asyncio/01_spawn_order.rs"]
mod s01_spawn_order;
#[path = "asyncio/02_course_trace.rs"]
mod s02_course_trace;
#[path = "asyncio/03_await_coroutine_inline.rs"]
mod s03_await_coroutine_inline;
#[path = "asyncio/04_await_task_fifo.rs"]
mod s04_await_task_fifo;
#[path = "asyncio/05_equal_deadlines.rs"]
mod s05_equal_deadlines;
#[path = "asyncio/06_sleep0_interleaving.rs"]
mod s06_sleep0_interleaving;
#[path = "asyncio/07_tasks_spawn_tasks.rs"]
mod s07_tasks_spawn_tasks;
#[path = "asyncio/08_await_finished_task.rs"]
mod s08_await_finished_task;
#[path = "asyncio/09_nested_awaits.rs"]
mod s09_nested_awaits;
#[path = "asyncio/10_long_chain.rs"]
mod s10_long_chain;
#[path = "asyncio/11_say_after.rs"]
mod s11_say_after;
#[path = "asyncio/12_sleeper_and_yielders.rs"]
mod s12_sleeper_and_yielders;
#[path = "asyncio/13_timers_out_of_order.rs"]
mod s13_timers_out_of_order;
#[path = "asyncio/14_two_waiters.rs"]
mod s14_two_waiters;
#[path = "asyncio/15_woken_waiter_goes_last.rs"]
mod s15_woken_waiter_goes_last;
#[path = "asyncio/16_gather_argument_order.rs"]
mod s16_gather_argument_order;
#[path = "asyncio/17_gather_first_error.rs"]
mod s17_gather_first_error;
#[path = "asyncio/18_gather_return_exceptions.rs"]
mod s18_gather_return_exceptions;
#[path = "asyncio/19_as_completed_order.rs"]
mod s19_as_completed_order;
#[path = "asyncio/20_wait_for_in_time.rs"]
mod s20_wait_for_in_time;
#[path = "asyncio/21_wait_for_timeout_cleanup.rs"]
mod s21_wait_for_timeout_cleanup;
#[path = "asyncio/22_cancel_at_sleep.rs"]
mod s22_cancel_at_sleep;
#[path = "asyncio/23_cancel_before_start.rs"]
mod s23_cancel_before_start;
#[path = "asyncio/24_cancel_finished_task.rs"]
mod s24_cancel_finished_task;
#[path = "asyncio/25_task_cancels_itself.rs"]
mod s25_task_cancels_itself;
#[path = "asyncio/26_exception_reaches_awaiter.rs"]
mod s26_exception_reaches_awaiter;
#[path = "asyncio/27_wait_for_caller_cancelled.rs"]
mod s27_wait_for_caller_cancelled;
#[path = "asyncio/28_gather_cancelled_child.rs"]
mod s28_gather_cancelled_child;
#[path = "asyncio/29_gather_results_caller_cancelled.rs"]
mod s29_gather_results_caller_cancelled;

#[path = "asyncio/30_cancel_passed_on.rs"]
mod s30_cancel_passed_on;
#[path = "asyncio/31_error_passed_on.rs"]
mod s31_error_passed_on;
#[path = "asyncio/32_cancellation_swallowed.rs"]
mod s32_cancellation_swallowed;
#[path = "asyncio/33_shutdown_runs_cleanup.rs"]
mod s33_shutdown_runs_cleanup;
#[path = "asyncio/34_done_callback_side_effects.rs"]
mod s34_done_callback_side_effects;
#[path = "asyncio/35_joiners_and_callbacks_in_order.rs"]
mod s35_joiners_and_callbacks_in_order;
#[path = "asyncio/36_gather_wakes_a_pass_later.rs"]
mod s36_gather_wakes_a_pass_later;
#[path = "asyncio/37_gather_of_ended_tasks.rs"]
mod s37_gather_of_ended_tasks;
#[path = "asyncio/38_wait_for_ended_task.rs"]
mod s38_wait_for_ended_task;
#[path = "asyncio/39_as_completed_passes.rs"]
mod s39_as_completed_passes;
#[path = "asyncio/40_wait_for_cancel_race.rs"]
mod s40_wait_for_cancel_race;
#[path = "asyncio/41_current_task.rs"]
mod s41_current_task;
#[path = "asyncio/42_call_soon_and_call_later.rs"]
mod s42_call_soon_and_call_later;
#[path = "asyncio/43_gather_wraps_coroutines.rs"]
mod s43_gather_wraps_coroutines;
#[path = "asyncio/44_as_completed_failure_and_index.rs"]
mod s44_as_completed_failure_and_index;
#[path = "asyncio/45_typed_failure.rs"]
mod s45_typed_failure;
#[path = "asyncio/46_cancel_joiner_cancels_target.rs"]
mod s46_cancel_joiner_cancels_target;
#[path = "asyncio/47_gather_caller_cancelled_fails_fast.rs"]
mod s47_gather_caller_cancelled_fails_fast;
#[path = "asyncio/48_task_status.rs"]
mod s48_task_status;
#[path = "asyncio/49_gather_cancelled_twice.rs"]
mod s49_gather_cancelled_twice;

// Chapter 9: scenarios rewritten with `async fn` tasks, against the same
// CPython programs.
#[path = "asyncio/01_spawn_order_async.rs"]
mod s01_spawn_order_async;
#[path = "asyncio/02_course_trace_async.rs"]
mod s02_course_trace_async;
#[path = "asyncio/05_equal_deadlines_async.rs"]
mod s05_equal_deadlines_async;
#[path = "asyncio/09_nested_awaits_async.rs"]
mod s09_nested_awaits_async;
#[path = "asyncio/11_say_after_async.rs"]
mod s11_say_after_async;
#[path = "asyncio/14_two_waiters_async.rs"]
mod s14_two_waiters_async;
#[path = "asyncio/16_gather_argument_order_async.rs"]
mod s16_gather_argument_order_async;
#[path = "asyncio/17_gather_first_error_async.rs"]
mod s17_gather_first_error_async;
#[path = "asyncio/19_as_completed_order_async.rs"]
mod s19_as_completed_order_async;
#[path = "asyncio/21_wait_for_timeout_cleanup_async.rs"]
mod s21_wait_for_timeout_cleanup_async;
#[path = "asyncio/36_gather_wakes_a_pass_later_async.rs"]
mod s36_gather_wakes_a_pass_later_async;

/// Declares the suite once: the table of scenarios (which the Python runner
/// and the completeness check read) and one test per scenario.
macro_rules! suite {
    ($($file:literal => $module:ident, $test:ident;)*) => {
        /// Every scenario: its file name without extension, and its Rust side.
        const SCENARIOS: &[(&str, fn() -> Vec<String>)] = &[$(($file, $module::scenario)),*];

        $(
            #[test]
            fn $test() {
                check($file, $module::scenario);
            }
        )*
    };
}

suite! {
    "01_spawn_order" => s01_spawn_order,
        spawned_tasks_start_in_spawn_order_once_the_spawner_suspends;
    "02_course_trace" => s02_course_trace,
        tasks_spawned_t1_t3_t2_start_in_that_order_and_the_sleeper_ends_last;
    "03_await_coroutine_inline" => s03_await_coroutine_inline,
        awaiting_a_coroutine_runs_it_inline_before_a_task_spawned_earlier;
    "04_await_task_fifo" => s04_await_task_fifo,
        joining_a_task_lets_the_tasks_spawned_before_it_run_first;
    "05_equal_deadlines" => s05_equal_deadlines,
        equal_deadlines_fire_in_the_order_the_timers_were_set;
    "06_sleep0_interleaving" => s06_sleep0_interleaving,
        sleep_zero_makes_tasks_take_turns_until_each_is_done;
    "07_tasks_spawn_tasks" => s07_tasks_spawn_tasks,
        tasks_spawned_by_tasks_queue_behind_everything_already_ready;
    "08_await_finished_task" => s08_await_finished_task,
        joining_a_finished_task_returns_without_suspending;
    "09_nested_awaits" => s09_nested_awaits,
        values_climb_back_through_nested_awaits_one_hop_per_task;
    "10_long_chain" => s10_long_chain,
        a_chain_of_fifty_joins_unwinds_one_task_per_iteration;
    "11_say_after" => s11_say_after,
        say_after_takes_three_units_awaited_in_turn_and_two_as_tasks;
    "12_sleeper_and_yielders" => s12_sleeper_and_yielders,
        time_stands_still_while_tasks_yield_and_a_sleeper_waits;
    "13_timers_out_of_order" => s13_timers_out_of_order,
        timers_set_out_of_order_fire_in_deadline_order;
    "14_two_waiters" => s14_two_waiters,
        joiners_of_one_task_wake_in_the_order_they_began_to_wait;
    "15_woken_waiter_goes_last" => s15_woken_waiter_goes_last,
        a_woken_joiner_goes_to_the_back_of_the_ready_queue;
    "16_gather_argument_order" => s16_gather_argument_order,
        gather_returns_values_in_argument_order_not_completion_order;
    "17_gather_first_error" => s17_gather_first_error,
        gather_hands_the_first_failure_over_at_once_and_the_others_run_on;
    "18_gather_return_exceptions" => s18_gather_return_exceptions,
        gather_results_waits_for_every_task_and_keeps_each_outcome;
    "19_as_completed_order" => s19_as_completed_order,
        as_completed_hands_out_outcomes_in_completion_order;
    "20_wait_for_in_time" => s20_wait_for_in_time,
        wait_for_returns_the_value_of_a_task_that_finishes_in_time;
    "21_wait_for_timeout_cleanup" => s21_wait_for_timeout_cleanup,
        wait_for_times_out_only_after_the_cancelled_task_has_cleaned_up;
    "22_cancel_at_sleep" => s22_cancel_at_sleep,
        cancel_reaches_a_sleeping_task_at_its_sleep_and_its_joiner_sees_cancelled;
    "23_cancel_before_start" => s23_cancel_before_start,
        a_task_cancelled_before_it_starts_never_runs;
    "24_cancel_finished_task" => s24_cancel_finished_task,
        cancelling_a_finished_task_returns_false_and_keeps_its_value;
    "25_task_cancels_itself" => s25_task_cancels_itself,
        a_task_that_cancels_itself_is_cancelled_at_its_next_suspension;
    "26_exception_reaches_awaiter" => s26_exception_reaches_awaiter,
        a_panic_reaches_the_joiner_while_other_tasks_keep_running;
    "27_wait_for_caller_cancelled" => s27_wait_for_caller_cancelled,
        cancelling_the_caller_of_wait_for_cancels_the_task_and_waits_for_its_cleanup;
    "28_gather_cancelled_child" => s28_gather_cancelled_child,
        a_cancelled_task_in_gather_is_kept_by_gather_results_and_raised_by_gather;
    "29_gather_results_caller_cancelled" => s29_gather_results_caller_cancelled,
        cancelling_the_caller_of_gather_results_cancels_every_task_and_waits_for_all_cleanup;
    "30_cancel_passed_on" => s30_cancel_passed_on,
        a_cancellation_passed_on_with_question_mark_ends_the_joiner_cancelled_and_gather_fails_fast;
    "31_error_passed_on" => s31_error_passed_on,
        an_error_passed_on_with_question_mark_fails_the_joiner_with_the_same_failure;
    "32_cancellation_swallowed" => s32_cancellation_swallowed,
        a_task_that_swallows_its_cancellation_ends_done_with_its_value;
    "33_shutdown_runs_cleanup" => s33_shutdown_runs_cleanup,
        run_cancels_the_tasks_left_and_lets_their_cleanup_sleep_to_its_end;
    "34_done_callback_side_effects" => s34_done_callback_side_effects,
        done_callbacks_go_through_the_ready_queue_and_may_spawn;
    "35_joiners_and_callbacks_in_order" => s35_joiners_and_callbacks_in_order,
        joiners_and_done_callbacks_run_in_the_order_they_were_added;
    "36_gather_wakes_a_pass_later" => s36_gather_wakes_a_pass_later,
        gather_wakes_its_caller_a_pass_after_join_would;
    "37_gather_of_ended_tasks" => s37_gather_of_ended_tasks,
        gather_of_ended_tasks_waits_for_their_done_callbacks;
    "38_wait_for_ended_task" => s38_wait_for_ended_task,
        wait_for_of_an_ended_task_waits_a_pass_unless_the_timeout_is_zero;
    "39_as_completed_passes" => s39_as_completed_passes,
        as_completed_hands_out_a_task_two_passes_after_it_ends;
    "40_wait_for_cancel_race" => s40_wait_for_cancel_race,
        wait_for_keeps_a_cancellation_that_cpython_3_11_drops;
    "41_current_task" => s41_current_task,
        current_task_lets_a_task_cancel_itself;
    "42_call_soon_and_call_later" => s42_call_soon_and_call_later,
        call_soon_call_later_and_call_at_run_callbacks_in_asyncio_order;
    "43_gather_wraps_coroutines" => s43_gather_wraps_coroutines,
        spawn_and_gather_spawns_in_argument_order_and_returns_a_tuple;
    "44_as_completed_failure_and_index" => s44_as_completed_failure_and_index,
        as_completed_hands_out_a_failure_with_the_index_of_its_task;
    "45_typed_failure" => s45_typed_failure,
        a_failure_is_matched_by_the_type_of_its_error;
    "46_cancel_joiner_cancels_target" => s46_cancel_joiner_cancels_target,
        cancelling_a_joiner_cancels_the_task_it_joins;
    "47_gather_caller_cancelled_fails_fast" => s47_gather_caller_cancelled_fails_fast,
        cancelling_the_caller_of_gather_fails_it_as_soon_as_one_task_ends_cancelled;
    "48_task_status" => s48_task_status,
        done_cancelled_and_failure_say_how_a_task_ended;
    "49_gather_cancelled_twice" => s49_gather_cancelled_twice,
        a_second_cancel_of_the_caller_of_gather_reaches_the_gathered_tasks_too;
    "01_spawn_order" => s01_spawn_order_async,
        async_tasks_start_in_spawn_order_once_the_spawner_awaits;
    "02_course_trace" => s02_course_trace_async,
        async_tasks_spawned_t1_t3_t2_start_in_that_order_and_the_sleeper_ends_last;
    "05_equal_deadlines" => s05_equal_deadlines_async,
        async_sleeps_with_equal_deadlines_wake_in_the_order_they_were_set;
    "09_nested_awaits" => s09_nested_awaits_async,
        awaited_async_fns_run_inline_and_awaited_tasks_wake_one_hop_at_a_time;
    "11_say_after" => s11_say_after_async,
        async_say_after_takes_three_units_awaited_in_turn_and_two_as_tasks;
    "14_two_waiters" => s14_two_waiters_async,
        async_tasks_awaiting_one_task_wake_in_the_order_they_began_to_wait;
    "16_gather_argument_order" => s16_gather_argument_order_async,
        gather_async_gives_async_tasks_values_in_argument_order;
    "17_gather_first_error" => s17_gather_first_error_async,
        gather_async_fails_at_the_first_error_and_the_other_async_tasks_run_on;
    "19_as_completed_order" => s19_as_completed_order_async,
        as_completed_async_hands_out_async_outcomes_in_the_order_they_finish;
    "21_wait_for_timeout_cleanup" => s21_wait_for_timeout_cleanup_async,
        wait_for_async_times_out_only_after_the_cancelled_tasks_cleanup;
    "36_gather_wakes_a_pass_later" => s36_gather_wakes_a_pass_later_async,
        gather_async_wakes_its_caller_a_pass_later_than_an_await_does;
}

/// The folder of the scenarios.
fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/asyncio")
}

/// Checks one scenario: the Rust side against the expected lines always,
/// and CPython's side too when python3 3.11+ is here.
fn check(name: &str, scenario: fn() -> Vec<String>) {
    let expected_path = folder().join(format!("{name}.expected"));
    let python = match python() {
        Python::Ran(runs) => Some(&runs[name]),
        Python::Skipped => None,
    };
    if let Some(run) = python {
        assert!(
            run.success,
            "python3 {name}.py failed:\n{}\n{}",
            run.lines.join("\n"),
            run.stderr
        );
        if flag("PARITY_BLESS") {
            let mut text = run.lines.join("\n");
            text.push('\n');
            std::fs::write(&expected_path, text).expect("write the .expected file");
        }
    }
    let expected: Vec<String> = std::fs::read_to_string(&expected_path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", expected_path.display()))
        .lines()
        .map(str::to_string)
        .collect();
    assert!(!expected.is_empty(), "{name}.expected is empty");

    // A scenario where this crate differs from CPython on purpose keeps its
    // own lines, and the reason, in `NN_name.diverges`: the Rust side must
    // print those, CPython the `.expected` ones, and the two must differ,
    // so that a difference that goes away is noticed.
    let diverges_path = folder().join(format!("{name}.diverges"));
    let ours = match std::fs::read_to_string(&diverges_path) {
        Ok(text) => {
            let (why, lines): (Vec<&str>, Vec<&str>) =
                text.lines().partition(|line| line.starts_with('#'));
            assert!(
                !why.is_empty(),
                "{name}.diverges must say why, in lines that start with #"
            );
            let lines: Vec<String> = lines.into_iter().map(str::to_string).collect();
            assert_ne!(
                lines, expected,
                "{name}.diverges prints what CPython prints: the difference is gone, so \
                 delete the file and say so in chapter 7"
            );
            lines
        }
        Err(_) => expected.clone(),
    };
    assert_same_lines(name, "this crate's scheduler", &ours, &scenario(), "");
    if let Some(run) = python {
        let note = if run.stderr.is_empty() {
            String::new()
        } else {
            format!("python3 said on stderr:\n{}", run.stderr)
        };
        assert_same_lines(name, "CPython", &expected, &run.lines, &note);
    }
}

/// Panics with a side-by-side listing if `actual` is not `expected`.
fn assert_same_lines(name: &str, side: &str, expected: &[String], actual: &[String], note: &str) {
    if expected == actual {
        return;
    }
    let first = (0..)
        .find(|&i| expected.get(i) != actual.get(i))
        .expect("the lists differ somewhere");
    let width = expected
        .iter()
        .map(|line| line.chars().count())
        .max()
        .unwrap_or(0)
        .max(name.len() + ".expected".len());
    let mut message = format!(
        "{side} disagrees with tests/asyncio/{name}.expected, first at line {} (marked >):\n",
        first + 1
    );
    let _ = writeln!(
        message,
        "      {:<width$} | {side}",
        format!("{name}.expected")
    );
    for i in 0..expected.len().max(actual.len()) {
        let (want, got) = (expected.get(i), actual.get(i));
        let marker = if want == got { ' ' } else { '>' };
        let want = want.map_or("(no line)", String::as_str);
        let got = got.map_or("(no line)", String::as_str);
        let _ = writeln!(message, "{marker}{:>4} {want:<width$} | {got}", i + 1);
    }
    let without_time = |lines: &[String]| -> Vec<String> {
        lines
            .iter()
            .map(|line| {
                line.split_once(' ')
                    .map_or(line.as_str(), |(_, rest)| rest)
                    .to_string()
            })
            .collect()
    };
    if side == "CPython" && without_time(expected) == without_time(actual) {
        message.push_str(
            "Only the times differ. On the wall clock (PARITY_REAL_TIME=1) that means the \
             machine was too busy to wake asyncio's loop on time: run it again on a quieter \
             machine.\n",
        );
    }
    message.push_str(note);
    panic!("{message}");
}

/// What became of the Python side.
enum Python {
    /// No python3 3.11+ here (the reason is on stderr).
    Skipped,
    /// Each scenario's run, by name.
    Ran(HashMap<&'static str, PythonRun>),
}

/// One Python scenario's run.
struct PythonRun {
    success: bool,
    lines: Vec<String>,
    stderr: String,
}

/// Runs every Python scenario once, all at the same time, the first time a
/// test asks; the other tests wait for that and share the result.
fn python() -> &'static Python {
    static PYTHON: OnceLock<Python> = OnceLock::new();
    PYTHON.get_or_init(|| {
        match python_or_skip("the asyncio parity suite checks the Rust side only") {
            Some(interpreter) => Python::Ran(run_python_scenarios(&interpreter)),
            None => Python::Skipped,
        }
    })
}

/// Runs every Python scenario in its own process. On the virtual clock (the
/// default, see `parity.py`) timing cannot go wrong, so they all run at
/// once. On the wall clock (`PARITY_REAL_TIME=1`) they run one after another:
/// the start-up of two dozen Python processes at once would delay the timers
/// of the scenarios already running by more than half a unit.
fn run_python_scenarios(interpreter: &Path) -> HashMap<&'static str, PythonRun> {
    let real_time = std::env::var_os("PARITY_REAL_TIME").is_some_and(|value| value == "1");
    // -E: ignore PYTHON* variables (PYTHONASYNCIODEBUG would slow the loop),
    // -S: skip the site module (the scenarios need the standard library
    // only, and start faster), -B: write no __pycache__.
    let start = |name: &str| {
        Command::new(interpreter)
            .args(["-E", "-S", "-B", &format!("{name}.py")])
            .current_dir(folder())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start python3 {name}.py: {error}"))
    };
    let finish = |name: &'static str, child: Child| {
        let output = child
            .wait_with_output()
            .unwrap_or_else(|error| panic!("python3 {name}.py: {error}"));
        let run = PythonRun {
            success: output.status.success(),
            lines: String::from_utf8_lossy(&output.stdout)
                .lines()
                .map(str::to_string)
                .collect(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        (name, run)
    };
    if real_time {
        python_scenarios()
            .into_iter()
            .map(|name| finish(name, start(name)))
            .collect()
    } else {
        let children: Vec<(&'static str, Child)> = python_scenarios()
            .into_iter()
            .map(|name| (name, start(name)))
            .collect();
        children
            .into_iter()
            .map(|(name, child)| finish(name, child))
            .collect()
    }
}

/// Every Python scenario of the suite, once each (a scenario may have more
/// than one Rust twin: chapter 9 adds `NN_name_async.rs`).
fn python_scenarios() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = SCENARIOS.iter().map(|&(name, _)| name).collect();
    names.sort_unstable();
    names.dedup();
    names
}

#[test]
fn every_scenario_in_tests_asyncio_has_its_three_files_and_a_test() {
    let mut on_disk: Vec<String> = std::fs::read_dir(folder())
        .expect("tests/asyncio exists")
        .map(|entry| entry.expect("a readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_string()))
        .filter(|stem| stem != "parity")
        .collect();
    on_disk.sort();
    let in_suite: Vec<String> = python_scenarios().into_iter().map(str::to_string).collect();
    assert_eq!(on_disk, in_suite, "every NN_name.py needs a line in suite!");
    // Every async twin (chapter 9) has its Python program, and a line.
    let twins = std::fs::read_dir(folder())
        .expect("tests/asyncio exists")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            Some(name.strip_suffix("_async.rs")?.to_string())
        });
    for twin in twins {
        assert!(
            in_suite.contains(&twin),
            "{twin}_async.rs has no {twin}.py, or no line in suite!"
        );
    }
    for name in &in_suite {
        for extension in ["rs", "expected"] {
            let path = folder().join(format!("{name}.{extension}"));
            assert!(path.is_file(), "{} is missing", path.display());
        }
    }
    assert!(
        SCENARIOS.len() >= 25,
        "the issues ask for at least 12 scenarios for chapter 6 (there are 15) and 10 more for \
         chapter 7"
    );
}
