//! The example's client beside the same client in CPython
//! (`examples/ch10_sockets.py`, with `asyncio.open_connection`), against
//! one slow server: the same lines in the same order, the measured numbers
//! of the `[cost]` lines aside.
//!
//! The CPython side needs `python3` 3.11 or newer; without it the test says
//! so on stderr and checks the Rust side alone (`PARITY_REQUIRE_PYTHON=1`
//! makes it a failure, as in CI).

use std::path::Path;
use std::process::Command;

use yieldpoint::output::{capture, mask_costs};

use super::interpreter::python_or_skip;
use super::{child, example, slow_server};

/// What the client says, numbers of measurements masked: the same on every
/// run, and on both sides.
const LINES: [&str; 21] = [
    "[demo] Four requests, one after the other (chapter 7's, for real)",
    "[main] users: 200 users after 40 ms",
    "[main] news: 200 news after 10 ms",
    "[main] prices: 200 prices after 30 ms",
    "[main] weather: 200 weather after 20 ms",
    "[cost] users N ms, news N ms, prices N ms, weather N ms",
    "[cost] run time N ms; the requests took N ms in all: the run took about the sum",
    "[demo] The same four at once, a task each, answers in request order",
    "[main] users: 200 users after 40 ms",
    "[main] news: 200 news after 10 ms",
    "[main] prices: 200 prices after 30 ms",
    "[main] weather: 200 weather after 20 ms",
    "[cost] users N ms, news N ms, prices N ms, weather N ms",
    "[cost] run time N ms; the requests took N ms in all: the run took about the largest",
    "[demo] The same four at once, from async tasks",
    "[main] users: 200 users after 40 ms",
    "[main] news: 200 news after 10 ms",
    "[main] prices: 200 prices after 30 ms",
    "[main] weather: 200 weather after 20 ms",
    "[cost] users N ms, news N ms, prices N ms, weather N ms",
    "[cost] run time N ms; the requests took N ms in all: the run took about the largest",
];

#[test]
fn the_example_client_and_the_same_client_in_cpython_print_the_same_lines() {
    let server = slow_server();
    let (_, rust) = capture(|| example::client(server.address()));
    let rust: Vec<String> = rust.iter().map(|line| mask_costs(line)).collect();
    assert_eq!(rust, LINES, "the Rust client");

    let Some(python) = python_or_skip("chapter 10's parity test checks the Rust client only")
    else {
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ch10_sockets.py");
    let output = Command::new(python)
        .arg(&script)
        .arg(server.address().to_string())
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{} failed:\n{}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let python: Vec<String> = stdout.lines().map(mask_costs).collect();
    assert_eq!(python, LINES, "the CPython client");
}

#[test]
fn the_example_prints_its_usage_for_help() {
    for help in ["--help", "-h"] {
        let (_, lines) = capture(|| example::run(&[help.to_string()]));
        assert_eq!(lines, [format!("[usage] {}", example::USAGE)]);
    }
}

#[test]
#[ignore = "exits the process on purpose; started in a child process by the test below"]
fn child_runs_the_example_with_an_unknown_flag() {
    if child::is_child("parity::child_runs_the_example_with_an_unknown_flag") {
        example::run(&["--fast".to_string()]);
        println!("the example ran anyway");
    }
}

#[test]
fn the_example_refuses_an_unknown_flag_with_its_usage_and_exit_code_2() {
    let output = child::run("parity::child_runs_the_example_with_an_unknown_flag");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!(
            "[error] unknown argument \"--fast\"\n[usage] {}\n",
            example::USAGE
        )),
        "{stdout}"
    );
    assert!(!stdout.contains("the example ran anyway"), "{stdout}");
    assert_eq!(output.status.code(), Some(2));
}
