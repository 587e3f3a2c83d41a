//! Noticing that a file under `exercises/` changed, for `cargo run -- watch`.
//!
//! The watcher polls: every half second it lists the files under
//! `exercises/` with their size and modification time, and compares the list
//! with the one before. A file-watching crate (`notify`, on inotify, FSEvents
//! or ReadDirectoryChangesW) would learn of a save at once instead of within
//! half a second, but polling is the better trade here:
//!
//! - **The learner's first minute.** The runner is what the first `cargo run`
//!   builds before anything else; `notify` and its tree (inotify, mio,
//!   walkdir, crossbeam, and more per platform) would be built by every
//!   learner for a command few of them use.
//! - **It works everywhere the course does.** Events are not delivered on
//!   some file systems (network mounts, WSL's `/mnt/c`, some container bind
//!   mounts); a modification time is.
//! - **It sees what editors do.** Many save by writing a new file and
//!   renaming it over the old one; a size and time per path catch that
//!   without handling each kind of event.
//! - **It costs nothing that matters.** A few dozen `stat` calls every half
//!   second, and half a second of delay, beside a `cargo test` run that takes
//!   seconds.
//!
//! The core operations are:
//! - [`Snapshot::take`] lists the files under a folder.
//! - [`changes`] compares two snapshots.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How often the watcher looks.
pub const POLL: Duration = Duration::from_millis(500);

/// What one file looked like when the snapshot was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Its length in bytes.
    pub len: u64,
    /// Its modification time, where the file system keeps one.
    pub modified: Option<SystemTime>,
}

/// Every file under a folder, with its [`Stamp`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Each file's path (as found under the folder) and stamp.
    pub files: BTreeMap<PathBuf, Stamp>,
}

impl Snapshot {
    /// Lists every file under `dir`, at any depth. Files that vanish while
    /// it looks are left out.
    ///
    /// # Errors
    ///
    /// An error naming `dir` if it cannot be read.
    pub fn take(dir: &Path) -> io::Result<Snapshot> {
        let mut files = BTreeMap::new();
        fs::read_dir(dir)
            .map_err(|e| io::Error::new(e.kind(), format!("cannot read {}: {e}", dir.display())))?;
        let mut folders = vec![dir.to_path_buf()];
        while let Some(folder) = folders.pop() {
            let Ok(entries) = fs::read_dir(&folder) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(metadata) = entry.metadata() else {
                    continue;
                };
                if metadata.is_dir() {
                    folders.push(path);
                } else {
                    let stamp = Stamp {
                        len: metadata.len(),
                        modified: metadata.modified().ok(),
                    };
                    files.insert(path, stamp);
                }
            }
        }
        Ok(Snapshot { files })
    }
}

/// The paths that differ between `before` and `after`: added, removed, or
/// with another size or time; sorted.
pub fn changes(before: &Snapshot, after: &Snapshot) -> Vec<PathBuf> {
    let mut changed: Vec<PathBuf> = after
        .files
        .iter()
        .filter(|(path, stamp)| before.files.get(*path) != Some(stamp))
        .map(|(path, _)| path.clone())
        .collect();
    changed.extend(
        before
            .files
            .keys()
            .filter(|path| !after.files.contains_key(*path))
            .cloned(),
    );
    changed.sort();
    changed
}
