//! The cost report (`cargo run -- costs`): reading criterion's and Python's
//! figures, the table, the goals and the chart, on made-up figures.

use std::fs;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use yieldpoint_tools::costs::{
    self, BASELINE, Goal, Measurement, chart_svg, goals, goals_markdown, human, keep_one_run,
    parse_python, ratio, read_criterion, table,
};

fn figures() -> Vec<Measurement> {
    // Deliberately out of order: the table sorts them.
    vec![
        Measurement::new("tokio/ping_pong", 160.0),
        Measurement::new("delegation/stackful/100", 4.0),
        Measurement::new("round_trip/generator", 5.5),
        Measurement::new("python/generator_send", 40.0),
        Measurement::new("delegation/stackful/1", 4.0),
        Measurement::new("scheduler/ping_pong", 80.0),
        Measurement::new(BASELINE, 5.0),
        Measurement::new("delegation/stackful/10", 4.4),
    ]
}

#[test]
fn the_table_groups_sorts_and_divides_by_the_raw_round_trip() {
    assert_eq!(
        table(&figures()).unwrap(),
        "\
| benchmark | one iteration is | median | to raw corosensei |
|---|---|---:|---:|
| **Pause and resume once** | | | |
| `round_trip/raw_corosensei` | corosensei resume + suspend, u64 in and out (the baseline) | 5.00 ns | 1.00x |
| `round_trip/generator` | chapter 2's `Generator` | 5.50 ns | 1.10x |
| **One value through N levels of calls or generators** | | | |
| `delegation/stackful/1` | stackful: the leaf suspends from N calls deep | 4.00 ns | 0.800x |
| `delegation/stackful/10` | stackful: the leaf suspends from N calls deep | 4.40 ns | 0.880x |
| `delegation/stackful/100` | stackful: the leaf suspends from N calls deep | 4.00 ns | 0.800x |
| **A switch between two tasks, or two threads** | | | |
| `scheduler/ping_pong` | two tasks on chapter 6's scheduler | 80.0 ns | 16.0x |
| `tokio/ping_pong` | two tasks on tokio's current-thread runtime | 160 ns | 32.0x |
| **CPython, on the same machine** | | | |
| `python/generator_send` | a generator's `send` | 40.0 ns | 8.00x |
"
    );
}

#[test]
fn without_the_baseline_the_table_says_to_run_the_benches() {
    let mut some = figures();
    some.retain(|m| m.id != BASELINE);
    let error = table(&some).unwrap_err();
    assert_eq!(
        error,
        "no result for round_trip/raw_corosensei, which every ratio is relative to: \
         run `cargo bench` without a filter"
    );
    assert_eq!(chart_svg(&some, "t").unwrap_err(), error);
}

#[test]
fn goals_are_ratios_within_the_run_and_say_met_or_missed() {
    let judged = goals(&figures());
    assert_eq!(
        judged,
        [
            Goal {
                goal: "`Generator` round trip at most 1.2x raw corosensei",
                ratio: Some(1.1),
                limit: 1.2
            },
            Goal {
                goal: "chapter 6's task switch at most 1/4 of tokio's",
                ratio: Some(0.5),
                limit: 0.25
            },
            Goal {
                goal: "stackful suspend flat from depth 1 to 100 (within 1.2x)",
                ratio: Some(1.0),
                limit: 1.2
            },
        ]
    );
    assert_eq!(
        judged.iter().map(Goal::met).collect::<Vec<_>>(),
        [true, false, true]
    );
    assert_eq!(
        goals_markdown(&judged),
        "\
- `Generator` round trip at most 1.2x raw corosensei: met (1.10x); the goal is at most 1.20x
- chapter 6's task switch at most 1/4 of tokio's: missed (0.500x); the goal is at most 0.250x
- stackful suspend flat from depth 1 to 100 (within 1.2x): met (1.00x); the goal is at most 1.20x
"
    );
}

#[test]
fn a_goal_whose_figures_are_missing_is_not_met() {
    let judged = goals(&[Measurement::new(BASELINE, 5.0)]);
    assert!(judged.iter().all(|g| g.ratio.is_none() && !g.met()));
    assert!(goals_markdown(&judged).contains(": not measured; the goal is at most 1.20x"));
}

#[test]
fn durations_and_ratios_keep_three_significant_digits() {
    assert_eq!(human(3.33333), "3.33 ns");
    assert_eq!(human(48.26), "48.3 ns");
    assert_eq!(human(645.2), "645 ns");
    assert_eq!(human(2_250.0), "2.25 µs");
    assert_eq!(human(1_920_000.0), "1.92 ms");
    assert_eq!(human(2.5e9), "2.50 s");
    assert_eq!(ratio(0.4821), "0.482x");
    assert_eq!(ratio(1.0), "1.00x");
    assert_eq!(ratio(22.61), "22.6x");
    assert_eq!(ratio(455.4), "455x");
}

#[test]
fn unknown_ids_are_kept_under_other_with_no_meaning() {
    let mut some = figures();
    some.push(Measurement::new("mystery/thing", 10.0));
    let text = table(&some).unwrap();
    assert!(
        text.ends_with("| **Other** | | | |\n| `mystery/thing` |  | 10.0 ns | 2.00x |\n"),
        "{text}"
    );
    assert_eq!(costs::meaning("mystery/thing"), "");
    assert_eq!(
        costs::meaning("delegation/async/100"),
        "N `async fn`s, each awaiting the next"
    );
}

#[test]
fn python_lines_are_read_and_bad_lines_are_named() {
    let text = "# CPython 3.11.7\npython/generator_send\t41.5\n\npython/yield_from/10\t380\n";
    let read = parse_python(text, None).unwrap();
    assert_eq!(
        read,
        [
            Measurement::new("python/generator_send", 41.5),
            Measurement::new("python/yield_from/10", 380.0)
        ]
    );
    assert_eq!(
        parse_python("# x\npython/send 12\n", None).unwrap_err(),
        "line 2 is not `python/<name><TAB><nanoseconds>`: \"python/send 12\""
    );
    assert!(parse_python("round_trip/raw_corosensei\t5\n", None).is_err());
    assert!(parse_python("python/x\t-1\n", None).is_err());
}

#[test]
fn results_older_than_the_run_are_left_out_and_named() {
    let now = SystemTime::now();
    let at = |id: &str, age_secs: u64| Measurement {
        written: Some(now - Duration::from_secs(age_secs)),
        ..Measurement::new(id, 1.0)
    };
    let mut all = vec![
        at(BASELINE, 0),
        at("round_trip/generator", 300),
        at("delegation/old_name/1", 86_400),
        Measurement::new("python/generator_send", 40.0),
    ];
    let dropped = keep_one_run(&mut all, Duration::from_secs(3600));
    assert_eq!(dropped, ["delegation/old_name/1"]);
    let kept: Vec<&str> = all.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        kept,
        [BASELINE, "round_trip/generator", "python/generator_send"]
    );
}

/// A fresh directory under the target directory, removed first if present.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn criterion_results_are_found_at_any_depth_with_their_ids() {
    let dir = scratch("costs-criterion");
    let estimates = |median: f64| {
        format!(
            "{{\"mean\":{{\"point_estimate\":99.0}},\"median\":{{\"confidence_interval\":\
             {{\"lower_bound\":1.0}},\"point_estimate\":{median},\"standard_error\":0.1}}}}"
        )
    };
    for (id, median) in [
        ("round_trip/raw_corosensei", 5.0),
        ("delegation/stackful/10", 4.5),
    ] {
        let path = dir.join(id).join("new");
        fs::create_dir_all(&path).unwrap();
        fs::write(path.join("estimates.json"), estimates(median)).unwrap();
        // criterion's other folders are not results.
        fs::create_dir_all(dir.join(id).join("base")).unwrap();
        fs::write(dir.join(id).join("base/estimates.json"), estimates(1e9)).unwrap();
    }
    fs::create_dir_all(dir.join("report")).unwrap();
    let read = read_criterion(&dir).unwrap();
    let pairs: Vec<(&str, f64)> = read.iter().map(|m| (m.id.as_str(), m.median_ns)).collect();
    assert_eq!(
        pairs,
        [
            ("round_trip/raw_corosensei", 5.0),
            ("delegation/stackful/10", 4.5)
        ]
    );
    assert!(read.iter().all(|m| m.written.is_some()));
}

#[test]
fn the_median_is_read_from_the_json_not_searched_for_in_the_text() {
    // A "median" inside a string, before the real one, and keys in another
    // order than criterion writes them.
    let json = r#"{"mean":{"point_estimate":99.0,"note":"\"median\":{\"point_estimate\":1}"},
                  "median":{"standard_error":0.1,"point_estimate":3.5e0}}"#;
    assert_eq!(costs::median_ns(json), Ok(3.5));
    assert_eq!(
        costs::median_ns(r#"{"mean":{"point_estimate":2.0}}"#),
        Err("has no median point estimate (`median.point_estimate`)".to_string())
    );
    assert_eq!(
        costs::median_ns(r#"{"median":{"point_estimate":"fast"}}"#),
        Err("has a median point estimate that is not a positive number: \"fast\"".to_string())
    );
    assert_eq!(
        costs::median_ns(r#"{"median":{"point_estimate":0}}"#),
        Err("has a median point estimate that is not a positive number: 0".to_string())
    );
    let damaged = costs::median_ns(r#"{"median":{"point_estimate":3.5"#).unwrap_err();
    assert!(
        damaged.starts_with("is not JSON (EOF while parsing"),
        "{damaged}"
    );
}

#[test]
fn a_damaged_estimates_file_is_named_with_what_is_wrong() {
    let dir = scratch("costs-damaged");
    let path = dir.join("round_trip/raw_corosensei/new");
    fs::create_dir_all(&path).unwrap();
    fs::write(path.join("estimates.json"), "{\"median\":").unwrap();
    let error = read_criterion(&dir).unwrap_err().to_string();
    assert!(
        error.starts_with(&format!(
            "{} is not JSON (",
            path.join("estimates.json").display()
        )),
        "{error}"
    );
}

#[test]
fn an_empty_or_missing_results_folder_says_to_run_cargo_bench() {
    let dir = scratch("costs-empty");
    let error = read_criterion(&dir).unwrap_err().to_string();
    assert!(error.ends_with(": run `cargo bench` first"), "{error}");
    let error = read_criterion(&dir.join("nowhere"))
        .unwrap_err()
        .to_string();
    assert!(error.contains("nowhere"), "{error}");
    assert!(error.ends_with(": run `cargo bench` first"), "{error}");
}

#[test]
fn the_chart_puts_each_bar_on_a_log_scale_with_a_label_per_decade() {
    let svg = chart_svg(
        &[
            Measurement::new(BASELINE, 1.0),
            Measurement::new("tokio/ping_pong", 10.0),
            Measurement::new("threads/ping_pong", 100.0),
        ],
        "Test <machine>",
    )
    .unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.ends_with("</svg>\n"));
    assert!(svg.contains(">Test &lt;machine&gt;</text>"));
    // 1 ns to 100 ns is two decades over 560 pixels: 10 ns ends half-way.
    assert!(svg.contains("width=\"280.0\""), "{svg}");
    assert!(svg.contains("width=\"560.0\""), "{svg}");
    for label in [">1 ns<", ">10 ns<", ">100 ns<"] {
        assert!(svg.contains(label), "{label} in {svg}");
    }
    assert!(svg.contains(">10.0 ns · 10.0x<"));
    assert!(svg.contains(">A switch between two tasks, or two threads<"));
    // One bar per measurement (plus the white background).
    assert_eq!(svg.matches("<rect ").count(), 4);
}

#[test]
fn a_run_survives_being_written_and_read_back() {
    let run = costs::Run {
        machine: "Some CPU, 2 CPUs, Linux 6.1".to_string(),
        date: "2026-11-22".to_string(),
        measurements: vec![
            Measurement::new(BASELINE, 5.25),
            Measurement::new("python/generator_send", 41.5),
        ],
    };
    let text = run.to_tsv();
    assert_eq!(
        text,
        "# machine: Some CPU, 2 CPUs, Linux 6.1\n# date: 2026-11-22\n\
         round_trip/raw_corosensei\t5.25\npython/generator_send\t41.5\n"
    );
    assert_eq!(costs::Run::parse(&text).unwrap(), run);
    assert!(
        run.report().unwrap().starts_with(
            "Measured on Some CPU, 2 CPUs, Linux 6.1, on 2026-11-22.\n\n| benchmark |"
        )
    );
    assert_eq!(
        costs::Run::parse("# date: 2026-11-22\n").unwrap_err(),
        "the run has no `# machine: ...` line"
    );
    assert_eq!(
        costs::Run::parse("# machine: m\n# date: d\nround_trip/x 5\n").unwrap_err(),
        "line 3 is not `<benchmark id><TAB><nanoseconds>`: \"round_trip/x 5\""
    );
}

#[test]
fn dates_are_utc_days() {
    let at = |secs: u64| costs::utc_date(SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
    assert_eq!(at(0), "1970-01-01");
    assert_eq!(at(951_782_400), "2000-02-29");
    assert_eq!(at(1_795_391_999), "2026-11-22");
    assert_eq!(at(1_795_392_000), "2026-11-23");
}

#[test]
fn a_block_between_markers_is_found_and_replaced() {
    let page = "intro\n<!-- costs: run r.tsv -->\n\nold\n\n<!-- costs: end -->\nafter\n";
    assert_eq!(costs::block(page, "r.tsv"), Some("old"));
    let new = costs::replace_block(page, "r.tsv", "new table\n").unwrap();
    assert_eq!(
        new,
        "intro\n<!-- costs: run r.tsv -->\n\nnew table\n\n<!-- costs: end -->\nafter\n"
    );
    assert_eq!(costs::block(&new, "r.tsv"), Some("new table"));
    assert_eq!(
        costs::replace_block("no markers", "r.tsv", "x").unwrap_err(),
        "the page has no `<!-- costs: run r.tsv -->` ... `<!-- costs: end -->` block"
    );
}

/// Chapter 8 shows one real run: its figures are committed beside the page
/// (`cargo run -- costs --publish` saved them), and the page's table and the
/// chart must be exactly what those figures render to.
#[test]
fn chapter_8_shows_its_committed_run_exactly() {
    let chapters = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../chapters");
    let text = fs::read_to_string(chapters.join(costs::PUBLISHED_RUN)).unwrap();
    let run = costs::Run::parse(&text).unwrap();
    let page = fs::read_to_string(chapters.join("08-cost-of-a-switch.md")).unwrap();
    let shown = costs::block(&page, costs::PUBLISHED_RUN)
        .expect("chapter 8 has the block of its committed run");
    assert_eq!(
        shown,
        run.report().unwrap().trim_end(),
        "chapter 8's table differs from its run: `cargo run -- costs --publish` after \
         `cargo bench` saves a new run into it"
    );
    let chart = fs::read_to_string(chapters.join(costs::PUBLISHED_CHART)).unwrap();
    assert_eq!(chart, run.chart().unwrap());
    assert!(page.contains(&format!("]({})", costs::PUBLISHED_CHART)));
    // Every figure the chapter talks about was measured in that run.
    for id in [
        BASELINE,
        "round_trip/generator",
        "round_trip/stackless",
        "round_trip/async_leaf",
        "delegation/stackful/100",
        "delegation/async/100",
        "scheduler/ping_pong",
        "tokio/ping_pong",
        "threads/ping_pong_pinned",
        "create/fresh_stack",
        "python/asyncio_ping_pong",
    ] {
        assert!(
            run.measurements.iter().any(|m| m.id == id),
            "{id} in the run"
        );
    }
}
