//! The course runner: one command to read the course by.
//!
//! ```text
//! cargo run                  run every chapter's example, in order
//! cargo run -- list          list the chapters, their commands and exercises
//! cargo run -- 2             run chapter 2's example
//! cargo run -- test 2        run chapter 2's tests against the reference code
//! cargo run -- check 2.3     check exercise 3 of chapter 2 against your file
//! cargo run -- check 2       check every exercise of chapter 2
//! cargo run -- hint 2.3      the next hint for exercise 2.3
//! cargo run -- progress      which exercises pass
//! cargo run -- watch         check the first unsolved exercise on every save
//! cargo run -- verify        every reference passes, every stub fails (CI)
//! cargo run -- costs         the last `cargo bench` run as a table and a chart
//! ```
//!
//! Everything is plain cargo underneath; the runner prints each command
//! before it runs it, so you can type it yourself. It exits with 0 when all
//! went well, 1 when something failed (an exercise not solved yet, a
//! chapter's example failing, a malformed `info.toml`), and 2 when the
//! command line is wrong.
//!
//! It works on the checkout it was built from; the variable `YIELDPOINT_ROOT`
//! points it at another (the tools' tests use it for small made-up courses).

#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]

use std::env;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use yieldpoint_tools::cli::{self, Command, USAGE};
use yieldpoint_tools::course::chapter;
use yieldpoint_tools::runner::Runner;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let command = match cli::parse(&args) {
        Ok(command) => command,
        Err(usage) => {
            eprintln!("[course] {usage}");
            return ExitCode::from(2);
        }
    };
    let root = env::var_os("YIELDPOINT_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            // This binary's package is tools/, one level below the root.
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        });
    let runner = Runner::new(root);
    let chapter_of = |n: u8| chapter(n).ok_or_else(|| format!("there is no chapter {n}"));
    let result = match command {
        Command::All => runner.all(),
        Command::List => Ok(runner.list()),
        Command::Help => {
            println!("{USAGE}");
            Ok(true)
        }
        Command::Example { chapter, args } => {
            chapter_of(chapter).and_then(|c| runner.example(c, &args))
        }
        Command::Test { chapter } => chapter_of(chapter).and_then(|c| runner.test(c)),
        Command::Check(target) => runner.check(target),
        Command::Hint(target) => runner.hint(target),
        Command::Progress => runner.progress(),
        Command::Watch => runner.watch(),
        Command::Verify(target) => runner.verify(target),
        Command::Costs { publish } => runner.costs(publish),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("[course] {message}");
            ExitCode::FAILURE
        }
    }
}
