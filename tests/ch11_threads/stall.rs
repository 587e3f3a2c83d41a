//! The stall, seen: a task that blocks the thread holds up every other
//! task, and `to_thread` lifts it. Shown by the order of events in the
//! trace, never by how long anything took.

use std::sync::mpsc;
use std::thread;
use std::time::Instant;

use yieldpoint::ch06_scheduler::{
    Cause, Clock, Event, EventKind, SchedError, Scheduler, Trace, Wait, spawn,
};
use yieldpoint::ch07_combinators::gather;
use yieldpoint::ch10_sockets::SlowServer;
use yieldpoint::ch11_threads::to_thread;

use super::example::ch07_combinators::{REQUESTS, UNIT, fetch};
use super::example::{BLOCK, Blocker, Fetched, four_requests};

/// What the trace says happened, one line per event: the task's name and
/// what happened to it, without times (they are the wall clock's, and
/// differ from run to run) and without deadlines.
pub fn story(trace: &Trace) -> Vec<String> {
    let tasks = trace.tasks();
    let name = |id| {
        tasks
            .iter()
            .find(|(task, _)| *task == id)
            .map_or_else(|| format!("{id}"), |(_, name)| name.clone())
    };
    trace
        .events
        .iter()
        .map(|Event { task, kind, .. }| {
            let what = match kind {
                EventKind::Spawned { by: None, .. } => "spawned".to_string(),
                EventKind::Spawned { by: Some(by), .. } => format!("spawned by {}", name(*by)),
                EventKind::Resumed => "> runs".to_string(),
                EventKind::Suspended(Wait::Turn) => "| yields".to_string(),
                EventKind::Suspended(Wait::Until(_)) => "| sleeps".to_string(),
                EventKind::Suspended(Wait::Park(_)) => "| parks".to_string(),
                EventKind::Suspended(Wait::Task(target)) => format!("| joins {}", name(*target)),
                EventKind::Woken(Cause::Timer) => "* timer fires".to_string(),
                EventKind::Woken(Cause::Joined(by)) => format!("* {} is done", name(*by)),
                EventKind::Woken(Cause::Waker(Some(by))) => format!("* woken by {}", name(*by)),
                EventKind::Woken(Cause::Waker(None)) => "* woken by a callback".to_string(),
                EventKind::Woken(Cause::Io(_)) => "* socket ready".to_string(),
                EventKind::Slow { .. } => "! slow step".to_string(),
                EventKind::IoWait { .. } => "| waits for a socket".to_string(),
                EventKind::Idle { .. } => "(idle)".to_string(),
                EventKind::Cancelled { .. } => "x cancelled".to_string(),
                EventKind::Done { cancelled: false } => "= done".to_string(),
                EventKind::Done { cancelled: true } => "= cancelled".to_string(),
                EventKind::Failed { message } => format!("= {message}"),
            };
            match task {
                Some(id) => format!("{:<9} {what}", name(*id)),
                None => format!("{:<9} {what}", ""),
            }
        })
        .collect()
}

/// The index of the first line of `story` equal to `line`.
#[track_caller]
fn position(story: &[String], line: &str) -> usize {
    story
        .iter()
        .position(|l| l == line)
        .unwrap_or_else(|| panic!("no {line:?} in\n{}", story.join("\n")))
}

/// The index of the last line of `story` equal to `line`.
#[track_caller]
fn last_position(story: &[String], line: &str) -> usize {
    story
        .iter()
        .rposition(|l| l == line)
        .unwrap_or_else(|| panic!("no {line:?} in\n{}", story.join("\n")))
}

/// The request's name padded as `story` pads it, and `what`.
fn line(task: &str, what: &str) -> String {
    format!("{task:<9} {what}")
}

// ANCHOR: stall_trace
/// Chapter 7's four simulated requests (each a `sleep`), and a fifth task
/// that sleeps the thread for 300 ms: `std::thread::sleep`, not the
/// scheduler's `sleep`.
fn four_requests_and_a_sleeper() -> Result<(), SchedError> {
    let mut requests = Vec::new();
    for (name, units) in REQUESTS {
        requests.push(spawn(name, move || fetch(name, units * UNIT))?);
    }
    let sleeper = spawn("sleeper", || {
        thread::sleep(BLOCK);
        Ok::<(), SchedError>(())
    })?;
    gather(&requests)?;
    sleeper.join()
}

#[test]
fn the_stall_in_the_trace_every_timer_fires_only_after_the_sleeper_lets_go() {
    let scheduler = Scheduler::new(Clock::Real).with_trace();
    scheduler
        .run_until_complete(four_requests_and_a_sleeper)
        .expect("the program runs");
    let story = story(&scheduler.trace());
    let expected = [
        "main      spawned",
        "main      > runs",
        "users     spawned by main",
        "news      spawned by main",
        "prices    spawned by main",
        "weather   spawned by main",
        "sleeper   spawned by main",
        "main      | parks",
        "users     > runs",
        "users     | sleeps",
        "news      > runs",
        "news      | sleeps",
        "prices    > runs",
        "prices    | sleeps",
        "weather   > runs",
        "weather   | sleeps",
        "sleeper   > runs",
        // 300 ms pass here, and nothing else runs: the thread sleeps.
        "sleeper   = done",
        // Every timer is long due: they all fire in the same iteration,
        // in deadline order, and each request is late by the same 300 ms.
        "news      * timer fires",
        "weather   * timer fires",
        "prices    * timer fires",
        "users     * timer fires",
        "news      > runs",
        "news      = done",
        "weather   > runs",
        "weather   = done",
        "prices    > runs",
        "prices    = done",
        "users     > runs",
        "users     = done",
        "main      * woken by a callback",
        "main      > runs",
        "main      = done",
    ];
    assert_eq!(story, expected, "\n{}", story.join("\n"));
}
// ANCHOR_END: stall_trace

/// Runs chapter 10's four requests beside `blocker`, with a trace, against
/// a slow server of its own.
fn fetched_beside(blocker: Blocker) -> (Fetched, Vec<String>) {
    let server = SlowServer::start().expect("a slow server on loopback");
    let address = server.address();
    let scheduler = Scheduler::new(Clock::Real).with_trace();
    let fetched = scheduler
        .run_until_complete(move || four_requests(address, blocker))
        .expect("the requests succeed");
    (fetched, story(&scheduler.trace()))
}

/// The answers, in request order.
fn answers(fetched: &Fetched) -> Vec<&str> {
    fetched
        .answers
        .iter()
        .map(|(_, answer, _)| answer.as_str())
        .collect()
}

const ANSWERS: [&str; 4] = [
    "200 users after 40 ms",
    "200 news after 10 ms",
    "200 prices after 30 ms",
    "200 weather after 20 ms",
];

/// The stall, with real sockets: the blocking task's step runs to its end
/// with no other event in between, and no request is done before it.
fn assert_stalled(blocker: Blocker) {
    let (fetched, story) = fetched_beside(blocker);
    assert_eq!(answers(&fetched), ANSWERS);
    let name = blocker.name();
    let runs = position(&story, &line(name, "> runs"));
    let done = position(&story, &line(name, "= done"));
    assert_eq!(done, runs + 1, "nothing happens during its one step");
    for (request, _) in REQUESTS {
        assert!(
            position(&story, &line(request, "= done")) > done,
            "{request} was done before the {name} let go\n{}",
            story.join("\n")
        );
        // Every request waited for its socket before the blocking step: its
        // answer was on its way, and nobody could read it.
        assert!(position(&story, &line(request, "| waits for a socket")) < runs);
    }
    // And the times say the same, measured on one clock.
    let (until, pooled) = fetched.blocked_until.expect("a blocker ran");
    assert!(!pooled);
    assert!(fetched.answers.iter().all(|(_, _, at)| *at >= until));
}

#[test]
fn a_task_that_sleeps_the_thread_holds_up_every_answer_until_it_lets_go() {
    assert_stalled(Blocker::Sleeper);
}

#[test]
fn a_task_that_computes_holds_up_every_answer_until_it_lets_go() {
    assert_stalled(Blocker::Cruncher);
}

#[test]
fn with_nothing_blocking_the_four_answers_come_back_in_the_order_of_their_latencies() {
    let (fetched, story) = fetched_beside(Blocker::Nothing);
    assert_eq!(answers(&fetched), ANSWERS);
    assert_eq!(fetched.blocked_until, None);
    let done: Vec<usize> = ["news", "weather", "prices", "users"]
        .iter()
        .map(|request| position(&story, &line(request, "= done")))
        .collect();
    // The only order here that the wall clock decides: the server answers
    // 10 ms apart. Under valgrind (`.ci/valgrind` says so), code runs tens
    // of times slower, and its first pass through a function slower still:
    // 10 ms is no gap there, so the run checks memory only.
    if std::env::var_os("YIELDPOINT_VALGRIND").is_none() {
        assert!(done.is_sorted(), "{}", story.join("\n"));
    }
}

#[test]
fn the_example_sleep_handed_to_to_thread_runs_on_a_pool_thread_and_every_answer_comes_back() {
    let (fetched, story) = fetched_beside(Blocker::Offloaded);
    assert_eq!(answers(&fetched), ANSWERS);
    let (_, pooled) = fetched.blocked_until.expect("the offloaded task ran");
    assert!(pooled, "the sleep ran on a thread of the pool");
    // Its task parked at once, and was woken by the job's end.
    let runs = position(&story, &line("offloaded", "> runs"));
    assert_eq!(story[runs + 1], line("offloaded", "| parks"));
    assert!(
        story.contains(&line("offloaded", "* woken by a callback")) || {
            // Woken from the pool's thread, through the inbox.
            story
                .iter()
                .any(|l| l.starts_with("offloaded") && l.contains("* woken"))
        }
    );
}

// ANCHOR: lifted
/// The blocking work handed to a thread: the job blocks until `main` has
/// every answer, so the order cannot depend on timing. If the scheduler
/// were blocked, the answers could never come, and the job never end.
#[test]
fn handed_to_a_thread_the_blocking_work_lets_every_answer_come_back_while_it_runs() {
    let server = SlowServer::start().expect("a slow server on loopback");
    let address = server.address();
    let scheduler = Scheduler::new(Clock::Real).with_trace();
    let outcome = scheduler.run_until_complete(move || {
        let (release, released) = mpsc::channel::<()>();
        let blocker = spawn("offloaded", move || {
            to_thread(move || {
                let _ = released.recv(); // blocks its thread until released
                Instant::now()
            })
        })?;
        let mut requests = Vec::new();
        for (name, units) in REQUESTS {
            let path = format!("/{}/{name}", (units * UNIT).as_millis());
            requests.push(spawn(name, move || {
                yieldpoint::ch10_sockets::fetch(address, &path)
            })?);
        }
        let answers = gather(&requests)?;
        let answered = Instant::now();
        let _ = release.send(());
        let ended = blocker.join()?;
        Ok::<_, SchedError>((answers, answered < ended))
    });
    let (answers, answered_first) = outcome.expect("the program runs");
    assert_eq!(answers, ANSWERS);
    assert!(answered_first);
    let story = story(&scheduler.trace());
    let parked = position(&story, &line("offloaded", "| parks"));
    let offloaded_done = last_position(&story, &line("offloaded", "= done"));
    for (request, _) in REQUESTS {
        let done = position(&story, &line(request, "= done"));
        assert!(
            parked < done && done < offloaded_done,
            "{}",
            story.join("\n")
        );
    }
}
// ANCHOR_END: lifted
