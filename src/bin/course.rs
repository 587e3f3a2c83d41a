//! The course runner: one command to read the course by.
//!
//! ```text
//! cargo run                  run every chapter's example, in order
//! cargo run -- list          list the chapters and their commands
//! cargo run -- 2             run chapter 2's example
//! cargo run -- test 2        run chapter 2's tests against the reference module
//! cargo run -- check 2       run chapter 2's tests against your exercises/ch02_coroutines.rs
//! cargo run -- verify        every stub fails its tests, every reference passes (CI)
//! cargo run -- costs         the last `cargo bench` run as a table, goals and an SVG chart
//! ```
//!
//! Everything is plain cargo underneath; the runner prints each command before
//! it runs it, so you can type it yourself.

use std::env;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use yieldpoint::costs;
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
  costs            after `cargo bench`: a table of each benchmark's median and
                   its ratio to a raw corosensei round trip, the goals of
                   chapter 8, and target/costs.{md,svg,tsv}
  costs --publish  the same, and save the run into chapter 8 (its figures,
                   chart and table)
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
        ["costs"] => costs(false),
        ["costs", "--publish"] => costs(true),
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

/// The benchmark every other is divided by: one resume/suspend round trip of
/// corosensei with nothing on top.
/// Prints the last `cargo bench` run as a markdown table of medians and
/// ratios, with the goals chapter 8 states, and writes the table, an SVG
/// chart and the run's figures into `target/` (see `yieldpoint::costs`).
/// With `publish`, also saves the run into chapter 8: its figures, its
/// chart, and the table on the page.
fn costs(publish: bool) -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = root.join("target");
    let mut found = costs::read_criterion(&target.join("criterion")).map_err(|e| e.to_string())?;
    let python_note = match costs::read_python(&target.join("python-costs.tsv")) {
        Ok(figures) => {
            found.extend(figures);
            None
        }
        Err(e) => Some(format!("no Python figures: {e}")),
    };
    // A full `cargo bench` takes minutes; anything older than an hour before
    // the newest result is left over from an earlier run.
    let dropped = costs::keep_one_run(&mut found, Duration::from_secs(3600));
    let run = costs::Run::new(found);
    let mut report = run.report()?;
    if let Some(note) = python_note {
        report.push_str(&format!("\n({note})\n"));
    }
    if !dropped.is_empty() {
        report.push_str(&format!(
            "\n(left out, older than the rest of the run: {})\n",
            dropped.join(", ")
        ));
    }
    print!("{report}");
    let svg = run.chart()?;
    let tsv = run.to_tsv();
    let write = |path: &Path, text: &str| {
        std::fs::write(path, text)
            .map_err(|e| format!("could not write {}: {e}", path.display()))?;
        println!("[course] wrote {}", path.display());
        Ok::<(), String>(())
    };
    write(&target.join("costs.md"), &report)?;
    write(&target.join("costs.svg"), &svg)?;
    write(&target.join("costs.tsv"), &tsv)?;
    if publish {
        let chapters = root.join("chapters");
        write(&chapters.join(costs::PUBLISHED_RUN), &tsv)?;
        write(&chapters.join(costs::PUBLISHED_CHART), &svg)?;
        let page_path = chapters.join("08-cost-of-a-switch.md");
        let page = std::fs::read_to_string(&page_path)
            .map_err(|e| format!("could not read {}: {e}", page_path.display()))?;
        let page = costs::replace_block(&page, costs::PUBLISHED_RUN, &run.report()?)?;
        write(&page_path, &page)?;
    }
    Ok(())
}
