//! Runs one test of the current test binary in a child process, for what a
//! test cannot survive in its own process: an abort, or a call that never
//! returns.
//!
//! The child is an `#[ignore]`d test; the parent runs this same binary again,
//! asking for that one test by name, with `YIELDPOINT_CHILD` set. A child test
//! started any other way (`cargo test -- --ignored`) does nothing, and says so.
//! (`tests/stack_overflow.rs` does the same for stack overflows.)

#![allow(dead_code)] // each test file uses what it needs

use std::process::{Child, Command, Output, Stdio};

/// The command that runs the ignored test `name` of this binary.
fn command(name: &str) -> Command {
    let mut command = Command::new(std::env::current_exe().expect("the test binary's path"));
    command
        .args([
            "--ignored",
            "--exact",
            name,
            "--nocapture",
            "--test-threads=1",
        ])
        .env("YIELDPOINT_CHILD", name);
    command
}

/// Runs the ignored test `name` in a child process and waits for it to end.
pub fn run(name: &str) -> Output {
    command(name).output().expect("the test binary runs again")
}

/// Starts the ignored test `name` in a child process, its stdout piped, and
/// returns at once.
pub fn spawn(name: &str) -> Child {
    command(name)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the test binary runs again")
}

/// Whether this process is the child started for the test `name`.
pub fn is_child(name: &str) -> bool {
    let child = std::env::var("YIELDPOINT_CHILD").is_ok_and(|wanted| wanted == name);
    if !child {
        eprintln!("{name} only runs when the test that needs it starts it in a child process");
    }
    child
}

/// SIGABRT's number (6 on Linux and macOS): how an aborted process ends.
pub const SIGABRT: i32 = 6;

/// Whether `output` is that of a process that aborted.
pub fn aborted(output: &Output) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        output.status.signal() == Some(SIGABRT)
    }
    #[cfg(not(unix))]
    {
        !output.status.success()
    }
}
