//! The limit on open files: every socket is a file descriptor, and a
//! process may hold only so many (`ulimit -n`, often 1,024 by default). A
//! fan-out of a thousand connections to a server in the same process needs
//! two thousand.
//!
//! The limit has two values. The soft one is what the OS enforces; the hard
//! one is the ceiling a process may raise its soft limit to, without
//! privileges. Raising the soft limit up to the hard one is what
//! `ulimit -n 4096` does in a shell, and what [`raise_open_file_limit`]
//! does for the process that calls it.

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

// ANCHOR: limits
/// The process's soft limit on open file descriptors (`None`: unlimited).
pub fn open_file_limit() -> Option<u64> {
    getrlimit(Resource::Nofile).current
}

/// Raises the process's soft limit on open file descriptors to at least
/// `wanted`, if the hard limit allows it, and returns the soft limit now.
/// A limit already high enough is left alone.
///
/// # Errors
///
/// What stands in the way, in words: a hard limit below `wanted` (raise it
/// as root, or in `/etc/security/limits.conf`), or the OS's refusal.
pub fn raise_open_file_limit(wanted: u64) -> Result<u64, String> {
    let Rlimit { current, maximum } = getrlimit(Resource::Nofile);
    let current = current.unwrap_or(u64::MAX);
    if current >= wanted {
        return Ok(current);
    }
    let maximum = maximum.unwrap_or(u64::MAX);
    if maximum < wanted {
        return Err(format!(
            "{wanted} open files are needed, and the hard limit is {maximum} (ulimit -Hn): \
             only root can raise it"
        ));
    }
    let raised = Rlimit {
        current: Some(wanted),
        maximum: Some(maximum),
    };
    setrlimit(Resource::Nofile, raised)
        .map_err(|error| format!("cannot raise ulimit -n from {current} to {wanted}: {error}"))?;
    Ok(wanted)
}
// ANCHOR_END: limits
