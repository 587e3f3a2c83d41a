//! The clock and the timer heap: when things happen.
//!
//! This file owns the scheduler's idea of time ([`Clock`], `Shared::now`),
//! the heap of timers, and waiting for the earliest one
//! (`Shared::idle_until`). It touches the task table only to ask whether a
//! task's timer is still wanted.
//!
//! A timer either wakes a task (its `sleep` or `park` deadline) or runs a
//! callback (`call_later`, `call_at`). Timers leave the heap in deadline
//! order, and equal deadlines in the order they were set:
//!
//! ```text
//!   heap (earliest on top):  (0.5 s, #3 wake T2)  (1.0 s, #1 wake T4)  (1.0 s, #7 call f)
//!                                    │
//!   run_once, at 0.5 s: every timer due now leaves the heap, in order,
//!   for the back of the ready queue
//! ```
//!
//! A timer can stop being wanted before it fires: the task it would wake
//! was woken some other way (cancelled, or its waker called), or the
//! callback's handle was cancelled. Like asyncio, the heap does not look for
//! such a timer to take it out: it counts it, drops stale timers when they
//! reach the top, and, when more than half of a heap of over 100 timers are
//! stale, rebuilds the heap without them (asyncio's
//! `_MIN_CANCELLED_TIMER_HANDLES_FRACTION` and
//! `_MIN_SCHEDULED_TIMER_HANDLES`). So a program that keeps setting timeouts
//! that are never reached, `wait_for(&quick, one_hour)` in a loop, keeps a
//! heap of bounded size.

use std::cell::{Cell, RefCell};
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::fmt;
use std::rc::Rc;
use std::time::Duration;

use super::trace::EventKind;
use super::{Ready, Shared};

/// How the scheduler tells the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Clock {
    /// The wall clock. When nothing is ready, the thread sleeps until the
    /// earliest timer.
    Real,
    /// A virtual clock that stands still while tasks run and, when nothing is
    /// ready, jumps straight to the earliest timer. A program that sleeps for
    /// an hour finishes at once, and every run is the same.
    Virtual,
}

/// When a heap of more than this many timers is more than half stale, it is
/// rebuilt without the stale ones (asyncio's `_MIN_SCHEDULED_TIMER_HANDLES`).
pub(super) const MIN_TIMERS_TO_COMPACT: usize = 100;

// ANCHOR: timer
/// A timer in the heap: ordered by deadline, then by the order timers were
/// set, so equal deadlines fire first-set, first-fired.
struct Timer {
    /// When it fires, on the scheduler's clock.
    deadline: Duration,
    /// How many timers were set before this one: the tie-breaker.
    seq: u64,
    /// What it does when it fires.
    action: TimerAction,
}

/// What a timer does when it fires.
enum TimerAction {
    /// Wakes the task in this slot, if it still waits with this token.
    Wake { slot: u32, token: u64 },
    /// Runs this callback, unless its handle was cancelled.
    Call(Rc<Callback>),
}
// ANCHOR_END: timer

impl PartialEq for Timer {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Timer {}

impl PartialOrd for Timer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timer {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.deadline, self.seq).cmp(&(other.deadline, other.seq))
    }
}

/// The heap of timers, and how many of them are stale.
#[derive(Default)]
pub(super) struct Timers {
    /// Earliest deadline on top.
    heap: BinaryHeap<Reverse<Timer>>,
    /// The `seq` of the next timer.
    next_seq: u64,
    /// How many timers in the heap are no longer wanted: asyncio's
    /// `_timer_cancelled_count`. Counted when a task leaves a timed wait
    /// some other way, or a callback's handle is cancelled.
    stale: usize,
}

impl Timers {
    /// How many timers the heap holds, stale ones included.
    pub(super) fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether the heap holds no timer at all.
    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// One more timer is no longer wanted.
    pub(super) fn one_more_stale(&mut self) {
        self.stale += 1;
    }

    fn push(&mut self, deadline: Duration, action: TimerAction) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Reverse(Timer {
            deadline,
            seq,
            action,
        }));
    }
}

impl fmt::Debug for Timers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timers")
            .field("len", &self.heap.len())
            .field("stale", &self.stale)
            .finish()
    }
}

/// A callback waiting in the ready queue or the timer heap: what
/// `call_soon`, `call_later` and done callbacks schedule.
pub(super) struct Callback {
    /// The function, until it runs or is cancelled.
    function: RefCell<Option<Box<dyn FnOnce()>>>,
    /// Whether it sits in the timer heap (for the stale count).
    timed: Cell<bool>,
}

impl Callback {
    /// A callback that will call `function`.
    pub(super) fn new(function: Box<dyn FnOnce()>) -> Rc<Self> {
        Rc::new(Callback {
            function: RefCell::new(Some(function)),
            timed: Cell::new(false),
        })
    }

    /// Takes the function out to run it; `None` if it was cancelled or ran.
    pub(super) fn take(&self) -> Option<Box<dyn FnOnce()>> {
        self.function.borrow_mut().take()
    }
}

// ANCHOR: callback_handle
/// A handle to a callback scheduled with [`call_soon`](super::call_soon),
/// [`call_later`](super::call_later) or [`call_at`](super::call_at):
/// asyncio's `Handle` and `TimerHandle`.
pub struct CallbackHandle {
    callback: Rc<Callback>,
    scheduler: std::rc::Weak<Shared>,
}
// ANCHOR_END: callback_handle

impl CallbackHandle {
    pub(super) fn new(callback: Rc<Callback>, scheduler: &Rc<Shared>) -> Self {
        CallbackHandle {
            callback,
            scheduler: Rc::downgrade(scheduler),
        }
    }

    /// Cancels the callback if it has not run yet; it then never runs, and
    /// what it captured is dropped now. Returns whether it was still
    /// waiting. Cancelling twice, or after it ran, is harmless.
    pub fn cancel(&self) -> bool {
        let function = self.callback.take();
        let was_waiting = function.is_some();
        drop(function);
        if was_waiting
            && self.callback.timed.get()
            && let Some(shared) = self.scheduler.upgrade()
        {
            shared.core.borrow_mut().timers.one_more_stale();
        }
        was_waiting
    }

    /// Whether the callback is still to run (not run, not cancelled).
    pub fn is_pending(&self) -> bool {
        self.callback.function.borrow().is_some()
    }
}

impl fmt::Debug for CallbackHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackHandle")
            .field("pending", &self.is_pending())
            .finish()
    }
}

impl Timers {
    /// Puts a timer for the task in `slot` (waiting with `token`) in the heap.
    pub(super) fn set_wake(&mut self, slot: u32, token: u64, deadline: Duration) {
        self.push(deadline, TimerAction::Wake { slot, token });
    }
}

impl Shared {
    /// The time on the scheduler's clock: see [`Scheduler::now`](super::Scheduler::now).
    #[inline]
    pub(super) fn now(&self) -> Duration {
        match self.clock {
            Clock::Real => self.created.elapsed(),
            Clock::Virtual => self.virtual_now.get(),
        }
    }

    /// Puts a timer for `callback` in the heap.
    pub(super) fn set_callback_timer(&self, callback: &Rc<Callback>, deadline: Duration) {
        callback.timed.set(true);
        self.core
            .borrow_mut()
            .timers
            .push(deadline, TimerAction::Call(Rc::clone(callback)));
    }
}

impl super::Core {
    // ANCHOR: compact
    /// asyncio's housekeeping at the start of `_run_once`: if more than half
    /// of a large heap is stale, rebuild it without the stale timers. (Stale
    /// timers on top are dropped when the loop looks for the earliest one.)
    #[inline]
    pub(super) fn tidy_timers(&mut self) {
        let len = self.timers.heap.len();
        if len > MIN_TIMERS_TO_COMPACT && self.timers.stale * 2 > len {
            let tasks = &mut self.tasks;
            let heap = std::mem::take(&mut self.timers.heap);
            self.timers.heap = heap
                .into_iter()
                .filter(|Reverse(timer)| timer.wanted(tasks))
                .collect();
            self.timers.stale = 0;
        }
    }
    // ANCHOR_END: compact

    /// The deadline of the earliest timer still wanted. Stale timers on top
    /// of the heap are dropped on the way, so that an idle wait never waits
    /// for a timer nobody wants any more.
    pub(super) fn earliest_deadline(&mut self) -> Option<Duration> {
        let super::Core { timers, tasks, .. } = self;
        loop {
            let Reverse(top) = timers.heap.peek()?;
            if top.wanted(tasks) {
                return Some(top.deadline);
            }
            timers.heap.pop();
            timers.stale = timers.stale.saturating_sub(1);
        }
    }

    /// Moves every timer due at `now` to the back of the ready queue, in
    /// (deadline, order set) order. A task's timer goes as a
    /// [`Ready::TimerFired`] hop, as in asyncio, where a timer only
    /// completes the sleep's future and the task's wake-up is then queued
    /// behind whatever is ready.
    pub(super) fn fire_due_timers(&mut self, now: Duration) {
        let super::Core {
            timers,
            tasks,
            ready,
        } = self;
        while let Some(Reverse(timer)) = timers.heap.peek() {
            if timer.deadline > now {
                break;
            }
            let Some(Reverse(timer)) = timers.heap.pop() else {
                break;
            };
            match timer.action {
                TimerAction::Wake { slot, token } => match tasks.by_token(slot, token) {
                    Some(task) => {
                        task.set_timer_pending(false);
                        ready.push_back(Ready::TimerFired { slot, token });
                    }
                    // Stale: it was counted when it stopped being wanted.
                    None => timers.stale = timers.stale.saturating_sub(1),
                },
                TimerAction::Call(callback) => {
                    if callback.function.borrow().is_some() {
                        callback.timed.set(false);
                        ready.push_back(Ready::Callback(callback));
                    } else {
                        timers.stale = timers.stale.saturating_sub(1);
                    }
                }
            }
        }
    }
}

impl Shared {
    // ANCHOR: idle_until
    /// Waits for `deadline`: the thread sleeps (real clock), or the clock
    /// jumps (virtual clock).
    pub(super) fn idle_until(&self, deadline: Duration) {
        let now = self.now();
        if deadline <= now {
            return;
        }
        self.record(None, || EventKind::Idle { until: deadline });
        match self.clock {
            // The thread sleeps, but a wake from another thread (chapter 9)
            // ends the wait early.
            Clock::Real => self.park_until(deadline),
            Clock::Virtual => {
                // Time does not jump past a wake another thread promised.
                self.wait_before_jumping();
                if !self.inbox.has_wakes() {
                    self.virtual_now.set(deadline);
                }
            }
        }
    }
    // ANCHOR_END: idle_until
}

impl Timer {
    /// Whether the timer is still wanted: the task it wakes still waits with
    /// its token, or the callback has not been cancelled.
    fn wanted(&self, tasks: &mut super::task::Tasks) -> bool {
        match &self.action {
            TimerAction::Wake { slot, token } => tasks.by_token(*slot, *token).is_some(),
            TimerAction::Call(callback) => callback.function.borrow().is_some(),
        }
    }
}
