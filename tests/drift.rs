//! The drift test: the book and the crate cannot disagree.
//!
//! Chapters never paste code by hand. A quoted block is marked with the file
//! and anchor it comes from, and a shown output with the example that prints
//! it:
//!
//! ````text
//! <!-- quote: src/ch02_coroutines.rs:resume -->
//! ```rust
//! ...the lines between `// ANCHOR: resume` and `// ANCHOR_END: resume`...
//! ```
//!
//! <!-- output: ch02_coroutines -->
//! ```text
//! ...exactly what `cargo run --example ch02_coroutines` prints...
//! ```
//! ````
//!
//! An output marker may pass arguments to the example
//! (`<!-- output: ch05_event_loop --clock ticks -->`). Lines tagged `[cost]`
//! report measurements that change from run to run; they are compared with
//! their numbers masked.
//!
//! This test checks every such block against the real file and the real run.
//! (That every chapter is whole, with module, example, tests, exercises,
//! prose, README row and book entry, is checked beside the chapter table, in
//! `tools/tests/wholeness.rs`.)
//!
//! After changing code or output on purpose, refresh the chapters with
//! `BLESS=1 cargo test --test drift` (or `BLESS=02-coroutines` for one page),
//! then read the diff.

use std::fs;
use std::path::{Path, PathBuf};

use yieldpoint::output::{capture, mask_costs};

// Each example is compiled into this test as a module, so its output can be
// captured without spawning cargo. Examples declare `pub fn main` for this.
#[allow(dead_code)]
#[path = "../examples/ch01_polled_lists.rs"]
mod ch01_polled_lists;
#[allow(dead_code)]
#[path = "../examples/ch02_coroutines.rs"]
mod ch02_coroutines;
#[allow(dead_code)]
#[path = "../examples/ch03_yield_from.rs"]
mod ch03_yield_from;
#[allow(dead_code)]
#[path = "../examples/ch04_future_task.rs"]
mod ch04_future_task;
#[allow(dead_code)]
#[path = "../examples/ch05_event_loop.rs"]
mod ch05_event_loop;
#[allow(dead_code)]
#[path = "../examples/ch06_scheduler.rs"]
mod ch06_scheduler;
#[allow(dead_code)]
#[path = "../examples/ch07_combinators.rs"]
mod ch07_combinators;
#[allow(dead_code)]
#[path = "../examples/ch08_cost_of_a_switch.rs"]
mod ch08_cost_of_a_switch;
// Chapter 9's example compiles chapter 3's into itself (step 8 beside step
// 9), so chapter 3's file is a module twice here: the same code, twice.
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../examples/ch09_async_fn.rs"]
mod ch09_async_fn;
#[allow(dead_code)]
#[path = "../examples/ch10_sockets.rs"]
mod ch10_sockets;
// Chapter 11's example compiles chapter 7's into itself (its four
// requests), so chapter 7's file is a module twice here too.
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../examples/ch11_threads.rs"]
mod ch11_threads;
#[allow(dead_code)]
#[path = "../examples/ch12_tokio.rs"]
mod ch12_tokio;

/// What the example called `name` prints, line by line, when run with
/// `args` on its command line.
fn example_output(name: &str, args: &[String]) -> Vec<String> {
    match name {
        "ch01_polled_lists" => capture(|| ch01_polled_lists::run(args)).1,
        "ch02_coroutines" => capture(|| ch02_coroutines::run(args)).1,
        "ch03_yield_from" => capture(|| ch03_yield_from::run(args)).1,
        "ch04_future_task" => capture(|| ch04_future_task::run(args)).1,
        "ch05_event_loop" => capture(|| ch05_event_loop::run(args)).1,
        "ch06_scheduler" => capture(|| ch06_scheduler::run(args)).1,
        "ch07_combinators" => capture(|| ch07_combinators::run(args)).1,
        "ch08_cost_of_a_switch" => capture(|| ch08_cost_of_a_switch::run(args)).1,
        "ch09_async_fn" => capture(|| ch09_async_fn::run(args)).1,
        "ch10_sockets" => capture(|| ch10_sockets::run(args)).1,
        "ch11_threads" => capture(|| ch11_threads::run(args)).1,
        "ch12_tokio" => capture(|| ch12_tokio::run(args)).1,
        other => panic!("no example named {other:?}: add it to the table in tests/drift.rs"),
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The lines between `ANCHOR: anchor` and `ANCHOR_END: anchor` in `file`,
/// without nested anchor markers and without their common indentation.
fn anchored(file: &str, anchor: &str) -> Result<Vec<String>, String> {
    let text =
        fs::read_to_string(root().join(file)).map_err(|e| format!("cannot read {file}: {e}"))?;
    let is_marker = |line: &str, kind: &str| {
        line.trim_start()
            .strip_prefix("// ")
            .and_then(|rest| rest.strip_prefix(kind))
            .is_some_and(|name| name.trim() == anchor)
    };
    let mut lines = text.lines();
    lines
        .by_ref()
        .find(|line| is_marker(line, "ANCHOR:"))
        .ok_or_else(|| format!("{file} has no `// ANCHOR: {anchor}`"))?;
    let mut body = Vec::new();
    let mut closed = false;
    for line in lines {
        if is_marker(line, "ANCHOR_END:") {
            closed = true;
            break;
        }
        if !line.contains("// ANCHOR:") && !line.contains("// ANCHOR_END:") {
            body.push(line.to_string());
        }
    }
    if !closed {
        return Err(format!(
            "{file}: `// ANCHOR: {anchor}` has no `// ANCHOR_END: {anchor}`"
        ));
    }
    let indent = body
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    Ok(body
        .into_iter()
        .map(|line| line.get(indent..).unwrap_or("").to_string())
        .collect())
}

/// One marked block in a chapter: what it claims to show, and where it is.
struct Block {
    /// The marker's text after `<!-- `, such as `quote: src/x.rs:name`.
    marker: String,
    /// Line index of the first line inside the fence.
    start: usize,
    /// Line index of the closing fence.
    end: usize,
}

/// Every marked block of a markdown page.
fn blocks(page: &str, lines: &[&str]) -> Vec<Block> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if let Some(marker) = line
            .strip_prefix("<!-- ")
            .and_then(|m| m.strip_suffix(" -->"))
            && (marker.starts_with("quote:") || marker.starts_with("output:"))
        {
            let fence = lines.get(i + 1).map_or("", |l| l.trim());
            assert!(
                fence.starts_with("```"),
                "{page}:{}: `<!-- {marker} -->` must be followed by a fenced block",
                i + 1
            );
            let close = (i + 2..lines.len())
                .find(|&j| lines[j].trim() == "```")
                .unwrap_or_else(|| panic!("{page}:{}: the fenced block never closes", i + 2));
            found.push(Block {
                marker: marker.to_string(),
                start: i + 2,
                end: close,
            });
            i = close;
        }
        i += 1;
    }
    found
}

/// What a marked block must contain.
fn expected(marker: &str) -> Result<Vec<String>, String> {
    if let Some(target) = marker.strip_prefix("quote:") {
        let (file, anchor) = target
            .trim()
            .rsplit_once(':')
            .ok_or_else(|| format!("`{marker}` should read `quote: FILE:ANCHOR`"))?;
        anchored(file, anchor)
    } else {
        let mut words = marker.trim_start_matches("output:").split_whitespace();
        let name = words.next().ok_or("`output:` needs an example name")?;
        let args: Vec<String> = words.map(String::from).collect();
        Ok(example_output(name, &args))
    }
}

fn chapter_pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = fs::read_dir(root().join("chapters"))
        .expect("chapters/ exists")
        .map(|entry| entry.expect("readable chapters/ entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    pages.push(root().join("README.md"));
    pages.sort();
    pages
}

#[test]
fn quoted_code_and_shown_output_match_the_crate() {
    // BLESS=1 (or all) rewrites every page; BLESS=02-coroutines only the
    // pages whose path contains that text.
    let bless_filter = std::env::var("BLESS").ok();
    let mut problems = Vec::new();
    for path in chapter_pages() {
        let text = read(&path);
        let lines: Vec<&str> = text.lines().collect();
        let page = path
            .strip_prefix(root())
            .unwrap_or(&path)
            .display()
            .to_string();
        let bless = bless_filter
            .as_deref()
            .is_some_and(|filter| matches!(filter, "1" | "all") || page.contains(filter));
        let mut rewritten: Vec<String> = Vec::new();
        let mut copied_up_to = 0;
        for block in blocks(&page, &lines) {
            let shown: Vec<String> = lines[block.start..block.end]
                .iter()
                .map(|l| l.to_string())
                .collect();
            match expected(&block.marker) {
                Err(problem) => problems.push(format!("{page}:{}: {problem}", block.start)),
                Ok(real)
                    if real
                        .iter()
                        .map(|l| mask_costs(l))
                        .ne(shown.iter().map(|l| mask_costs(l))) =>
                {
                    if bless {
                        rewritten.extend(
                            lines[copied_up_to..block.start]
                                .iter()
                                .map(|l| l.to_string()),
                        );
                        rewritten.extend(real);
                        copied_up_to = block.end;
                    } else {
                        problems.push(format!(
                            "{page}:{}: the block marked `{}` differs from the real thing\n--- shown\n{}\n--- real\n{}",
                            block.start,
                            block.marker,
                            shown.join("\n"),
                            real.join("\n")
                        ));
                    }
                }
                Ok(_) => {}
            }
        }
        if bless && copied_up_to > 0 {
            rewritten.extend(lines[copied_up_to..].iter().map(|l| l.to_string()));
            fs::write(&path, rewritten.join("\n") + "\n").expect("write blessed page");
            eprintln!("blessed {page}");
        }
    }
    assert!(
        problems.is_empty(),
        "{}\n\nIf the change is intended, run `BLESS=1 cargo test --test drift` and read the diff.",
        problems.join("\n\n")
    );
}

#[test]
fn the_readme_opens_with_the_course_and_the_tests() {
    let readme = read(&root().join("README.md"));
    let commands: Vec<&str> = readme
        .lines()
        .filter(|line| line.trim_start().starts_with("cargo "))
        .take(2)
        .map(str::trim)
        .collect();
    assert_eq!(
        commands,
        ["cargo run", "cargo test"],
        "the README's first two commands"
    );
}
