//! The runner's command line: every command read right, every misuse told
//! what is wrong and what to type; and the binary itself on made-up
//! courses (`YIELDPOINT_ROOT`), for what depends on the files: an exercise
//! that does not exist, the hints unfolding, a malformed `info.toml`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use yieldpoint_tools::cli::{Command, Target, UsageError, parse};

fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(String::from).collect()
}

fn read(line: &str) -> Result<Command, UsageError> {
    parse(&words(line))
}

fn refused(line: &str) -> String {
    match read(line) {
        Ok(command) => panic!("`{line}` was read as {command:?}"),
        Err(UsageError(message)) => message,
    }
}

#[test]
fn every_command_is_read() {
    let cases = [
        ("", Command::All),
        ("all", Command::All),
        ("list", Command::List),
        ("help", Command::Help),
        ("--help", Command::Help),
        (
            "5 --clock ticks",
            Command::Example {
                chapter: 5,
                args: words("--clock ticks"),
            },
        ),
        ("test 2", Command::Test { chapter: 2 }),
        ("check 2.3", Command::Check(Target::Exercise(2, 3))),
        ("check 2", Command::Check(Target::Chapter(2))),
        ("hint 8.1", Command::Hint(Target::Exercise(8, 1))),
        ("progress", Command::Progress),
        ("watch", Command::Watch),
        ("verify", Command::Verify(None)),
        ("verify 4", Command::Verify(Some(Target::Chapter(4)))),
        ("verify 4.2", Command::Verify(Some(Target::Exercise(4, 2)))),
        ("costs", Command::Costs { publish: false }),
        ("costs --publish", Command::Costs { publish: true }),
    ];
    for (line, command) in cases {
        assert_eq!(read(line), Ok(command), "`{line}`");
    }
    assert_eq!(Target::Exercise(2, 3).to_string(), "2.3");
    assert_eq!(Target::Chapter(2).to_string(), "2");
}

#[test]
fn a_known_command_used_wrongly_says_what_it_needs() {
    let cases = [
        (
            "check",
            "`check` needs an exercise or a chapter: `cargo run -- check 2.3` checks exercise 3 \
             of chapter 2, `cargo run -- check 2` every exercise of chapter 2.",
        ),
        (
            "check 2 3",
            "`check` takes one exercise or chapter, but got 2: `2 3`. For exercise 3 of \
             chapter 2, write `cargo run -- check 2.3`.",
        ),
        (
            "check 2.x",
            "`2.x` is neither an exercise nor a chapter: write N.K for exercise K of chapter N \
             (such as 2.3), or N for a whole chapter.",
        ),
        (
            "check 2.0",
            "exercises count from 1: 2.1 is the first of chapter 2.",
        ),
        (
            "check 10.1",
            "there is no chapter 10; the chapters are 1 to 9 and 11. `cargo run -- list` shows them.",
        ),
        (
            "check countdown",
            "`countdown` is neither an exercise nor a chapter: write N.K for exercise K of \
             chapter N (such as 2.3), or N for a whole chapter.",
        ),
        (
            "hint",
            "`hint` needs an exercise: `cargo run -- hint 2.3` shows the next hint for \
             exercise 3 of chapter 2.",
        ),
        (
            "hint 2.1 2.2",
            "`hint` takes one exercise, but got 2: `2.1 2.2`.",
        ),
        (
            "list 5",
            "`list` takes no arguments, so `5` is not understood. `cargo run -- list` lists \
             every chapter; `cargo run -- 5` runs chapter 5's example, and \
             `cargo run -- check 5` checks its exercises.",
        ),
        (
            "list all",
            "`list` takes no arguments, so `all` is not understood. `cargo run -- list` lists \
             every chapter and its exercises.",
        ),
        (
            "progress 2",
            "`progress` takes no arguments, so `2` is not understood. Type \
             `cargo run -- progress` alone.",
        ),
        (
            "watch now",
            "`watch` takes no arguments, so `now` is not understood. Type \
             `cargo run -- watch` alone.",
        ),
        (
            "test",
            "`test` needs a chapter: `cargo run -- test 2` runs chapter 2's tests.",
        ),
        (
            "test 2.3",
            "`test` runs a whole chapter's tests, so it takes a chapter, not the exercise 2.3: \
             `cargo run -- test 2`; to check your exercise 2.3, `cargo run -- check 2.3`.",
        ),
        (
            "verify 1 2",
            "`verify` takes at most one exercise or chapter, but got 2: `1 2`. For exercise 2 \
             of chapter 1, write `cargo run -- verify 1.2`.",
        ),
        (
            "costs --publsh",
            "`costs` takes only `--publish`, not `--publsh`: `cargo run -- costs` prints the \
             report, `cargo run -- costs --publish` also saves it into chapter 8.",
        ),
        (
            "12",
            "there is no chapter 12; the chapters are 1 to 9 and 11. `cargo run -- list` shows them.",
        ),
        (
            "2.3",
            "to check exercise 2.3, type `cargo run -- check 2.3`; `cargo run -- N` runs \
             chapter N's example.",
        ),
    ];
    for (line, message) in cases {
        assert_eq!(refused(line), message, "`{line}`");
    }
}

#[test]
fn only_a_word_that_is_no_command_is_unknown() {
    let message = refused("chek 2.3");
    assert!(
        message.starts_with(
            "unknown command `chek`; `cargo run -- help` lists the commands.\n\nusage: cargo run"
        ),
        "{message}"
    );
    for known in ["check", "hint", "list 5", "test", "costs -x", "watch 1"] {
        assert!(!refused(known).contains("unknown"), "`{known}`");
    }
}

/// A fresh directory under the target directory, removed first if present.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// A made-up course whose chapter 2 lists three exercises.
fn course(name: &str) -> PathBuf {
    let root = scratch(name);
    let mut info = String::new();
    for (k, name, rebuild) in [
        (1, "countdown", false),
        (2, "squares", false),
        (3, "rebuild", true),
    ] {
        let (extra, tests, solution) = if rebuild {
            (
                "rebuild = true\nfeature = \"exercise-ch02\"\n",
                String::new(),
                "src/ch02_coroutines/generator.rs".to_string(),
            )
        } else {
            (
                "",
                format!("exercises::e{k}_{name}::"),
                format!("solutions/ch02_coroutines/{k}_{name}.rs"),
            )
        };
        info.push_str(&format!(
            "[[exercise]]\nname = \"{name}\"\nsummary = \"exercise {name}\"\nextension = {}\n{extra}\
             file = \"exercises/ch02_coroutines/{k}_{name}.rs\"\nsolution = \"{solution}\"\n\
             tests = \"{tests}\"\nhints = [\"first {name}\", \"second {name}\", \"third {name}\"]\n\n",
            !rebuild
        ));
    }
    fs::create_dir_all(root.join("exercises/ch02_coroutines")).unwrap();
    fs::write(root.join("exercises/ch02_coroutines/info.toml"), info).unwrap();
    root
}

/// Runs the course binary on the course at `root` (builds, and so hints,
/// under `root/target`): exit code, stdout, stderr.
fn runner(root: &Path, line: &str) -> (i32, String, String) {
    let output = Process::new(env!("CARGO_BIN_EXE_course"))
        .args(words(line))
        .env("YIELDPOINT_ROOT", root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .output()
        .expect("the course binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn misuse_exits_with_2_and_an_exercise_that_does_not_exist_names_the_ones_there_are() {
    let root = course("cli-missing");
    assert_eq!(
        runner(&root, "check"),
        (
            2,
            String::new(),
            "[course] `check` needs an exercise or a chapter: `cargo run -- check 2.3` checks \
             exercise 3 of chapter 2, `cargo run -- check 2` every exercise of chapter 2.\n"
                .to_string()
        )
    );
    assert_eq!(
        runner(&root, "check 2.9"),
        (
            1,
            String::new(),
            "[course] chapter 2 has no exercise 2.9; its exercises are 2.1 (countdown), 2.2 \
             (squares), 2.3 (rebuild).\n"
                .to_string()
        )
    );
    assert_eq!(
        runner(&root, "hint 2"),
        (
            1,
            String::new(),
            "[course] `hint` needs one exercise, N.K, not a chapter: chapter 2's exercises are \
             2.1 (countdown), 2.2 (squares), 2.3 (rebuild). For the first: cargo run -- hint 2.1\n"
                .to_string()
        )
    );
    let (code, _, stderr) = runner(&root, "check 3.1");
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "[course] exercises/ch03_yield_from/info.toml: chapter 3 has no exercises: neither \
         this file nor exercises/ch03_yield_from.rs exists\n"
    );
}

#[test]
fn hints_unfold_one_at_a_time_and_the_last_says_it_is_the_last() {
    let root = course("cli-hints");
    let hint = |expected_head: &str, text: &str, tail: &str| {
        let (code, stdout, stderr) = runner(&root, "hint 2.2");
        assert_eq!((code, stderr.as_str()), (0, ""));
        assert_eq!(
            stdout,
            format!("[course] {expected_head}:\n\n  {text}\n\n[course] {tail}\n")
        );
    };
    let again = "`cargo run -- hint 2.2` again shows the next one.";
    let last = "That is the last hint. Once your attempt passes, compare it with the \
                reference, solutions/ch02_coroutines/2_squares.rs.";
    hint(
        "hint 1 of 3 for exercise 2.2 (squares)",
        "first squares",
        again,
    );
    hint(
        "hint 2 of 3 for exercise 2.2 (squares)",
        "second squares",
        again,
    );
    hint(
        "hint 3 of 3 for exercise 2.2 (squares), the last one",
        "third squares",
        last,
    );
    hint(
        "hint 3 of 3 for exercise 2.2 (squares), the last one (again)",
        "third squares",
        last,
    );
    // Each exercise counts its own.
    let (_, stdout, _) = runner(&root, "hint 2.1");
    assert!(stdout.starts_with("[course] hint 1 of 3 for exercise 2.1 (countdown):\n"));
    assert_eq!(
        fs::read_to_string(root.join("target/course/hints.txt")).unwrap(),
        "2.1 1\n2.2 3\n"
    );
    // A damaged state is said, and the hints start over.
    fs::write(root.join("target/course/hints.txt"), "2.2 three\n").unwrap();
    let (code, stdout, stderr) = runner(&root, "hint 2.2");
    assert_eq!(code, 0);
    assert!(stdout.starts_with("[course] hint 1 of 3 for exercise 2.2 (squares):\n"));
    assert_eq!(
        stderr,
        format!(
            "[course] {} is damaged (line 1 is not `N.K COUNT`: \"2.2 three\"); the hints start \
             over\n",
            root.join("target/course/hints.txt").display()
        )
    );
}

#[test]
fn list_shows_each_chapters_exercises_and_names_a_malformed_list() {
    let root = course("cli-list");
    let (code, stdout, _) = runner(&root, "list");
    // The other chapters of this made-up course have no exercises at all.
    assert_eq!(code, 1);
    assert!(
        stdout.contains(
            " 2. Generators are functions that pause\n    read       chapters/02-coroutines.md\n    run        cargo run --example ch02_coroutines\n    test       cargo test --test ch02_coroutines\n    exercises  cargo run -- check 2\n      2.1   countdown: exercise countdown (extension)\n            edit exercises/ch02_coroutines/1_countdown.rs\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("      2.3   rebuild: exercise rebuild\n"),
        "{stdout}"
    );
    let info = root.join("exercises/ch02_coroutines/info.toml");
    let text = fs::read_to_string(&info).unwrap();
    fs::write(&info, text.replacen("extension = true", "extension = 1", 1)).unwrap();
    let (code, stdout, _) = runner(&root, "list");
    assert_eq!(code, 1);
    assert!(
        stdout.contains(
            "    exercises  cannot be read: exercises/ch02_coroutines/info.toml:4: exercise 2.1 \
             (countdown): `extension` must be true or false, not an integer\n"
        ),
        "{stdout}"
    );
    let (code, _, stderr) = runner(&root, "check 2.1");
    assert_eq!(
        (code, stderr.as_str()),
        (
            1,
            "[course] exercises/ch02_coroutines/info.toml:4: exercise 2.1 (countdown): \
             `extension` must be true or false, not an integer\n"
        )
    );
}
