//! What each command of the course runner does: plain cargo underneath.
//!
//! The runner prints each cargo command before it runs it, so a learner can
//! type it themselves, and reads the test output to give one verdict per
//! exercise:
//!
//! ```text
//!   cargo run -- check 2.3
//!     └─▶ cargo test --features learner --test ch02_coroutines -- exercises::e3_…::
//!           ├─ stdout (the tests' lines) ──▶ shown, and read by libtest::verdict
//!           └─ stderr (compiler errors)  ──▶ shown
//!         PASS ─▶ "Next: cargo run -- check 2.4"
//!         FAIL ─▶ "For a hint: cargo run -- hint 2.3"
//! ```
//!
//! The core operations are the methods of [`Runner`], one per command; each
//! returns `Ok(true)` when all went well, `Ok(false)` when it ran and
//! something failed (an exercise not solved, a chapter's example failing),
//! and `Err` with a message when it could not run at all.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::cli::Target;
use crate::course::{CHAPTERS, Chapter, chapter};
use crate::exercises::{self, Exercise, Kind};
use crate::hints::Seen;
use crate::libtest::{Verdict, verdict};
use crate::watch::{self, Snapshot};

/// How long a build may run silently before the runner says what it is
/// building.
const PATIENCE: Duration = Duration::from_millis(1500);

/// How a cargo command's output is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    /// Shown as it comes, not kept.
    Shown,
    /// Shown as it comes, and stdout kept to be read.
    ShownAndKept,
    /// Not shown; stdout kept to be read.
    Kept,
}

/// The course runner, working on one checkout of the course.
#[derive(Debug, Clone)]
pub struct Runner {
    /// The repository's root: where `Cargo.toml`, `exercises/` and
    /// `chapters/` are.
    pub root: PathBuf,
    /// The cargo to run: `$CARGO` (set by `cargo run`), else `cargo`.
    pub cargo: String,
}

impl Runner {
    /// A runner for the repository at `root`.
    pub fn new(root: PathBuf) -> Runner {
        Runner {
            root,
            cargo: env::var("CARGO").unwrap_or_else(|_| "cargo".to_string()),
        }
    }

    /// Where cargo builds: `$CARGO_TARGET_DIR`, else `target/` in the root.
    pub fn target_dir(&self) -> PathBuf {
        env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .map(|dir| {
                if dir.is_absolute() {
                    dir
                } else {
                    self.root.join(dir)
                }
            })
            .unwrap_or_else(|| self.root.join("target"))
    }

    /// Runs `cargo args...` in the root. The command is printed first
    /// unless `output` keeps it quiet; if it is still running after a
    /// moment and `notice` is given, the notice is printed once. Returns
    /// whether it succeeded, and its stdout when kept.
    fn cargo(
        &self,
        args: &[String],
        output: Output,
        notice: Option<&str>,
    ) -> Result<(bool, String), String> {
        if output != Output::Kept {
            println!("[course] $ cargo {}", args.join(" "));
        }
        let mut command = Command::new(&self.cargo);
        command.args(args).current_dir(&self.root);
        // cargo runs from the root; an example that writes a file named on
        // the command line resolves it against where the caller was.
        if let Ok(caller) = env::current_dir() {
            command.env("YIELDPOINT_CALLER_DIR", caller);
        }
        match output {
            Output::Shown => {}
            Output::ShownAndKept => {
                command.stdout(Stdio::piped());
            }
            Output::Kept => {
                command.stdout(Stdio::piped()).stderr(Stdio::piped());
            }
        }
        let _ = io::stdout().flush();
        let mut child = command.spawn().map_err(|e| {
            format!(
                "could not start `{}` ({e}): is cargo on your PATH?",
                self.cargo
            )
        })?;
        let show = output == Output::ShownAndKept;
        let stdout = child.stdout.take().map(|pipe| {
            thread::spawn(move || {
                let mut kept = String::new();
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    if show {
                        println!("{line}");
                    }
                    kept.push_str(&line);
                    kept.push('\n');
                }
                kept
            })
        });
        // Drained so that a chatty failure cannot fill the pipe and stall.
        let stderr = child.stderr.take().map(|mut pipe| {
            thread::spawn(move || {
                let mut text = String::new();
                let _ = pipe.read_to_string(&mut text);
                text
            })
        });
        let started = Instant::now();
        let mut noticed = notice.is_none();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) => {}
                Err(e) => return Err(format!("lost track of cargo: {e}")),
            }
            if !noticed && started.elapsed() >= PATIENCE {
                noticed = true;
                if let Some(notice) = notice {
                    println!("{notice}");
                }
            }
            thread::sleep(Duration::from_millis(50));
        };
        let kept = stdout
            .map(|reader| reader.join().unwrap_or_default())
            .unwrap_or_default();
        if let Some(reader) = stderr {
            let _ = reader.join();
        }
        Ok((status.success(), kept))
    }

    /// A chapter's exercises, or the message saying why there are none.
    ///
    /// # Errors
    ///
    /// What [`exercises::load`] refuses, as text.
    pub fn exercises(&self, chapter: &Chapter) -> Result<Vec<Exercise>, String> {
        exercises::load(&self.root, chapter).map_err(|e| e.to_string())
    }

    /// The exercises a target names: one, or a chapter's.
    ///
    /// # Errors
    ///
    /// A chapter whose exercises cannot be loaded, or an exercise number the
    /// chapter does not have (naming the ones it has).
    pub fn targeted(&self, target: Target) -> Result<Vec<Exercise>, String> {
        let n = match target {
            Target::Chapter(n) | Target::Exercise(n, _) => n,
        };
        let chapter = chapter(n).ok_or_else(|| format!("there is no chapter {n}"))?;
        let all = self.exercises(chapter)?;
        match target {
            Target::Chapter(_) => Ok(all),
            Target::Exercise(_, k) => match all.iter().find(|e| e.number == k) {
                Some(exercise) => Ok(vec![exercise.clone()]),
                None => Err(format!(
                    "chapter {n} has no exercise {n}.{k}; its exercises are {}.",
                    names(&all)
                )),
            },
        }
    }

    /// Builds what the given examples need, saying what and why if it
    /// takes a while (the first time, it does).
    fn build_examples(&self, only: Option<&Chapter>) -> Result<(), String> {
        let mut args = vec!["build".to_string(), "--quiet".to_string()];
        let what = match only {
            Some(chapter) => {
                args.extend(["--example".to_string(), chapter.name.to_string()]);
                format!("chapter {}'s example", chapter.number)
            }
            None => {
                args.push("--examples".to_string());
                format!("its {} examples", CHAPTERS.len())
            }
        };
        let notice = format!(
            "[course] Building the course, once: the `yieldpoint` library (one module per \
             chapter, on corosensei,\n[course] whose stack switch is a few lines of assembly) \
             and {what}, which also link tokio\n[course] (chapter 8 measures against it). \
             Seconds on a fast machine, under a minute on most; later runs start at once."
        );
        let (built, _) = self.cargo(&args, Output::Kept, Some(&notice))?;
        if built {
            Ok(())
        } else {
            // Quiet builds hide the compiler's errors: run it again to show them.
            let _ = self.cargo(&args, Output::Shown, None);
            Err("the course's examples did not build (the errors are above)".to_string())
        }
    }

    /// `cargo run -- N`: chapter N's example, with `args` for it.
    ///
    /// # Errors
    ///
    /// When cargo cannot be started, or the example does not build.
    pub fn example(&self, chapter: &Chapter, args: &[String]) -> Result<bool, String> {
        self.build_examples(Some(chapter))?;
        let mut command = chapter.example_args();
        if !args.is_empty() {
            command.push("--".to_string());
            command.extend(args.iter().cloned());
        }
        let (ok, _) = self.cargo(&command, Output::Shown, None)?;
        if !ok {
            eprintln!("[course] chapter {}'s example failed", chapter.number);
        }
        Ok(ok)
    }

    /// `cargo run`: every chapter's example, in order.
    ///
    /// # Errors
    ///
    /// When cargo cannot be started, or the examples do not build.
    pub fn all(&self) -> Result<bool, String> {
        self.build_examples(None)?;
        for chapter in CHAPTERS {
            println!();
            println!(
                "=== Chapter {}: {} ({}) ===",
                chapter.number,
                chapter.title,
                chapter.page()
            );
            let (ok, _) = self.cargo(&chapter.example_args(), Output::Shown, None)?;
            if !ok {
                eprintln!("[course] chapter {}'s example failed", chapter.number);
                return Ok(false);
            }
        }
        println!();
        println!("[course] That is every chapter. `cargo run -- list` shows how to test each one,");
        println!("[course] and its exercises: `cargo run -- check 1.1` checks the first.");
        Ok(true)
    }

    /// `cargo run -- list`: the chapters, their commands and exercises.
    /// A chapter whose exercises cannot be read shows why, and makes the
    /// result `false`.
    pub fn list(&self) -> bool {
        let mut all_read = true;
        for chapter in CHAPTERS {
            println!("{:>2}. {}", chapter.number, chapter.title);
            println!("    read       {}", chapter.page());
            println!(
                "    run        cargo {}",
                chapter.example_args().join(" ").replace("--quiet ", "")
            );
            println!("    test       cargo {}", chapter.test_args().join(" "));
            match self.exercises(chapter) {
                Ok(list) => {
                    println!("    exercises  cargo run -- check {}", chapter.number);
                    for exercise in list {
                        let tag = if exercise.extension {
                            " (extension)"
                        } else {
                            ""
                        };
                        println!(
                            "      {:<5} {}: {}{tag}",
                            exercise.id(),
                            exercise.name,
                            exercise.summary
                        );
                        println!("            edit {}", exercise.file);
                    }
                }
                Err(problem) => {
                    all_read = false;
                    println!("    exercises  cannot be read: {problem}");
                }
            }
        }
        all_read
    }

    /// `cargo run -- test N`: chapter N's tests against the reference.
    ///
    /// # Errors
    ///
    /// When cargo cannot be started.
    pub fn test(&self, chapter: &Chapter) -> Result<bool, String> {
        let (ok, _) = self.cargo(&chapter.test_args(), Output::Shown, None)?;
        if !ok {
            eprintln!("[course] chapter {}'s tests failed", chapter.number);
        }
        Ok(ok)
    }

    /// Runs one exercise's tests against the learner's file, quietly.
    fn judge(&self, exercise: &Exercise) -> Result<Verdict, String> {
        let (ok, stdout) = self.cargo(&exercise.check_args(), Output::Kept, None)?;
        Ok(verdict(ok, &stdout))
    }

    /// `cargo run -- check N.K`: one exercise, with the tests' output and a
    /// verdict. `cargo run -- check N`: every exercise of chapter N, one
    /// line each.
    ///
    /// # Errors
    ///
    /// A target that names no exercise, cargo that cannot be started, or
    /// tests that match nothing (a bug in the course).
    pub fn check(&self, target: Target) -> Result<bool, String> {
        let exercises = self.targeted(target)?;
        match target {
            Target::Exercise(..) => {
                let [exercise] = exercises.as_slice() else {
                    return Err(format!(
                        "exercise {target} was found {} times",
                        exercises.len()
                    ));
                };
                self.check_one(exercise)
            }
            Target::Chapter(n) => {
                let chapter = chapter(n).ok_or_else(|| format!("there is no chapter {n}"))?;
                println!(
                    "[course] chapter {n}, {}: {} exercise{}",
                    chapter.title,
                    exercises.len(),
                    if exercises.len() == 1 { "" } else { "s" }
                );
                let mut all = true;
                for exercise in &exercises {
                    print!("[course] {:<5} {:<16} ", exercise.id(), exercise.name);
                    let _ = io::stdout().flush();
                    let verdict = self.judge(exercise)?;
                    println!("{}", line_of(exercise, &verdict));
                    all &= verdict.passed();
                    if verdict == Verdict::NoTests {
                        return Err(no_tests(exercise));
                    }
                }
                Ok(all)
            }
        }
    }

    fn check_one(&self, exercise: &Exercise) -> Result<bool, String> {
        println!(
            "[course] exercise {}: {}\n[course] checking {}",
            exercise.label(),
            exercise.summary,
            exercise.file
        );
        let (ok, stdout) = self.cargo(&exercise.check_args(), Output::ShownAndKept, None)?;
        match verdict(ok, &stdout) {
            Verdict::Pass { tests } => {
                println!(
                    "[course] PASS: exercise {} passes its {tests} test{}. {}",
                    exercise.label(),
                    if tests == 1 { "" } else { "s" },
                    self.next_after(exercise)
                );
                Ok(true)
            }
            Verdict::Fail { failed, ran } => {
                println!(
                    "[course] FAIL: exercise {} is not solved yet: {} (above).\n[course] For a \
                     hint: cargo run -- hint {}   (the chapter: {})",
                    exercise.label(),
                    failing(failed.len(), ran),
                    exercise.id(),
                    exercise.chapter.page()
                );
                Ok(false)
            }
            Verdict::Broken => {
                let together = if exercise.kind == Kind::Small {
                    format!(
                        " Every exercise file of chapter {} is compiled into the same tests, so \
                         an error in any of them stops them all.",
                        exercise.chapter.number
                    )
                } else {
                    String::new()
                };
                println!(
                    "[course] FAIL: exercise {}'s tests did not build or did not finish (the \
                     errors are above).{together}\n[course] For a hint: cargo run -- hint {}",
                    exercise.label(),
                    exercise.id()
                );
                Ok(false)
            }
            Verdict::NoTests => Err(no_tests(exercise)),
        }
    }

    /// What to do after passing `exercise`.
    fn next_after(&self, exercise: &Exercise) -> String {
        let same_chapter = self
            .exercises(&exercise.chapter)
            .ok()
            .and_then(|list| list.into_iter().find(|e| e.number == exercise.number + 1));
        if let Some(next) = same_chapter {
            return format!("Next: cargo run -- check {}", next.id());
        }
        match chapter(exercise.chapter.number + 1) {
            Some(next) => format!(
                "That was chapter {}'s last; next, read {} and then: cargo run -- check {}.1",
                exercise.chapter.number,
                next.page(),
                next.number
            ),
            None => "That was the course's last exercise.".to_string(),
        }
    }

    /// `cargo run -- hint N.K`: the exercise's next hint, counted in
    /// `target/course/hints.txt`.
    ///
    /// # Errors
    ///
    /// A chapter instead of an exercise (naming its exercises), an exercise
    /// that does not exist, or a hint state that cannot be written.
    pub fn hint(&self, target: Target) -> Result<bool, String> {
        if let Target::Chapter(n) = target {
            let list = self.targeted(target)?;
            let first = list.first().map_or_else(|| format!("{n}.1"), Exercise::id);
            return Err(format!(
                "`hint` needs one exercise, N.K, not a chapter: chapter {n}'s exercises are {}. \
                 For the first: cargo run -- hint {first}",
                names(&list)
            ));
        }
        let exercises = self.targeted(target)?;
        let Some(exercise) = exercises.first() else {
            return Err(format!("there is no exercise {target}"));
        };
        let path = self.target_dir().join("course").join("hints.txt");
        let mut seen = match fs::read_to_string(&path) {
            Ok(text) => Seen::parse(&text).unwrap_or_else(|problem| {
                eprintln!(
                    "[course] {} is damaged ({problem}); the hints start over",
                    path.display()
                );
                Seen::default()
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Seen::default(),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let next = seen.next(&exercise.id(), exercise.hints.len());
        let text = exercise
            .hints
            .get(next.number - 1)
            .cloned()
            .unwrap_or_default();
        let which = if next.is_last() {
            format!(
                "hint {} of {} for exercise {}, the last one{}",
                next.number,
                next.of,
                exercise.label(),
                if next.again { " (again)" } else { "" }
            )
        } else {
            format!(
                "hint {} of {} for exercise {}",
                next.number,
                next.of,
                exercise.label()
            )
        };
        println!("[course] {which}:\n\n{}\n", wrap(&text, 78));
        if next.is_last() {
            println!(
                "[course] That is the last hint. Once your attempt passes, compare it with the \
                 reference, {}.",
                exercise.solution
            );
        } else {
            println!(
                "[course] `cargo run -- hint {}` again shows the next one.",
                exercise.id()
            );
        }
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        fs::write(&path, seen.to_text())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(true)
    }

    /// Every exercise of the course, chapter by chapter, or the first
    /// chapter whose exercises cannot be read.
    fn course(&self) -> Result<Vec<Exercise>, String> {
        let mut all = Vec::new();
        for chapter in CHAPTERS {
            all.extend(self.exercises(chapter)?);
        }
        Ok(all)
    }

    /// `cargo run -- progress`: which exercises pass against the learner's
    /// files, chapter by chapter.
    ///
    /// # Errors
    ///
    /// Cargo that cannot be started, or tests that match nothing.
    pub fn progress(&self) -> Result<bool, String> {
        let mut passed = 0;
        let mut total = 0;
        let mut first_unsolved = None;
        let mut unreadable = false;
        for chapter in CHAPTERS {
            println!("chapter {}: {}", chapter.number, chapter.title);
            let list = match self.exercises(chapter) {
                Ok(list) => list,
                Err(problem) => {
                    println!("  [?] its exercises cannot be read: {problem}");
                    unreadable = true;
                    continue;
                }
            };
            for exercise in list {
                let verdict = self.judge(&exercise)?;
                if verdict == Verdict::NoTests {
                    return Err(no_tests(&exercise));
                }
                total += 1;
                let mark = if verdict.passed() {
                    passed += 1;
                    "x"
                } else {
                    first_unsolved.get_or_insert_with(|| exercise.id());
                    " "
                };
                println!(
                    "  [{mark}] {:<5} {:<16} {}",
                    exercise.id(),
                    exercise.name,
                    exercise.summary
                );
            }
        }
        println!();
        println!("[course] {passed} of {total} exercises pass.");
        match first_unsolved {
            Some(id) => println!("[course] Next: cargo run -- check {id}"),
            None if !unreadable => println!("[course] Every exercise passes: well done."),
            None => {}
        }
        Ok(!unreadable)
    }

    /// `cargo run -- watch`: checks the first unsolved exercise, then again
    /// whenever a file under `exercises/` changes; after a pass, goes on to
    /// the next. It returns only when every exercise passes (or Ctrl-C
    /// stops it).
    ///
    /// # Errors
    ///
    /// Exercises that cannot be read, `exercises/` that cannot be listed,
    /// cargo that cannot be started, or tests that match nothing.
    pub fn watch(&self) -> Result<bool, String> {
        let dir = self.root.join("exercises");
        let mut solved: Vec<String> = Vec::new();
        println!("[course] watching exercises/ for changes (Ctrl-C stops)");
        loop {
            // The first exercise not known to pass, checking quietly until
            // one fails; then its output, shown.
            let mut current = None;
            for exercise in self.course()? {
                if solved.contains(&exercise.id()) {
                    continue;
                }
                let verdict = self.judge(&exercise)?;
                if verdict == Verdict::NoTests {
                    return Err(no_tests(&exercise));
                }
                if verdict.passed() {
                    println!("[course] PASS  {}", exercise.label());
                    solved.push(exercise.id());
                } else {
                    current = Some(exercise);
                    break;
                }
            }
            let Some(exercise) = current else {
                println!("[course] Every exercise passes: well done.");
                return Ok(true);
            };
            loop {
                if self.check_one(&exercise)? {
                    solved.push(exercise.id());
                    break;
                }
                println!(
                    "[course] watching exercises/: save {} to check it again",
                    exercise.file
                );
                self.wait_for_change(&dir)?;
            }
        }
    }

    /// Waits until a file under `dir` changes, then until the changes
    /// settle (an editor may write a file in several steps).
    fn wait_for_change(&self, dir: &Path) -> Result<(), String> {
        let take = || Snapshot::take(dir).map_err(|e| e.to_string());
        let before = take()?;
        let mut now = take()?;
        while watch::changes(&before, &now).is_empty() {
            thread::sleep(watch::POLL);
            now = take()?;
        }
        loop {
            thread::sleep(Duration::from_millis(200));
            let later = take()?;
            if watch::changes(&now, &later).is_empty() {
                break;
            }
            now = later;
        }
        let changed: Vec<String> = watch::changes(&before, &now)
            .iter()
            .map(|path| {
                path.strip_prefix(&self.root)
                    .unwrap_or(path)
                    .display()
                    .to_string()
            })
            .collect();
        println!();
        println!("[course] changed: {}", changed.join(", "));
        Ok(())
    }

    /// `cargo run -- verify`: for each exercise, the reference passes its
    /// tests, and the stub compiles and fails them. One line per exercise.
    ///
    /// # Errors
    ///
    /// Exercises that cannot be read, or cargo that cannot be started.
    pub fn verify(&self, target: Option<Target>) -> Result<bool, String> {
        let exercises = match target {
            Some(target) => self.targeted(target)?,
            None => self.course()?,
        };
        let mut wrong = Vec::new();
        for exercise in &exercises {
            print!("[course] {:<5} {:<16} ", exercise.id(), exercise.name);
            let _ = io::stdout().flush();
            let sentence = self.verify_one(exercise)?;
            println!("{sentence}");
            if !sentence.starts_with("ok") {
                wrong.push(exercise.id());
            }
        }
        if wrong.is_empty() {
            println!(
                "[course] every exercise is sound ({} checked)",
                exercises.len()
            );
            Ok(true)
        } else {
            eprintln!(
                "[course] not sound: {} (see the lines above)",
                wrong.join(", ")
            );
            Ok(false)
        }
    }

    /// The verdict on one exercise's soundness, as a sentence that starts
    /// with `ok` or `WRONG`.
    fn verify_one(&self, exercise: &Exercise) -> Result<String, String> {
        for path in [&exercise.file, &exercise.solution] {
            if !self.root.join(path).is_file() {
                return Ok(format!("WRONG: {path} does not exist"));
            }
        }
        let (ok, stdout) = self.cargo(&exercise.reference_args(), Output::Kept, None)?;
        let tests = match verdict(ok, &stdout) {
            Verdict::Pass { tests } => tests,
            Verdict::NoTests => {
                return Ok(format!(
                    "WRONG: its tests run no test (`cargo {}`)",
                    exercise.reference_args().join(" ")
                ));
            }
            Verdict::Fail { failed, .. } => {
                return Ok(format!(
                    "WRONG: the reference {} fails its own tests: {}",
                    exercise.solution,
                    failed.join(", ")
                ));
            }
            Verdict::Broken => {
                return Ok(format!(
                    "WRONG: the tests do not build with the reference (`cargo {}`)",
                    exercise.reference_args().join(" ")
                ));
            }
        };
        let (compiles, _) = self.cargo(&exercise.build_args(), Output::Kept, None)?;
        if !compiles {
            return Ok(format!(
                "WRONG: the stub {} does not compile (`cargo {}`)",
                exercise.file,
                exercise.build_args().join(" ")
            ));
        }
        let (ok, stdout) = self.cargo(&exercise.check_args(), Output::Kept, None)?;
        Ok(match verdict(ok, &stdout) {
            Verdict::Pass { .. } => format!(
                "WRONG: the stub {} passes its tests unsolved",
                exercise.file
            ),
            Verdict::NoTests => format!(
                "WRONG: with the stub, its tests run no test (`cargo {}`)",
                exercise.check_args().join(" ")
            ),
            Verdict::Fail { failed, ran } => format!(
                "ok: the reference passes {tests} test{}; the stub compiles, and {}",
                if tests == 1 { "" } else { "s" },
                failing(failed.len(), ran)
            ),
            Verdict::Broken => format!(
                "ok: the reference passes {tests} test{}; the stub compiles, and its tests \
                 crash",
                if tests == 1 { "" } else { "s" }
            ),
        })
    }

    /// `cargo run -- costs [--publish]`: the bench report, a binary of its
    /// own (`tools/src/bin/costs.rs`) built with the feature `costs`.
    ///
    /// # Errors
    ///
    /// When cargo cannot be started, or the report does not build.
    pub fn costs(&self, publish: bool) -> Result<bool, String> {
        let base = [
            "-p",
            "yieldpoint-tools",
            "--features",
            "costs",
            "--bin",
            "costs",
        ]
        .map(String::from);
        let mut build = vec!["build".to_string(), "--quiet".to_string()];
        build.extend(base.iter().cloned());
        let notice = "[course] Building the bench report the first time: it reads criterion's \
                      JSON with serde_json,\n[course] which the course itself does not need. \
                      A few seconds.";
        let (built, _) = self.cargo(&build, Output::Kept, Some(notice))?;
        if !built {
            let _ = self.cargo(&build, Output::Shown, None);
            return Err("the bench report did not build (the errors are above)".to_string());
        }
        let mut run = vec!["run".to_string(), "--quiet".to_string()];
        run.extend(base);
        if publish {
            run.extend(["--".to_string(), "--publish".to_string()]);
        }
        let (ok, _) = self.cargo(&run, Output::Shown, None)?;
        Ok(ok)
    }
}

/// The one line `check N` prints for an exercise.
fn line_of(exercise: &Exercise, verdict: &Verdict) -> String {
    match verdict {
        Verdict::Pass { .. } => format!("PASS  {}", exercise.summary),
        Verdict::Fail { failed, ran } => format!(
            "FAIL  {}; for a hint: cargo run -- hint {}",
            failing(failed.len(), *ran),
            exercise.id()
        ),
        Verdict::Broken => format!(
            "FAIL  does not build; `cargo run -- check {}` shows why",
            exercise.id()
        ),
        Verdict::NoTests => "no test ran".to_string(),
    }
}

/// `2 of its 5 tests fail`, `all 31 of its tests fail`, `its one test fails`.
fn failing(failed: usize, ran: usize) -> String {
    let failed = failed.max(1);
    if ran <= 1 {
        "its one test fails".to_string()
    } else if failed >= ran {
        format!("all {ran} of its tests fail")
    } else {
        format!("{failed} of its {ran} tests fail")
    }
}

/// The error for an exercise whose tests match nothing.
fn no_tests(exercise: &Exercise) -> String {
    format!(
        "exercise {}'s tests ran no test: `cargo {}` matches none in {}. That is a bug in the \
         course, not in your code: the `tests` filter in {} is wrong.",
        exercise.label(),
        exercise.check_args().join(" "),
        exercise.chapter.test_file(),
        exercise.chapter.info_file()
    )
}

/// `2.1 (countdown), 2.2 (squares)`.
fn names(exercises: &[Exercise]) -> String {
    exercises
        .iter()
        .map(Exercise::label)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `text` wrapped at `width` columns, each line indented by two spaces.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width - 2 {
            let _ = writeln!(out, "  {line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = write!(out, "  {line}");
    }
    out
}
