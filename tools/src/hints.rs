//! Which hint `cargo run -- hint N.K` shows next.
//!
//! Hints unfold one at a time: the first points at the idea, the last comes
//! close to the answer. The runner remembers how many of each exercise's
//! hints the learner has seen in a small text file under `target/`
//! (`target/course/hints.txt`), one `N.K COUNT` line per exercise, so the
//! state goes with the build: `cargo clean` starts the hints over.
//!
//! The core operations are:
//! - [`Seen::parse`] and [`Seen::to_text`] read and write that file.
//! - [`Seen::next`] picks the hint to show and counts it as seen.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How many hints of each exercise the learner has seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    /// `N.K` to the number of its hints shown so far.
    counts: BTreeMap<String, usize>,
}

/// The hint to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Next {
    /// Which hint, from 1.
    pub number: usize,
    /// How many hints the exercise has.
    pub of: usize,
    /// Whether every hint had been shown already, so this is the last one
    /// again.
    pub again: bool,
}

impl Next {
    /// Whether this is the exercise's last hint.
    pub fn is_last(&self) -> bool {
        self.number == self.of
    }
}

impl Seen {
    /// Reads the file's text.
    ///
    /// # Errors
    ///
    /// A message naming the first line that is not `N.K COUNT`.
    pub fn parse(text: &str) -> Result<Seen, String> {
        let mut counts = BTreeMap::new();
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let parsed = line.split_once(' ').and_then(|(id, count)| {
                let well_formed = id
                    .split_once('.')
                    .is_some_and(|(n, k)| n.parse::<u8>().is_ok() && k.parse::<usize>().is_ok());
                Some((id, count.trim().parse::<usize>().ok()?)).filter(|_| well_formed)
            });
            let Some((id, count)) = parsed else {
                return Err(format!("line {} is not `N.K COUNT`: {line:?}", index + 1));
            };
            counts.insert(id.to_string(), count);
        }
        Ok(Seen { counts })
    }

    /// The text [`Seen::parse`] reads back.
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        for (id, count) in &self.counts {
            let _ = writeln!(text, "{id} {count}");
        }
        text
    }

    /// How many hints of exercise `id` have been shown.
    pub fn count(&self, id: &str) -> usize {
        self.counts.get(id).copied().unwrap_or(0)
    }

    /// The next hint of exercise `id`, which has `total` hints (at least
    /// one), counted as seen; after the last, the last again.
    pub fn next(&mut self, id: &str, total: usize) -> Next {
        let total = total.max(1);
        let seen = self.count(id);
        let number = (seen + 1).min(total);
        self.counts.insert(id.to_string(), number);
        Next {
            number,
            of: total,
            again: seen >= total,
        }
    }
}
