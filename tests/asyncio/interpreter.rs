//! Finding CPython, for the suites that compare this crate with it
//! (`tests/asyncio_parity.rs` and `tests/random_programs.rs`, which both
//! include this file as a module).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;

/// Whether the environment variable `name` is set to something other than
/// empty or `0`.
pub fn flag(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|value| !value.is_empty() && value != "0")
}

/// The interpreter that `python3` runs, if it is version 3.11 or newer;
/// otherwise what was found instead. The suites run that interpreter
/// directly, skipping wrappers such as pyenv's `python3` script, which costs
/// more than Python's own start.
pub fn find_python() -> Result<PathBuf, String> {
    let output = Command::new("python3")
        .args([
            "-E",
            "-c",
            "import sys; print('%d.%d.%d' % sys.version_info[:3]); print(sys.executable)",
        ])
        .output()
        .map_err(|error| format!("running python3: {error}"))?;
    if !output.status.success() {
        return Err(format!("python3 failed: {}", output.status));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut lines = stdout.lines();
    let version = lines.next().unwrap_or_default().trim();
    let mut parts = version.split('.').map(|part| part.parse::<u32>());
    match (parts.next(), parts.next()) {
        (Some(Ok(3)), Some(Ok(minor))) if minor >= 11 => {}
        _ => return Err(format!("python3 is version {version}")),
    }
    match lines.next().map(str::trim) {
        Some(path) if !path.is_empty() => Ok(PathBuf::from(path)),
        _ => Ok(PathBuf::from("python3")),
    }
}

/// [`find_python`], or `None` after saying on stderr that the CPython side
/// is skipped, and that `without_it` (what the suite still checks).
///
/// # Panics
///
/// Without python3 3.11+ when `PARITY_REQUIRE_PYTHON=1` (as in CI).
pub fn python_or_skip(without_it: &str) -> Option<PathBuf> {
    match find_python() {
        Ok(path) => Some(path),
        Err(reason) => {
            let message = format!("skipped: python3 3.11+ not found ({reason}); {without_it}");
            assert!(!flag("PARITY_REQUIRE_PYTHON"), "{message}");
            // Straight to stderr, past the test harness's output capture, so
            // the skip shows in a passing run.
            let _ = writeln!(std::io::stderr(), "{message}");
            None
        }
    }
}
