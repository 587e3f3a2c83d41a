//! Reading what a test binary printed: how many tests ran, which failed,
//! and so whether an exercise passes.
//!
//! The core operations are:
//! - [`summary`] adds up libtest's closing lines
//!   (`test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 9 filtered out; …`).
//! - [`failed_tests`] names the tests that failed.
//! - [`verdict`] turns the exit status and the output into a [`Verdict`].
//!   A run that passes but ran no test is not a pass: its filter matches
//!   nothing, which is a bug in the course, not a solved exercise.
//!
//! libtest's text output is stable in practice but not promised; its JSON
//! output needs a nightly compiler (`-Z unstable-options`), which the course
//! cannot ask of a learner.

/// The tests counted in libtest's closing lines, added up over every test
/// binary that ran.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Tests that passed.
    pub passed: usize,
    /// Tests that failed.
    pub failed: usize,
    /// Tests marked `#[ignore]`.
    pub ignored: usize,
    /// Tests the filter left out.
    pub filtered_out: usize,
}

impl Summary {
    /// The tests that ran: passed and failed.
    pub fn ran(&self) -> usize {
        self.passed + self.failed
    }
}

/// The counts of every `test result:` line in `output`, added up; `None` if
/// there is no such line (the tests did not build, or the binary crashed).
pub fn summary(output: &str) -> Option<Summary> {
    let mut total: Option<Summary> = None;
    for line in output.lines() {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            continue;
        };
        let Some((_, counts)) = rest.split_once(". ") else {
            continue;
        };
        let sum = total.get_or_insert_with(Summary::default);
        for part in counts.split(';') {
            let mut words = part.split_whitespace();
            let (Some(number), Some(what)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(number) = number.parse::<usize>() else {
                continue;
            };
            match what {
                "passed" => sum.passed += number,
                "failed" => sum.failed += number,
                "ignored" => sum.ignored += number,
                "filtered" => sum.filtered_out += number,
                _ => {}
            }
        }
    }
    total
}

/// The names of the tests `output` reports as failed
/// (`test exercises::e1_countdown::counts ... FAILED`), in order.
pub fn failed_tests(output: &str) -> Vec<String> {
    output
        .lines()
        .filter_map(|line| {
            let (name, result) = line.trim().strip_prefix("test ")?.split_once(" ... ")?;
            (result.trim() == "FAILED").then(|| name.to_string())
        })
        .collect()
}

/// What a run of an exercise's tests says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every test ran and passed; `tests` of them.
    Pass {
        /// How many tests ran.
        tests: usize,
    },
    /// Some tests failed.
    Fail {
        /// The failed tests' names.
        failed: Vec<String>,
        /// How many tests ran.
        ran: usize,
    },
    /// The command succeeded but ran no test: the filter matches none.
    NoTests,
    /// The command failed before any test result: the tests did not
    /// compile, or the test binary crashed.
    Broken,
}

impl Verdict {
    /// Whether it is a pass.
    pub fn passed(&self) -> bool {
        matches!(self, Verdict::Pass { .. })
    }
}

/// The verdict of a `cargo test` run that exited with `success` and printed
/// `output` on stdout.
pub fn verdict(success: bool, output: &str) -> Verdict {
    match summary(output) {
        Some(sum) if success && sum.ran() > 0 && sum.failed == 0 => {
            Verdict::Pass { tests: sum.ran() }
        }
        Some(sum) if success && sum.ran() == 0 => Verdict::NoTests,
        None if success => Verdict::NoTests,
        Some(sum) if sum.failed > 0 => Verdict::Fail {
            failed: failed_tests(output),
            ran: sum.ran(),
        },
        // Failed with no failing test counted: a crash after the summary
        // lines of other binaries, or no summary at all.
        Some(_) | None => Verdict::Broken,
    }
}
