//! A chapter's exercises: what `exercises/chNN_name/info.toml` lists, or
//! the legacy whole-module stub until the chapter has one.
//!
//! `exercises/README.md` is the contract this module reads; in short, a
//! chapter has three to six exercises, in order, and exercise N.K is checked
//! by running the chapter's tests with a cargo feature that swaps the
//! learner's file in:
//!
//! ```text
//!   kind      what the learner edits              checked by
//!   small     exercises/chNN_name/K_topic.rs      cargo test --features learner --test chNN_name -- exercises::eK_topic::
//!   rebuild   exercises/chNN_name/K_topic.rs      cargo test --features exercise-chNN --test chNN_name -- --skip exercises::
//!             (one file of src/chNN_name/)
//!   legacy    exercises/chNN_name.rs              cargo test --features exercise-chNN --test chNN_name
//!             (the whole module; until info.toml)
//! ```
//!
//! Without the feature, the same tests run against the reference solution,
//! which is how `cargo run -- verify` proves each reference passes.
//!
//! The core operations are:
//! - [`parse_info`] reads the text of an `info.toml` into [`Exercise`]s and
//!   refuses a malformed one with an [`InfoError`] that names the file, the
//!   line and the field.
//! - [`load`] gives a chapter's exercises: its `info.toml`'s, or its legacy
//!   stub as its single exercise N.1.
//! - [`Exercise::check_args`] and [`Exercise::reference_args`] are the cargo
//!   commands that judge the learner's file and the reference solution.
//! - [`layout_problems`] and [`file_problems`] check the course's rules for
//!   a converted chapter (how many exercises, which are extensions, which
//!   files and test modules must exist); the wholeness test runs them.

use std::fmt;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use crate::course::Chapter;

/// Which kind of exercise, and so which cargo feature swaps the learner's
/// file in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Exercises N.1 to N.K-1: a small file that uses the crate's public API,
    /// included into the chapter's tests under the feature `learner`.
    Small,
    /// The last exercise: one file of the chapter's module, left for the
    /// learner to write, swapped in by the chapter's feature.
    Rebuild {
        /// The feature, such as `exercise-ch02`.
        feature: String,
    },
    /// A chapter without `info.toml` yet: its whole-module stub
    /// `exercises/chNN_name.rs` is its one exercise, swapped in by the
    /// chapter's feature in `src/lib.rs`.
    Legacy {
        /// The feature, such as `exercise-ch02`.
        feature: String,
    },
}

/// One exercise, N.K.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exercise {
    /// The chapter it belongs to.
    pub chapter: Chapter,
    /// K, its place in the chapter, from 1.
    pub number: usize,
    /// Its name, unique in the chapter, such as `countdown`.
    pub name: String,
    /// One line saying what it asks.
    pub summary: String,
    /// Whether it asks for something the chapter does not print.
    pub extension: bool,
    /// Small, rebuild or legacy.
    pub kind: Kind,
    /// The file the learner edits, relative to the repository's root.
    pub file: String,
    /// The reference solution, relative to the repository's root.
    pub solution: String,
    /// The test filter within the chapter's tests, such as
    /// `exercises::e1_countdown::`; empty for a rebuild or legacy exercise,
    /// which the chapter's whole suite judges.
    pub tests: String,
    /// The hints, in the order they unfold; never empty.
    pub hints: Vec<String>,
}

impl Exercise {
    /// `N.K`, such as `2.3`.
    pub fn id(&self) -> String {
        format!("{}.{}", self.chapter.number, self.number)
    }

    /// `2.3 (countdown)`: how messages name the exercise.
    pub fn label(&self) -> String {
        format!("{} ({})", self.id(), self.name)
    }

    /// The arguments to `cargo` that run this exercise's tests against the
    /// learner's file.
    pub fn check_args(&self) -> Vec<String> {
        self.args(true)
    }

    /// The arguments to `cargo` that run the same tests against the
    /// reference solution.
    pub fn reference_args(&self) -> Vec<String> {
        self.args(false)
    }

    /// The arguments to `cargo` that only build the tests with the
    /// learner's file (`--no-run`): does the stub compile?
    pub fn build_args(&self) -> Vec<String> {
        let mut args = self.args(true);
        if let Some(end) = args.iter().position(|a| a == "--") {
            args.truncate(end);
        }
        args.push("--no-run".to_string());
        args
    }

    fn args(&self, learner: bool) -> Vec<String> {
        let mut args = vec!["test".to_string()];
        if learner {
            let feature = match &self.kind {
                Kind::Small => "learner",
                Kind::Rebuild { feature } | Kind::Legacy { feature } => feature,
            };
            args.extend(["--features".to_string(), feature.to_string()]);
        }
        args.extend(["--test".to_string(), self.chapter.name.to_string()]);
        match &self.kind {
            Kind::Small => args.extend(["--".to_string(), self.tests.clone()]),
            Kind::Rebuild { .. } => {
                args.extend(["--", "--skip", "exercises::"].map(String::from));
            }
            Kind::Legacy { .. } => {}
        }
        args
    }
}

/// A malformed `info.toml`, or a chapter without exercises: what is wrong,
/// and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InfoError {
    /// The file, relative to the repository's root.
    pub file: String,
    /// The line (from 1), when the problem has one.
    pub line: Option<usize>,
    /// What is wrong, naming the exercise and the field.
    pub message: String,
}

impl fmt::Display for InfoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for InfoError {}

/// The fields an `[[exercise]]` table may have.
const FIELDS: &[&str] = &[
    "name",
    "summary",
    "extension",
    "rebuild",
    "feature",
    "file",
    "solution",
    "tests",
    "hints",
];

/// Reads the text of `chapter`'s `info.toml` (`file` names it in errors).
///
/// # Errors
///
/// The first problem found: TOML that does not parse; a key other than
/// `exercise` at the top, or `exercise` not written as `[[exercise]]`
/// tables; no exercise at all; in an exercise, a field missing, of the wrong
/// type, empty or unknown; two exercises of one name; a rebuild exercise
/// without the chapter's feature, a feature on a small exercise, or a test
/// filter where there should be none (or none where there should be one).
pub fn parse_info(text: &str, file: &str, chapter: &Chapter) -> Result<Vec<Exercise>, InfoError> {
    let error = |span: Option<Range<usize>>, message: String| InfoError {
        file: file.to_string(),
        line: span.map(|span| line_of(text, span.start)),
        message,
    };
    let document = DeTable::parse(text).map_err(|e| {
        error(
            e.span(),
            format!("this is not valid TOML: {}", e.message().trim_end()),
        )
    })?;
    let mut list = Vec::new();
    for (key, value) in document.get_ref().iter() {
        let tables: Option<Vec<_>> = match value.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .map(|item| item.get_ref().as_table().map(|table| (item.span(), table)))
                .collect(),
            _ => None,
        };
        match (key_text(key), tables) {
            ("exercise", Some(tables)) => list = tables,
            ("exercise", None) => {
                return Err(error(
                    Some(key.span()),
                    "`exercise` must be written as [[exercise]] tables, one per exercise"
                        .to_string(),
                ));
            }
            (other, _) => {
                return Err(error(
                    Some(key.span()),
                    format!(
                        "unknown key `{other}`: the file holds only [[exercise]] tables \
                         (exercises/README.md shows one)"
                    ),
                ));
            }
        }
    }
    if list.is_empty() {
        return Err(error(
            None,
            "no [[exercise]] table: a chapter has 3 to 6 exercises, listed in order".to_string(),
        ));
    }

    let mut exercises: Vec<Exercise> = Vec::new();
    for (index, (header, table)) in list.into_iter().enumerate() {
        let number = index + 1;
        let at = format!("exercise {}.{number}", chapter.number);
        let fields = Fields {
            table,
            at: &at,
            header,
            error: &error,
        };
        fields.refuse_unknown()?;
        let name = fields.string("name")?;
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(fields.error_at(
                "name",
                format!(
                    "{at}: `name` must be lowercase letters, digits and _, since it names the \
                     file {number}_NAME.rs and the test module e{number}_NAME; {name:?} is not"
                ),
            ));
        }
        let at = format!("exercise {}.{number} ({name})", chapter.number);
        let fields = Fields { at: &at, ..fields };
        if let Some(earlier) = exercises.iter().find(|e| e.name == name) {
            return Err(fields.error_at(
                "name",
                format!(
                    "{at}: the name `{name}` is already exercise {}; names are unique in a chapter",
                    earlier.id()
                ),
            ));
        }
        let summary = fields.string("summary")?;
        let extension = fields.boolean("extension")?;
        let rebuild = fields.optional_boolean("rebuild")?.unwrap_or(false);
        let feature = fields.optional_string("feature")?;
        let file = fields.path("file")?;
        let solution = fields.path("solution")?;
        let tests = fields.string_or_empty("tests")?;
        let hints = fields.hints()?;
        let kind = if rebuild {
            let Some(feature) = feature else {
                return Err(fields.error_at(
                    "rebuild",
                    format!(
                        "{at}: a rebuild exercise needs `feature = \"{}\"`, the feature that \
                         swaps the learner's file into the chapter's module",
                        chapter.feature()
                    ),
                ));
            };
            if feature != chapter.feature() {
                return Err(fields.error_at(
                    "feature",
                    format!(
                        "{at}: `feature` must be \"{}\", chapter {}'s own, not {feature:?}",
                        chapter.feature(),
                        chapter.number
                    ),
                ));
            }
            if !tests.is_empty() {
                return Err(fields.error_at(
                    "tests",
                    format!(
                        "{at}: a rebuild exercise's `tests` is \"\": the chapter's whole suite \
                         (less `exercises::`) judges it, not {tests:?}"
                    ),
                ));
            }
            Kind::Rebuild { feature }
        } else {
            if feature.is_some() {
                return Err(fields.error_at(
                    "feature",
                    format!(
                        "{at}: `feature` belongs only to the rebuild exercise (rebuild = true); \
                         a small exercise is swapped in by the feature `learner`"
                    ),
                ));
            }
            if tests.is_empty() {
                return Err(fields.error_at(
                    "tests",
                    format!(
                        "{at}: `tests` must name the exercise's test module, such as \
                         \"exercises::e{number}_{name}::\"; an empty filter would run the \
                         whole chapter"
                    ),
                ));
            }
            Kind::Small
        };
        exercises.push(Exercise {
            chapter: *chapter,
            number,
            name,
            summary,
            extension,
            kind,
            file,
            solution,
            tests,
            hints,
        });
    }
    Ok(exercises)
}

/// The fields of one `[[exercise]]` table, read with errors that name the
/// exercise, the field and its line.
struct Fields<'a, 'i, E> {
    table: &'a DeTable<'i>,
    /// `exercise 2.3 (countdown)`, or `exercise 2.3` before the name is known.
    at: &'a str,
    /// The span of the table, for a field that is missing.
    header: Range<usize>,
    error: &'a E,
}

impl<E> Fields<'_, '_, E>
where
    E: Fn(Option<Range<usize>>, String) -> InfoError,
{
    fn get(&self, field: &str) -> Option<&Spanned<DeValue<'_>>> {
        self.table
            .iter()
            .find(|(key, _)| key_text(key) == field)
            .map(|(_, value)| value)
    }

    /// An error on the line of `field` (or of the table, if it is missing).
    fn error_at(&self, field: &str, message: String) -> InfoError {
        let span = self.get(field).map_or(self.header.clone(), |v| v.span());
        (self.error)(Some(span), message)
    }

    fn refuse_unknown(&self) -> Result<(), InfoError> {
        for (key, _) in self.table.iter() {
            let name = key_text(key);
            if !FIELDS.contains(&name) {
                return Err((self.error)(
                    Some(key.span()),
                    format!(
                        "{}: unknown field `{name}`; the fields are {}",
                        self.at,
                        FIELDS.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    fn missing(&self, field: &str, what: &str) -> InfoError {
        (self.error)(
            Some(self.header.clone()),
            format!(
                "{}: the field `{field}` is missing ({what}; exercises/README.md shows every field)",
                self.at
            ),
        )
    }

    fn wrong_type(&self, field: &str, what: &str, value: &DeValue<'_>) -> InfoError {
        self.error_at(
            field,
            format!(
                "{}: `{field}` must be {what}, not {} {}",
                self.at,
                article(value.type_str()),
                value.type_str()
            ),
        )
    }

    fn optional_string(&self, field: &str) -> Result<Option<String>, InfoError> {
        match self.get(field).map(Spanned::get_ref) {
            None => Ok(None),
            Some(DeValue::String(text)) if text.trim().is_empty() => {
                Err(self.error_at(field, format!("{}: `{field}` is empty", self.at)))
            }
            Some(DeValue::String(text)) => Ok(Some(text.to_string())),
            Some(other) => Err(self.wrong_type(field, "a string", other)),
        }
    }

    fn string(&self, field: &str) -> Result<String, InfoError> {
        self.optional_string(field)?
            .ok_or_else(|| self.missing(field, "a string"))
    }

    /// A string that may be empty (the test filter of a rebuild exercise).
    fn string_or_empty(&self, field: &str) -> Result<String, InfoError> {
        match self.get(field).map(Spanned::get_ref) {
            None => Err(self.missing(field, "a string: a test filter, or \"\"")),
            Some(DeValue::String(text)) => Ok(text.to_string()),
            Some(other) => Err(self.wrong_type(field, "a string", other)),
        }
    }

    fn optional_boolean(&self, field: &str) -> Result<Option<bool>, InfoError> {
        match self.get(field).map(Spanned::get_ref) {
            None => Ok(None),
            Some(DeValue::Boolean(value)) => Ok(Some(*value)),
            Some(other) => Err(self.wrong_type(field, "true or false", other)),
        }
    }

    fn boolean(&self, field: &str) -> Result<bool, InfoError> {
        self.optional_boolean(field)?
            .ok_or_else(|| self.missing(field, "true or false"))
    }

    /// A path relative to the repository's root, inside it.
    fn path(&self, field: &str) -> Result<String, InfoError> {
        let path = self.string(field)?;
        let inside = !path.starts_with('/')
            && !path.contains('\\')
            && path.split('/').all(|part| part != ".." && !part.is_empty());
        if inside {
            Ok(path)
        } else {
            Err(self.error_at(
                field,
                format!(
                    "{}: `{field}` must be a path relative to the repository's root, with / \
                     between its parts and no `..`, such as \"exercises/ch02_coroutines/\
                     1_countdown.rs\"; {path:?} is not",
                    self.at
                ),
            ))
        }
    }

    fn hints(&self) -> Result<Vec<String>, InfoError> {
        let field = "hints";
        let what = "a list of one or more strings, the hints in the order they unfold";
        let items = match self.get(field).map(Spanned::get_ref) {
            None => return Err(self.missing(field, what)),
            Some(DeValue::Array(items)) => items,
            Some(other) => return Err(self.wrong_type(field, what, other)),
        };
        if items.is_empty() {
            return Err(self.error_at(field, format!("{}: `hints` is empty: {what}", self.at)));
        }
        let mut hints = Vec::new();
        for (index, item) in items.iter().enumerate() {
            match item.get_ref() {
                DeValue::String(text) if !text.trim().is_empty() => hints.push(text.to_string()),
                DeValue::String(_) => {
                    return Err((self.error)(
                        Some(item.span()),
                        format!("{}: hint {} is empty", self.at, index + 1),
                    ));
                }
                other => {
                    return Err((self.error)(
                        Some(item.span()),
                        format!(
                            "{}: hint {} must be a string, not {} {}",
                            self.at,
                            index + 1,
                            article(other.type_str()),
                            other.type_str()
                        ),
                    ));
                }
            }
        }
        Ok(hints)
    }
}

/// The text of a key.
fn key_text<'a>(key: &'a Spanned<DeString<'_>>) -> &'a str {
    key.get_ref()
}

/// `a` or `an`, before a TOML type's name.
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// The line (from 1) of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The legacy exercise of a chapter without `info.toml`: its whole-module
/// stub, judged by the chapter's whole suite.
pub fn legacy(root: &Path, chapter: &Chapter) -> Exercise {
    let [file, folder] = chapter.module_files();
    let solution = if root.join(&file).is_file() || !root.join(&folder).is_file() {
        file
    } else {
        folder
    };
    Exercise {
        chapter: *chapter,
        number: 1,
        name: "rebuild".to_string(),
        summary: "rebuild the chapter's key functions (the whole module, its bodies left as \
                  todo!())"
            .to_string(),
        extension: false,
        kind: Kind::Legacy {
            feature: chapter.feature(),
        },
        file: chapter.legacy_stub(),
        solution,
        tests: String::new(),
        hints: vec![chapter.hint.to_string()],
    }
}

/// The exercises of `chapter`, read from the repository at `root`: those its
/// `info.toml` lists, or else its legacy stub as its single exercise N.1.
///
/// # Errors
///
/// What [`parse_info`] refuses, an `info.toml` that cannot be read, or a
/// chapter with neither an `info.toml` nor a legacy stub.
pub fn load(root: &Path, chapter: &Chapter) -> Result<Vec<Exercise>, InfoError> {
    let info = chapter.info_file();
    let path = root.join(&info);
    if path.exists() {
        let text = fs::read_to_string(&path).map_err(|e| InfoError {
            file: info.clone(),
            line: None,
            message: format!("cannot be read: {e}"),
        })?;
        parse_info(&text, &info, chapter)
    } else if root.join(chapter.legacy_stub()).is_file() {
        Ok(vec![legacy(root, chapter)])
    } else {
        Err(InfoError {
            file: info,
            line: None,
            message: format!(
                "chapter {} has no exercises: neither this file nor {} exists",
                chapter.number,
                chapter.legacy_stub()
            ),
        })
    }
}

/// The course's rules for a converted chapter's list of exercises, as
/// sentences naming what breaks them (none if it keeps them all): three to
/// six exercises; at least half of them extensions; the last, and only the
/// last, a rebuild; each file named `K_name.rs` in the chapter's folders;
/// each small exercise's test filter `exercises::eK_name::`; the rebuild's
/// solution a file of the chapter's module folder.
pub fn layout_problems(chapter: &Chapter, exercises: &[Exercise]) -> Vec<String> {
    let n = chapter.number;
    let count = exercises.len();
    let mut problems = Vec::new();
    if !(3..=6).contains(&count) {
        problems.push(format!(
            "chapter {n} has {count} exercise{}; a chapter has 3 to 6",
            if count == 1 { "" } else { "s" }
        ));
    }
    let extensions = exercises.iter().filter(|e| e.extension).count();
    if extensions * 2 < count {
        problems.push(format!(
            "chapter {n}: {extensions} of its {count} exercises ask for something the chapter \
             does not print (extension = true); at least half must"
        ));
    }
    for (index, exercise) in exercises.iter().enumerate() {
        let last = index + 1 == count;
        let label = exercise.label();
        let is_rebuild = matches!(exercise.kind, Kind::Rebuild { .. });
        if last && !is_rebuild {
            problems.push(format!(
                "exercise {label} is the last of chapter {n}, so it must be the rebuild \
                 exercise (rebuild = true)"
            ));
        }
        if !last && is_rebuild {
            problems.push(format!(
                "exercise {label} is a rebuild exercise but not the last of chapter {n}; \
                 only the last rebuilds"
            ));
        }
        let stem = format!("{}_{}", exercise.number, exercise.name);
        let file = format!("{}/{stem}.rs", chapter.exercise_dir());
        if exercise.file != file {
            problems.push(format!(
                "exercise {label}: `file` should be {file}, not {}",
                exercise.file
            ));
        }
        if is_rebuild {
            let folder = format!("src/{}/", chapter.name);
            if !exercise.solution.starts_with(&folder) {
                problems.push(format!(
                    "exercise {label}: the rebuild's `solution` is the file of {folder} it \
                     rebuilds, not {}",
                    exercise.solution
                ));
            }
        } else {
            let solution = format!("solutions/{}/{stem}.rs", chapter.name);
            if exercise.solution != solution {
                problems.push(format!(
                    "exercise {label}: `solution` should be {solution}, not {}",
                    exercise.solution
                ));
            }
            let tests = format!("exercises::e{stem}::");
            if exercise.tests != tests {
                problems.push(format!(
                    "exercise {label}: `tests` should be {tests:?}, the module that tests it, \
                     not {:?}",
                    exercise.tests
                ));
            }
        }
    }
    problems
}

/// The files a converted chapter's exercises need, in the repository at
/// `root`, as sentences naming what is missing: each exercise's file and
/// solution; for a small exercise, the test modules its filter names and
/// the `#[path]`s of both its files in `tests/chNN_name.rs`; for the
/// rebuild, the `cfg_attr` in the module that swaps its file in; and no
/// legacy stub left over.
pub fn file_problems(root: &Path, chapter: &Chapter, exercises: &[Exercise]) -> Vec<String> {
    let mut problems = Vec::new();
    let test_file = chapter.test_file();
    let tests = test_sources(root, chapter);
    for exercise in exercises {
        let label = exercise.label();
        for (field, path) in [("file", &exercise.file), ("solution", &exercise.solution)] {
            if !root.join(path).is_file() {
                problems.push(format!(
                    "exercise {label}: its {field} {path} does not exist"
                ));
            }
        }
        match &exercise.kind {
            Kind::Small => {
                for module in exercise.tests.split("::").filter(|m| !m.is_empty()) {
                    if !declares_module(&tests, module) {
                        problems.push(format!(
                            "exercise {label}: its test filter {:?} names the module \
                             `{module}`, which {test_file} does not declare (`mod {module}`)",
                            exercise.tests
                        ));
                    }
                }
                for path in [&exercise.file, &exercise.solution] {
                    if !tests.contains(path.as_str()) {
                        problems.push(format!(
                            "exercise {label}: {test_file} does not include {path} with \
                             #[path] (the learner's file under the feature `learner`, the \
                             solution otherwise)"
                        ));
                    }
                }
            }
            Kind::Rebuild { feature } => {
                let swapped = module_sources(root, chapter).iter().any(|source| {
                    source.contains(&format!("feature = \"{feature}\""))
                        && source.contains(exercise.file.as_str())
                });
                if !swapped {
                    problems.push(format!(
                        "exercise {label}: no file of src/{}/ swaps in {} with \
                         #[cfg_attr(feature = \"{feature}\", path = \"...\")]",
                        chapter.name, exercise.file
                    ));
                }
            }
            Kind::Legacy { .. } => {}
        }
    }
    let stub = chapter.legacy_stub();
    if root.join(&stub).exists() {
        problems.push(format!(
            "chapter {}: {stub} is left over from before {}: delete it",
            chapter.number,
            chapter.info_file()
        ));
    }
    let lib = fs::read_to_string(root.join("src/lib.rs")).unwrap_or_default();
    if lib.contains(&stub) {
        problems.push(format!(
            "chapter {}: src/lib.rs still swaps the whole module for {stub}; since {}, \
             the rebuild exercise swaps one file of the module instead",
            chapter.number,
            chapter.info_file()
        ));
    }
    problems
}

/// The text of the chapter's test file and of the files beside it in
/// `tests/chNN_name/`, which it may include with `#[path]` (a chapter whose
/// exercises' tests are long keeps them in `tests/chNN_name/exercises.rs`).
fn test_sources(root: &Path, chapter: &Chapter) -> String {
    let mut text = fs::read_to_string(root.join(chapter.test_file())).unwrap_or_default();
    let folder = root.join("tests").join(chapter.name);
    let mut beside: Vec<PathBuf> = fs::read_dir(&folder)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
                .collect()
        })
        .unwrap_or_default();
    beside.sort();
    for path in beside {
        text.push('\n');
        text.push_str(&fs::read_to_string(&path).unwrap_or_default());
    }
    text
}

/// Whether Rust source `text` declares a module `name` (`mod name {` or
/// `mod name;`, public or not).
fn declares_module(text: &str, name: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_start();
        let line = line
            .strip_prefix("pub(crate) ")
            .or_else(|| line.strip_prefix("pub "))
            .unwrap_or(line);
        line.strip_prefix("mod ")
            .map(str::trim_start)
            .and_then(|rest| rest.strip_prefix(name))
            .is_some_and(|rest| rest.trim_start().starts_with(['{', ';']))
    })
}

/// The text of every `.rs` file of the chapter's module: its file and its
/// folder.
fn module_sources(root: &Path, chapter: &Chapter) -> Vec<String> {
    let mut sources = Vec::new();
    let [file, _] = chapter.module_files();
    if let Ok(text) = fs::read_to_string(root.join(file)) {
        sources.push(text);
    }
    let mut folders = vec![root.join("src").join(chapter.name)];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs")
                && let Ok(text) = fs::read_to_string(&path)
            {
                sources.push(text);
            }
        }
    }
    sources
}
