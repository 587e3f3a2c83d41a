//! The introduction's claims about the crate stay true.
//!
//! `chapters/introduction.md` tells a newcomer what the crate depends on,
//! which macros it defines, and where its `unsafe` code is. Each of those
//! lists is a table under a marker, and this test checks it against the
//! crate itself:
//!
//! - `<!-- claims: dependencies -->`: one row per crate in `Cargo.toml`'s
//!   `[dependencies]` (not dev-dependencies), its name in backticks first;
//! - `<!-- claims: macros -->`: one row per `macro_rules!` under `src/`,
//!   written `` `name!` ``;
//! - `<!-- claims: unsafe -->`: one row per file under `src/` that has
//!   `unsafe` code: the file, then how many `unsafe` blocks and how many
//!   `unsafe fn`s (and `unsafe impl`s, `unsafe trait`s, `unsafe extern`s) it
//!   has. A file without any has no row.
//!
//! When you add a dependency, a macro or an `unsafe` block, this test fails
//! and says which row of which table to add or change.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

const PAGE: &str = "chapters/introduction.md";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The rows of the table that follows `<!-- claims: NAME -->` in `page`,
/// without the header and separator, as trimmed cells.
fn claimed(page: &str, name: &str) -> Vec<Vec<String>> {
    let marker = format!("<!-- claims: {name} -->");
    let mut lines = page
        .lines()
        .skip_while(|line| line.trim() != marker)
        .skip(1)
        .skip_while(|line| line.trim().is_empty());
    assert!(
        lines
            .next()
            .is_some_and(|header| header.trim_start().starts_with('|')),
        "{PAGE} has no table right after `{marker}`"
    );
    lines.next(); // the separator
    lines
        .take_while(|line| line.trim_start().starts_with('|'))
        .map(|line| {
            line.trim()
                .trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().to_string())
                .collect()
        })
        .collect()
}

/// A cell's text without the backticks around it.
fn unquote(cell: &str) -> &str {
    cell.trim_matches('`')
}

/// The crates under `[dependencies]` in a manifest.
fn dependencies(manifest: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut inside = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == "[dependencies]";
            continue;
        }
        if inside && !line.is_empty() && !line.starts_with('#') {
            let name = line
                .split(['=', '.'])
                .next()
                .unwrap_or_default()
                .trim()
                .trim_matches('"');
            if !name.is_empty() && !found.iter().any(|known| known == name) {
                found.push(name.to_string());
            }
        }
    }
    found
}

/// The words of Rust source `code`, in order, with comments, strings and
/// character literals left out (a lifetime's name is kept as a word).
fn words(code: &str) -> Vec<String> {
    let chars: Vec<char> = code.chars().collect();
    let mut words = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && {
            let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            chars.get(i + 1 + hashes) == Some(&'"')
        } {
            // A raw string: r"...", r#"..."#, ...
            let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            i += 2 + hashes;
            while i < chars.len() {
                if chars[i] == '"' && chars[i + 1..].iter().take(hashes).all(|&h| h == '#') {
                    i += 1 + hashes;
                    break;
                }
                i += 1;
            }
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            words.push(chars[start..i].iter().collect());
        } else {
            if !c.is_whitespace() {
                words.push(c.to_string());
            }
            i += 1;
        }
    }
    words
}

/// How many `unsafe` blocks, and how many other `unsafe` items (`fn`,
/// `impl`, `trait`, `extern`), the source has.
fn unsafe_counts(code: &str) -> (usize, usize) {
    let words = words(code);
    let mut counts = (0, 0);
    for pair in words.windows(2) {
        if pair[0] == "unsafe" {
            match pair[1].as_str() {
                "{" => counts.0 += 1,
                _ => counts.1 += 1,
            }
        }
    }
    counts
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).expect("a readable directory") {
        let path = entry.expect("a readable entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn the_introduction_lists_every_dependency_and_nothing_else() {
    let manifest = fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml");
    let page = fs::read_to_string(root().join(PAGE)).expect("the introduction");
    let real = dependencies(&manifest);
    let listed: Vec<String> = claimed(&page, "dependencies")
        .iter()
        .map(|row| unquote(&row[0]).to_string())
        .collect();
    let mut problems = Vec::new();
    for name in &real {
        if !listed.contains(name) {
            problems.push(format!(
                "Cargo.toml's [dependencies] has `{name}`, which {PAGE} does not list: add a row \
                 `| `{name}` | what it does for the course |` to the table under \
                 `<!-- claims: dependencies -->`"
            ));
        }
    }
    for name in &listed {
        if !real.contains(name) {
            problems.push(format!(
                "{PAGE} lists the dependency `{name}` under `<!-- claims: dependencies -->`, but \
                 Cargo.toml's [dependencies] has no such crate: remove its row"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_introduction_lists_every_macro_the_crate_defines() {
    let page = fs::read_to_string(root().join(PAGE)).expect("the introduction");
    let mut real = Vec::new();
    for file in rust_files(&root().join("src")) {
        let words = words(&fs::read_to_string(&file).expect("a source file"));
        for window in words.windows(3) {
            if window[0] == "macro_rules" && window[1] == "!" {
                real.push((format!("{}!", window[2]), relative(&file)));
            }
        }
    }
    let listed: Vec<String> = claimed(&page, "macros")
        .iter()
        .map(|row| unquote(&row[0]).to_string())
        .collect();
    let mut problems = Vec::new();
    for (name, file) in &real {
        if !listed.contains(name) {
            problems.push(format!(
                "{file} defines the macro `{name}`, which {PAGE} does not list: add a row \
                 `| `{name}` | what it does |` to the table under `<!-- claims: macros -->`"
            ));
        }
    }
    for name in &listed {
        if !real.iter().any(|(real, _)| real == name) {
            problems.push(format!(
                "{PAGE} lists the macro `{name}` under `<!-- claims: macros -->`, but no file \
                 under src/ defines it: remove its row"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_introduction_says_where_every_unsafe_block_is() {
    let page = fs::read_to_string(root().join(PAGE)).expect("the introduction");
    let mut real: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for file in rust_files(&root().join("src")) {
        let counts = unsafe_counts(&fs::read_to_string(&file).expect("a source file"));
        if counts != (0, 0) {
            real.insert(relative(&file), counts);
        }
    }
    let mut listed: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut problems = Vec::new();
    for row in claimed(&page, "unsafe") {
        let numbers = (
            row.get(1).and_then(|cell| cell.parse().ok()),
            row.get(2).and_then(|cell| cell.parse().ok()),
        );
        match numbers {
            (Some(blocks), Some(items)) => {
                listed.insert(unquote(&row[0]).to_string(), (blocks, items));
            }
            _ => problems.push(format!(
                "{PAGE}: the row {row:?} under `<!-- claims: unsafe -->` should read \
                 `| `FILE` | BLOCKS | FNS | what for |`"
            )),
        }
    }
    for (file, &(blocks, items)) in &real {
        match listed.get(file) {
            None => problems.push(format!(
                "{file} has {blocks} `unsafe` block(s) and {items} `unsafe` fn(s) or impl(s), \
                 but {PAGE} has no row for it: add `| `{file}` | {blocks} | {items} | what they \
                 are for |` to the table under `<!-- claims: unsafe -->`"
            )),
            Some(&claimed) if claimed != (blocks, items) => problems.push(format!(
                "{file} has {blocks} `unsafe` block(s) and {items} `unsafe` fn(s) or impl(s), \
                 but {PAGE} says {} and {}: update its row under `<!-- claims: unsafe -->` \
                 (and the sentence about it, if it names the numbers)",
                claimed.0, claimed.1
            )),
            Some(_) => {}
        }
    }
    for file in listed.keys() {
        if !real.contains_key(file) {
            problems.push(format!(
                "{PAGE} lists `{file}` under `<!-- claims: unsafe -->`, but it has no `unsafe` \
                 code (or no longer exists): remove its row"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_counting_skips_comments_strings_and_names_that_contain_unsafe() {
    let code = r##"
        #![deny(unsafe_op_in_unsafe_fn)]
        // unsafe { in a comment }
        /* unsafe { in /* a nested */ block comment } */
        /// unsafe { in a doc comment }
        fn f() -> char {
            let s = "unsafe { in a string }";
            let r = r#"unsafe { in a raw string }"#;
            let c = '{';
            let q = '\'';
            let x = unsafe { 1 };
            'outer: loop { break 'outer; }
            'u'
        }
        unsafe fn g() {}
        unsafe impl Send for T {}
        let y = unsafe { g() };
    "##;
    assert_eq!(unsafe_counts(code), (2, 2));
    assert_eq!(
        dependencies(
            "[package]\nname = \"x\"\n[dependencies]\n# a comment\nfoo = \"1\"\nbar.workspace = true\n\n[dev-dependencies]\nbaz = \"2\"\n"
        ),
        ["foo", "bar"]
    );
}
