//! Every chapter of the course is whole: its module, example, tests,
//! exercises and prose exist, the README's course table has its row, the
//! book lists its page, and its exercises keep the course's rules
//! (`exercises/README.md`).
//!
//! A chapter's exercises are in one of two layouts while the chapters are
//! converted:
//!
//! - **converted**: `exercises/chNN_name/info.toml` lists 3 to 6 exercises,
//!   at least half of them extensions, the last (and only the last) the
//!   rebuild exercise; every file it names exists, and every test filter
//!   names modules that `tests/chNN_name.rs` declares;
//! - **legacy**: the whole-module stub `exercises/chNN_name.rs`, swapped in
//!   by the feature `exercise-chNN` in `src/lib.rs`.
//!
//! The rules themselves are tested on made-up chapters in
//! `tests/exercises.rs`; this test applies them to the real course.

use std::fs;
use std::path::{Path, PathBuf};

use yieldpoint_tools::course::CHAPTERS;
use yieldpoint_tools::exercises::{self, Kind};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tools/ has a parent")
        .to_path_buf()
}

fn read(path: &str) -> String {
    fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

#[test]
fn every_chapter_is_whole() {
    let root = root();
    let readme = read("README.md");
    let summary = read("chapters/SUMMARY.md");
    let manifest = read("Cargo.toml");
    let lib = read("src/lib.rs");
    let mut problems = Vec::new();
    for chapter in CHAPTERS {
        let n = chapter.number;
        let module = chapter.module_files();
        if !module.iter().any(|file| root.join(file).is_file()) {
            problems.push(format!(
                "chapter {n}: neither {} nor {} exists",
                module[0], module[1]
            ));
        }
        for file in [chapter.example_file(), chapter.test_file(), chapter.page()] {
            if !root.join(&file).is_file() {
                problems.push(format!("chapter {n}: {file} is missing"));
            }
        }
        let page = chapter.page();
        let page_name = page.trim_start_matches("chapters/");
        let row = readme
            .lines()
            .find(|l| l.starts_with('|') && l.contains(chapter.name));
        match row {
            None => problems.push(format!(
                "chapter {n}: no row naming {} in the README's course table",
                chapter.name
            )),
            Some(row) if !row.contains(&format!("`cargo run -- check {n}`")) => {
                problems.push(format!(
                    "chapter {n}: the README's row does not give `cargo run -- check {n}` \
                     in its exercise column"
                ));
            }
            Some(_) => {}
        }
        if !summary.contains(&format!("({page_name})")) {
            problems.push(format!(
                "chapter {n}: chapters/SUMMARY.md does not link {page_name}"
            ));
        }
        if !manifest.contains(&format!("{} = []", chapter.feature())) {
            problems.push(format!(
                "chapter {n}: Cargo.toml lacks the feature {}",
                chapter.feature()
            ));
        }

        let list = match exercises::load(&root, chapter) {
            Ok(list) => list,
            Err(problem) => {
                problems.push(format!("chapter {n}: {problem}"));
                continue;
            }
        };
        let converted = root.join(chapter.info_file()).exists();
        if converted {
            problems.extend(exercises::layout_problems(chapter, &list));
            problems.extend(exercises::file_problems(&root, chapter, &list));
        } else {
            assert!(
                matches!(list.as_slice(), [only] if matches!(only.kind, Kind::Legacy { .. })),
                "a chapter without info.toml has its legacy stub as its one exercise"
            );
            if !lib.contains(&format!("#[path = \"../{}\"]", chapter.legacy_stub())) {
                problems.push(format!(
                    "chapter {n}: src/lib.rs does not swap in {} under the feature {}",
                    chapter.legacy_stub(),
                    chapter.feature()
                ));
            }
        }

        if let Ok(prose) = fs::read_to_string(root.join(&page)) {
            let shows_output = prose.lines().any(|line| {
                line.trim()
                    .strip_prefix("<!-- output: ")
                    .and_then(|rest| rest.split_whitespace().next())
                    == Some(chapter.name)
            });
            if !shows_output {
                problems.push(format!(
                    "chapter {n}: {page} does not show its example's output"
                ));
            }
            let command = if converted {
                format!("cargo run -- check {n}")
            } else {
                format!("--features {}", chapter.feature())
            };
            if !prose.contains(&command) {
                problems.push(format!(
                    "chapter {n}: {page} does not give the exercise command (`{command}`)"
                ));
            }
        }
        let example = fs::read_to_string(root.join(chapter.example_file())).unwrap_or_default();
        let run_line = format!("//! Run with: cargo run --example {}", chapter.name);
        if example.lines().next() != Some(run_line.as_str()) {
            problems.push(format!(
                "chapter {n}: {} must open with `{run_line}`",
                chapter.example_file()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_chapters_are_numbered_in_order_with_one_name_each() {
    // In order from 1, each number once and none missing: 1, 2, ... 12.
    assert_eq!(CHAPTERS.first().map(|chapter| chapter.number), Some(1));
    for pair in CHAPTERS.windows(2) {
        assert!(
            pair[0].number + 1 == pair[1].number,
            "{} comes before {}",
            pair[0].name,
            pair[1].name
        );
    }
    for chapter in CHAPTERS {
        assert!(
            chapter.name.starts_with(&format!("ch{}_", chapter.nn())),
            "{} starts with ch{}_",
            chapter.name,
            chapter.nn()
        );
    }
}
