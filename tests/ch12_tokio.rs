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

#[macro_use]
#[path = "support/example_command_line.rs"]
mod example_command_line;
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

example_command_line_tests!(no_options: "ch12_tokio");
