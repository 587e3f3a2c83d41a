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
//!   [scheduler] Executing <Task name='blocker' (T2)> took 0.305 seconds
//! ```
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
//! Off, all of this costs nothing more than the trace's check: one flag,
//! `watched`, read before a step and after it.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use super::current::Current;
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
}

impl std::fmt::Display for SlowStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Executing <Task name='{}' ({})> took {:.3} seconds",
            self.name,
            self.task,
            self.took.as_secs_f64()
        )
    }
}

/// What the watchdog thread reads: the step in progress, if any.
struct Watch {
    /// When the step began, in nanoseconds since `base`; 0 when no step
    /// runs.
    started: AtomicU64,
    /// The task's number, for the report.
    task: AtomicU64,
    /// Its name.
    name: Mutex<String>,
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
}
// ANCHOR_END: debug

impl Debug {
    /// Reporting for steps longer than `threshold`, with a watchdog thread.
    pub(super) fn new(threshold: Duration) -> Debug {
        let watch = Arc::new(Watch {
            started: AtomicU64::new(0),
            task: AtomicU64::new(0),
            name: Mutex::new(String::new()),
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
            let name = watch
                .name
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            eprintln!(
                "[watchdog] task '{name}' (T{}) has been running for {:.3} seconds without \
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
        }
        if let Some(wait) = wait {
            self.record_step(current, || EventKind::Suspended(wait));
        }
    }

    /// Notes the step for the watchdog; when it began.
    fn note_step(&self, debug: &Debug, current: Current) -> Option<Instant> {
        let id = current.task()?;
        let name = self.name_of(id);
        let watch = &debug.watch;
        *watch.name.lock().unwrap_or_else(PoisonError::into_inner) = name;
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
        };
        eprintln!("[scheduler] {slow}");
        self.record(Some(id), || EventKind::Slow { took });
        debug.slow.borrow_mut().push(slow);
    }
    // ANCHOR_END: check_step

    /// Every slow step so far (empty unless slow steps are watched).
    pub(super) fn slow_steps(&self) -> Vec<SlowStep> {
        self.debug
            .get()
            .map(|debug| debug.slow.borrow().clone())
            .unwrap_or_default()
    }
}
