//! Stacks: where they come from, the pool that reuses them, and the
//! operating system's ceiling.
//!
//! This file owns mapping a new stack (and explaining a refusal) and the
//! pool of stacks of finished tasks. Nothing else.
//!
//! ```text
//!   spawn ──▶ pool has one? ──yes──▶ reuse it (no system call)
//!                 │ no
//!                 ▼
//!            mmap a stack + a guard page below it (two memory mappings)
//!                 │ refused?
//!                 ▼
//!            SchedError::StackRefused, with what the process was using
//!
//!   a task ends ──▶ its stack, if it has the size new tasks get, goes back to
//!                   the pool (at most POOL_LIMIT; the rest are unmapped)
//! ```
//!
//! Why not one mapping per stack, with no guard page, to fit twice as many
//! tasks under Linux's limit? Because the guard page is what turns a stack
//! overflow into a clean fault (and chapter 6's named report) instead of
//! silently overwriting whatever memory lies below the stack: undefined
//! behaviour, from safe code. This course does not offer that trade.

use std::fs;
use std::io;

use corosensei::stack::DefaultStack;

use super::error::SchedError;

/// How many stacks of finished tasks the pool keeps for new ones. A crowd of
/// tasks that has finished gives the rest back to the OS, so an idle
/// scheduler does not sit on tens of thousands of mappings.
pub const POOL_LIMIT: usize = 1024;

// ANCHOR: new_stack
/// A fresh stack of at least `size` bytes, or the OS's refusal as an error
/// that says what to do about it. `live_tasks` is how many tasks are alive
/// now, for the message.
///
/// corosensei maps the stack with one guard page below it: two memory
/// mappings per stack, which is what runs into Linux's `vm.max_map_count`
/// when tens of thousands of tasks are alive at once.
pub(super) fn new_stack(size: usize, live_tasks: usize) -> Result<DefaultStack, SchedError> {
    if size > isize::MAX as usize {
        // No address space holds it (and corosensei's size arithmetic
        // would overflow): refuse before asking the OS.
        return Err(SchedError::StackRefused {
            size,
            reason: "no address space holds a stack that large; ask for a few KiB to a few \
                     MiB (Scheduler::with_stack_size; the default is 256 KiB)"
                .to_string(),
        });
    }
    DefaultStack::new(size).map_err(|error| SchedError::StackRefused {
        size,
        reason: refusal_advice(&error, live_tasks, MapCount::read()),
    })
}
// ANCHOR_END: new_stack

/// The process's memory mappings and Linux's limit on them, when they can
/// be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct MapCount {
    /// Mappings the process has now (lines of `/proc/self/maps`).
    pub(super) used: usize,
    /// `vm.max_map_count`.
    pub(super) limit: usize,
}

impl MapCount {
    /// Reads both from `/proc`, or `None` where there is no `/proc`.
    fn read() -> Option<MapCount> {
        let used = fs::read_to_string("/proc/self/maps").ok()?.lines().count();
        let limit = fs::read_to_string("/proc/sys/vm/max_map_count")
            .ok()?
            .trim()
            .parse()
            .ok()?;
        Some(MapCount { used, limit })
    }
}

/// What to tell someone whose stack the OS refused with `error`, with
/// `live_tasks` tasks alive and `maps` mappings in use: at the mapping
/// limit, the size of the stacks does not matter, only how many there are.
pub(super) fn refusal_advice(
    error: &io::Error,
    live_tasks: usize,
    maps: Option<MapCount>,
) -> String {
    let said = format!("the OS said: {error}");
    match maps {
        // Each stack costs two mappings; one more stack would not fit.
        Some(MapCount { used, limit }) if used + 2 > limit => format!(
            "the process has {used} memory mappings, and Linux allows {limit} \
             (vm.max_map_count); every task's stack takes two (the stack and its guard \
             page), whatever its size, so with {live_tasks} tasks alive no more fit. Keep \
             fewer tasks alive at once (finished ones give their stacks back), or raise the \
             limit: sudo sysctl -w vm.max_map_count=262144. ({said})"
        ),
        _ => format!(
            "the OS is out of memory or address space for it (see ulimit -v) with \
             {live_tasks} tasks alive; ask for smaller stacks (Scheduler::with_stack_size) \
             or keep fewer tasks alive at once. ({said})"
        ),
    }
}
