//! Every place tokio's current-thread runtime differs from the course's
//! scheduler (and asyncio). Each test asserts both transcripts exactly: if
//! a tokio release, or a change to the course, makes the difference go
//! away, the test fails, and the chapter's claim with it. (The blocking
//! pool's tests pin tokio's half; where the course's half is chapter 11's,
//! the test names the chapter 11 test that pins it.)

use std::num::NonZeroUsize;
use std::thread;
use std::time::Duration;

use yieldpoint::ch06_scheduler::{Clock, Scheduler};
use yieldpoint::ch10_sockets::SlowServer;
use yieldpoint::ch11_threads::max_threads;
use yieldpoint::ch12_tokio::{self as course, Script, Step, course_order, tokio_order};
use yieldpoint::output::capture;
use yieldpoint::say;

use super::example::on_tokio;
use super::{child, strs};

// ANCHOR: cancellation_test
#[test]
fn chapter_7_hands_a_cancelled_task_an_error_and_waits_for_its_cleanup_where_tokio_drops_the_future()
 {
    // Chapter 7: the sleep returns Err(Cancelled), the task says goodbye
    // (which waits), and wait_for returns only after that.
    assert_eq!(
        strs(&course::wait_for_stackful()),
        [
            "[slow] request sent at 10 ms",
            "[slow] cancelled at 30 ms; saying goodbye",
            "[slow] goodbye said at 35 ms",
            "[main] gave up at 35 ms",
        ]
    );
    // tokio: the future is dropped at its .await, at the deadline; only its
    // destructors run, and the timeout returns then and there. Chapter 9's
    // async tasks are cancelled the same way, on the course's scheduler.
    let dropped = [
        "[slow] request sent at 10 ms",
        "[slow] dropped where it waited: only the destructor closes the connection",
        "[main] gave up at 30 ms",
    ];
    assert_eq!(strs(&on_tokio::timeout_future()), dropped);
    assert_eq!(strs(&course::wait_for_async()), dropped);
}
// ANCHOR_END: cancellation_test

#[test]
fn a_timeout_on_a_join_handle_detaches_the_task_where_wait_for_cancels_it() {
    assert_eq!(
        strs(&on_tokio::timeout_handle()),
        [
            "[slow] request sent at 10 ms",
            "[main] gave up at 30 ms",
            "[slow] answered at 60 ms",
        ]
    );
}

#[test]
fn abort_only_asks_and_the_task_is_dropped_where_it_waits_when_the_runtime_next_looks() {
    // tokio's docs: abort() schedules the cancellation and returns before it
    // completes; is_finished() is false until it has; awaiting the handle
    // then gives a cancelled JoinError. The cleanup cannot await.
    let (_, lines) = capture(|| {
        let runtime = on_tokio::paused_runtime();
        runtime.block_on(async {
            let start = tokio::time::Instant::now();
            let slow = tokio::spawn(on_tokio::slow_request(start));
            tokio::time::sleep(Duration::from_millis(20)).await;
            slow.abort();
            say!("main", "abort() returned; finished: {}", slow.is_finished());
            let joined = slow.await;
            say!(
                "main",
                "joined: cancelled {}",
                joined.unwrap_err().is_cancelled()
            );
        });
    });
    assert_eq!(
        strs(&lines),
        [
            "[slow] request sent at 0 ms",
            "[main] abort() returned; finished: false",
            "[slow] dropped where it waited: only the destructor closes the connection",
            "[main] joined: cancelled true",
        ]
    );
}

#[test]
fn gather_leaves_the_other_request_running_where_a_join_set_dropped_at_the_first_failure_aborts_it()
{
    assert_eq!(
        strs(&course::gather_failure()),
        [
            "[main] the first failure, at 10 ms: prices: 503 Service Unavailable",
            "[users] users done at 40 ms",
            "[main] at 60 ms, users answered: true",
        ]
    );
    assert_eq!(
        strs(&on_tokio::gather_failure()),
        [
            "[main] the first failure, at 10 ms: prices: 503 Service Unavailable",
            "[main] at 60 ms, users answered: false",
        ]
    );
}

#[test]
fn join_all_gives_the_values_in_the_order_the_tasks_ended_where_gather_keeps_argument_order() {
    assert_eq!(
        strs(&on_tokio::join_all()),
        ["[main] join_all: [\"news\", \"weather\", \"prices\", \"users\"]"]
    );
    assert!(
        course::requests()
            .last()
            .is_some_and(|line| line.contains("[\"users\", \"news\", \"prices\", \"weather\"]"))
    );
}

// ANCHOR: turns_test
#[test]
fn tokio_wakes_the_tasks_that_yielded_after_its_driver_and_last_first() {
    assert_eq!(
        strs(&course::turns()),
        ["[main] turns: A0 B0 C0 A1 B1 C1 A2 B2 C2"]
    );
    assert_eq!(
        strs(&on_tokio::turns()),
        ["[main] turns: A0 B0 C0 C1 B1 A1 A2 B2 C2"]
    );
}
// ANCHOR_END: turns_test

#[test]
fn a_due_timer_waits_for_tokio_to_look_at_its_driver_every_61_polls_and_for_two_passes_here() {
    assert_eq!(
        strs(&course::busy_timer()),
        ["[sleeper] woke after 6 busy polls"]
    );
    assert_eq!(
        strs(&on_tokio::busy_timer(61)),
        ["[sleeper] woke after 62 busy polls"]
    );
    // The knob: a driver looked at after every poll.
    assert_eq!(
        strs(&on_tokio::busy_timer(1)),
        ["[sleeper] woke after 3 busy polls"]
    );
}

#[test]
fn block_on_polls_its_future_between_batches_of_tasks_while_a_spawned_main_is_a_task_like_ours() {
    assert_eq!(
        strs(&course::main_behind_busy()),
        ["[main] back after 1 busy poll"]
    );
    assert_eq!(
        strs(&on_tokio::main_behind_busy()),
        ["[main] back after 60 busy polls"]
    );
    assert_eq!(
        strs(&on_tokio::main_behind_busy_spawned()),
        ["[main] back after 1 busy poll"]
    );
}

// ANCHOR: budget_test
#[test]
fn tokio_makes_a_task_that_drains_a_ready_channel_yield_after_128_values_and_ours_never_does() {
    assert_eq!(
        strs(&course::drain()),
        ["[ticker] first turn after 300 values"]
    );
    assert_eq!(
        strs(&on_tokio::drain(false)),
        ["[ticker] first turn after 128 values"]
    );
    assert_eq!(
        strs(&on_tokio::drain(true)),
        ["[ticker] first turn after 300 values"]
    );
}
// ANCHOR_END: budget_test

#[test]
fn tokio_s_paused_clock_counts_whole_milliseconds_where_the_virtual_clock_is_exact() {
    assert_eq!(
        strs(&course::clock()),
        [
            "[main] slept 1.5 ms: the clock reads 1.5 ms",
            "[main] computed for 5 ms: the clock reads 1.5 ms",
        ]
    );
    assert_eq!(
        strs(&on_tokio::clock()),
        [
            "[main] slept 1.5 ms: the clock reads 2 ms",
            "[main] computed for 5 ms: the clock reads 2 ms",
        ]
    );
}

#[test]
fn a_promised_wake_holds_the_virtual_clock_where_tokio_s_paused_clock_jumps_to_the_timeout() {
    assert_eq!(
        strs(&course::wake_from_thread(true)),
        ["[main] got \"the answer\" at 0 ms"]
    );
    assert_eq!(
        strs(&on_tokio::wake_from_thread()),
        ["[main] gave up at 1000 ms"]
    );
}

// ANCHOR: in_flight_test
#[test]
fn tokio_s_paused_clock_jumps_to_the_timeout_while_the_answer_is_on_its_way_where_the_virtual_clock_refuses_the_socket()
 {
    let server = SlowServer::start().expect("the slow server starts");
    let address = server.address();
    // Clocks that run: the answer comes after 200 ms, within the second.
    let answered = ["[main] got \"200 news after 200 ms\""];
    assert_eq!(strs(&on_tokio::in_flight(address, false)), answered);
    assert_eq!(strs(&course::in_flight(address, Clock::Real)), answered);
    // tokio's paused clock: with no task to run, the driver looks for I/O
    // without waiting, finds none yet, and the clock jumps to the deadline.
    assert_eq!(
        strs(&on_tokio::in_flight(address, true)),
        ["[main] gave up at 1000 ms"]
    );
    // The virtual clock: the connect is refused before it is made.
    assert_eq!(
        strs(&course::in_flight(address, Clock::Virtual)),
        [
            "[main] refused at 0 ms: connect() needs a scheduler on the real clock: on the \
             virtual clock, time jumps to the next timer whenever nothing is ready, and a reply \
             still on its way through the network is not ready yet, so every timeout would fire \
             at once; use Scheduler::new(Clock::Real) for programs with sockets"
        ]
    );
}
// ANCHOR_END: in_flight_test

#[test]
fn when_main_returns_tokio_polls_no_other_task_where_asyncio_runs_one_more_pass() {
    use Step::{Spawn, Wake};
    let script = Script::new(&[("main", &[Spawn(1)]), ("A", &[Wake, Wake])]);
    // Chapter 6 (and asyncio): the pass that follows main's end still runs
    // A's first step.
    assert_eq!(course_order(&script).unwrap(), ["main", "A"]);
    // tokio: block_on returns as soon as its future is ready.
    assert_eq!(on_tokio::script_order(&script, 61), ["main"]);
    assert_eq!(tokio_order(&script, 61).unwrap(), ["main"]);
}

// ANCHOR: pool_size_test
#[test]
fn tokio_s_blocking_pool_runs_one_job_more_than_ours_holds_all_at_once() {
    // Ours holds asyncio's min(32, cpus + 4) threads, and the next job
    // waits in the queue (chapter 11's a_full_pool_queues_the_next_job_and_
    // pool_stats_shows_it); tokio's holds 512 by default.
    let cpus = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    assert_eq!(max_threads(), (cpus + 4).min(32));
    let jobs = max_threads() + 1;
    assert_eq!(on_tokio::blocking_jobs_at_once(jobs), jobs);
}
// ANCHOR_END: pool_size_test

// ANCHOR: abort_blocking_test
#[test]
fn a_queued_job_whose_waiter_is_cancelled_never_runs_on_ours_and_runs_on_tokio_unless_its_own_handle_is_aborted()
 {
    // tokio: a job that has started runs on, and its handle still gives
    // its value; a job still in the queue never runs if its own handle is
    // aborted, and runs if the task awaiting the handle is aborted (the
    // handle, dropped, detaches the job).
    assert_eq!(
        strs(&on_tokio::abort_blocking()),
        [
            "[main] aborted while it ran: its handle gives Ok(\"its value\")",
            "[main] aborted while it waited in the queue: cancelled true, ran false",
            "[main] its awaiting task aborted while it waited in the queue: ran true",
        ]
    );
    // Ours, as asyncio: cancelling the task that waits for a queued job
    // keeps the job from running; a thread that takes it drops it unrun.
    // (In a child process, whose pool no other test shares.)
    let output = child::run("differences::child_cancels_the_waiter_of_a_queued_job");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(
            "the waiter: Err(TaskCancelled { task: \"waiter\" }); the queued job ran: false\n"
        ),
        "{stdout}"
    );
}
// ANCHOR_END: abort_blocking_test

// Chapter 11's example, for its program that cancels the waiter of a
// queued job.
#[allow(dead_code)]
#[path = "../../examples/ch11_threads.rs"]
mod ch11_example;

#[test]
#[ignore = "fills the process's pool; started in a child process by the test above"]
fn child_cancels_the_waiter_of_a_queued_job() {
    if !child::is_child("differences::child_cancels_the_waiter_of_a_queued_job") {
        return;
    }
    let scheduler = Scheduler::new(Clock::Real);
    match scheduler.run_until_complete(ch11_example::cancel_a_queued_job) {
        Ok((waited, ran)) => println!("the waiter: {waited:?}; the queued job ran: {ran}"),
        Err(error) => println!("error: {error}"),
    }
}

// ANCHOR: drop_waits_test
#[test]
fn dropping_a_tokio_runtime_waits_for_its_started_blocking_jobs_where_ours_leaves_them_running() {
    // Ours: chapter 11's dropping_the_scheduler_detaches_its_jobs_which_
    // finish_and_wake_nobody. tokio: the drop returns after the job ends.
    assert_eq!(
        strs(&on_tokio::drop_with_a_blocking_job()),
        ["[main] the runtime is dropped; its job had ended: true"]
    );
}
// ANCHOR_END: drop_waits_test
