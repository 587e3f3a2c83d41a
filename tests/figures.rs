//! Every measured figure in the prose comes from one saved run or count.
//!
//! Chapter 8 publishes three files of figures: a run of `cargo bench` in
//! `chapters/08-cost-of-a-switch.run.tsv` (`id<TAB>nanoseconds`, by `cargo
//! run -- costs --publish`), exact counts in
//! `chapters/08-cost-of-a-switch.counts.tsv` (`instructions/PROBE` per
//! iteration and `memory/RUNTIME/parked_task` in heap bytes, by `python3
//! benches/instructions.py --save`), and the instruction counts of chapter
//! 8's story, one commit at a time, in `chapters/08-cost-of-a-switch.story.tsv`
//! (`story/STEP/PROBE`, by `python3 benches/story.py --save`). A page that
//! quotes a figure from them marks the figure, and this test checks that the
//! figure is what the files say:
//!
//! ```text
//! a raw round trip took <!-- figure: round_trip/raw_corosensei as time -->5.20 ns,
//! and the Generator <!-- figure: round_trip/generator / round_trip/raw_corosensei as ratio -->1.43x that;
//! each extra level costs <!-- figure: ( delegation/yield_from/100 - delegation/yield_from/10 ) / 90 as time -->20.9 ns
//! a switch is <!-- figure: instructions/scheduler_ping_pong as count -->273.5 instructions
//! ```
//!
//! The marker is an HTML comment, so the book shows only the figure. Inside
//! it comes an expression, then `as` and a format:
//!
//! - the expression is made of ids (looked up in the saved files), plain
//!   numbers, `+ - * /` and parentheses, every token separated by a space
//!   (ids contain `/`);
//! - `time` shows nanoseconds in the unit that reads best, with three
//!   significant digits (`5.20 ns`, `117 ns`, `2.00 µs`, `3.42 ms`), as
//!   chapter 8's table does; `ratio` shows a ratio the same way, with an `x`
//!   (`0.284x`, `1.43x`, `22.5x`, `385x`); `number` shows it without the `x`,
//!   and with thousands separators from 1,000 up (`120`, `28,031`); `count`
//!   shows an exact count whole, with one decimal if it has one (`273.5`,
//!   `2,045`).
//!
//! The figure must follow the marker directly. On a page that has at least
//! one marker, every time in nanoseconds, microseconds or milliseconds
//! outside code must be marked: a hand-copied figure is what this test is
//! here to prevent. (Chapter 8's own table, between `<!-- costs: run ... -->`
//! and `<!-- costs: end -->`, is checked by `tools/tests/costs.rs` instead.)
//!
//! After a new run or count is saved, rewrite every marked figure with
//! `BLESS=1 cargo test --test figures`, then read the diff: the sentences
//! around the figures may need new words.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The saved run every measured time comes from, relative to the crate root.
const RUN: &str = "chapters/08-cost-of-a-switch.run.tsv";

/// The saved files every figure comes from: the run (times, `cargo run --
/// costs --publish`), the counts (instructions and heap bytes, `python3
/// benches/instructions.py --save`), and chapter 8's story (instructions at
/// each step, `python3 benches/story.py --save`). Their ids do not overlap:
/// `instructions/...`, `memory/...` and `story/...` are the counts' and the
/// story's.
const SAVED: [&str; 3] = [
    RUN,
    "chapters/08-cost-of-a-switch.counts.tsv",
    "chapters/08-cost-of-a-switch.story.tsv",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every saved figure, by id: the run's medians in nanoseconds, the counts
/// and the story.
fn saved_figures() -> Result<BTreeMap<String, f64>, String> {
    let mut figures = BTreeMap::new();
    for file in SAVED {
        let text = fs::read_to_string(root().join(file))
            .map_err(|error| format!("cannot read {file}: {error}"))?;
        for (id, value) in saved_run(file, &text)? {
            if figures.insert(id.clone(), value).is_some() {
                return Err(format!("{file}: the id {id} is saved twice"));
            }
        }
    }
    Ok(figures)
}

/// The figures of one saved file, by id.
fn saved_run(file: &str, text: &str) -> Result<BTreeMap<String, f64>, String> {
    let mut run = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parsed = line
            .split_once('\t')
            .and_then(|(id, ns)| Some((id.trim(), ns.trim().parse::<f64>().ok()?)));
        match parsed {
            Some((id, ns)) if ns.is_finite() && ns > 0.0 => {
                run.insert(id.to_string(), ns);
            }
            _ => {
                return Err(format!(
                    "{file}:{}: expected `id<TAB>value`, found {line:?}",
                    number + 1
                ));
            }
        }
    }
    Ok(run)
}

/// How a figure is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Time,
    Ratio,
    Number,
    /// An exact count (instructions, bytes): every digit, with one decimal
    /// when it has one.
    Count,
}

/// Three significant digits: the number of decimals for `value`.
fn decimals(value: f64) -> usize {
    match value.abs() {
        v if v < 1.0 => 3,
        v if v < 10.0 => 2,
        v if v < 100.0 => 1,
        _ => 0,
    }
}

/// `value` as the page must show it.
fn format(value: f64, format: Format) -> String {
    match format {
        Format::Time => {
            let (value, unit) = match value {
                ns if ns < 1e3 => (ns, "ns"),
                ns if ns < 1e6 => (ns / 1e3, "µs"),
                ns if ns < 1e9 => (ns / 1e6, "ms"),
                ns => (ns / 1e9, "s"),
            };
            let decimals = decimals(value).min(2);
            format!("{value:.decimals$} {unit}")
        }
        Format::Ratio => {
            let decimals = decimals(value);
            format!("{value:.decimals$}x")
        }
        Format::Number | Format::Count => {
            let decimals = match format {
                Format::Count if value.fract() == 0.0 => 0,
                Format::Count => 1,
                _ => decimals(value),
            };
            let plain = format!("{value:.decimals$}");
            let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, ""));
            let digits: Vec<char> = whole.chars().collect();
            let mut grouped = String::new();
            for (i, digit) in digits.iter().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) && digits[i - 1].is_ascii_digit() {
                    grouped.push(',');
                }
                grouped.push(*digit);
            }
            if fraction.is_empty() {
                grouped
            } else {
                format!("{grouped}.{fraction}")
            }
        }
    }
}

/// The figure text at the start of `rest`, in `format`: a number (digits,
/// `.` and `,`), then ` ns`/` µs`/` ms`/` s` for a time or `x` for a ratio.
fn shown(rest: &str, format: Format) -> Option<&str> {
    let number = rest
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_digit() || c == '.' || c == ','))
        .map_or(rest.len(), |(i, _)| i);
    let number = rest[..number].trim_end_matches(['.', ',']).len();
    if number == 0 {
        return None;
    }
    let after = &rest[number..];
    let unit = match format {
        Format::Time => ["ns", "µs", "ms", "s"]
            .iter()
            .map(|unit| format!(" {unit}"))
            .find(|unit| {
                after.starts_with(unit.as_str())
                    && !after[unit.len()..].starts_with(|c: char| c.is_alphanumeric())
            })?
            .len(),
        Format::Ratio => usize::from(after.starts_with('x')),
        Format::Number | Format::Count => 0,
    };
    if format == Format::Ratio && unit == 0 {
        return None;
    }
    Some(&rest[..number + unit])
}

/// Evaluates an expression of bench ids, numbers, `+ - * /` and parentheses,
/// every token separated by whitespace.
fn evaluate(expression: &str, run: &BTreeMap<String, f64>) -> Result<f64, String> {
    struct Parser<'a> {
        tokens: Vec<&'a str>,
        next: usize,
        run: &'a BTreeMap<String, f64>,
    }
    impl<'a> Parser<'a> {
        fn peek(&self) -> Option<&'a str> {
            self.tokens.get(self.next).copied()
        }
        fn take(&mut self) -> Option<&'a str> {
            let token = self.peek();
            self.next += 1;
            token
        }
        fn sum(&mut self) -> Result<f64, String> {
            let mut value = self.product()?;
            while let Some(op @ ("+" | "-")) = self.peek() {
                self.next += 1;
                let right = self.product()?;
                value = if op == "+" {
                    value + right
                } else {
                    value - right
                };
            }
            Ok(value)
        }
        fn product(&mut self) -> Result<f64, String> {
            let mut value = self.atom()?;
            while let Some(op @ ("*" | "/")) = self.peek() {
                self.next += 1;
                let right = self.atom()?;
                value = if op == "*" {
                    value * right
                } else {
                    value / right
                };
            }
            Ok(value)
        }
        fn atom(&mut self) -> Result<f64, String> {
            match self.take() {
                Some("(") => {
                    let value = self.sum()?;
                    match self.take() {
                        Some(")") => Ok(value),
                        other => Err(format!("expected `)`, found {other:?}")),
                    }
                }
                Some(token) => token.parse::<f64>().or_else(|_| {
                    self.run.get(token).copied().ok_or_else(|| {
                        format!(
                            "no figure `{token}` in the saved files ({})",
                            SAVED.join(", ")
                        )
                    })
                }),
                None => Err("the expression ends too soon".to_string()),
            }
        }
    }
    let mut parser = Parser {
        tokens: expression.split_whitespace().collect(),
        next: 0,
        run,
    };
    let value = parser.sum()?;
    match parser.peek() {
        None => Ok(value),
        Some(extra) => Err(format!(
            "unexpected `{extra}` (separate every token with a space)"
        )),
    }
}

/// One `<!-- figure: EXPR as FORMAT -->` in a page.
#[derive(Debug)]
struct Marker {
    /// The line, from 0.
    line: usize,
    /// The byte where the figure text begins, just after the marker.
    figure_at: usize,
    /// What is inside the marker, after `figure:`.
    spec: String,
}

/// The marker's expression and format.
fn parse_spec(spec: &str) -> Result<(&str, Format), String> {
    let (expression, format) = spec.rsplit_once(" as ").ok_or_else(|| {
        format!("`{spec}` should read `EXPRESSION as time`, `as ratio`, `as number` or `as count`")
    })?;
    let format = match format.trim() {
        "time" => Format::Time,
        "ratio" => Format::Ratio,
        "number" => Format::Number,
        "count" => Format::Count,
        other => {
            return Err(format!(
                "unknown format `{other}`: use time, ratio, number or count"
            ));
        }
    };
    Ok((expression.trim(), format))
}

/// Every figure marker of a page.
fn markers(lines: &[&str]) -> Vec<Marker> {
    const OPEN: &str = "<!-- figure:";
    let mut found = Vec::new();
    for (number, line) in lines.iter().enumerate() {
        let mut from = 0;
        while let Some(start) = line[from..].find(OPEN).map(|i| i + from) {
            let Some(end) = line[start..].find("-->").map(|i| i + start) else {
                break;
            };
            found.push(Marker {
                line: number,
                figure_at: end + "-->".len(),
                spec: line[start + OPEN.len()..end].trim().to_string(),
            });
            from = end;
        }
    }
    found
}

/// The lines of a page that are prose: not in a code fence, not in chapter
/// 8's generated costs block, with inline code spans blanked out.
fn prose_lines(lines: &[&str]) -> Vec<(usize, String)> {
    let mut prose = Vec::new();
    let (mut in_fence, mut in_costs) = (false, false);
    for (number, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if trimmed.starts_with("<!-- costs: run") {
            in_costs = true;
        } else if trimmed.starts_with("<!-- costs: end") {
            in_costs = false;
        }
        if in_fence || in_costs {
            continue;
        }
        let mut text = String::with_capacity(line.len());
        let mut in_code = false;
        for c in line.chars() {
            if c == '`' {
                in_code = !in_code;
            }
            text.push(if in_code { ' ' } else { c });
        }
        prose.push((number, text));
    }
    prose
}

/// The unmarked timings of a prose line: a number, a space, then ns, µs or
/// ms, not directly after a figure marker.
fn unmarked_times(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    for unit in [" ns", " µs", " ms"] {
        let mut from = 0;
        while let Some(at) = line[from..].find(unit).map(|i| i + from) {
            from = at + unit.len();
            if line[from..].starts_with(|c: char| c.is_alphanumeric()) {
                continue;
            }
            let before = &line[..at];
            let number_start = before
                .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ',')
                .len();
            if number_start == at
                || !before[number_start..].starts_with(|c: char| c.is_ascii_digit())
            {
                continue;
            }
            if !before[..number_start].ends_with("-->") {
                found.push(line[number_start..from].to_string());
            }
        }
    }
    found
}

/// The markdown pages that may quote figures: the chapters and the README.
fn pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = fs::read_dir(root().join("chapters"))
        .expect("chapters/ exists")
        .map(|entry| entry.expect("a readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    pages.push(root().join("README.md"));
    pages.sort();
    pages
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn every_marked_figure_is_what_the_saved_run_says() {
    let run = saved_figures().unwrap_or_else(|problem| panic!("{problem}"));
    let bless = std::env::var_os("BLESS").is_some();
    let mut problems = Vec::new();
    let mut checked = 0;
    for path in pages() {
        let page = relative(&path);
        let text = fs::read_to_string(&path).expect("a readable page");
        let lines: Vec<&str> = text.lines().collect();
        let mut blessed: Vec<String> = lines.iter().map(|line| line.to_string()).collect();
        let found = markers(&lines);
        // Markers are fixed from the end of each line backwards, so that a
        // rewritten figure does not move the ones before it.
        for marker in found.iter().rev() {
            let at = format!("{page}:{}", marker.line + 1);
            let (expression, format_as) = match parse_spec(&marker.spec) {
                Ok(spec) => spec,
                Err(problem) => {
                    problems.push(format!("{at}: {problem}"));
                    continue;
                }
            };
            let value = match evaluate(expression, &run) {
                Ok(value) => value,
                Err(problem) => {
                    problems.push(format!("{at}: `{}`: {problem}", marker.spec));
                    continue;
                }
            };
            let want = format(value, format_as);
            let line = &blessed[marker.line];
            let rest = &line[marker.figure_at..];
            let Some(shown) = shown(rest, format_as).map(str::to_string) else {
                problems.push(format!(
                    "{at}: the marker `{}` must be followed directly by its figure, {want}",
                    marker.spec
                ));
                continue;
            };
            checked += 1;
            if shown != want {
                if bless {
                    let line = &mut blessed[marker.line];
                    line.replace_range(marker.figure_at..marker.figure_at + shown.len(), &want);
                } else {
                    problems.push(format!(
                        "{at}: the figure marked `{}` reads {shown}, but the saved files give \
                         {want}",
                        marker.spec
                    ));
                }
            }
        }
        if !found.is_empty() {
            for (number, line) in prose_lines(&lines) {
                for time in unmarked_times(&line) {
                    problems.push(format!(
                        "{page}:{}: {time} is a measured time without a figure marker: write \
                         `<!-- figure: BENCH_ID as time -->` before it (or an expression of ids), \
                         so that it comes from {RUN}",
                        number + 1
                    ));
                }
            }
        }
        if bless && blessed.iter().map(String::as_str).ne(lines.iter().copied()) {
            fs::write(&path, blessed.join("\n") + "\n").expect("the page is writable");
            eprintln!("blessed the figures of {page}");
        }
    }
    assert!(
        problems.is_empty(),
        "{}\n\nAfter a new run is published, `BLESS=1 cargo test --test figures` rewrites the \
         marked figures; then read the diff.",
        problems.join("\n")
    );
    assert!(checked > 0, "no figure markers found in any page");
}

#[test]
fn figures_are_written_as_chapter_8_writes_them() {
    assert_eq!(format(5.196_799, Format::Time), "5.20 ns");
    assert_eq!(format(117.029_781, Format::Time), "117 ns");
    assert_eq!(format(2000.168, Format::Time), "2.00 µs");
    assert_eq!(format(14_667.63, Format::Time), "14.7 µs");
    assert_eq!(format(3_415_034.1, Format::Time), "3.42 ms");
    assert_eq!(format(0.284_36, Format::Ratio), "0.284x");
    assert_eq!(format(1.432, Format::Ratio), "1.43x");
    assert_eq!(format(22.52, Format::Ratio), "22.5x");
    assert_eq!(format(2152.2, Format::Ratio), "2152x");
    assert_eq!(format(28_031.4, Format::Number), "28,031");
    assert_eq!(format(657_142.0, Format::Number), "657,142");
    assert_eq!(format(120.39, Format::Number), "120");
    assert_eq!(format(23.44, Format::Number), "23.4");
    assert_eq!(format(273.5, Format::Count), "273.5");
    assert_eq!(format(2045.0, Format::Count), "2,045");
}

#[test]
fn expressions_read_ids_numbers_and_the_four_operations() {
    let run: BTreeMap<String, f64> = [("a/1", 10.0), ("b/2", 4.0)]
        .map(|(id, ns)| (id.to_string(), ns))
        .into_iter()
        .collect();
    assert_eq!(evaluate("a/1", &run), Ok(10.0));
    assert_eq!(evaluate("a/1 / b/2", &run), Ok(2.5));
    assert_eq!(evaluate("a/1 - b/2 * 2", &run), Ok(2.0));
    assert_eq!(evaluate("( a/1 - b/2 ) / 3", &run), Ok(2.0));
    assert_eq!(
        evaluate("a/1 / c/3", &run),
        Err(format!(
            "no figure `c/3` in the saved files ({})",
            SAVED.join(", ")
        ))
    );
    assert!(evaluate("( a/1", &run).is_err());
    assert!(evaluate("a/1 b/2", &run).is_err());
}

#[test]
fn a_figure_is_read_up_to_its_unit_and_unmarked_times_are_found() {
    assert_eq!(shown("5.20 ns, and", Format::Time), Some("5.20 ns"));
    assert_eq!(shown("2.00 µs.", Format::Time), Some("2.00 µs"));
    assert_eq!(shown("1.43x of it", Format::Ratio), Some("1.43x"));
    assert_eq!(shown("28,031 times", Format::Number), Some("28,031"));
    assert_eq!(shown("5.20 nsx", Format::Time), None);
    assert_eq!(shown("about 5 ns", Format::Time), None);
    assert_eq!(
        unmarked_times("took 5.20 ns, then <!-- figure: x as time -->7.44 ns and 3 ms"),
        ["5.20 ns", "3 ms"]
    );
    assert!(unmarked_times("a --unit 200ms flag, 2 s of CPU, 5 nsx").is_empty());
}
