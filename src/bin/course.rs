//! The course runner: one command to read the course by.
//!
//! ```text
//! cargo run                  run every chapter's example, in order
//! cargo run -- list          list the chapters and their commands
//! cargo run -- 2             run chapter 2's example
//! cargo run -- test 2        run chapter 2's tests against the reference module
//! cargo run -- check 2       run chapter 2's tests against your exercises/ch02_coroutines.rs
//! cargo run -- verify        every stub fails its tests, every reference passes (CI)
//! cargo run -- costs         the last `cargo bench` run as a table of medians and ratios
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
  costs            after `cargo bench`: a table of each benchmark's median and
                   its ratio to a raw corosensei round trip
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
        ["costs"] => costs(),
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
const BASELINE: &str = "round_trip/raw_corosensei";

/// Benchmark groups in the order `benches/switch.rs` runs them.
const GROUP_ORDER: &[&str] = &[
    "round_trip",
    "poll_step",
    "delegation",
    "event_loop",
    "scheduler",
    "tokio",
];

/// Prints the medians criterion saved in `target/criterion` as a markdown
/// table, with each one's ratio to [`BASELINE`].
fn costs() -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/criterion");
    let mut found = Vec::new();
    collect_estimates(&root, &root, &mut found);
    if found.is_empty() {
        return Err(format!(
            "no benchmark results in {}: run `cargo bench` first",
            root.display()
        ));
    }
    found.sort_by_key(|(id, _)| sort_key(id));
    let baseline = found
        .iter()
        .find(|(id, _)| id == BASELINE)
        .map(|(_, ns)| *ns)
        .ok_or_else(|| format!("no result for {BASELINE}: run `cargo bench` without a filter"))?;
    println!("| benchmark | median | ratio to raw corosensei |");
    println!("|---|---:|---:|");
    for (id, ns) in &found {
        println!("| `{id}` | {} | {:.2} |", human(*ns), ns / baseline);
    }
    Ok(())
}

/// Finds every `<id>/new/estimates.json` below `dir` and reads its median.
fn collect_estimates(root: &Path, dir: &Path, found: &mut Vec<(String, f64)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        let estimates = path.join("new/estimates.json");
        if let Some(median) = std::fs::read_to_string(&estimates)
            .ok()
            .as_deref()
            .and_then(median_ns)
        {
            let id = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            found.push((id, median));
        } else if path
            .file_name()
            .is_some_and(|name| name != "report" && name != "new" && name != "base")
        {
            collect_estimates(root, &path, found);
        }
    }
}

/// The median's point estimate, in nanoseconds, from criterion's
/// `estimates.json` (`{"mean":{...},"median":{...,"point_estimate":3.7,...},...}`).
fn median_ns(json: &str) -> Option<f64> {
    let median = &json[json.find("\"median\"")?..];
    let value = &median[median.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = value.find([',', '}'])?;
    value[..end].trim().parse().ok()
}

/// The baseline first, then group order, then the name, then a numeric last part (so that
/// `busy_round/100` comes before `busy_round/10000`).
fn sort_key(id: &str) -> (bool, usize, String, u64) {
    let group = id.split('/').next().unwrap_or("");
    let rank = GROUP_ORDER
        .iter()
        .position(|g| *g == group)
        .unwrap_or(GROUP_ORDER.len());
    let (name, last) = id.rsplit_once('/').unwrap_or((id, ""));
    match last.parse::<u64>() {
        Ok(n) => (id != BASELINE, rank, name.to_string(), n),
        Err(_) => (id != BASELINE, rank, id.to_string(), 0),
    }
}

/// A duration in nanoseconds, in the unit that reads best.
fn human(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.2} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else {
        format!("{:.2} ms", ns / 1_000_000.0)
    }
}
