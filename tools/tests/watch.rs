//! What the watcher sees change under a folder.

use std::fs;
use std::path::PathBuf;

use yieldpoint_tools::watch::{Snapshot, changes};

/// A fresh directory under the target directory, removed first if present.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn edits_new_files_and_removed_files_are_changes_at_any_depth() {
    let dir = scratch("watch-changes");
    let nested = dir.join("ch02_coroutines");
    fs::create_dir_all(&nested).unwrap();
    fs::write(nested.join("1_countdown.rs"), "todo!()").unwrap();
    fs::write(dir.join("README.md"), "# Exercises").unwrap();
    let first = Snapshot::take(&dir).unwrap();
    assert_eq!(
        first.files.keys().cloned().collect::<Vec<_>>(),
        [dir.join("README.md"), nested.join("1_countdown.rs")]
    );
    // Nothing changed: nothing to report.
    assert_eq!(
        changes(&first, &Snapshot::take(&dir).unwrap()),
        Vec::<PathBuf>::new()
    );

    // An edit (of another length, so that even a coarse clock sees it), a
    // new file, and one removed.
    fs::write(nested.join("1_countdown.rs"), "(1..=n).rev().collect()").unwrap();
    fs::write(nested.join("2_squares.rs"), "todo!()").unwrap();
    fs::remove_file(dir.join("README.md")).unwrap();
    let second = Snapshot::take(&dir).unwrap();
    assert_eq!(
        changes(&first, &second),
        [
            dir.join("README.md"),
            nested.join("1_countdown.rs"),
            nested.join("2_squares.rs")
        ]
    );
}

#[test]
fn a_folder_that_cannot_be_read_is_named() {
    let dir = scratch("watch-missing").join("nowhere");
    let error = Snapshot::take(&dir).unwrap_err().to_string();
    assert!(
        error.starts_with(&format!("cannot read {}: ", dir.display())),
        "{error}"
    );
}
