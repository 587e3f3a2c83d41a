//! Role-tagged output: what the examples print, and what the tests read back.
//!
//! The core operations are:
//! - [`say!`](crate::say) prints one line tagged with the role that speaks,
//!   such as `[main] Starting` or `[generator] Hello`.
//! - [`capture`] runs a closure and collects the lines it says instead of
//!   printing them, so a test can assert the exact transcript of a program.
//! - [`mask_costs`] hides the numbers of a `[cost]` line (a measurement), so
//!   that a transcript with measurements can still be compared exactly.
//!
//! ```text
//!   say!("main", "Starting")
//!            │
//!            ▼
//!   is a capture active on this thread?
//!      ├── no  ──▶ stdout: "[main] Starting"
//!      └── yes ──▶ capture buffer: ["[main] Starting"]
//! ```
//!
//! The buffer is thread-local. Coroutines in this course run on the thread
//! that resumes them, so everything a coroutine says while a test resumes it
//! lands in that test's buffer.

use std::cell::RefCell;
use std::fmt;

thread_local! {
    /// The lines collected by the innermost active [`capture`] on this thread,
    /// or `None` when nothing is capturing and lines go to stdout.
    static CAPTURED: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// Prints `[role] message` on stdout, or adds it to the active [`capture`].
///
/// Call it through the [`say!`](crate::say) macro, which formats the message
/// like `println!`.
pub fn say(role: &str, message: fmt::Arguments<'_>) {
    let line = format!("[{role}] {message}");
    let printed = CAPTURED.with(|captured| match captured.borrow_mut().as_mut() {
        Some(lines) => {
            lines.push(line.clone());
            false
        }
        None => true,
    });
    if printed {
        println!("{line}");
    }
}

/// Prints one role-tagged line: `say!("main", "got {}", value)` prints
/// `[main] got 42`.
///
/// The first argument names who is speaking (`main`, `generator`, `loop`, a
/// task's name); the rest is a `format!` string and its arguments.
#[macro_export]
macro_rules! say {
    ($role:expr, $($message:tt)+) => {
        $crate::output::say($role, ::std::format_args!($($message)+))
    };
}

/// Runs `body` and returns its result together with every line it said.
///
/// Captures nest: an inner `capture` takes the lines said inside it, and the
/// outer one sees none of them. If `body` panics, the panic continues and the
/// outer capture (or stdout) is restored on the way out.
///
/// ```
/// use yieldpoint::{output::capture, say};
///
/// let (answer, lines) = capture(|| {
///     say!("main", "thinking");
///     42
/// });
/// assert_eq!(answer, 42);
/// assert_eq!(lines, ["[main] thinking"]);
/// ```
pub fn capture<R>(body: impl FnOnce() -> R) -> (R, Vec<String>) {
    let outer = CAPTURED.with(|captured| captured.borrow_mut().replace(Vec::new()));
    let mut guard = CaptureGuard {
        outer,
        restored: false,
    };
    let result = body();
    let lines = guard.restore();
    (result, lines)
}

/// `line` with every number replaced by `N` if it is a `[cost]` line, and
/// unchanged otherwise.
///
/// Examples tag their measurements (times, memory figures) with the role
/// `cost`: the numbers change from run to run, the words around them do
/// not. Tests and the drift check compare such lines through this function.
/// A run of digits and dots is one number.
///
/// ```
/// use yieldpoint::output::mask_costs;
///
/// assert_eq!(mask_costs("[cost] 2.03 s of CPU, 1,000 tasks"), "[cost] N s of CPU, N,N tasks");
/// assert_eq!(mask_costs("[main] 3 steps"), "[main] 3 steps");
/// ```
pub fn mask_costs(line: &str) -> String {
    if !line.starts_with("[cost] ") {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            while chars
                .peek()
                .is_some_and(|&d| d.is_ascii_digit() || d == '.')
            {
                chars.next();
            }
            out.push('N');
        } else {
            out.push(c);
        }
    }
    out
}

/// Puts the outer capture back in place, at the end of [`capture`] or, if its
/// body panics, while the panic passes through.
struct CaptureGuard {
    /// What was capturing before this capture began (`None`: stdout).
    outer: Option<Vec<String>>,
    /// Set once the outer capture is back, so that it is put back only once.
    restored: bool,
}

impl CaptureGuard {
    /// Reinstates the outer capture and returns the lines this one collected.
    fn restore(&mut self) -> Vec<String> {
        self.restored = true;
        let ours = CAPTURED
            .with(|captured| std::mem::replace(&mut *captured.borrow_mut(), self.outer.take()));
        ours.unwrap_or_default()
    }
}

impl Drop for CaptureGuard {
    fn drop(&mut self) {
        if !self.restored {
            self.restore();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inner_capture_takes_its_own_lines_and_the_outer_one_keeps_the_rest() {
        let ((), outer) = capture(|| {
            say!("a", "before");
            let ((), inner) = capture(|| say!("b", "inside"));
            assert_eq!(inner, ["[b] inside"]);
            say!("a", "after");
        });
        assert_eq!(outer, ["[a] before", "[a] after"]);
    }

    #[test]
    fn a_panic_inside_a_capture_restores_the_outer_capture() {
        let ((), outer) = capture(|| {
            say!("a", "before");
            let result = std::panic::catch_unwind(|| {
                capture(|| {
                    say!("b", "lost with the panic");
                    panic!("boom");
                })
            });
            assert!(result.is_err());
            say!("a", "after");
        });
        assert_eq!(outer, ["[a] before", "[a] after"]);
    }
}
