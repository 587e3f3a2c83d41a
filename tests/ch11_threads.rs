//! Chapter 11's tests. They also judge the rebuild exercise (11.5):
//! `cargo test --features exercise-ch11 --test ch11_threads -- --skip exercises::`.
//!
//! - `ch11_threads/stall.rs`: one blocking task stalls the others, shown by
//!   order and by the trace; `to_thread` lifts the stall.
//! - `ch11_threads/slow_steps.rs`: slow steps and the watchdog, as asyncio's
//!   debug mode reports them, and against CPython's own report.
//! - `ch11_threads/offload.rs`: `to_thread` and its pool: results, panics,
//!   cancellation, a dropped scheduler, pending work, a full pool, a job
//!   that never returns, the wrong places to call it.
//! - `ch11_threads/exercises.rs`: the small exercises.
//!
//! No test here asserts how long anything took. A stall is shown by the
//! order of events (no answer comes back before the blocking task lets go
//! of the thread); a job that runs while other tasks run is held until
//! they have run. The pool is the process's, so a test that needs it to
//! itself (full, or fresh) runs in a child process.

use std::time::Duration;

use yieldpoint::output::{capture, mask_costs};

#[allow(dead_code)]
#[path = "../examples/ch11_threads.rs"]
mod example;

#[macro_use]
#[path = "support/example_command_line.rs"]
mod example_command_line;
#[path = "support/child.rs"]
mod child;
#[path = "asyncio/interpreter.rs"]
mod interpreter;

#[path = "ch11_threads/stall.rs"]
mod stall;

#[path = "ch11_threads/slow_steps.rs"]
mod slow_steps;

#[path = "ch11_threads/offload.rs"]
mod offload;

// The small exercises' tests: `cargo test --test ch11_threads -- exercises::`.
#[path = "ch11_threads/exercises.rs"]
mod exercises;

/// Reads a child's stderr line by line on a thread of its own, and hands
/// the lines over as they come, so that a test can wait for one line with
/// a limit instead of blocking on a child that may never end.
pub fn lines_of(stderr: std::process::ChildStderr) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead as _;
    let (send, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    lines
}

/// The longest any test here waits for a child process's line: far longer
/// than it ever takes, so that a loaded machine does not fail the test,
/// and a hang still does.
pub const PATIENCE: Duration = Duration::from_secs(60);

// ---- the example --------------------------------------------------------------

/// The example's whole output, masked, as the page shows it.
const EXAMPLE: &[&str] = &[
    "[main] -- chapter 10's four requests at once (10 ms to 40 ms), nothing else running --",
    "[main] answers: 200 users after 40 ms, 200 news after 10 ms, 200 prices after 30 ms, 200 weather after 20 ms",
    "[cost] back at: users N ms, news N ms, prices N ms, weather N ms",
    "[main] -- the same, beside a task that sleeps 300 ms with std::thread::sleep --",
    "[main] answers: 200 users after 40 ms, 200 news after 10 ms, 200 prices after 30 ms, 200 weather after 20 ms",
    "[cost] back at: users N ms, news N ms, prices N ms, weather N ms; the sleeper task let go at N ms",
    "[main] every answer came back after the sleeper task let go of the thread",
    "[main] -- the same, beside a task that computes for 300 ms --",
    "[main] answers: 200 users after 40 ms, 200 news after 10 ms, 200 prices after 30 ms, 200 weather after 20 ms",
    "[cost] back at: users N ms, news N ms, prices N ms, weather N ms; the cruncher task let go at N ms",
    "[main] every answer came back after the cruncher task let go of the thread",
    "[main] -- the same, the sleep handed to a thread with to_thread --",
    "[main] answers: 200 users after 40 ms, 200 news after 10 ms, 200 prices after 30 ms, 200 weather after 20 ms",
    "[cost] back at: users N ms, news N ms, prices N ms, weather N ms; the offloaded task let go at N ms",
    "[main] the blocking sleep ran on a thread of the pool",
    "[main] -- the sleeper again, with slow steps reported (over 100 ms, asyncio's default) --",
    "[main] reported: sleeper (T5)",
    "[cost] Executing <Task name='sleeper' (TN)> took N seconds",
    "[main] -- the pool: at most max_threads() threads, then a queue --",
    "[cost] max_threads() = N: min(N, N CPUs + N), asyncio's default",
    "[cost] while full: N job queued, waiting for one of the pool's N threads (N busy)",
    "[main] the queued job began only once the gate was open and a thread was free",
    "[main] the waiter of a queued job, cancelled: the task \"waiter\" you waited for was cancelled",
    "[main] the job it waited for ran: false",
    "[main] -- memory: a blocked thread, a parked stackful task, a parked async task --",
    "[cost] a blocked thread: N KiB reserved, N KiB resident, N mappings each",
    "[cost] a parked stackful task: N KiB reserved, N KiB resident, N mappings each",
    "[cost] a parked async task: N KiB reserved, N KiB resident, N mappings each",
];

#[test]
#[ignore = "fills the process's pool; started in a child process by the test below"]
fn child_runs_the_example() {
    if child::is_child("child_runs_the_example") {
        example::run(&[]);
    }
}

#[test]
fn the_example_prints_every_part_in_order_and_its_lines_never_change_but_for_costs() {
    let output = child::run("child_runs_the_example");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<String> = stdout
        .lines()
        // libtest's `test child_runs_the_example ... ` comes before the first.
        .filter_map(|line| line.find('[').map(|start| &line[start..]))
        .map(mask_costs)
        .collect();
    assert_eq!(lines, EXAMPLE, "{stdout}");
    // The scheduler's report and the watchdog's went to stderr.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("[scheduler] Executing <Task name='sleeper' (T5)> took 0."),
        "{stderr}"
    );
    assert!(
        stderr.contains("[watchdog] task 'sleeper' (T5) has been running for 0."),
        "{stderr}"
    );
}

#[test]
fn the_example_reads_its_options_and_refuses_the_rest() {
    let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(example::parse_args(&[]), Ok(example::Options::default()));
    let all = example::parse_args(&args(&["--debug", "--trace", "--crowd"])).unwrap();
    assert!(all.debug && all.trace && all.crowd && !all.gil);
    assert_eq!(
        example::parse_args(&args(&["--fast"])),
        Err("unknown argument \"--fast\"".to_string())
    );
    assert_eq!(
        example::parse_args(&args(&["--crowd", "--gil"])),
        Err("--crowd and --gil each run instead of the rest: choose one".to_string())
    );
}

example_command_line_tests!(
    usage: "[usage] cargo run --example ch11_threads -- [--debug] [--trace] [--crowd | --gil]",
    error: "[error] unknown argument \"--fast\""
);
