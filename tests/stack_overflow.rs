//! A task or a generator that overflows its stack ends the process with a
//! message that names it and its stack size, not a bare "Segmentation
//! fault": a chapter 6 task by its name, a chapter 2 generator by where it
//! was created, a chapter 5 task (which runs in a generator) by its name.
//!
//! An overflow cannot be caught and survived, so each program that overflows
//! runs in a child process: the test runs this same test binary again, asking
//! for one ignored test by name, with `YIELDPOINT_OVERFLOW_CHILD` set, and
//! reads what the child printed and how it ended.

use std::hint::black_box;
use std::process::{Command, Output};
use std::time::Duration;

use yieldpoint::ch02_coroutines::Generator;
use yieldpoint::ch05_event_loop::EventLoop;
use yieldpoint::ch06_scheduler::{self as ch06, Clock, Scheduler};

/// Runs the ignored test `name` of this binary in a child process.
fn run_child(name: &str) -> Output {
    Command::new(std::env::current_exe().expect("the test binary's path"))
        .args([
            "--ignored",
            "--exact",
            name,
            "--nocapture",
            "--test-threads=1",
        ])
        .env("YIELDPOINT_OVERFLOW_CHILD", "1")
        .output()
        .expect("the test binary runs again")
}

/// Whether this process is a child started by `run_child`. A child test run
/// any other way (`cargo test -- --ignored`) does nothing, and says so.
fn is_child() -> bool {
    let child = std::env::var_os("YIELDPOINT_OVERFLOW_CHILD").is_some();
    if !child {
        eprintln!("this test only overflows when a test in tests/stack_overflow.rs starts it");
    }
    child
}

/// Recurses until the stack runs out: each call keeps a 1 KiB array alive.
fn recurse(depth: u64) -> u64 {
    let frame = black_box([depth; 128]);
    if black_box(depth) == u64::MAX {
        return frame[0];
    }
    recurse(depth + 1).wrapping_add(frame[1])
}

#[test]
#[ignore = "overflows on purpose; started in a child process by the test below"]
fn child_overflows_in_a_task() {
    if !is_child() {
        return;
    }
    let scheduler = Scheduler::new(Clock::Virtual).with_stack_size(64 * 1024);
    scheduler
        .run_until_complete(|| {
            let calm =
                ch06::spawn("calm", || ch06::sleep(Duration::from_secs(1))).expect("a stack");
            let deep = ch06::spawn("deep recursion", || Ok::<u64, ch06::SchedError>(recurse(0)))
                .expect("a stack");
            let _ = deep.join();
            let _ = calm.join();
            Ok::<(), ch06::SchedError>(())
        })
        .expect("never reached: the task overflows");
    println!("still alive after the overflow");
}

#[test]
fn a_stack_overflow_names_the_task_and_its_stack_size() {
    let output = run_child("child_overflows_in_a_task");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stderr.contains(
            "task 'deep recursion' has overflowed its stack of 64 KiB.\n\
             A task's stack cannot grow: give every task more with \
             Scheduler::with_stack_size, or make this task use less \
             (deep recursion, large local arrays). Aborting.\n"
        ),
        "stderr was:\n{stderr}"
    );
    assert!(!stdout.contains("still alive"), "stdout was:\n{stdout}");
    assert!(!output.status.success());
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            output.status.signal(),
            Some(libc_sigabrt()),
            "{:?}",
            output.status
        );
    }
}

/// The line the generator of `child_overflows_in_a_generator` is created
/// on, which the report names.
const GENERATOR_LINE: u32 = line!() + 11;

#[test]
#[ignore = "overflows on purpose; started in a child process by the test below"]
fn child_overflows_in_a_generator() {
    if !is_child() {
        return;
    }
    let mut calm: Generator<(), (), u64> =
        Generator::with_stack_size(64 * 1024, |_, ()| 1).expect("a stack");
    let mut deep: Generator<(), (), u64> =
        Generator::with_stack_size(64 * 1024, |_, ()| recurse(0)).expect("a stack");
    let _ = calm.resume(());
    let _ = deep.resume(());
    println!("still alive after the overflow");
}

#[test]
fn a_generator_that_overflows_is_named_by_where_it_was_created() {
    let output = run_child("child_overflows_in_a_generator");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The README's catalogue shows this line, so it is spelled out here.
    assert_eq!(
        GENERATOR_LINE, 115,
        "the generator moved: update the line below and the README's row"
    );
    assert!(
        stderr.contains(
            "generator created at tests/stack_overflow.rs:115:9 has overflowed its stack of 64 KiB.\n\
             A generator's stack cannot grow: give it more with Generator::with_stack_size, \
             or make its body use less (deep recursion, large local arrays). Aborting.\n"
        ),
        "stderr was:\n{stderr}"
    );
    assert!(!stdout.contains("still alive"), "stdout was:\n{stdout}");
    assert_aborted(&output);
}

#[test]
#[ignore = "overflows on purpose; started in a child process by the test below"]
fn child_overflows_in_a_chapter_5_task() {
    if !is_child() {
        return;
    }
    let event_loop = EventLoop::new();
    // Created first, it runs first, in the loop's first round.
    let _deep = event_loop.create_task("deep recursion", || recurse(0));
    let outcome = event_loop.run_until_complete(|| 0);
    println!("still alive after the overflow: {outcome:?}");
}

#[test]
fn a_chapter_5_task_that_overflows_is_named() {
    let output = run_child("child_overflows_in_a_chapter_5_task");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stderr.contains(
            "task 'deep recursion' has overflowed its stack of 1024 KiB.\n\
             A task's stack cannot grow: make this task use less \
             (deep recursion, large local arrays). Aborting.\n"
        ),
        "stderr was:\n{stderr}"
    );
    assert!(!stdout.contains("still alive"), "stdout was:\n{stdout}");
    assert_aborted(&output);
}

/// The child ended by `abort`, not by a plain crash or normally.
fn assert_aborted(output: &Output) {
    assert!(!output.status.success());
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            output.status.signal(),
            Some(libc_sigabrt()),
            "{:?}",
            output.status
        );
    }
}

#[test]
#[ignore = "overflows on purpose; started in a child process by the test below"]
fn child_overflows_on_a_plain_thread() {
    if !is_child() {
        return;
    }
    // A scheduler has run on this thread (so the handler is installed), but
    // the overflow happens outside any task: it is not ours to report.
    let scheduler = Scheduler::new(Clock::Virtual);
    scheduler
        .run_until_complete(|| Ok::<(), ch06::SchedError>(()))
        .expect("main finishes");
    std::thread::Builder::new()
        .name("plain".to_string())
        .stack_size(128 * 1024)
        .spawn(|| {
            let scheduler = Scheduler::new(Clock::Virtual);
            scheduler
                .run_until_complete(|| Ok::<(), ch06::SchedError>(()))
                .expect("main finishes");
            recurse(0)
        })
        .expect("a thread")
        .join()
        .expect("never reached: the thread overflows");
}

#[test]
fn an_overflow_outside_any_task_is_left_to_rust_s_own_report() {
    let output = run_child("child_overflows_on_a_plain_thread");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("thread 'plain'") && stderr.contains("has overflowed its stack"),
        "stderr was:\n{stderr}"
    );
    assert!(!stderr.contains("task '"), "stderr was:\n{stderr}");
    assert!(!output.status.success());
}

#[test]
fn a_task_that_stays_within_its_stack_runs_normally_after_the_handler_is_installed() {
    // The handler is installed by the first task step; ordinary faults-free
    // work is unaffected, and deep but bounded recursion fits.
    let scheduler = Scheduler::new(Clock::Virtual).with_stack_size(256 * 1024);
    let sum = scheduler
        .run_until_complete(|| {
            fn bounded(n: u64) -> u64 {
                let frame = black_box([n; 16]);
                if n == 0 { 0 } else { bounded(n - 1) + frame[0] }
            }
            Ok::<u64, ch06::SchedError>(bounded(black_box(100)))
        })
        .expect("main finishes");
    assert_eq!(sum, 5050);
}

/// SIGABRT's number (6 on Linux and macOS).
fn libc_sigabrt() -> i32 {
    6
}
