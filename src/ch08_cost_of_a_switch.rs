//! # Chapter 8: what a switch costs
//!
//! Every chapter so far paused a function and later carried it on. This
//! chapter measures what that costs, by building the other way of pausing, the
//! one Rust's `async fn` and Python's generators use, and setting the two side
//! by side in one benchmark run (`cargo bench`, read by `cargo run -- costs`).
//!
//! A **stackful** coroutine (chapters 2 to 7) keeps its locals on a stack of
//! its own, so pausing is a switch of stack pointers, whatever the call depth.
//! A **stackless** one keeps its locals in a value, an enum with one variant
//! per place it can pause; resuming is a function call that matches on the
//! variant, and a chain of them resumes every link on the way down.
//!
//! The core operations are:
//! - [`Counter::resume`] steps a hand-written stackless generator: the state
//!   machine the compiler would make of Python's `counter` generator.
//! - [`stackless_chain`] stacks such generators `depth` deep, each forwarding
//!   to the next, the way `yield from` does.
//! - [`Stepper::step`] polls a Rust future once, with a waker that does
//!   nothing: one poll that returns `Pending` is one pause, and the next poll
//!   is the resume. [`block_on`] polls until the future is ready, and
//!   panics on a future that waits without asking to be woken, rather than
//!   spin forever.
//! - [`yield_now`], [`leaf`] and [`nested`] are the futures the benches poll:
//!   an `async fn` that pauses, and `async fn`s that await it `depth` deep.
//! - [`Memory::now`] reads the process's own memory figures (parsed by
//!   [`Memory::parse`]), and [`Memory::growth_per_unit`] divides a growth
//!   among the things that caused it, so the example can say what one paused
//!   coroutine, task, future or thread occupies.
//!
//! ```text
//!   stackful (corosensei, chapters 2-7)       stackless (Counter, async fn)
//!   ───────────────────────────────────       ─────────────────────────────
//!   resume: save registers, switch stack      resume: call resume(), match on
//!   pointer to the coroutine's stack          the state, run to the next pause
//!           ▼                                         ▼
//!   frames at depth 1..N stay where they      each of the N links is called in
//!   are; only the leaf runs                   turn: level 0 ─▶ level 1 ─▶ ... ─▶ leaf
//!           ▼                                         ▼
//!   suspend: switch back, same cost at        return Pending/Yielded back up
//!   any depth                                 through every link
//!
//!   cost per pause: flat in depth             cost per pause: grows with depth
//!   memory: a whole stack (pages touched)     memory: the size of the enum
//! ```

use std::fmt;
use std::fs;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Wake};

pub use crate::ch02_coroutines::{Finished, GeneratorState};

#[cfg_attr(
    feature = "exercise-ch08",
    path = "../exercises/ch08_cost_of_a_switch/4_rebuild.rs"
)]
mod by_hand;
pub use by_hand::block_on;

// ANCHOR: counter
/// A stackless generator, written by hand: the state machine for this Python
/// generator.
///
/// ```python
/// def counter(limit):
///     total = 0
///     for i in range(limit):
///         total += yield i
///     return total
/// ```
///
/// Each variant is one place the generator can be, and holds exactly the
/// locals that are alive there. There is no stack: pausing is returning from
/// [`resume`](Counter::resume), and the locals wait in the enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Counter {
    /// Created, not yet resumed: nothing has run, only the argument is kept.
    Start {
        /// The generator's argument.
        limit: u64,
    },
    /// Paused at `yield i`, inside the loop.
    Suspended {
        /// The loop variable.
        i: u64,
        /// The argument, still needed by the loop's test.
        limit: u64,
        /// The running sum of the values sent in.
        total: u64,
    },
    /// Returned: there is nothing left to run.
    Done,
}
// ANCHOR_END: counter

impl Counter {
    /// A counter that will yield `0, 1, ..., limit - 1` and return the sum of
    /// the values sent in. Nothing runs until the first [`resume`](Self::resume).
    pub fn new(limit: u64) -> Self {
        Counter::Start { limit }
    }
}

// ANCHOR: stackless
/// A chain of stackless generators: a [`Counter`] at the bottom, under any
/// number of links that each forward to the one below, as `yield from` does.
///
/// Resuming the top resumes every link in turn: the cost of one value grows
/// with the depth, unlike chapter 3's stackful chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stackless {
    /// The generator that yields.
    Leaf(Counter),
    /// A link that passes every resume down and every value up.
    Delegate(Box<Stackless>),
}

impl Stackless {
    /// Resumes the chain: down through every link to the leaf, and back up.
    ///
    /// # Errors
    ///
    /// [`Finished`] once the leaf has returned.
    pub fn resume(&mut self, input: u64) -> Result<GeneratorState<u64, u64>, Finished> {
        match self {
            Stackless::Leaf(counter) => counter.resume(input),
            Stackless::Delegate(below) => below.resume(input),
        }
    }

    /// How many links sit above the leaf.
    pub fn depth(&self) -> usize {
        match self {
            Stackless::Leaf(_) => 0,
            Stackless::Delegate(below) => 1 + below.depth(),
        }
    }
}
// ANCHOR_END: stackless

/// A [`Counter::new(limit)`](Counter::new) under `depth` forwarding links.
/// Depth 0 is the counter alone, as in chapter 3's chains.
pub fn stackless_chain(depth: usize, limit: u64) -> Stackless {
    let mut chain = Stackless::Leaf(Counter::new(limit));
    for _ in 0..depth {
        chain = Stackless::Delegate(Box::new(chain));
    }
    chain
}

// ANCHOR: yield_now
/// The future returned by [`yield_now`]: `Pending` on its first poll, `Ready`
/// on the second.
#[derive(Debug, Default)]
#[must_use = "a future does nothing until it is awaited or polled"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            Poll::Ready(())
        } else {
            self.yielded = true;
            // Ask to be polled again, as a real future does once the thing it
            // waits for has happened. Here nothing is awaited: the wake is at
            // once, and `yield_now().await` is one pause, nothing more.
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Pauses the `async fn` that awaits it once: Rust's `await asyncio.sleep(0)`.
pub fn yield_now() -> YieldNow {
    YieldNow::default()
}
// ANCHOR_END: yield_now

// ANCHOR: leaf
/// An `async fn` that pauses `values` times and returns `values`: one value
/// per pause, like chapter 3's leaf.
pub async fn leaf(values: u64) -> u64 {
    for _ in 0..values {
        yield_now().await;
    }
    values
}

/// [`leaf`] under `depth` `async fn`s that each await the next one.
///
/// An `async fn` cannot await itself directly (its future would contain
/// itself, with no end to its size), so each level is boxed: the depth is
/// chosen at run time.
pub fn nested(depth: usize, values: u64) -> Pin<Box<dyn Future<Output = u64>>> {
    if depth == 0 {
        Box::pin(leaf(values))
    } else {
        Box::pin(async move { nested(depth - 1, values).await })
    }
}
// ANCHOR_END: leaf

// `future` is read only by `by_hand.rs`, which the rebuild exercise's stub
// replaces.
#[cfg_attr(feature = "exercise-ch08", allow(dead_code))]
// ANCHOR: stepper
/// Drives a future one poll at a time, the way a [`Generator`] is resumed one
/// step at a time.
///
/// [`Generator`]: crate::ch02_coroutines::Generator
pub struct Stepper<F: Future> {
    future: Pin<Box<F>>,
    finished: bool,
}

impl<F: Future> Stepper<F> {
    /// Pins `future` on the heap, where it stays until it is dropped: once
    /// polled, a future may hold pointers into itself, so it must not move.
    pub fn new(future: F) -> Self {
        Stepper {
            future: Box::pin(future),
            finished: false,
        }
    }

    /// Whether the future has returned `Ready`.
    pub fn is_finished(&self) -> bool {
        self.finished
    }
}
// ANCHOR_END: stepper

impl<F: Future> fmt::Debug for Stepper<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stepper")
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

/// The waker [`block_on`] hands to the futures it drives: it counts the
/// wake-ups, so that `block_on` can tell whether a future that returned
/// `Pending` asked to be polled again.
#[derive(Debug, Default)]
#[cfg_attr(feature = "exercise-ch08", allow(dead_code))] // used by the rebuild exercise
struct WakeCount(AtomicU64);

impl WakeCount {
    #[cfg_attr(feature = "exercise-ch08", allow(dead_code))] // used by the rebuild exercise
    fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Wake for WakeCount {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

thread_local! {
    /// One wake counter per thread, made once, so that `block_on` itself
    /// allocates nothing. The count only grows: a nested `block_on` may add
    /// to it, which can only make the outer one poll again, never panic.
    static WAKES: Arc<WakeCount> = Arc::default();
}

// ANCHOR: memory
/// The process's memory figures at one moment, as the kernel reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// Address space reserved (`VmSize`): every mapping, touched or not.
    pub virtual_bytes: u64,
    /// Memory actually backed by RAM (`VmRSS`): the pages touched.
    pub resident_bytes: u64,
    /// How many separate mappings the process has (lines of
    /// `/proc/self/maps`). Linux caps it (`vm.max_map_count`, often 65,530),
    /// and every coroutine stack costs two: the stack and its guard page.
    pub mappings: u64,
}

impl Memory {
    /// Reads the figures from `/proc/self/status` and `/proc/self/maps`.
    ///
    /// # Errors
    ///
    /// An error naming the file when it cannot be read or parsed: on systems
    /// other than Linux, `/proc/self` does not exist.
    pub fn now() -> io::Result<Memory> {
        let status = read_proc("/proc/self/status")?;
        let maps = read_proc("/proc/self/maps")?;
        Memory::parse(&status, &maps)
    }

    /// How much each figure grew from `before` to `self`, per unit when the
    /// growth was caused by `units` things: the figure for one of them.
    /// Negative when a figure shrank. `units` of 0 counts as 1 (the whole
    /// growth), so the result is never a division by zero.
    pub fn growth_per_unit(&self, before: &Memory, units: u64) -> Growth {
        let per = |after: u64, before: u64| (after as f64 - before as f64) / units.max(1) as f64;
        Growth {
            virtual_bytes: per(self.virtual_bytes, before.virtual_bytes),
            resident_bytes: per(self.resident_bytes, before.resident_bytes),
            mappings: per(self.mappings, before.mappings),
        }
    }
}
// ANCHOR_END: memory

impl Memory {
    /// The figures in the text of a `/proc/<pid>/status` file (its `VmSize:`
    /// and `VmRSS:` lines, in kB) and of a `/proc/<pid>/maps` file (one line
    /// per mapping).
    ///
    /// ```
    /// use yieldpoint::ch08_cost_of_a_switch::Memory;
    ///
    /// let status = "Name:\tdemo\nVmSize:\t    3892 kB\nVmRSS:\t    2060 kB\n";
    /// let maps = "55d0-55d1 r--p 00000000 00:00 0 /bin/demo\n7ffd-7ffe rw-p 00000000 00:00 0 [stack]\n";
    /// let memory = Memory::parse(status, maps).unwrap();
    /// assert_eq!(memory.virtual_bytes, 3892 * 1024);
    /// assert_eq!(memory.resident_bytes, 2060 * 1024);
    /// assert_eq!(memory.mappings, 2);
    /// ```
    ///
    /// # Errors
    ///
    /// An [`io::ErrorKind::InvalidData`] error naming the line that is
    /// missing or unreadable.
    pub fn parse(status: &str, maps: &str) -> io::Result<Memory> {
        Ok(Memory {
            virtual_bytes: status_bytes(status, "VmSize:")?,
            resident_bytes: status_bytes(status, "VmRSS:")?,
            mappings: maps.lines().count() as u64,
        })
    }
}

/// Growth of each [`Memory`] figure per unit; see [`Memory::growth_per_unit`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Growth {
    /// Address space per unit, in bytes.
    pub virtual_bytes: f64,
    /// Resident memory per unit, in bytes.
    pub resident_bytes: f64,
    /// Mappings per unit.
    pub mappings: f64,
}

fn read_proc(path: &str) -> io::Result<String> {
    fs::read_to_string(path).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("could not read {path} ({e}); memory figures need Linux's /proc"),
        )
    })
}

/// The bytes on the line starting with `key` in a `/proc/<pid>/status` text,
/// which gives them in KiB (`VmRSS:\t    2060 kB`).
fn status_bytes(status: &str, key: &str) -> io::Result<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .and_then(|kib| kib.checked_mul(1024))
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "/proc/self/status has no readable {key} line \
                     (expected one like `{key}    2060 kB`)"
                ),
            )
        })
}
