//! Slow steps (chapter 11): asyncio's debug mode, which names every step of
//! a task that held the thread longer than a threshold, and a watchdog that
//! names one that holds it *now*.
//!
//! A task that blocks the thread (a synchronous sleep, a long computation,
//! a blocking system call) stalls every other task, and nothing in the
//! schedule says why: the other tasks are simply late. With
//! [`Scheduler::with_slow_steps`](super::Scheduler::with_slow_steps) on, the
//! scheduler times every step on the wall clock and reports each one longer
//! than the threshold when it returns, as asyncio does (its default is
//! 100 ms):
//!
//! ```text
//!   [scheduler] Executing <Task name='blocker' (T2) resumed from src/main.rs:14:9> took 0.305 seconds
//! ```
//!
//! "Resumed from" is where the task had last suspended: the line of the
//! program that called `sleep`, `join`, `gather`, a socket's `read` ...
//! (they are `#[track_caller]`, and `suspend` notes the caller's place).
//! The slow step is the code that ran from there to the next suspension.
//! A task's first step resumes from nowhere, and an async task's poll has
//! no line to name: their reports leave it out. (asyncio names the line
//! where the coroutine stands *after* the step instead.)
//!
//! The watchdog, a thread of its own, goes beyond asyncio: it looks at the
//! step in progress every half threshold and says so while it is still
//! running, which is what helps with a step that never returns.
//!
//! ```text
//!   step(T) ── starts: note (T, now) where the watchdog can read it ── resume ── ends: clear it
//!                                                                               took > threshold? report
//!   watchdog, every threshold / 2: a step noted, running for longer than the threshold? say so, once
//! ```
//!
//! Off, all of this costs the trace's check, one flag, `watched`, read
//! before a step and after it; and one store in `suspend`, of the place it
//! was called from, which is done whether anyone reads it or not.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use super::current::{self, Current};
use super::trace::EventKind;
use super::{Shared, TaskId};

/// A step that held the thread longer than the threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlowStep {
    /// The task.
    pub task: TaskId,
    /// Its name.
    pub name: String,
    /// How long the step took, on the wall clock.
    pub took: Duration,
    /// Where the step began: the line of the program at which the task had
    /// last suspended. `None` for a task's first step, and for an async
    /// task's poll (a poll has no caller's line to name).
    pub resumed_from: Option<&'static Location<'static>>,
}

impl std::fmt::Display for SlowStep {
    /// `Executing <Task name='blocker' (T2) resumed from src/main.rs:14:9>
    /// took 0.305 seconds`, asyncio's words for it, with this crate's
    /// task and place.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Executing <Task name='{}' ({})", self.name, self.task)?;
        if let Some(place) = self.resumed_from {
            write!(f, " resumed from {place}")?;
        }
        write!(f, "> took {:.3} seconds", self.took.as_secs_f64())
    }
}

/// What the watchdog thread reads: the step in progress, if any.
struct Watch {
    /// When the step began, in nanoseconds since `base`; 0 when no step
    /// runs.
    started: AtomicU64,
    /// The task's number, for the report.
    task: AtomicU64,
    /// Its name, and where the step resumed from.
    name: Mutex<(String, Option<&'static Location<'static>>)>,
    /// Whether this step has been reported already.
    reported: AtomicBool,
    /// Set when the scheduler is dropped: the watchdog ends.
    done: AtomicBool,
    /// Time zero for `started`.
    base: Instant,
}

// ANCHOR: debug
/// The scheduler's slow-step reporting, once it is on.
pub(super) struct Debug {
    /// Steps longer than this are reported.
    threshold: Duration,
    /// Every slow step so far.
    slow: RefCell<Vec<SlowStep>>,
    /// What the watchdog watches.
    watch: Arc<Watch>,
    /// Where each suspended stackful task suspended, noted as its step
    /// ends, read as its next one begins.
    suspended_at: RefCell<HashMap<TaskId, &'static Location<'static>>>,
    /// Where the step in progress resumed from.
    resumed_from: Cell<Option<&'static Location<'static>>>,
}
// ANCHOR_END: debug

impl Debug {
    /// Reporting for steps longer than `threshold`, with a watchdog thread.
    pub(super) fn new(threshold: Duration) -> Debug {
        let watch = Arc::new(Watch {
            started: AtomicU64::new(0),
            task: AtomicU64::new(0),
            name: Mutex::new((String::new(), None)),
            reported: AtomicBool::new(false),
            done: AtomicBool::new(false),
            base: Instant::now(),
        });
        let watched = Arc::clone(&watch);
        let period = (threshold / 2).max(Duration::from_millis(1));
        // If no thread can be had, steps are still reported when they end.
        let _ = thread::Builder::new()
            .name("slow-step watchdog".to_string())
            .spawn(move || watchdog(&watched, threshold, period));
        Debug {
            threshold,
            slow: RefCell::new(Vec::new()),
            watch,
            suspended_at: RefCell::new(HashMap::new()),
            resumed_from: Cell::new(None),
        }
    }
}

impl Drop for Debug {
    fn drop(&mut self) {
        self.watch.done.store(true, Ordering::Release);
    }
}

// ANCHOR: watchdog
/// The watchdog's loop: looks at the step in progress every `period`.
fn watchdog(watch: &Watch, threshold: Duration, period: Duration) {
    while !watch.done.load(Ordering::Acquire) {
        thread::sleep(period);
        let started = watch.started.load(Ordering::Acquire);
        if started == 0 || watch.reported.load(Ordering::Acquire) {
            continue;
        }
        let running = watch
            .base
            .elapsed()
            .saturating_sub(Duration::from_nanos(started));
        if running > threshold && !watch.reported.swap(true, Ordering::AcqRel) {
            let (name, resumed_from) = watch
                .name
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            let from =
                resumed_from.map_or_else(String::new, |place| format!(", resumed from {place},"));
            eprintln!(
                "[watchdog] task '{name}' (T{}){from} has been running for {:.3} seconds without \
                 yielding: a blocking call, or a long computation, holds the thread, and every \
                 other task waits",
                watch.task.load(Ordering::Acquire),
                running.as_secs_f64()
            );
        }
    }
}
// ANCHOR_END: watchdog

impl Shared {
    /// A step of the task `current` names begins, and something watches
    /// (the trace, or slow steps): records the resume, notes the step for
    /// the watchdog, and returns when it began (if slow steps are watched).
    #[cold]
    #[inline(never)]
    pub(super) fn watch_begins(&self, current: Current) -> Option<Instant> {
        self.record_step(current, || EventKind::Resumed);
        let debug = self.debug.get()?;
        // Whatever an earlier step left there is not this step's.
        current::take_suspension();
        self.note_step(debug, current)
    }

    /// The step `watch_begins` saw has ended, and the task yielded `wait`
    /// (`None`: it ended): records the suspension, and reports the step if
    /// it was slow.
    #[cold]
    #[inline(never)]
    pub(super) fn watch_ends(
        &self,
        current: Current,
        began: Option<Instant>,
        wait: Option<super::Wait>,
    ) {
        if let Some(began) = began {
            self.check_step(current, began);
            self.note_suspension(current, wait.is_some());
        }
        if let Some(wait) = wait {
            self.record_step(current, || EventKind::Suspended(wait));
        }
    }

    /// Notes the step for the watchdog, and where it resumed from; when it
    /// began.
    fn note_step(&self, debug: &Debug, current: Current) -> Option<Instant> {
        let id = current.task()?;
        let name = self.name_of(id);
        let resumed_from = debug.suspended_at.borrow().get(&id).copied();
        debug.resumed_from.set(resumed_from);
        let watch = &debug.watch;
        *watch.name.lock().unwrap_or_else(PoisonError::into_inner) = (name, resumed_from);
        watch.task.store(id.number(), Ordering::Release);
        watch.reported.store(false, Ordering::Release);
        let now = Instant::now();
        let since = now.saturating_duration_since(watch.base).as_nanos();
        watch.started.store(
            u64::try_from(since).unwrap_or(u64::MAX).max(1),
            Ordering::Release,
        );
        Some(now)
    }

    // ANCHOR: check_step
    /// Reports the step that began at `began`, if it was slow.
    fn check_step(&self, current: Current, began: Instant) {
        let Some(debug) = self.debug.get() else {
            return;
        };
        debug.watch.started.store(0, Ordering::Release);
        let took = began.elapsed();
        let Some(id) = current.task() else {
            return;
        };
        // asyncio reports `dt >= slow_callback_duration`: a step that took
        // the threshold exactly is slow too.
        if took < debug.threshold {
            return;
        }
        let slow = SlowStep {
            task: id,
            name: self.name_of(id),
            took,
            resumed_from: debug.resumed_from.get(),
        };
        eprintln!("[scheduler] {slow}");
        self.record(Some(id), || EventKind::Slow { took });
        debug.slow.borrow_mut().push(slow);
    }
    // ANCHOR_END: check_step

    /// After a step of the task `current` names: where it suspended, for
    /// its next step's report, or nothing if it ended (`suspended` is
    /// false) or was an async task's poll (no place was noted).
    fn note_suspension(&self, current: Current, suspended: bool) {
        let (Some(debug), Some(id)) = (self.debug.get(), current.task()) else {
            return;
        };
        let mut places = debug.suspended_at.borrow_mut();
        match current::take_suspension().filter(|_| suspended) {
            Some(place) => places.insert(id, place),
            None => places.remove(&id),
        };
    }

    /// Every slow step so far (empty unless slow steps are watched).
    pub(super) fn slow_steps(&self) -> Vec<SlowStep> {
        self.debug
            .get()
            .map(|debug| debug.slow.borrow().clone())
            .unwrap_or_default()
    }
}
