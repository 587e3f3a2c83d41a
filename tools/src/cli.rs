//! The course runner's command line: `cargo run -- COMMAND`.
//!
//! The core operations are:
//! - [`parse`] turns the words after `--` into a [`Command`], or a
//!   [`UsageError`] that says what is wrong with them and what to type
//!   instead. A known command used wrongly (`check` with no number,
//!   `check 2 3`, `list 5`) is told so; only a word that is no command at
//!   all is "unknown".
//! - [`USAGE`] is the help text.
//!
//! Whether an exercise exists (`check 2.9`) depends on the files under
//! `exercises/`, so the runner checks it when it loads them; chapters are
//! known here, from [`CHAPTERS`](crate::course::CHAPTERS).

use std::fmt;

use crate::course::{self, chapter};

/// The help text: `cargo run -- help`.
pub const USAGE: &str = "\
usage: cargo run [-- COMMAND]

  (nothing), all     run every chapter's example, in order
  list               list the chapters, their commands and their exercises
  N [ARGS...]        run chapter N's example (ARGS go to the example)
  test N             run chapter N's tests against the reference code

exercises (exercises/README.md):
  check N.K          check exercise K of chapter N against your file: PASS, or
                     FAIL with the failures and the hint command
  check N            check every exercise of chapter N, one line each
  hint N.K           the next hint for exercise N.K (one more each time)
  progress           which exercises pass, chapter by chapter
  watch              check the first unsolved exercise again whenever a file
                     under exercises/ changes (Ctrl-C stops)
  verify [N | N.K]   for every exercise (or those of chapter N, or N.K): the
                     reference passes its tests, the stub compiles and fails
                     them (what CI runs)

benches:
  costs              after `cargo bench`: a table of each benchmark's median and
                     its ratio to a raw corosensei round trip, the goals of
                     chapter 8, and target/costs.{md,svg,tsv}
  costs --publish    the same, and save the run into chapter 8 (its figures,
                     chart and table)

  help               this text";

/// An exercise, or every exercise of a chapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Every exercise of chapter N.
    Chapter(u8),
    /// Exercise N.K.
    Exercise(u8, usize),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Chapter(n) => write!(f, "{n}"),
            Target::Exercise(n, k) => write!(f, "{n}.{k}"),
        }
    }
}

/// What the runner was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Every chapter's example, in order.
    All,
    /// The chapters, their commands and exercises.
    List,
    /// The help text.
    Help,
    /// One chapter's example, with arguments for it.
    Example {
        /// The chapter.
        chapter: u8,
        /// The example's own arguments.
        args: Vec<String>,
    },
    /// One chapter's tests against the reference code.
    Test {
        /// The chapter.
        chapter: u8,
    },
    /// Check an exercise, or every exercise of a chapter.
    Check(Target),
    /// The next hint of an exercise (a chapter is refused, naming its
    /// exercises, once they are loaded).
    Hint(Target),
    /// Which exercises pass.
    Progress,
    /// Check the first unsolved exercise on every change.
    Watch,
    /// Prove the exercises sound: all of them, or some.
    Verify(Option<Target>),
    /// The bench report.
    Costs {
        /// Also save the run into chapter 8.
        publish: bool,
    },
}

/// What is wrong with the command line, and what to type instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Reads the words after `cargo run --`.
///
/// # Errors
///
/// A [`UsageError`] naming the command, what it needs, and an example.
pub fn parse(args: &[String]) -> Result<Command, UsageError> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let Some((&first, rest)) = words.split_first() else {
        return Ok(Command::All);
    };
    let none = |command: Command| no_arguments(first, rest).map(|()| command);
    match first {
        "all" => none(Command::All),
        "list" => none(Command::List),
        "help" | "-h" | "--help" => none(Command::Help),
        "progress" => none(Command::Progress),
        "watch" => none(Command::Watch),
        "test" => match rest {
            [] => Err(usage(
                "`test` needs a chapter: `cargo run -- test 2` runs chapter 2's tests.",
            )),
            [n] if n.contains('.') => Err(usage(format!(
                "`test` runs a whole chapter's tests, so it takes a chapter, not the exercise \
                 {n}: `cargo run -- test {}`; to check your exercise {n}, \
                 `cargo run -- check {n}`.",
                n.split('.').next().unwrap_or(n)
            ))),
            [n] => chapter_number(n).map(|chapter| Command::Test { chapter }),
            _ => Err(too_many("test", "a chapter", rest)),
        },
        "check" => match rest {
            [] => Err(usage(
                "`check` needs an exercise or a chapter: `cargo run -- check 2.3` checks \
                 exercise 3 of chapter 2, `cargo run -- check 2` every exercise of chapter 2.",
            )),
            [target] => target_of(target).map(Command::Check),
            _ => Err(too_many("check", "one exercise or chapter", rest)),
        },
        "hint" => match rest {
            [] => Err(usage(
                "`hint` needs an exercise: `cargo run -- hint 2.3` shows the next hint for \
                 exercise 3 of chapter 2.",
            )),
            [target] => target_of(target).map(Command::Hint),
            _ => Err(too_many("hint", "one exercise", rest)),
        },
        "verify" => match rest {
            [] => Ok(Command::Verify(None)),
            [target] => target_of(target).map(|t| Command::Verify(Some(t))),
            _ => Err(too_many("verify", "at most one exercise or chapter", rest)),
        },
        "costs" => match rest {
            [] => Ok(Command::Costs { publish: false }),
            ["--publish"] => Ok(Command::Costs { publish: true }),
            _ => Err(usage(format!(
                "`costs` takes only `--publish`, not `{}`: `cargo run -- costs` prints the \
                 report, `cargo run -- costs --publish` also saves it into chapter 8.",
                rest.join(" ")
            ))),
        },
        n if n.parse::<u8>().is_ok() => chapter_number(n).map(|chapter| Command::Example {
            chapter,
            args: rest.iter().map(|s| s.to_string()).collect(),
        }),
        n if looks_like_exercise(n) => Err(usage(format!(
            "to check exercise {n}, type `cargo run -- check {n}`; `cargo run -- N` runs \
             chapter N's example."
        ))),
        other => Err(usage(format!(
            "unknown command `{other}`; `cargo run -- help` lists the commands.\n\n{USAGE}"
        ))),
    }
}

fn usage(message: impl Into<String>) -> UsageError {
    UsageError(message.into())
}

/// `Ok` if a command that takes no arguments got none.
fn no_arguments(command: &str, rest: &[&str]) -> Result<(), UsageError> {
    let Some(&first) = rest.first() else {
        return Ok(());
    };
    let mut message = format!(
        "`{command}` takes no arguments, so `{}` is not understood.",
        rest.join(" ")
    );
    if command == "list" {
        if let Ok(n) = first.parse::<u8>()
            && chapter(n).is_some()
        {
            message.push_str(&format!(
                " `cargo run -- list` lists every chapter; `cargo run -- {n}` runs chapter \
                 {n}'s example, and `cargo run -- check {n}` checks its exercises."
            ));
        } else {
            message.push_str(" `cargo run -- list` lists every chapter and its exercises.");
        }
    } else {
        message.push_str(&format!(" Type `cargo run -- {command}` alone."));
    }
    Err(UsageError(message))
}

/// The error for a command given more than it takes.
fn too_many(command: &str, takes: &str, rest: &[&str]) -> UsageError {
    let mut message = format!(
        "`{command}` takes {takes}, but got {}: `{}`.",
        rest.len(),
        rest.join(" ")
    );
    if let [n, k] = rest
        && n.parse::<u8>().is_ok()
        && k.parse::<usize>().is_ok()
    {
        message.push_str(&format!(
            " For exercise {k} of chapter {n}, write `cargo run -- {command} {n}.{k}`."
        ));
    }
    UsageError(message)
}

/// Whether `word` has the shape `N.K` (digits, a dot, digits).
fn looks_like_exercise(word: &str) -> bool {
    word.split_once('.').is_some_and(|(n, k)| {
        !n.is_empty()
            && !k.is_empty()
            && n.chars().all(|c| c.is_ascii_digit())
            && k.chars().all(|c| c.is_ascii_digit())
    })
}

/// A chapter's number, if there is such a chapter.
fn chapter_number(word: &str) -> Result<u8, UsageError> {
    match word.parse::<u8>() {
        Ok(n) if chapter(n).is_some() => Ok(n),
        _ => Err(usage(format!(
            "there is no chapter {word}; the chapters are {}. `cargo run -- list` shows them.",
            course::numbers()
        ))),
    }
}

/// `N.K` or `N`.
fn target_of(word: &str) -> Result<Target, UsageError> {
    let Some((n, k)) = word.split_once('.') else {
        return if word.chars().all(|c| c.is_ascii_digit()) && !word.is_empty() {
            chapter_number(word).map(Target::Chapter)
        } else {
            Err(not_a_target(word))
        };
    };
    if !looks_like_exercise(word) {
        return Err(not_a_target(word));
    }
    let n = chapter_number(n)?;
    match k.parse::<usize>() {
        Ok(0) => Err(usage(format!(
            "exercises count from 1: {n}.1 is the first of chapter {n}."
        ))),
        Ok(k) => Ok(Target::Exercise(n, k)),
        Err(_) => Err(usage(format!(
            "there is no exercise {word}; `cargo run -- list` shows chapter {n}'s exercises."
        ))),
    }
}

fn not_a_target(word: &str) -> UsageError {
    usage(format!(
        "`{word}` is neither an exercise nor a chapter: write N.K for exercise K of chapter N \
         (such as 2.3), or N for a whole chapter."
    ))
}
