//! Slow steps, as asyncio's debug mode reports them, and the watchdog that
//! reports a step still running; checked against CPython's own debug mode.
//!
//! A blocking step here holds the thread three times the threshold or
//! more, and a quick one a few microseconds: whether a step is reported
//! does not hang on the machine's speed.

use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use yieldpoint::ch06_scheduler::{
    self as ch06, Clock, EventKind, SchedError, Scheduler, SlowStep, spawn,
};
use yieldpoint::ch07_combinators::{as_completed, gather, wait_for};
use yieldpoint::ch09_async_fn::spawn_async;
use yieldpoint::ch10_sockets::{TcpListener, TcpStream};
use yieldpoint::ch11_threads::{busy_for, to_thread, to_thread_async};

use super::{PATIENCE, child, lines_of};

/// asyncio's threshold.
const SLOW: Duration = Duration::from_millis(100);
/// How long a blocking step blocks.
const BLOCK: Duration = Duration::from_millis(300);

/// The names of the reported steps.
fn names(steps: &[SlowStep]) -> Vec<&str> {
    steps.iter().map(|step| step.name.as_str()).collect()
}

// ANCHOR: twin
/// The twin of `slow_steps.py`: a task that sleeps the thread, one that
/// computes, one that hands its sleep to a thread, and one that only
/// awaits; `main` gathers them.
fn debug_mode_program() -> Result<(), SchedError> {
    let tasks = [
        spawn("blocker", || {
            thread::sleep(BLOCK); // time.sleep(0.3)
            Ok::<(), SchedError>(())
        })?,
        spawn("cruncher", || {
            busy_for(BLOCK); // a loop that computes for 0.3 s
            Ok::<(), SchedError>(())
        })?,
        spawn("offloaded", || to_thread(|| thread::sleep(BLOCK)))?, // asyncio.to_thread
        spawn("quick", || {
            for _ in 0..3 {
                ch06::sleep(Duration::from_millis(10))?; // asyncio.sleep(0.01)
            }
            Ok::<(), SchedError>(())
        })?,
    ];
    gather(&tasks)?;
    Ok(())
}
// ANCHOR_END: twin

#[test]
fn a_blocking_step_and_a_computing_step_are_reported_and_a_quick_task_or_a_job_is_not() {
    let scheduler = Scheduler::new(Clock::Real).with_slow_steps(SLOW);
    scheduler
        .run_until_complete(debug_mode_program)
        .expect("the program runs");
    let slow = scheduler.slow_steps();
    assert_eq!(names(&slow), ["blocker", "cruncher"]);
    // main is T0; the tasks are numbered in the order they were spawned.
    assert_eq!(slow[0].task.number(), 1);
    assert_eq!(slow[1].task.number(), 2);
    // A blocking sleep of 300 ms lasts at least 300 ms.
    assert!(slow[0].took >= BLOCK);
}

// ANCHOR: resumed_from
/// Runs `$call`, which suspends the task, and notes the line it is on in
/// `$lines`; then blocks the thread, so that the step that resumes from
/// that line is slow. Gives `$call`'s value (its error passed on).
macro_rules! suspend_then_block {
    ($lines:ident, $call:expr) => {{
        let outcome = $call;
        $lines.push(line!());
        thread::sleep(BLOCK);
        outcome?
    }};
}

/// A task that suspends in every way a stackful task can, and blocks the
/// thread after each: every step but the first resumes from the line that
/// suspended, and its report names that line. Returns the lines, in order.
fn suspends_every_way_and_blocks_after_each() -> Result<Vec<u32>, SchedError> {
    let quick = || spawn("quick", || Ok::<_, SchedError>(1));
    let mut lines = Vec::new();
    suspend_then_block!(lines, ch06::yield_now());
    suspend_then_block!(lines, ch06::sleep(Duration::from_millis(1)));
    let task = quick()?;
    suspend_then_block!(lines, task.join());
    let tasks = [quick()?, quick()?];
    suspend_then_block!(lines, gather(&tasks));
    let task = quick()?;
    suspend_then_block!(lines, wait_for(&task, BLOCK));
    suspend_then_block!(lines, to_thread(|| 2));
    let mut ended = as_completed(vec![quick()?]);
    suspend_then_block!(lines, ended.next().expect("one task")).1?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let address = listener.local_addr()?;
    let acceptor = spawn("acceptor", move || {
        let (stream, _) = listener.accept()?;
        let mut asked = [0u8; 1];
        stream.read(&mut asked)?; // answers only once asked
        stream.write_all(b"x")
    })?;
    let stream = suspend_then_block!(lines, TcpStream::connect(address));
    stream.write_all(b"?")?; // room in the buffer: no wait
    let mut byte = [0u8; 1];
    suspend_then_block!(lines, stream.read(&mut byte));
    acceptor.join()?;
    Ok(lines)
}
// ANCHOR_END: resumed_from

#[test]
fn a_slow_step_names_the_line_it_resumed_from_which_suspended_the_task() {
    let scheduler = Scheduler::new(Clock::Real).with_slow_steps(SLOW);
    let lines = scheduler
        .run_until_complete(|| {
            let task = spawn("suspender", suspends_every_way_and_blocks_after_each)?;
            task.join()
        })
        .expect("the program runs");
    let places: Vec<(&str, u32)> = scheduler
        .slow_steps()
        .iter()
        .filter(|step| step.name == "suspender")
        .map(|step| {
            let place = step
                .resumed_from
                .expect("every slow step resumed from a line");
            (place.file(), place.line())
        })
        .collect();
    let expected: Vec<(&str, u32)> = lines.iter().map(|&line| (file!(), line)).collect();
    assert_eq!(places, expected);
    // The report says it too: `... (T1) resumed from tests/...rs:L:C> took ...`.
    let report = scheduler.slow_steps()[0].to_string();
    let from = format!(" resumed from {}:{}:", file!(), lines[0]);
    assert!(report.contains(&from), "{report}");
}

#[test]
fn a_first_step_or_an_async_poll_resumes_from_no_line() {
    let scheduler = Scheduler::new(Clock::Real).with_slow_steps(SLOW);
    scheduler
        .run_until_complete(|| {
            let first = spawn("first", || {
                thread::sleep(BLOCK); // in its first step
                Ok::<(), SchedError>(())
            })?;
            let asynchronous = spawn_async("async", async {
                ch06::sleep(Duration::from_millis(1)).map(drop).ok();
                yieldpoint::ch09_async_fn::yield_now().await?;
                thread::sleep(BLOCK); // in its second poll
                Ok::<(), SchedError>(())
            })?;
            first.join()?;
            asynchronous.join()
        })
        .expect("the program runs");
    let slow = scheduler.slow_steps();
    assert_eq!(names(&slow), ["first", "async"]);
    assert!(
        slow.iter().all(|step| step.resumed_from.is_none()),
        "{slow:?}"
    );
    assert_eq!(
        slow[1].to_string(),
        format!(
            "Executing <Task name='async' ({})> took {:.3} seconds",
            slow[1].task,
            slow[1].took.as_secs_f64()
        )
    );
}

#[test]
fn a_slow_step_reads_as_asyncios_report() {
    let scheduler = Scheduler::new(Clock::Real).with_slow_steps(SLOW);
    scheduler
        .run_until_complete(|| {
            thread::sleep(BLOCK);
            Ok::<(), SchedError>(())
        })
        .expect("main runs");
    let [step] = scheduler.slow_steps().try_into().expect("one slow step");
    let report = step.to_string();
    // asyncio: `Executing <Task pending name='main' coro=<...>> took 0.301 seconds`.
    let took = report
        .strip_prefix("Executing <Task name='main' (T0)> took ")
        .and_then(|rest| rest.strip_suffix(" seconds"))
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(took, format!("{:.3}", step.took.as_secs_f64()));
}

#[test]
fn with_slow_steps_off_nothing_is_timed_or_reported() {
    let scheduler = Scheduler::new(Clock::Real).with_trace();
    scheduler
        .run_until_complete(|| {
            thread::sleep(BLOCK);
            Ok::<(), SchedError>(())
        })
        .expect("main runs");
    assert!(scheduler.slow_steps().is_empty());
    assert!(
        !scheduler
            .trace()
            .events
            .iter()
            .any(|event| matches!(event.kind, EventKind::Slow { .. }))
    );
}

#[test]
fn a_slow_step_is_in_the_trace_between_its_resume_and_where_it_waits_next() {
    let scheduler = Scheduler::new(Clock::Real)
        .with_slow_steps(SLOW)
        .with_trace();
    scheduler
        .run_until_complete(|| {
            let blocker = spawn("blocker", || {
                ch06::yield_now()?;
                thread::sleep(BLOCK);
                ch06::yield_now()
            })?;
            blocker.join()
        })
        .expect("the program runs");
    let trace = scheduler.trace();
    let kinds: Vec<&EventKind> = trace
        .events
        .iter()
        .filter(|event| event.task.is_some_and(|task| task.number() == 1))
        .map(|event| &event.kind)
        .collect();
    // Spawned; step 1: runs, yields; step 2, the slow one: runs, is timed
    // as it returns, yields; step 3: runs, is done.
    assert!(
        matches!(
            kinds.as_slice(),
            [
                EventKind::Spawned { .. },
                EventKind::Resumed,
                EventKind::Suspended(_),
                EventKind::Resumed,
                EventKind::Slow { .. },
                EventKind::Suspended(_),
                EventKind::Resumed,
                EventKind::Done { cancelled: false },
            ]
        ),
        "{kinds:?}"
    );
    let EventKind::Slow { took } = kinds[4] else {
        unreachable!("matched above");
    };
    assert!(*took >= BLOCK);
    assert!(trace.diagram().contains("! slow step: 0."));
}

#[test]
fn a_slow_poll_of_an_async_task_is_reported_too() {
    let scheduler = Scheduler::new(Clock::Real).with_slow_steps(SLOW);
    scheduler
        .run_until_complete(|| {
            let blocking = spawn_async("async blocker", async {
                thread::sleep(BLOCK); // blocks inside poll
                Ok::<(), SchedError>(())
            })?;
            blocking.join()
        })
        .expect("the program runs");
    assert_eq!(names(&scheduler.slow_steps()), ["async blocker"]);
}

#[test]
fn a_job_on_the_pool_is_never_a_slow_step_stackful_or_async() {
    let scheduler = Scheduler::new(Clock::Real).with_slow_steps(SLOW);
    scheduler
        .run_until_complete(|| {
            let stackful = spawn("stackful", || to_thread(|| thread::sleep(BLOCK)))?;
            let asynchronous = spawn_async("async", async {
                to_thread_async(|| thread::sleep(BLOCK)).await
            })?;
            stackful.join()?;
            asynchronous.join()
        })
        .expect("the program runs");
    assert_eq!(scheduler.slow_steps(), []);
}

// ---- the watchdog, in child processes (its lines go to stderr) ----

#[test]
#[ignore = "blocks for a while on purpose; started in a child process by the test below"]
fn child_blocks_past_the_threshold() {
    if child::is_child("slow_steps::child_blocks_past_the_threshold") {
        let scheduler = Scheduler::new(Clock::Real).with_slow_steps(Duration::from_millis(50));
        scheduler
            .run_until_complete(|| {
                spawn("stuck", || {
                    ch06::yield_now()?; // the step that blocks resumes from here
                    thread::sleep(Duration::from_millis(600));
                    Ok::<(), SchedError>(())
                })?
                .join()
            })
            .expect("the program runs");
    }
}

// ANCHOR: watchdog_test
#[test]
fn the_watchdog_names_a_step_while_it_runs_and_the_scheduler_when_it_ends() {
    let output = child::run("slow_steps::child_blocks_past_the_threshold");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("[watchdog]") || line.starts_with("[scheduler]"))
        .collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    let from = format!("resumed from {}:", file!());
    assert!(
        lines[0].starts_with(&format!("[watchdog] task 'stuck' (T1), {from}"))
            && lines[0].contains(", has been running for 0.")
            && lines[0].ends_with(
                " seconds without yielding: a blocking call, or a long computation, holds \
                 the thread, and every other task waits"
            ),
        "{stderr}"
    );
    assert!(
        lines[1].starts_with(&format!(
            "[scheduler] Executing <Task name='stuck' (T1) {from}"
        )) && lines[1].contains("> took 0."),
        "{stderr}"
    );
}
// ANCHOR_END: watchdog_test

#[test]
#[ignore = "never returns; started in a child process by the test below, which kills it"]
fn child_blocks_for_ever() {
    if child::is_child("slow_steps::child_blocks_for_ever") {
        let scheduler = Scheduler::new(Clock::Real).with_slow_steps(SLOW);
        let _ = scheduler.run_until_complete(|| {
            let (_keep, never) = mpsc::channel::<()>();
            let _ = never.recv(); // nothing is ever sent: blocked for ever
            Ok::<(), SchedError>(())
        });
    }
}

#[test]
fn the_watchdog_reports_a_step_that_never_returns() {
    let mut process = child::spawn("slow_steps::child_blocks_for_ever");
    let stderr = lines_of(process.stderr.take().expect("stderr is piped"));
    let report = loop {
        match stderr.recv_timeout(PATIENCE) {
            Ok(line) if line.starts_with("[watchdog]") => break line,
            Ok(_) => {}
            Err(error) => {
                let _ = process.kill();
                panic!("no report from the watchdog: {error}");
            }
        }
    };
    let _ = process.kill();
    let _ = process.wait();
    assert!(
        report.starts_with("[watchdog] task 'main' (T0) has been running for 0.1"),
        "{report}"
    );
}

#[test]
#[ignore = "counts this process's threads; started in a child process by the test below"]
fn child_counts_watchdogs() {
    if child::is_child("slow_steps::child_counts_watchdogs") {
        let watchdogs = || {
            std::fs::read_dir("/proc/self/task")
                .map(|tasks| {
                    tasks
                        .filter_map(|task| {
                            std::fs::read_to_string(task.ok()?.path().join("comm")).ok()
                        })
                        .filter(|name| name.trim() == "slow-step watch")
                        .count()
                })
                .unwrap_or(0)
        };
        let scheduler = Scheduler::new(Clock::Real).with_slow_steps(Duration::from_millis(10));
        // A thread takes its name once it has started.
        let mut living = watchdogs();
        for _ in 0..600 {
            if living > 0 {
                break;
            }
            thread::sleep(Duration::from_millis(100));
            living = watchdogs();
        }
        println!("while it lives: {living}");
        drop(scheduler);
        let mut left = watchdogs();
        for _ in 0..600 {
            if left == 0 {
                break;
            }
            thread::sleep(Duration::from_millis(100));
            left = watchdogs();
        }
        println!("after it is dropped: {left}");
    }
}

#[test]
fn the_watchdog_thread_ends_with_its_scheduler() {
    if !Path::new("/proc/self/task").exists() {
        eprintln!("no /proc/self/task here: the watchdog's thread is not counted");
        return;
    }
    let output = child::run("slow_steps::child_counts_watchdogs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("while it lives: 1\n"), "{stdout}");
    assert!(stdout.contains("after it is dropped: 0\n"), "{stdout}");
}

// ---- against CPython's debug mode ----

// ANCHOR: parity
#[test]
fn asyncio_debug_mode_reports_the_same_tasks_in_the_same_program() {
    let scheduler = Scheduler::new(Clock::Real).with_slow_steps(SLOW);
    scheduler
        .run_until_complete(debug_mode_program)
        .expect("the program runs");
    let ours = scheduler.slow_steps();
    assert_eq!(names(&ours), ["blocker", "cruncher"]);

    let Some(python) = super::interpreter::python_or_skip("only this crate's report is checked")
    else {
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ch11_threads/slow_steps.py");
    let output = Command::new(python)
        .arg(&script)
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // `Executing <Task pending name='blocker' coro=<...>> took 0.301 seconds`,
    // or `<Task finished name='blocker' ...>` when the step ended the task.
    let theirs: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("Executing <Task "))
        .filter_map(|line| line.split("name='").nth(1)?.split('\'').next())
        .collect();
    assert_eq!(theirs, names(&ours), "CPython said:\n{stderr}");
}
// ANCHOR_END: parity
