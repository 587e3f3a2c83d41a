//! # yieldpoint-tools: the tools around the course
//!
//! The library `yieldpoint` is the course and nothing else: one module per
//! chapter, and the role-tagged output its examples print. Everything that
//! serves the course without being taught by it lives here:
//!
//! | module | what it does |
//! |---|---|
//! | [`course`] | the table of contents: every chapter's number, name, title, files and commands |
//! | [`exercises`] | a chapter's exercises, read from `exercises/chNN_name/info.toml` (or its legacy stub), the cargo commands that judge them, and the rules a chapter's list keeps |
//! | [`libtest`] | reading a test run's output: how many ran, which failed, the verdict |
//! | [`hints`] | which hint `cargo run -- hint N.K` shows next |
//! | [`watch`] | noticing a change under `exercises/` (and why it polls) |
//! | [`cli`] | the runner's command line, with an error for every misuse |
//! | [`runner`] | what each command does |
//! | [`links`] | the links of the markdown pages, and whether each leads somewhere |
//! | `costs` | the bench report (with the feature `costs`) |
//!
//! and two binaries: `course`, the runner (`cargo run` from the repository's
//! root starts it), and `costs`, the bench report (`cargo run -- costs`).
//!
//! ## Why the chapter table moved here too
//!
//! `course` (the chapter table) was a module of the library, but no chapter
//! uses it: only the runner and the test that checks every chapter is whole
//! (`tools/tests/wholeness.rs`) read it. Keeping it in the library would
//! have left a table of file names and commands in the API a learner reads
//! beside the chapters, and made the wholeness test a test of the library.
//! Here it sits with the two things that use it, and a new chapter is one
//! more row in [`course::CHAPTERS`].
//!
//! ## The bench report, and criterion's own HTML reports
//!
//! `cargo run -- costs` reads the medians criterion saves
//! (`target/criterion/<group>/<name>/new/estimates.json`, parsed with
//! `serde_json`) and the Python figures, and writes one table and one SVG
//! bar chart: every mechanism of the course on one logarithmic axis, each
//! bar labelled with its ratio to a raw corosensei round trip. criterion can
//! also write HTML reports (its `html_reports` feature): a page per
//! benchmark with the distribution of the samples, the regression line, and
//! the change since the last run. The course keeps its own chart and leaves
//! those off, because
//!
//! - chapter 8 needs one picture across every group (stackful, stackless,
//!   async, tasks, threads, CPython) as ratios to one baseline; criterion's
//!   reports compare the benchmarks of one group, on a linear axis, in
//!   absolute times;
//! - the chart is text the crate renders exactly from a committed run, so a
//!   test can check that chapter 8 shows what its figures say; criterion's
//!   pages carry timestamps and scripts, and could only be committed as
//!   binary noise;
//! - `html_reports` builds plotters and its drawing stack into every
//!   `cargo bench`, for pages nobody reads in CI.
//!
//! When tuning one benchmark, criterion's pages are the better tool, and
//! one flag away: `cargo bench --features criterion/html_reports`, then open
//! `target/criterion/report/index.html`.
#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]

pub mod cli;
#[cfg(feature = "costs")]
pub mod costs;
pub mod course;
pub mod exercises;
pub mod hints;
pub mod libtest;
pub mod links;
pub mod runner;
pub mod watch;
