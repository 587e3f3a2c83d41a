//! Which task is running: how code deep inside a task finds its scheduler,
//! and suspends.
//!
//! This file owns the two thread-locals and the crate's one way into a
//! task's yielder:
//!
//! - `RUNNING` names the scheduler running on this thread, set by
//!   `run_until_complete` (and by a drop's cleanup) for as long as it runs.
//! - `CURRENT` describes what runs right now: the task being stepped (its
//!   yielder and the addresses of its stack), or a callback, or nothing.
//!   Only `step` and the callback runner set it, through [`CurrentGuard`],
//!   which puts back what was there before on every way out, a panic
//!   included. So `CURRENT` never outlives the step it describes.
//! - [`suspend`] is how `sleep`, `join`, `park` and `yield_now` leave a task.
//!
//! ```text
//!   step(T3) ── CurrentGuard::set({ T3, yielder, stack 0x7f..000-0x7f..000 }) ──▶ resume T3
//!                                                                                 │
//!        T3's body ... helper() ... sleep(1s) ── suspend: on T3's stack? ─────────┘
//!                                                   yes: T3's yielder.suspend(Until(1s))
//!   step(T3) ◀── Yield(Until(1s)) ── guard dropped: CURRENT is what it was before
//! ```
//!
//! A callback (a done callback, `call_soon`, a cancellation hook) runs with
//! `CURRENT` saying so: it can spawn and cancel, but an operation that
//! would suspend says [`SchedError::InCallback`], since there is no task of
//! its own to suspend.

use std::cell::{Cell, RefCell};
use std::ptr;
use std::rc::{Rc, Weak};

use corosensei::Yielder;

use super::error::SchedError;
use super::{Resume, Shared, TaskId, Wait};

// ANCHOR: current
/// What runs on this thread right now, for [`suspend`] to find. One `Copy`
/// value in a `Cell`: the hot path reads and writes it whole, with no
/// borrow flags.
#[derive(Clone, Copy)]
pub(super) struct Current {
    /// The task being stepped, if any.
    pub(super) task: Option<TaskId>,
    /// That task's yielder: null until its body has published it.
    pub(super) yielder: *const Yielder<Resume, Wait>,
    /// The lowest address of that task's stack.
    pub(super) stack_low: usize,
    /// One past the highest address of that task's stack.
    pub(super) stack_high: usize,
    /// The task asked for its own cancellation during this step.
    pub(super) cancel_requested: bool,
    /// A callback runs, on the scheduler's own stack (`task` is `None`).
    pub(super) in_callback: bool,
    /// That task's name, for the stack overflow report (see `overflow`):
    /// it points into the task's shared half, which its table entry keeps
    /// alive until the task ends, after its last step.
    pub(super) name: *const str,
}
// ANCHOR_END: current

impl Current {
    /// Nothing of a scheduler's runs.
    pub(super) const NONE: Current = Current {
        task: None,
        yielder: ptr::null(),
        stack_low: 0,
        stack_high: 0,
        cancel_requested: false,
        in_callback: false,
        name: "",
    };

    /// A callback runs.
    pub(super) const CALLBACK: Current = Current {
        in_callback: true,
        ..Current::NONE
    };
}

thread_local! {
    /// What `suspend` needs to know about what runs now.
    pub(super) static CURRENT: Cell<Current> = const { Cell::new(Current::NONE) };
    /// The scheduler running on this thread: chapter 5's `RUNNING`.
    pub(super) static RUNNING: RefCell<Option<Weak<Shared>>> = const { RefCell::new(None) };
}

/// Sets `CURRENT` for the length of a step or a callback, and puts back
/// what was there before when dropped, on every way out.
pub(super) struct CurrentGuard {
    before: Current,
}

impl CurrentGuard {
    /// `CURRENT` is `now` until the guard is dropped.
    #[inline(always)]
    pub(super) fn set(now: Current) -> Self {
        CurrentGuard {
            before: CURRENT.with(|current| current.replace(now)),
        }
    }
}

impl Drop for CurrentGuard {
    #[inline(always)]
    fn drop(&mut self) {
        CURRENT.with(|current| current.set(self.before));
    }
}

/// Sets `RUNNING` (and clears `CURRENT`) while a scheduler runs or drops,
/// and puts back what was there before, on every way out.
pub(super) struct RunningGuard {
    running: Option<Weak<Shared>>,
    current: CurrentGuard,
}

impl RunningGuard {
    /// `shared` runs on this thread until the guard is dropped.
    pub(super) fn set(shared: &Rc<Shared>) -> Self {
        let running = RUNNING.with(|running| running.replace(Some(Rc::downgrade(shared))));
        RunningGuard {
            running,
            current: CurrentGuard::set(Current::NONE),
        }
    }
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        let before = self.running.take();
        RUNNING.with(|running| *running.borrow_mut() = before);
        // `self.current` puts CURRENT back as it is dropped.
        let _ = &self.current;
    }
}

/// Whether a scheduler is running on this thread.
pub(super) fn is_running() -> bool {
    RUNNING.with(|running| running.borrow().is_some())
}

/// The task being stepped, if any.
#[inline]
pub(super) fn task() -> Option<TaskId> {
    CURRENT.with(Cell::get).task
}

/// The scheduler running this code: a task of it, or a callback of it.
pub(super) fn running(operation: &'static str) -> Result<Rc<Shared>, SchedError> {
    let current = CURRENT.with(Cell::get);
    let shared = RUNNING.with(|running| running.borrow().as_ref().and_then(Weak::upgrade));
    match shared {
        Some(shared) if current.task.is_some() || current.in_callback => Ok(shared),
        _ => Err(SchedError::NotInTask { operation }),
    }
}

/// Called by a task's body on its first step: tells `suspend` where the
/// task's yielder is.
pub(super) fn publish_yielder(yielder: &Yielder<Resume, Wait>) {
    CURRENT.with(|current| {
        current.set(Current {
            yielder,
            ..current.get()
        })
    });
}

/// Whether a step of the task whose yielder is `yielder` is what runs now
/// (and not, say, the scheduler dropping that task by force).
pub(super) fn is_stepping(yielder: &Yielder<Resume, Wait>) -> bool {
    ptr::eq(CURRENT.with(Cell::get).yielder, yielder)
}

/// Whether the running task asked for its own cancellation in this step.
pub(super) fn cancel_requested() -> bool {
    CURRENT.with(Cell::get).cancel_requested
}

/// The running task asks for its own cancellation.
pub(super) fn request_own_cancel() {
    CURRENT.with(|current| {
        current.set(Current {
            cancel_requested: true,
            ..current.get()
        })
    });
}

// ANCHOR: suspend
/// Suspends the running task, telling the scheduler what it waits for, and
/// returns why it was resumed.
///
/// # Errors
///
/// [`SchedError::Cancelled`] if it was resumed by a cancellation;
/// [`SchedError::Unwinding`], [`SchedError::NotInTask`],
/// [`SchedError::InCallback`] or [`SchedError::NotOnTaskStack`] when called
/// from where no task can be suspended.
#[inline]
pub(super) fn suspend(operation: &'static str, wait: Wait) -> Result<Resume, SchedError> {
    if std::thread::panicking() {
        return Err(SchedError::Unwinding { operation });
    }
    let current = CURRENT.with(Cell::get);
    let Some(task) = current.task else {
        return Err(if current.in_callback {
            SchedError::InCallback { operation }
        } else {
            SchedError::NotInTask { operation }
        });
    };
    // A local lives on the stack this code runs on, so its address says
    // whose stack that is (`black_box` keeps it a real stack slot).
    let here = std::hint::black_box(ptr::addr_of!(wait)) as usize;
    let yielder = current.yielder;
    if yielder.is_null() || here < current.stack_low || here >= current.stack_high {
        return Err(not_on_task_stack(operation, task));
    }
    // SAFETY: `CURRENT` names a task only while `step` resumes that task:
    // `step` sets it through a `CurrentGuard`, which puts the previous value
    // back on every way out of the step, unwinding included, so it never
    // describes a task that is not in the middle of its step. `yielder` is
    // the `&Yielder` corosensei handed that task's body (published on its
    // first step); it lives at the top of the task's stack, and the
    // coroutine, held by `step` for the whole resume, cannot be dropped
    // meanwhile. The address check above proves this code runs on that very
    // stack, not on the stack of a coroutine nested inside the task (nor on
    // the scheduler's stack: callbacks run with no task in `CURRENT`), so
    // the coroutine that suspends is the one this yielder belongs to, as
    // corosensei requires.
    let yielder = unsafe { &*yielder };
    match yielder.suspend(wait) {
        Resume::Cancelled => Err(SchedError::Cancelled),
        why => Ok(why),
    }
}
// ANCHOR_END: suspend

/// The error for a suspension from the wrong stack, naming the task.
#[cold]
fn not_on_task_stack(operation: &'static str, task: TaskId) -> SchedError {
    let name = RUNNING
        .with(|running| running.borrow().as_ref().and_then(Weak::upgrade))
        .map_or_else(|| task.to_string(), |shared| shared.name_of(task));
    SchedError::NotOnTaskStack {
        operation,
        task: name,
    }
}
