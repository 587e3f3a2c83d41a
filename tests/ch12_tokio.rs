//! Chapter 12's tests: the course's programs and their tokio twins, run
//! side by side. They also judge the rebuild exercise (12.6):
//! `cargo test --features exercise-ch12 --test ch12_tokio -- --skip exercises::`.
//!
//! - `ch12_tokio/same.rs`: what tokio orders the way asyncio does; each
//!   test compares the two transcripts whole.
//! - `ch12_tokio/differences.rs`: every place tokio differs, each test
//!   asserting both transcripts exactly, so that it fails if the difference
//!   goes away (a tokio release that changes its scheduler, say).
//! - `ch12_tokio/model.rs`: the model of tokio's loop against tokio itself,
//!   on scripts of the chapter and on random ones.
//! - `ch12_tokio/course.rs`: the course's side on its own (scripts, the
//!   channel).
//! - `ch12_tokio/pitfalls.rs`: what tokio says when it is used wrongly, as
//!   the chapter quotes it.
//! - `ch12_tokio/exercises.rs`: the small exercises.
//!
//! No test here asserts a duration. Every clock is the virtual one or
//! tokio's paused one, save in the busy-timer programs, whose lines count
//! polls (a thread blocked for 5 ms makes sure a timer is due), and in the
//! programs that talk to chapter 10's slow server over loopback, whose
//! lines hold the server's answers in the order they were asked for, and
//! (chapter 11's stalled fetch) whether a blocking call was let go or gave
//! up, never a time measured here.

use yieldpoint::output::capture;

#[allow(dead_code)]
#[path = "../examples/ch12_tokio.rs"]
mod example;

#[path = "support/child.rs"]
mod child;

#[path = "ch12_tokio/same.rs"]
mod same;

#[path = "ch12_tokio/differences.rs"]
mod differences;

#[path = "ch12_tokio/model.rs"]
mod model;

#[path = "ch12_tokio/course.rs"]
mod course;

#[path = "ch12_tokio/pitfalls.rs"]
mod pitfalls;

// The small exercises' tests: `cargo test --test ch12_tokio -- exercises::`.
#[path = "ch12_tokio/exercises.rs"]
mod exercises;

/// `lines` as `&str`s, for comparing with a literal list.
fn strs(lines: &[String]) -> Vec<&str> {
    lines.iter().map(String::as_str).collect()
}

#[test]
fn the_example_runs_every_section_and_says_tokio_agrees_where_it_should() {
    let (_, lines) = capture(|| example::run(&[]));
    let verdicts: Vec<&str> = lines
        .iter()
        .filter(|line| line.starts_with("[tokio] "))
        .map(String::as_str)
        .collect();
    assert_eq!(
        verdicts,
        [
            "[tokio] the same 14 lines",
            "[tokio] the same 9 lines",
            "[tokio] the same 5 lines",
            "[tokio] the same 4 lines",
            "[tokio] the same 5 lines",
            "[tokio] the same 5 lines",
            "[tokio] the same line",
        ]
    );
    let sections = lines
        .iter()
        .filter(|line| line.starts_with("[demo] "))
        .count();
    assert_eq!(sections, 45);
    assert_eq!(lines.len(), 148);
}

#[test]
fn the_example_prints_its_usage_for_help() {
    for help in ["--help", "-h"] {
        let (_, lines) = capture(|| example::run(&[help.to_string()]));
        assert_eq!(
            lines,
            ["[usage] cargo run --example ch12_tokio (no options; --help prints this)"]
        );
    }
}

#[test]
#[ignore = "exits the process on purpose; started in a child process by the test below"]
fn child_runs_the_example_with_an_unknown_flag() {
    if child::is_child("child_runs_the_example_with_an_unknown_flag") {
        example::run(&["--fast".to_string()]);
        println!("the example ran anyway");
    }
}

#[test]
fn the_example_refuses_an_unknown_flag_with_its_usage_and_exit_code_2() {
    let output = child::run("child_runs_the_example_with_an_unknown_flag");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(
            "[error] unknown argument \"--fast\": this example takes no options\n\
             [usage] cargo run --example ch12_tokio (no options; --help prints this)\n"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("the example ran anyway"), "{stdout}");
    assert_eq!(output.status.code(), Some(2));
}
