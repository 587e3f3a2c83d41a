//! The cost-of-a-switch report: criterion's medians and the Python figures,
//! as a markdown table and an SVG bar chart (chapter 8 shows one run's).
//!
//! The core operations are:
//! - [`read_criterion`] finds every `estimates.json` under `target/criterion`
//!   and reads its median with `serde_json` ([`median_ns`]); [`read_python`]
//!   reads the lines that `benches/python_costs.py` writes.
//! - [`keep_one_run`] drops results left over from an earlier run, so that
//!   every ratio compares figures measured side by side.
//! - [`table`] renders the medians, each with its ratio to the baseline
//!   ([`BASELINE`], a raw corosensei round trip), grouped by what they
//!   measure; [`goals`] checks the goals chapter 8 states.
//! - [`chart_svg`] draws the same medians as bars on a logarithmic scale.
//! - A [`Run`] is one run saved as text (machine, date, medians): chapter 8
//!   shows a committed one, and a test renders it again to check the page.
//!
//! ```text
//!   cargo bench ──▶ target/criterion/<group>/<name>/new/estimates.json ─┐
//!       └─ runs benches/python_costs.py ──▶ target/python-costs.tsv ────┤
//!                                                                      ▼
//!   cargo run -- costs (tools/src/bin/costs.rs):
//!                        read_criterion + read_python ─▶ keep_one_run
//!                        ─▶ table (stdout, target/costs.md) + goals
//!                        ─▶ chart_svg (target/costs.svg)
//!                        ─▶ Run::to_tsv (target/costs.tsv)
//!   cargo run -- costs --publish: the same, saved into chapter 8
//! ```

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// The benchmark every ratio is relative to: one resume and one suspend of a
/// bare corosensei coroutine, the floor this crate builds on.
pub const BASELINE: &str = "round_trip/raw_corosensei";

/// One benchmark's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// The benchmark's id, such as `delegation/stackful/10`; Python's start
    /// with `python/`.
    pub id: String,
    /// The median time of one iteration, in nanoseconds.
    pub median_ns: f64,
    /// When the result was written, if known.
    pub written: Option<SystemTime>,
}

impl Measurement {
    /// A measurement with no time of writing.
    pub fn new(id: &str, median_ns: f64) -> Self {
        Measurement {
            id: id.to_string(),
            median_ns,
            written: None,
        }
    }
}

/// The sections of the table, in order: an id belongs to the section with
/// the longest prefix it starts with (so `scheduler/ping_pong_with_socket`
/// is not taken for `scheduler/ping_pong`).
const SECTIONS: &[(&str, &[&str])] = &[
    ("Pause and resume once", &["round_trip/", "poll_step/"]),
    (
        "One value through N levels of calls or generators",
        &["delegation/"],
    ),
    (
        "A switch between two tasks, or two threads",
        &[
            "event_loop/ping_pong",
            "scheduler/ping_pong",
            "scheduler/async_ping_pong",
            "tokio/ping_pong",
            "tokio/notify_ping_pong",
            "threads/ping_pong",
        ],
    ),
    (
        "A switch among many tasks",
        &["event_loop/busy_round/", "scheduler/with_sleepers/"],
    ),
    (
        "Create, run and finish one",
        &[
            "create/",
            "event_loop/task_lifecycle",
            "scheduler/spawn_join",
            "tokio/spawn_join",
            "threads/spawn_join",
        ],
    ),
    ("CPython, on the same machine", &["python/"]),
    // Chapter 10's, after the rest: a section's colour in the chart is its
    // place in this list, and chapter 8's published chart keeps its colours.
    (
        "A switch with one idle socket registered (chapter 10)",
        &[
            "scheduler/ping_pong_with_socket",
            "tokio/ping_pong_with_socket",
            "tokio/notify_ping_pong_with_socket",
        ],
    ),
    ("An echo round trip over loopback (chapter 10)", &["echo/"]),
];

/// What one iteration of each known benchmark is. `N` stands for the last
/// part of an id such as `delegation/stackful/10`.
const MEANINGS: &[(&str, &str)] = &[
    (
        "round_trip/raw_corosensei",
        "corosensei resume + suspend, u64 in and out (the baseline)",
    ),
    (
        "round_trip/raw_corosensei_unit",
        "the same with nothing in or out",
    ),
    ("round_trip/generator", "chapter 2's `Generator`"),
    (
        "round_trip/stackless",
        "a hand-written stackless state machine (`Counter`)",
    ),
    (
        "round_trip/async_leaf",
        "an `async fn` pausing at `yield_now().await`, polled once",
    ),
    (
        "poll_step/request",
        "one poll of chapter 1's list: no switch",
    ),
    (
        "delegation/stackful",
        "stackful: the leaf suspends from N calls deep",
    ),
    (
        "delegation/yield_from",
        "N generators, each `yield_from` the next",
    ),
    (
        "delegation/stackless",
        "N stackless state machines, each forwarding",
    ),
    ("delegation/async", "N `async fn`s, each awaiting the next"),
    ("event_loop/ping_pong", "two tasks on chapter 5's loop"),
    ("scheduler/ping_pong", "two tasks on chapter 6's scheduler"),
    (
        "scheduler/async_ping_pong",
        "two async tasks (chapter 9) on chapter 6's scheduler",
    ),
    (
        "tokio/ping_pong",
        "two tasks on tokio's current-thread runtime",
    ),
    (
        "tokio/notify_ping_pong",
        "two tokio tasks waking each other (`Notify`)",
    ),
    (
        "threads/ping_pong",
        "two OS threads handing a token over channels",
    ),
    ("threads/ping_pong_pinned", "the same, both on one CPU"),
    (
        "scheduler/ping_pong_with_socket",
        "chapter 6's two tasks: the poller asked every iteration",
    ),
    (
        "tokio/ping_pong_with_socket",
        "tokio's, yielding: the driver asked when only yielders are left",
    ),
    (
        "tokio/notify_ping_pong_with_socket",
        "tokio's, waking each other: the driver asked every 61 tasks",
    ),
    (
        "event_loop/busy_round",
        "chapter 5: a round of N tasks, all but one busy sleeping",
    ),
    (
        "scheduler/with_sleepers",
        "chapter 6: a switch with N-1 tasks asleep",
    ),
    (
        "create/fresh_stack",
        "a coroutine on a newly mapped stack, run and dropped",
    ),
    ("create/pooled_stack", "the same on a stack used before"),
    (
        "create/boxed_async",
        "`Box::pin` of an async block, polled to the end",
    ),
    (
        "event_loop/task_lifecycle",
        "a task on chapter 5's loop (a new stack each)",
    ),
    (
        "scheduler/spawn_join",
        "spawn and join a task on chapter 6's scheduler",
    ),
    ("tokio/spawn_join", "`tokio::spawn` and await"),
    ("threads/spawn_join", "`std::thread::spawn` and join"),
    (
        "echo/scheduler",
        "16 bytes there and back: stackful tasks on chapter 6's scheduler",
    ),
    ("echo/scheduler_async", "the same, async tasks (chapter 9)"),
    ("echo/tokio", "the same, tokio's current-thread runtime"),
    (
        "echo/threads",
        "the same, two threads with blocking sockets",
    ),
    ("python/generator_send", "a generator's `send`"),
    (
        "python/yield_from",
        "N generators, each `yield from` the next",
    ),
    (
        "python/asyncio_ping_pong",
        "two asyncio tasks taking turns with `sleep(0)`",
    ),
];

/// The section an id belongs to, as an index into the sections (the last
/// index, past them all, for ids no section claims).
fn section_of(id: &str) -> usize {
    SECTIONS
        .iter()
        .enumerate()
        .flat_map(|(index, (_, prefixes))| {
            prefixes
                .iter()
                .filter(|prefix| id.starts_with(*prefix))
                .map(move |prefix| (prefix.len(), index))
        })
        .max()
        .map_or(SECTIONS.len(), |(_, index)| index)
}

fn section_title(index: usize) -> &'static str {
    SECTIONS.get(index).map_or("Other", |(title, _)| title)
}

/// What one iteration of `id` is, or an empty string for an unknown id.
pub fn meaning(id: &str) -> &'static str {
    let (head, last) = id.rsplit_once('/').unwrap_or((id, ""));
    let key = if last.parse::<u64>().is_ok() {
        head
    } else {
        id
    };
    MEANINGS
        .iter()
        .find(|(known, _)| *known == key)
        .map_or("", |(_, meaning)| meaning)
}

/// Sorts by section, then in the order of [`MEANINGS`], then by the number
/// at the end (so that `…/10` comes before `…/100`).
fn sort(measurements: &mut [Measurement]) {
    measurements.sort_by_key(|m| {
        let (head, last) = m.id.rsplit_once('/').unwrap_or((&m.id, ""));
        let (key, n) = match last.parse::<u64>() {
            Ok(n) => (head, n),
            Err(_) => (m.id.as_str(), 0),
        };
        let known = MEANINGS
            .iter()
            .position(|(id, _)| *id == key)
            .unwrap_or(MEANINGS.len());
        (section_of(&m.id), known, key.to_string(), n)
    });
}

/// Reads the median of every benchmark under `dir` (criterion's output
/// directory, `target/criterion`), sorted as the table shows them.
///
/// # Errors
///
/// An error naming `dir` if it cannot be read, or if it holds no results.
pub fn read_criterion(dir: &Path) -> io::Result<Vec<Measurement>> {
    let mut found = Vec::new();
    walk(dir, dir, &mut found)?;
    if found.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "no benchmark results in {}: run `cargo bench` first",
                dir.display()
            ),
        ));
    }
    sort(&mut found);
    Ok(found)
}

fn walk(root: &Path, dir: &Path, found: &mut Vec<Measurement>) -> io::Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!(
                "could not read {} ({e}): run `cargo bench` first",
                dir.display()
            ),
        )
    })?;
    for entry in entries {
        let path = entry?.path();
        if !path.is_dir() {
            continue;
        }
        let estimates = path.join("new/estimates.json");
        if let Ok(json) = fs::read_to_string(&estimates) {
            let median_ns = median_ns(&json).map_err(|problem| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{} {problem}", estimates.display()),
                )
            })?;
            let id = path.strip_prefix(root).unwrap_or(&path);
            let id: Vec<String> = id
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            found.push(Measurement {
                id: id.join("/"),
                median_ns,
                written: fs::metadata(&estimates).and_then(|m| m.modified()).ok(),
            });
        } else if path
            .file_name()
            .is_some_and(|name| name != "report" && name != "new" && name != "base")
        {
            walk(root, &path, found)?;
        }
    }
    Ok(())
}

/// The median's point estimate, in nanoseconds, from the text of
/// criterion's `estimates.json`:
/// `{"mean":{…},"median":{"confidence_interval":{…},"point_estimate":3.7,…},…}`.
///
/// # Errors
///
/// A message saying what is missing: the text is not JSON, or has no
/// `median.point_estimate`, or it is not a positive number.
pub fn median_ns(json: &str) -> Result<f64, String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("is not JSON ({e})"))?;
    let estimate = value
        .get("median")
        .and_then(|median| median.get("point_estimate"))
        .ok_or("has no median point estimate (`median.point_estimate`)")?;
    match estimate.as_f64() {
        Some(ns) if ns.is_finite() && ns > 0.0 => Ok(ns),
        _ => Err(format!(
            "has a median point estimate that is not a positive number: {estimate}"
        )),
    }
}

/// Reads `benches/python_costs.py`'s output: `#` comment lines, then one
/// `id<TAB>median_ns` line per figure.
///
/// # Errors
///
/// An error naming the file and the line that could not be read.
pub fn read_python(path: &Path) -> io::Result<Vec<Measurement>> {
    let text = fs::read_to_string(path).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!(
                "could not read {} ({e}): `cargo bench` writes it when python3 is installed",
                path.display()
            ),
        )
    })?;
    let written = fs::metadata(path).and_then(|m| m.modified()).ok();
    parse_python(&text, written).map_err(|message| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {message}", path.display()),
        )
    })
}

/// The lines of a `python-costs.tsv`; see [`read_python`].
///
/// # Errors
///
/// A message naming the first line that is not `id<TAB>number`.
pub fn parse_python(text: &str, written: Option<SystemTime>) -> Result<Vec<Measurement>, String> {
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parsed = figure(line).filter(|(id, _)| id.starts_with("python/"));
        let Some((id, median_ns)) = parsed else {
            return Err(format!(
                "line {} is not `python/<name><TAB><nanoseconds>`: {line:?}",
                number + 1
            ));
        };
        found.push(Measurement {
            id: id.to_string(),
            median_ns,
            written,
        });
    }
    Ok(found)
}

/// One `id<TAB>median_ns` line of a saved run or of the Python figures:
/// the id (not empty) and a finite, positive number of nanoseconds.
fn figure(line: &str) -> Option<(&str, f64)> {
    let (id, ns) = line.split_once('\t')?;
    let ns = ns.trim().parse::<f64>().ok()?;
    (!id.is_empty() && ns.is_finite() && ns > 0.0).then_some((id, ns))
}

/// Keeps the results written within `window` of the newest one, and returns
/// the ids of those dropped: a benchmark since renamed or filtered out of the
/// last run leaves an old result behind, which must not be compared with new
/// ones. Results with no time of writing are kept.
pub fn keep_one_run(measurements: &mut Vec<Measurement>, window: Duration) -> Vec<String> {
    let Some(newest) = measurements.iter().filter_map(|m| m.written).max() else {
        return Vec::new();
    };
    let mut dropped = Vec::new();
    measurements.retain(|m| {
        let keep = m.written.is_none_or(|written| {
            newest
                .duration_since(written)
                .is_ok_and(|age| age <= window)
                || written > newest
        });
        if !keep {
            dropped.push(m.id.clone());
        }
        keep
    });
    dropped
}

fn baseline(measurements: &[Measurement]) -> Result<f64, String> {
    measurements
        .iter()
        .find(|m| m.id == BASELINE)
        .map(|m| m.median_ns)
        .filter(|ns| *ns > 0.0)
        .ok_or_else(|| {
            format!(
                "no result for {BASELINE}, which every ratio is relative to: \
                 run `cargo bench` without a filter"
            )
        })
}

/// A duration in nanoseconds, in the unit that reads best, with three
/// significant digits.
pub fn human(ns: f64) -> String {
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    let decimals = if value < 10.0 {
        2
    } else if value < 100.0 {
        1
    } else {
        0
    };
    format!("{value:.decimals$} {unit}")
}

/// A ratio with three significant digits: `0.482x`, `1.00x`, `455x`.
pub fn ratio(r: f64) -> String {
    if r < 1.0 {
        format!("{r:.3}x")
    } else if r < 10.0 {
        format!("{r:.2}x")
    } else if r < 100.0 {
        format!("{r:.1}x")
    } else {
        format!("{r:.0}x")
    }
}

/// The measurements as a markdown table: one section per kind of
/// measurement, each row with its median and its ratio to [`BASELINE`].
///
/// # Errors
///
/// A message saying to run the benches if the baseline is missing.
pub fn table(measurements: &[Measurement]) -> Result<String, String> {
    let base = baseline(measurements)?;
    let mut sorted = measurements.to_vec();
    sort(&mut sorted);
    let mut out = String::new();
    out.push_str("| benchmark | one iteration is | median | to raw corosensei |\n");
    out.push_str("|---|---|---:|---:|\n");
    let mut section = usize::MAX;
    for m in &sorted {
        let this = section_of(&m.id);
        if this != section {
            section = this;
            let _ = writeln!(out, "| **{}** | | | |", section_title(this));
        }
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            m.id,
            meaning(&m.id),
            human(m.median_ns),
            ratio(m.median_ns / base)
        );
    }
    Ok(out)
}

/// One of chapter 8's goals, judged from one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    /// What the goal says, in words.
    pub goal: &'static str,
    /// The measured ratio, `numerator / denominator`; `None` if either was
    /// not measured.
    pub ratio: Option<f64>,
    /// The largest ratio that meets the goal.
    pub limit: f64,
}

impl Goal {
    /// Whether the run met the goal (an unmeasured goal is not met).
    pub fn met(&self) -> bool {
        self.ratio.is_some_and(|r| r <= self.limit)
    }
}

/// The goals of issue 6, judged on `measurements`: each compares two
/// figures of the same run.
pub fn goals(measurements: &[Measurement]) -> Vec<Goal> {
    let median = |id: &str| {
        measurements
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.median_ns)
    };
    let over = |a: &str, b: &str| Some(median(a)? / median(b)?);
    vec![
        Goal {
            goal: "`Generator` round trip at most 1.2x raw corosensei",
            ratio: over("round_trip/generator", BASELINE),
            limit: 1.2,
        },
        Goal {
            goal: "chapter 6's task switch at most 1/4 of tokio's",
            ratio: over("scheduler/ping_pong", "tokio/ping_pong"),
            limit: 0.25,
        },
        Goal {
            goal: "stackful suspend flat from depth 1 to 100 (within 1.2x)",
            ratio: over("delegation/stackful/100", "delegation/stackful/1"),
            limit: 1.2,
        },
    ]
}

/// The goals as markdown lines: `- met: … (0.98x; at most 1.2x)`.
pub fn goals_markdown(goals: &[Goal]) -> String {
    let mut out = String::new();
    for goal in goals {
        let verdict = match goal.ratio {
            None => "not measured".to_string(),
            Some(r) if goal.met() => format!("met ({})", ratio(r)),
            Some(r) => format!("missed ({})", ratio(r)),
        };
        let _ = writeln!(
            out,
            "- {}: {verdict}; the goal is at most {}",
            goal.goal,
            ratio(goal.limit)
        );
    }
    out
}

/// Colours of the bars, one per section (and one for "Other").
const COLOURS: &[&str] = &[
    "#4e79a7", "#59a14f", "#f28e2b", "#e15759", "#76b7b2", "#b07aa1", "#9c755f",
];

/// Escapes text for an SVG document.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Layout of the chart, in pixels.
const LABEL_WIDTH: f64 = 250.0;
const PLOT_WIDTH: f64 = 560.0;
const VALUE_WIDTH: f64 = 150.0;
const ROW: f64 = 18.0;
const TOP: f64 = 56.0;

/// The measurements as an SVG bar chart: one bar per benchmark, grouped by
/// section, on a logarithmic time axis (each grid line is ten times the one
/// before), each labelled with its median and its ratio to [`BASELINE`].
/// `title` heads the chart; name the machine in it.
///
/// # Errors
///
/// A message saying to run the benches if the baseline is missing.
pub fn chart_svg(measurements: &[Measurement], title: &str) -> Result<String, String> {
    let base = baseline(measurements)?;
    let mut sorted = measurements.to_vec();
    sort(&mut sorted);
    let smallest = sorted.iter().map(|m| m.median_ns).fold(f64::MAX, f64::min);
    let largest = sorted.iter().map(|m| m.median_ns).fold(0.0, f64::max);
    // Whole decades, at least one: 1 ns .. 10 µs, say.
    let low = smallest.log10().floor();
    let high = largest.log10().ceil().max(low + 1.0);
    let x = |ns: f64| LABEL_WIDTH + (ns.log10() - low) / (high - low) * PLOT_WIDTH;

    let sections = {
        let mut seen: Vec<usize> = sorted.iter().map(|m| section_of(&m.id)).collect();
        seen.dedup();
        seen.len()
    };
    let rows = sorted.len() + sections;
    let height = TOP + rows as f64 * ROW + 34.0;
    let width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">"
    );
    let _ = writeln!(
        svg,
        "<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>"
    );
    let _ = writeln!(
        svg,
        "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{}</text>",
        xml(title)
    );
    let _ = writeln!(
        svg,
        "<text x=\"10\" y=\"38\" fill=\"#555\">median time of one iteration, log scale; \
         the ratio is to {BASELINE} ({})</text>",
        xml(&human(base))
    );
    // Grid lines and their labels, one per decade.
    let bottom = TOP + rows as f64 * ROW;
    for decade in (low as i32)..=(high as i32) {
        let ns = 10f64.powi(decade);
        let gx = x(ns);
        let _ = writeln!(
            svg,
            "<line x1=\"{gx:.1}\" y1=\"{:.1}\" x2=\"{gx:.1}\" y2=\"{bottom:.1}\" stroke=\"#ddd\"/>",
            TOP - 4.0
        );
        let _ = writeln!(
            svg,
            "<text x=\"{gx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
            bottom + 14.0,
            xml(&decade_label(decade))
        );
    }
    let mut y = TOP;
    let mut section = usize::MAX;
    for m in &sorted {
        let this = section_of(&m.id);
        if this != section {
            section = this;
            let _ = writeln!(
                svg,
                "<text x=\"10\" y=\"{:.1}\" font-weight=\"bold\">{}</text>",
                y + 13.0,
                xml(section_title(this))
            );
            y += ROW;
        }
        let colour = COLOURS[this.min(COLOURS.len() - 1)];
        let end = x(m.median_ns).max(LABEL_WIDTH + 1.0);
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LABEL_WIDTH - 6.0,
            y + 13.0,
            xml(&m.id)
        );
        let _ = writeln!(
            svg,
            "<rect x=\"{LABEL_WIDTH:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"/>",
            y + 3.0,
            end - LABEL_WIDTH,
            ROW - 5.0
        );
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\">{} · {}</text>",
            end + 4.0,
            y + 13.0,
            xml(&human(m.median_ns)),
            xml(&ratio(m.median_ns / base))
        );
        y += ROW;
    }
    svg.push_str("</svg>\n");
    Ok(svg)
}

/// `1 ns`, `10 ns`, `100 ns`, `1 µs`, ... for 10 to the power `decade`.
fn decade_label(decade: i32) -> String {
    let units = ["ns", "µs", "ms", "s"];
    if decade < 0 {
        return format!("1e{decade} ns");
    }
    let unit = (decade / 3) as usize;
    let value = 10u64.pow((decade % 3) as u32);
    match units.get(unit) {
        Some(unit) => format!("{value} {unit}"),
        None => format!("1e{decade} ns"),
    }
}

/// A line naming the machine: CPU model, logical CPUs and kernel, from
/// `/proc` (or what is known elsewhere).
pub fn machine() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("model name"))
                .and_then(|rest| rest.split_once(':'))
                .map(|(_, model)| model.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|release| format!("Linux {}", release.trim()))
        .unwrap_or_else(|_| std::env::consts::OS.to_string());
    format!("{cpu}, {cpus} CPUs, {kernel}")
}

/// One bench run as chapter 8 keeps it: where and when it was measured, and
/// every median, so that its table and chart can be drawn again exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The machine, as [`machine`] names it.
    pub machine: String,
    /// The day of the run, `YYYY-MM-DD` (UTC).
    pub date: String,
    /// The medians, as [`table`] sorts them.
    pub measurements: Vec<Measurement>,
}

impl Run {
    /// A run of `measurements` on this machine, dated by the newest result.
    pub fn new(mut measurements: Vec<Measurement>) -> Run {
        let newest = measurements
            .iter()
            .filter_map(|m| m.written)
            .max()
            .unwrap_or_else(SystemTime::now);
        sort(&mut measurements);
        Run {
            machine: machine(),
            date: utc_date(newest),
            measurements,
        }
    }

    /// The run as text: two `#` lines (machine, date), then one
    /// `id<TAB>median_ns` line per benchmark. [`Run::parse`] reads it back.
    pub fn to_tsv(&self) -> String {
        let mut out = format!("# machine: {}\n# date: {}\n", self.machine, self.date);
        for m in &self.measurements {
            let _ = writeln!(out, "{}\t{}", m.id, m.median_ns);
        }
        out
    }

    /// Reads what [`Run::to_tsv`] wrote.
    ///
    /// # Errors
    ///
    /// A message naming the first line that is neither a known `#` line nor
    /// `id<TAB>number`, or the header line that is missing.
    pub fn parse(text: &str) -> Result<Run, String> {
        let mut machine = None;
        let mut date = None;
        let mut measurements = Vec::new();
        for (number, line) in text.lines().enumerate() {
            if let Some(rest) = line.strip_prefix("# machine: ") {
                machine = Some(rest.to_string());
            } else if let Some(rest) = line.strip_prefix("# date: ") {
                date = Some(rest.to_string());
            } else if !line.trim().is_empty() && !line.starts_with('#') {
                let Some((id, median_ns)) = figure(line) else {
                    return Err(format!(
                        "line {} is not `<benchmark id><TAB><nanoseconds>`: {line:?}",
                        number + 1
                    ));
                };
                measurements.push(Measurement::new(id, median_ns));
            }
        }
        let missing = |what: &str| format!("the run has no `# {what}: ...` line");
        Ok(Run {
            machine: machine.ok_or_else(|| missing("machine"))?,
            date: date.ok_or_else(|| missing("date"))?,
            measurements,
        })
    }

    /// The markdown chapter 8 shows: where and when, the [`table`], and the
    /// [`goals`] judged on this run.
    ///
    /// # Errors
    ///
    /// As [`table`]: the run has no [`BASELINE`].
    pub fn report(&self) -> Result<String, String> {
        Ok(format!(
            "Measured on {}, on {}.\n\n{}\nGoals, from the same run:\n\n{}",
            self.machine,
            self.date,
            table(&self.measurements)?,
            goals_markdown(&goals(&self.measurements))
        ))
    }

    /// The [`chart_svg`] of this run, titled with its machine and date.
    ///
    /// # Errors
    ///
    /// As [`chart_svg`]: the run has no [`BASELINE`].
    pub fn chart(&self) -> Result<String, String> {
        chart_svg(
            &self.measurements,
            &format!("What a switch costs: {}, {}", self.machine, self.date),
        )
    }
}

/// Where `cargo run -- costs --publish` saves the run chapter 8 shows,
/// relative to `chapters/`.
pub const PUBLISHED_RUN: &str = "08-cost-of-a-switch.run.tsv";

/// Where it saves that run's chart, relative to `chapters/`.
pub const PUBLISHED_CHART: &str = "08-cost-of-a-switch.svg";

/// The marker line that opens the block of a page showing a run saved in
/// `file` (a path relative to the page); `<!-- costs: end -->` closes it.
pub fn block_start(file: &str) -> String {
    format!("<!-- costs: run {file} -->")
}

/// The closing marker of a [`block_start`] block.
pub const BLOCK_END: &str = "<!-- costs: end -->";

/// The text between the block's markers in `page`, if the page has them.
pub fn block<'a>(page: &'a str, file: &str) -> Option<&'a str> {
    let start = block_start(file);
    let from = page.find(&start)? + start.len();
    let to = from + page[from..].find(BLOCK_END)?;
    Some(page[from..to].trim_matches('\n'))
}

/// `page` with the block for `file` holding `report`.
///
/// # Errors
///
/// A message naming the markers when the page lacks them.
pub fn replace_block(page: &str, file: &str, report: &str) -> Result<String, String> {
    let start = block_start(file);
    let missing = || format!("the page has no `{start}` ... `{BLOCK_END}` block");
    let from = page.find(&start).ok_or_else(missing)? + start.len();
    let to = from + page[from..].find(BLOCK_END).ok_or_else(missing)?;
    Ok(format!(
        "{}\n\n{}\n\n{}",
        &page[..from],
        report.trim_end(),
        &page[to..]
    ))
}

/// The UTC day of `time`, as `YYYY-MM-DD`.
pub fn utc_date(time: SystemTime) -> String {
    let days = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Days since 1970-01-01 to a civil date (the proleptic Gregorian
    // calendar), counting in 400-year eras that start on March 1st.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153; // 0 = March
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
