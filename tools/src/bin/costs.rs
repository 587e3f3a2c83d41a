//! The bench report: `cargo run -- costs [--publish]` runs it, after
//! `cargo bench`.
//!
//! Prints the last bench run as a markdown table of medians and ratios, with
//! the goals chapter 8 states, and writes the table, an SVG chart and the
//! run's figures into `target/` (see `yieldpoint_tools::costs`). With
//! `--publish`, also saves the run into chapter 8: its figures, its chart,
//! and the table on the page.
//!
//! A binary of its own, built with the feature `costs`, so that the course
//! runner (and with it a learner's first `cargo run`) does not build
//! `serde_json`. It can be run directly too:
//! `cargo run -p yieldpoint-tools --features costs --bin costs`.

#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]

use std::env;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use yieldpoint_tools::costs;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let publish = match args.as_slice() {
        [] => false,
        [flag] if flag == "--publish" => true,
        _ => {
            eprintln!(
                "[costs] the report takes only `--publish`, not `{}`",
                args.join(" ")
            );
            return ExitCode::from(2);
        }
    };
    match report(publish) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("[costs] {message}");
            ExitCode::FAILURE
        }
    }
}

/// The repository's root: this binary's package is tools/, one level down.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Where `cargo bench` left its results: `$CARGO_TARGET_DIR`, else `target/`.
fn target_dir(root: &Path) -> PathBuf {
    env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        })
        .unwrap_or_else(|| root.join("target"))
}

fn report(publish: bool) -> Result<(), String> {
    let root = root();
    let target = target_dir(&root);
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
        println!("[costs] wrote {}", path.display());
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
