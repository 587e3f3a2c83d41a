//! The course runner: one command to read the course by.
//!
//! ```text
//! cargo run                  run every chapter's example, in order
//! cargo run -- list          list the chapters and their commands
//! cargo run -- 2             run chapter 2's example
//! cargo run -- test 2        run chapter 2's tests against the reference module
//! cargo run -- check 2       run chapter 2's tests against your exercises/ch02_coroutines.rs
//! cargo run -- verify        every stub fails its tests, every reference passes (CI)
//! ```
//!
//! Everything is plain cargo underneath; the runner prints each command before
//! it runs it, so you can type it yourself.

use std::env;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use yieldpoint::course::{CHAPTERS, Chapter, chapter};

const USAGE: &str = "\
usage: cargo run [-- COMMAND]

  (nothing), all   run every chapter's example, in order
  list             list the chapters and their commands
  N                run chapter N's example (arguments after N go to the example)
  test N           run chapter N's tests against the reference module
  check N          run chapter N's tests against your stub in exercises/
  verify           check that every stub fails its chapter's tests and every
                   reference module passes them (what CI runs)
  help             this text";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match words.as_slice() {
        [] | ["all"] => run_all(),
        ["list"] => {
            list();
            Ok(())
        }
        ["help" | "-h" | "--help"] => {
            println!("{USAGE}");
            Ok(())
        }
        ["test", n] => find(n).and_then(|c| test(c, false)),
        ["check", n] => find(n).and_then(check),
        ["verify"] => verify(),
        [n, rest @ ..] if n.parse::<u8>().is_ok() => find(n).and_then(|c| run_example(c, rest)),
        _ => Err(format!("unknown command {:?}\n\n{USAGE}", words.join(" "))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("[course] {message}");
            ExitCode::FAILURE
        }
    }
}

/// The chapter numbered `n`, or an error that lists the ones there are.
fn find(n: &str) -> Result<&'static Chapter, String> {
    n.parse::<u8>().ok().and_then(chapter).ok_or_else(|| {
        let numbers: Vec<String> = CHAPTERS.iter().map(|c| c.number.to_string()).collect();
        format!(
            "there is no chapter {n:?}; the chapters are {}. `cargo run -- list` shows them.",
            numbers.join(", ")
        )
    })
}

fn list() {
    for c in CHAPTERS {
        println!("{:>2}. {}", c.number, c.title);
        println!("    read      {}", c.page());
        println!(
            "    run       cargo {}",
            c.example_args().join(" ").replace("--quiet ", "")
        );
        println!("    test      cargo {}", c.test_args(false).join(" "));
        println!(
            "    exercise  edit exercises/{}.rs, then: cargo run -- check {}",
            c.name, c.number
        );
    }
}

/// Runs `cargo args...` in the crate's root, printing the command first.
/// Returns whether it succeeded.
fn cargo(args: &[String], quiet: bool) -> Result<bool, String> {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    if !quiet {
        println!("[course] $ cargo {}", args.join(" "));
    }
    let mut command = Command::new(&cargo);
    command
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")));
    if quiet {
        command.stdout(Stdio::null()).stderr(Stdio::null());
    }
    let status = command
        .status()
        .map_err(|e| format!("could not start {cargo}: {e}. Is cargo on your PATH?"))?;
    Ok(status.success())
}

fn run_example(c: &Chapter, extra: &[&str]) -> Result<(), String> {
    let mut args = c.example_args();
    if !extra.is_empty() {
        args.push("--".to_string());
        args.extend(extra.iter().map(|s| s.to_string()));
    }
    if cargo(&args, false)? {
        Ok(())
    } else {
        Err(format!("chapter {}'s example failed", c.number))
    }
}

fn run_all() -> Result<(), String> {
    for c in CHAPTERS {
        println!();
        println!("=== Chapter {}: {} ({}) ===", c.number, c.title, c.page());
        run_example(c, &[])?;
    }
    println!();
    println!("[course] That is every chapter. `cargo run -- list` shows how to test each one");
    println!("[course] and how to check your own attempt at its exercise.");
    Ok(())
}

fn test(c: &Chapter, exercise: bool) -> Result<(), String> {
    if cargo(&c.test_args(exercise), false)? {
        Ok(())
    } else {
        Err(format!("chapter {}'s tests failed", c.number))
    }
}

fn check(c: &Chapter) -> Result<(), String> {
    println!(
        "[course] checking exercises/{}.rs against tests/{}.rs",
        c.name, c.name
    );
    if cargo(&c.test_args(true), false)? {
        println!(
            "[course] PASS: your chapter {} passes every test. On to the next chapter!",
            c.number
        );
        Ok(())
    } else {
        Err(format!(
            "FAIL: chapter {} is not solved yet (see the failures above).\n[course] hint: {}\n[course] the reference solution is src/{}.rs; the prose is {}",
            c.number,
            c.hint,
            c.name,
            c.page()
        ))
    }
}

/// For every chapter: the reference passes its tests, the stub compiles, and
/// the stub fails its tests.
fn verify() -> Result<(), String> {
    let mut failures = Vec::new();
    for c in CHAPTERS {
        let reference = cargo(&c.test_args(false), true)?;
        let mut stub_build = c.test_args(true);
        stub_build.push("--no-run".to_string());
        let stub_compiles = cargo(&stub_build, true)?;
        let stub_passes = stub_compiles && cargo(&c.test_args(true), true)?;
        let verdict = match (reference, stub_compiles, stub_passes) {
            (true, true, false) => "ok: reference passes, stub compiles and fails",
            (false, _, _) => "WRONG: the reference module fails its own tests",
            (_, false, _) => "WRONG: the exercise stub does not compile",
            (_, _, true) => "WRONG: the exercise stub passes the tests unsolved",
        };
        println!("[course] chapter {}: {verdict}", c.number);
        if !verdict.starts_with("ok") {
            failures.push(c.number.to_string());
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "chapters {} are not sound exercises",
            failures.join(", ")
        ))
    }
}
