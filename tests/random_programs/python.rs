//! The same programs on CPython: rendered as asyncio scripts, run by
//! `run.py` (beside this file) on asyncio's own event loop with a virtual
//! clock, many scripts to one `python3` process.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::interpreter::python_or_skip;
use crate::program::{Ending, OnCancel, Op, Program, name};

/// `run.py`.
fn runner() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("run.py")
}

/// The program as an asyncio script (run it with
/// `python3 tests/random_programs/run.py FILE`).
pub fn render(program: &Program) -> String {
    let mut script = String::from(
        "# A random task program from tests/random_programs/, rendered for asyncio.\n#\n",
    );
    for line in program.to_string().lines() {
        let _ = writeln!(script, "#   {line}");
    }
    script.push_str("#\n# Run it with: python3 tests/random_programs/run.py THIS_FILE\n\n");
    let others: Vec<String> = (1..program.tasks.len())
        .map(|k| format!("\"{}\"", name(k)))
        .collect();
    let _ = writeln!(script, "TASKS = [{}]", others.join(", "));
    let asyncio_run = if program.ending == Ending::Run {
        "True"
    } else {
        "False"
    };
    let _ = writeln!(script, "ASYNCIO_RUN = {asyncio_run}");
    for (k, task) in program.tasks.iter().enumerate() {
        let goes_on = if task.on_cancel == OnCancel::GoOn {
            "True"
        } else {
            "False"
        };
        let _ = write!(
            script,
            "\n\nasync def {me}(run):\n    me = run.enter(\"{me}\", goes_on={goes_on})\n",
            me = name(k)
        );
        let indent = match task.drop_sleep {
            Some(d) => {
                let _ = writeln!(script, "    async with me.drop_guard({d}):");
                "        "
            }
            None => "    ",
        };
        for op in &task.ops {
            let line = match *op {
                Op::Spawn(j) => format!("me.spawn(\"{0}\", {0})", name(j)),
                Op::Sleep(d) => format!("await me.sleep({d})"),
                Op::Yield => "await me.yield_()".to_string(),
                Op::Join(j) => format!("await me.join(\"{}\")", name(j)),
                Op::TryJoin(j) => format!("await me.join(\"{}\", pass_on=True)", name(j)),
                Op::Cancel(j) => format!("me.cancel(\"{}\")", name(j)),
                Op::OnDone(j, None) => format!("me.on_done(\"{}\")", name(j)),
                Op::OnDone(j, Some(child)) => {
                    format!("me.on_done(\"{}\", \"{1}\", {1})", name(j), name(child))
                }
                Op::Return(v) => format!("return me.ret({v})"),
                Op::Panic => "me.panic()".to_string(),
            };
            let _ = writeln!(script, "{indent}{line}");
        }
    }
    script
}

/// python3, or `None` after saying on stderr that the CPython side is
/// skipped.
///
/// # Panics
///
/// Without python3 3.11+ when `PARITY_REQUIRE_PYTHON=1`.
pub fn python() -> Option<&'static Path> {
    static PYTHON: OnceLock<Option<PathBuf>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            python_or_skip(
                "the random programs are checked against the model only, not against CPython",
            )
        })
        .as_deref()
}

/// Runs every program on CPython in one process; each program's lines, in
/// order. A program whose script failed gets `ERROR: ...` lines.
///
/// # Panics
///
/// If python3 cannot be run or its output is not one block per program.
pub fn run_batch(python: &Path, programs: &[Program]) -> Vec<Vec<String>> {
    let mut input = String::new();
    for (i, program) in programs.iter().enumerate() {
        let _ = writeln!(input, "#### program {i}");
        input.push_str(&render(program));
    }
    // -E: ignore PYTHON* variables, -S: no site module (faster start),
    // -B: no __pycache__.
    let mut child = Command::new(python)
        .args(["-E", "-S", "-B"])
        .arg(runner())
        .arg("--batch")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", python.display()));
    let mut stdin = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || {
        stdin
            .write_all(input.as_bytes())
            .expect("write the programs to python3");
    });
    let output = child.wait_with_output().expect("python3 ran");
    writer.join().expect("the writer thread");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "python3 run.py --batch failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let mut runs: Vec<Vec<String>> = Vec::new();
    for line in stdout.lines() {
        if let Some(number) = line.strip_prefix("#### program ") {
            assert_eq!(
                number.parse::<usize>().ok(),
                Some(runs.len()),
                "run.py's programs come back in order"
            );
            runs.push(Vec::new());
        } else {
            runs.last_mut()
                .unwrap_or_else(|| panic!("run.py said {line:?} before any program"))
                .push(line.to_string());
        }
    }
    assert_eq!(
        runs.len(),
        programs.len(),
        "one block per program from run.py"
    );
    runs
}
