//! Reading `info.toml`, refusing a malformed one, the cargo commands of each
//! kind of exercise, and the course's rules for a chapter's list, on a
//! made-up chapter 2.

use std::fs;
use std::path::{Path, PathBuf};

use yieldpoint_tools::course::chapter;
use yieldpoint_tools::exercises::{
    self, Exercise, InfoError, Kind, file_problems, layout_problems, parse_info,
};

const FILE: &str = "exercises/ch02_coroutines/info.toml";

/// Chapter 2 with three exercises: two small ones and the rebuild.
const VALID: &str = r#"# Chapter 2's exercises.

[[exercise]]
name = "countdown"
summary = "a generator that counts down from n"
extension = true
file = "exercises/ch02_coroutines/1_countdown.rs"
solution = "solutions/ch02_coroutines/1_countdown.rs"
tests = "exercises::e1_countdown::"
hints = ["the idea", "the API", "nearly the answer"]

[[exercise]]
name = "squares"
summary = "squares, lazily"
extension = true
file = "exercises/ch02_coroutines/2_squares.rs"
solution = "solutions/ch02_coroutines/2_squares.rs"
tests = "exercises::e2_squares::"
hints = ["only one"]

[[exercise]]
name = "rebuild"
summary = "rebuild Generator::resume"
extension = false
rebuild = true
feature = "exercise-ch02"
file = "exercises/ch02_coroutines/3_rebuild.rs"
solution = "src/ch02_coroutines/generator.rs"
tests = ""
hints = ["first", "last"]
"#;

fn two() -> &'static yieldpoint_tools::course::Chapter {
    chapter(2).expect("chapter 2 exists")
}

fn parse(text: &str) -> Result<Vec<Exercise>, InfoError> {
    parse_info(text, FILE, two())
}

/// The error `text` gets, as the runner prints it.
fn refused(text: &str) -> String {
    match parse(text) {
        Ok(list) => panic!("accepted, with {} exercises:\n{text}", list.len()),
        Err(error) => error.to_string(),
    }
}

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

#[test]
fn a_valid_list_gives_each_exercise_its_number_kind_and_fields() {
    let list = parse(VALID).unwrap();
    assert_eq!(list.len(), 3);
    let first = &list[0];
    assert_eq!(first.chapter, *two());
    assert_eq!(first.number, 1);
    assert_eq!(first.id(), "2.1");
    assert_eq!(first.label(), "2.1 (countdown)");
    assert_eq!(first.summary, "a generator that counts down from n");
    assert!(first.extension);
    assert_eq!(first.kind, Kind::Small);
    assert_eq!(first.file, "exercises/ch02_coroutines/1_countdown.rs");
    assert_eq!(first.solution, "solutions/ch02_coroutines/1_countdown.rs");
    assert_eq!(first.tests, "exercises::e1_countdown::");
    assert_eq!(
        first.hints,
        strings(&["the idea", "the API", "nearly the answer"])
    );
    assert_eq!(list[1].id(), "2.2");
    let last = &list[2];
    assert_eq!(
        last.kind,
        Kind::Rebuild {
            feature: "exercise-ch02".to_string()
        }
    );
    assert!(!last.extension);
    assert_eq!(last.tests, "");
    assert_eq!(layout_problems(two(), &list), Vec::<String>::new());
}

#[test]
fn each_kind_is_checked_by_its_own_cargo_command() {
    let list = parse(VALID).unwrap();
    let small = &list[0];
    assert_eq!(
        small.check_args(),
        strings(&[
            "test",
            "--features",
            "learner",
            "--test",
            "ch02_coroutines",
            "--",
            "exercises::e1_countdown::"
        ])
    );
    assert_eq!(
        small.reference_args(),
        strings(&[
            "test",
            "--test",
            "ch02_coroutines",
            "--",
            "exercises::e1_countdown::"
        ])
    );
    assert_eq!(
        small.build_args(),
        strings(&[
            "test",
            "--features",
            "learner",
            "--test",
            "ch02_coroutines",
            "--no-run"
        ])
    );
    let rebuild = &list[2];
    assert_eq!(
        rebuild.check_args(),
        strings(&[
            "test",
            "--features",
            "exercise-ch02",
            "--test",
            "ch02_coroutines",
            "--",
            "--skip",
            "exercises::"
        ])
    );
    assert_eq!(
        rebuild.reference_args(),
        strings(&[
            "test",
            "--test",
            "ch02_coroutines",
            "--",
            "--skip",
            "exercises::"
        ])
    );
    let legacy = exercises::legacy(Path::new("/nowhere"), two());
    assert_eq!(legacy.id(), "2.1");
    assert_eq!(legacy.file, "exercises/ch02_coroutines.rs");
    assert_eq!(legacy.solution, "src/ch02_coroutines.rs");
    assert_eq!(legacy.hints, vec![two().hint.to_string()]);
    assert_eq!(
        legacy.check_args(),
        strings(&[
            "test",
            "--features",
            "exercise-ch02",
            "--test",
            "ch02_coroutines"
        ])
    );
    assert_eq!(
        legacy.reference_args(),
        strings(&["test", "--test", "ch02_coroutines"])
    );
    assert_eq!(
        legacy.build_args(),
        strings(&[
            "test",
            "--features",
            "exercise-ch02",
            "--test",
            "ch02_coroutines",
            "--no-run"
        ])
    );
}

/// `VALID` with `from` replaced by `to` (which must be found once).
fn edited(from: &str, to: &str) -> String {
    assert_eq!(VALID.matches(from).count(), 1, "{from:?} once in VALID");
    VALID.replacen(from, to, 1)
}

#[test]
fn a_malformed_list_is_refused_naming_the_file_the_line_and_the_field() {
    let fields = "name, summary, extension, rebuild, feature, file, solution, tests, hints";
    let cases = [
        (
            edited("summary = \"squares, lazily\"\n", ""),
            "exercises/ch02_coroutines/info.toml:12: exercise 2.2 (squares): the field \
             `summary` is missing (a string; exercises/README.md shows every field)"
                .to_string(),
        ),
        (
            edited(
                "extension = true\nfile = \"exercises/ch02_coroutines/1",
                "extension = \"yes\"\nfile = \"exercises/ch02_coroutines/1",
            ),
            "exercises/ch02_coroutines/info.toml:6: exercise 2.1 (countdown): `extension` \
             must be true or false, not a string"
                .to_string(),
        ),
        (
            edited("hints = [\"only one\"]", "hint = [\"only one\"]"),
            format!(
                "exercises/ch02_coroutines/info.toml:19: exercise 2.2: unknown field `hint`; \
                 the fields are {fields}"
            ),
        ),
        (
            edited("name = \"squares\"", "name = \"countdown\""),
            "exercises/ch02_coroutines/info.toml:13: exercise 2.2 (countdown): the name \
             `countdown` is already exercise 2.1; names are unique in a chapter"
                .to_string(),
        ),
        (
            edited("name = \"squares\"", "name = \"Squares\""),
            "exercises/ch02_coroutines/info.toml:13: exercise 2.2: `name` must be lowercase \
             letters, digits and _, since it names the file 2_NAME.rs and the test module \
             e2_NAME; \"Squares\" is not"
                .to_string(),
        ),
        (
            edited("feature = \"exercise-ch02\"\n", ""),
            "exercises/ch02_coroutines/info.toml:25: exercise 2.3 (rebuild): a rebuild \
             exercise needs `feature = \"exercise-ch02\"`, the feature that swaps the \
             learner's file into the chapter's module"
                .to_string(),
        ),
        (
            edited("feature = \"exercise-ch02\"", "feature = \"exercise-ch03\""),
            "exercises/ch02_coroutines/info.toml:26: exercise 2.3 (rebuild): `feature` must \
             be \"exercise-ch02\", chapter 2's own, not \"exercise-ch03\""
                .to_string(),
        ),
        (
            edited("tests = \"\"", "tests = \"exercises::e3_rebuild::\""),
            "exercises/ch02_coroutines/info.toml:29: exercise 2.3 (rebuild): a rebuild \
             exercise's `tests` is \"\": the chapter's whole suite (less `exercises::`) judges \
             it, not \"exercises::e3_rebuild::\""
                .to_string(),
        ),
        (
            edited(
                "tests = \"exercises::e2_squares::\"",
                "tests = \"exercises::e2_squares::\"\nfeature = \"exercise-ch02\"",
            ),
            "exercises/ch02_coroutines/info.toml:19: exercise 2.2 (squares): `feature` \
             belongs only to the rebuild exercise (rebuild = true); a small exercise is \
             swapped in by the feature `learner`"
                .to_string(),
        ),
        (
            edited("tests = \"exercises::e2_squares::\"", "tests = \"\""),
            "exercises/ch02_coroutines/info.toml:18: exercise 2.2 (squares): `tests` must \
             name the exercise's test module, such as \"exercises::e2_squares::\"; an empty \
             filter would run the whole chapter"
                .to_string(),
        ),
        (
            edited("hints = [\"only one\"]", "hints = []"),
            "exercises/ch02_coroutines/info.toml:19: exercise 2.2 (squares): `hints` is \
             empty: a list of one or more strings, the hints in the order they unfold"
                .to_string(),
        ),
        (
            edited("hints = [\"only one\"]", "hints = [\"only one\", 2]"),
            "exercises/ch02_coroutines/info.toml:19: exercise 2.2 (squares): hint 2 must be a \
             string, not an integer"
                .to_string(),
        ),
        (
            edited("hints = [\"only one\"]", "hints = \"only one\""),
            "exercises/ch02_coroutines/info.toml:19: exercise 2.2 (squares): `hints` must be \
             a list of one or more strings, the hints in the order they unfold, not a string"
                .to_string(),
        ),
        (
            edited(
                "solution = \"solutions/ch02_coroutines/2_squares.rs\"",
                "solution = \"../elsewhere/2_squares.rs\"",
            ),
            "exercises/ch02_coroutines/info.toml:17: exercise 2.2 (squares): `solution` must \
             be a path relative to the repository's root, with / between its parts and no \
             `..`, such as \"exercises/ch02_coroutines/1_countdown.rs\"; \
             \"../elsewhere/2_squares.rs\" is not"
                .to_string(),
        ),
        (
            format!("title = \"Chapter 2\"\n{VALID}"),
            "exercises/ch02_coroutines/info.toml:1: unknown key `title`: the file holds only \
             [[exercise]] tables (exercises/README.md shows one)"
                .to_string(),
        ),
        (
            "exercise = 3\n".to_string(),
            "exercises/ch02_coroutines/info.toml:1: `exercise` must be written as \
             [[exercise]] tables, one per exercise"
                .to_string(),
        ),
        (
            "# nothing yet\n".to_string(),
            "exercises/ch02_coroutines/info.toml: no [[exercise]] table: a chapter has 3 to 6 \
             exercises, listed in order"
                .to_string(),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(refused(&text), expected, "for:\n{text}");
    }
}

#[test]
fn toml_that_does_not_parse_is_refused_with_its_line() {
    let error = parse(&edited(
        "extension = true\nfile = \"exercises/ch02_coroutines/1",
        "extension = \nfile = \"exercises/ch02_coroutines/1",
    ))
    .unwrap_err();
    assert_eq!(error.file, FILE);
    assert_eq!(error.line, Some(6));
    assert!(
        error.message.starts_with("this is not valid TOML: "),
        "{}",
        error.message
    );
}

#[test]
fn the_course_rules_name_every_exercise_that_breaks_them() {
    let list = parse(VALID).unwrap();
    // Two exercises, the last a small one, one extension of two... and
    // misnamed files.
    let mut broken = list[..2].to_vec();
    broken[1].extension = false;
    broken[0].file = "exercises/ch02_coroutines/countdown.rs".to_string();
    broken[0].solution = "solutions/countdown.rs".to_string();
    broken[1].tests = "exercises::squares::".to_string();
    assert_eq!(
        layout_problems(two(), &broken),
        [
            "chapter 2 has 2 exercises; a chapter has 3 to 6",
            "exercise 2.1 (countdown): `file` should be exercises/ch02_coroutines/\
             1_countdown.rs, not exercises/ch02_coroutines/countdown.rs",
            "exercise 2.1 (countdown): `solution` should be solutions/ch02_coroutines/\
             1_countdown.rs, not solutions/countdown.rs",
            "exercise 2.2 (squares) is the last of chapter 2, so it must be the rebuild \
             exercise (rebuild = true)",
            "exercise 2.2 (squares): `tests` should be \"exercises::e2_squares::\", the \
             module that tests it, not \"exercises::squares::\"",
        ]
    );
    // The rebuild first, and too few extensions among seven.
    let mut shuffled = vec![list[2].clone(), list[0].clone()];
    shuffled[0].number = 1;
    shuffled[0].file = "exercises/ch02_coroutines/1_rebuild.rs".to_string();
    shuffled[0].solution = "src/ch02_coroutines.rs".to_string();
    for k in 2..=7 {
        let mut small = list[0].clone();
        small.number = k;
        small.name = format!("s{k}");
        small.extension = k == 2;
        small.file = format!("exercises/ch02_coroutines/{k}_s{k}.rs");
        small.solution = format!("solutions/ch02_coroutines/{k}_s{k}.rs");
        small.tests = format!("exercises::e{k}_s{k}::");
        if k == 2 {
            shuffled[1] = small;
        } else {
            shuffled.push(small);
        }
    }
    assert_eq!(
        layout_problems(two(), &shuffled),
        [
            "chapter 2 has 7 exercises; a chapter has 3 to 6",
            "chapter 2: 1 of its 7 exercises ask for something the chapter does not print \
             (extension = true); at least half must",
            "exercise 2.1 (rebuild) is a rebuild exercise but not the last of chapter 2; only \
             the last rebuilds",
            "exercise 2.1 (rebuild): the rebuild's `solution` is the file of \
             src/ch02_coroutines/ it rebuilds, not src/ch02_coroutines.rs",
            "exercise 2.7 (s7) is the last of chapter 2, so it must be the rebuild exercise \
             (rebuild = true)",
        ]
    );
}

/// A fresh directory under the target directory, removed first if present.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A made-up course with chapter 2 converted: its info.toml, files, tests
/// and module folder.
fn converted_course(name: &str) -> PathBuf {
    let root = scratch(name);
    write(&root, FILE, VALID);
    for path in [
        "exercises/ch02_coroutines/1_countdown.rs",
        "solutions/ch02_coroutines/1_countdown.rs",
        "exercises/ch02_coroutines/2_squares.rs",
        "solutions/ch02_coroutines/2_squares.rs",
        "exercises/ch02_coroutines/3_rebuild.rs",
    ] {
        write(&root, path, "// made up\n");
    }
    write(
        &root,
        "src/ch02_coroutines/generator.rs",
        "// the reference\n",
    );
    write(
        &root,
        "src/ch02_coroutines/mod.rs",
        "#[cfg_attr(\n    feature = \"exercise-ch02\",\n    path = \"../../exercises/ch02_coroutines/3_rebuild.rs\"\n)]\nmod generator;\n",
    );
    write(
        &root,
        "tests/ch02_coroutines.rs",
        "mod exercises {\n    mod e1_countdown {\n        #[cfg_attr(feature = \"learner\", path = \"../exercises/ch02_coroutines/1_countdown.rs\")]\n        #[cfg_attr(not(feature = \"learner\"), path = \"../solutions/ch02_coroutines/1_countdown.rs\")]\n        mod attempt;\n    }\n    pub(crate) mod e2_squares {\n        // ../exercises/ch02_coroutines/2_squares.rs and ../solutions/ch02_coroutines/2_squares.rs\n    }\n}\n",
    );
    write(&root, "src/lib.rs", "pub mod ch02_coroutines;\n");
    root
}

#[test]
fn a_whole_converted_chapter_has_no_file_problems() {
    let root = converted_course("exercises-whole");
    let list = exercises::load(&root, two()).unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(file_problems(&root, two(), &list), Vec::<String>::new());
}

#[test]
fn missing_files_modules_and_swaps_are_named() {
    let root = converted_course("exercises-missing");
    fs::remove_file(root.join("solutions/ch02_coroutines/2_squares.rs")).unwrap();
    write(
        &root,
        "tests/ch02_coroutines.rs",
        "mod exercises {\n    mod e1_countdown {} // ../exercises/ch02_coroutines/1_countdown.rs ../solutions/ch02_coroutines/1_countdown.rs\n}\n// ../exercises/ch02_coroutines/2_squares.rs\n",
    );
    write(&root, "src/ch02_coroutines/mod.rs", "mod generator;\n");
    write(&root, "exercises/ch02_coroutines.rs", "// the old stub\n");
    write(
        &root,
        "src/lib.rs",
        "#[cfg_attr(feature = \"exercise-ch02\", path = \"../exercises/ch02_coroutines.rs\")]\npub mod ch02_coroutines;\n",
    );
    let list = exercises::load(&root, two()).unwrap();
    assert_eq!(
        file_problems(&root, two(), &list),
        [
            "exercise 2.2 (squares): its solution solutions/ch02_coroutines/2_squares.rs does \
             not exist",
            "exercise 2.2 (squares): its test filter \"exercises::e2_squares::\" names the \
             module `e2_squares`, which tests/ch02_coroutines.rs does not declare \
             (`mod e2_squares`)",
            "exercise 2.2 (squares): tests/ch02_coroutines.rs does not include \
             solutions/ch02_coroutines/2_squares.rs with #[path] (the learner's file under \
             the feature `learner`, the solution otherwise)",
            "exercise 2.3 (rebuild): no file of src/ch02_coroutines/ swaps in \
             exercises/ch02_coroutines/3_rebuild.rs with #[cfg_attr(feature = \
             \"exercise-ch02\", path = \"...\")]",
            "chapter 2: exercises/ch02_coroutines.rs is left over from before \
             exercises/ch02_coroutines/info.toml: delete it",
            "chapter 2: src/lib.rs still swaps the whole module for \
             exercises/ch02_coroutines.rs; since exercises/ch02_coroutines/info.toml, the \
             rebuild exercise swaps one file of the module instead",
        ]
    );
}

#[test]
fn a_chapter_is_converted_by_its_info_toml_and_legacy_until_then() {
    let root = scratch("exercises-load");
    let error = exercises::load(&root, two()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "exercises/ch02_coroutines/info.toml: chapter 2 has no exercises: neither this file \
         nor exercises/ch02_coroutines.rs exists"
    );
    write(&root, "exercises/ch02_coroutines.rs", "// the stub\n");
    let list = exercises::load(&root, two()).unwrap();
    assert_eq!(list, vec![exercises::legacy(&root, two())]);
    assert_eq!(
        list[0].kind,
        Kind::Legacy {
            feature: "exercise-ch02".to_string()
        }
    );
    // A module that grew into a folder is the legacy exercise's reference.
    write(&root, "src/ch02_coroutines/mod.rs", "// the module\n");
    assert_eq!(
        exercises::legacy(&root, two()).solution,
        "src/ch02_coroutines/mod.rs"
    );
    // Once there is an info.toml, it is the list, and a malformed one is
    // refused rather than falling back on the stub.
    write(&root, FILE, "[[exercise]]\nname = 3\n");
    assert_eq!(
        exercises::load(&root, two()).unwrap_err().to_string(),
        "exercises/ch02_coroutines/info.toml:2: exercise 2.1: `name` must be a string, not \
         an integer"
    );
    write(&root, FILE, VALID);
    assert_eq!(exercises::load(&root, two()).unwrap().len(), 3);
}
