//! Which task is running: how code deep inside a task finds its scheduler,
//! and suspends.
//!
//! This file owns the two thread-locals and the crate's one way into a
//! task's yielder:
//!
//! - `RUNNING` names the scheduler running on this thread, set by
//!   `run_until_complete` (and by a drop's cleanup) for as long as it runs.
//! - `CURRENT` describes what runs right now: the task being stepped (and
//!   its [`TaskContext`], on its own stack: its yielder, the addresses of
//!   its stack), or a callback, or nothing.
//!   Only `step` and the callback runner set it, through [`CurrentGuard`],
//!   which puts back what was there before on every way out, a panic
//!   included. So `CURRENT` never outlives the step it describes.
//! - [`suspend`] is how `sleep`, `join`, `park` and `yield_now` leave a task.
//!
//! ```text
//!   step(T3) ── CurrentGuard::set({ T3, its context }) ──▶ resume T3
//!                                                              │
//!        T3's body ... helper() ... sleep(1s) ── suspend: on T3's stack? (the context says
//!                                                 where it lies) yes: through the yielder
//!                                                 in the context, suspend(Until(1s))
//!   step(T3) ◀── Yield(Until(1s)) ── guard dropped: CURRENT is what it was before
//! ```
//!
//! A callback (a done callback, `call_soon`, a cancellation hook) runs with
//! `CURRENT` saying so: it can spawn and cancel, but an operation that
//! would suspend says [`SchedError::InCallback`], since there is no task of
//! its own to suspend.

use std::cell::{Cell, RefCell};
use std::panic::Location;
use std::ptr;
use std::rc::{Rc, Weak};

use corosensei::Yielder;

use super::error::SchedError;
use super::{Resume, Shared, TaskId, Wait};

// ANCHOR: current
/// What a task's body keeps at the bottom of its own stack for [`suspend`]
/// to find: it is made on the task's first step and lives as long as the
/// body runs, so a pointer to it stays good for every step of the task.
pub(super) struct TaskContext {
    /// The task's yielder, which corosensei keeps at the top of the stack.
    yielder: *const Yielder<Resume, Wait>,
    /// The lowest address of the task's stack (its guard page).
    pub(super) stack_low: usize,
    /// One past the highest address of the task's stack.
    pub(super) stack_high: usize,
    /// The task's name, for the stack overflow report (see `overflow`): it
    /// points into the task's shared half, which the table keeps alive
    /// until the task ends, after its last step.
    pub(super) name: *const str,
}

/// What runs on this thread right now. One small `Copy` value in a `Cell`
/// (three words): a step writes it whole on the way in and puts the old one
/// back on the way out.
#[derive(Clone, Copy)]
pub(super) struct Current {
    /// The context of the task being stepped, on its stack: null when no
    /// task is, and until a task's body has made its context, at the start
    /// of its first step.
    pub(super) context: *const TaskContext,
    /// The spawn number of the task being stepped (when `runs` says a task).
    number: u64,
    /// Its slot.
    slot: u32,
    /// What runs: a task, a callback, or nothing of a scheduler's. (Four
    /// bytes, so that the value has no padding and copies in two moves.)
    runs: Runs,
}
// ANCHOR_END: current

/// What kind of code runs on this thread right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
enum Runs {
    /// Nothing of a scheduler's: outside any run, or the scheduler's own
    /// bookkeeping.
    Nothing,
    /// A step of a (stackful) task.
    Task,
    /// A poll of an async task (chapter 9), on the scheduler's own stack.
    AsyncTask,
    /// A callback, on the scheduler's own stack.
    Callback,
}

impl Current {
    /// Nothing of a scheduler's runs.
    pub(super) const NONE: Current = Current {
        context: ptr::null(),
        number: 0,
        slot: 0,
        runs: Runs::Nothing,
    };

    /// A callback runs.
    pub(super) const CALLBACK: Current = Current {
        runs: Runs::Callback,
        ..Current::NONE
    };

    /// What runs during the steps of task `id`, whose context (if its body
    /// has started) is `context`.
    pub(super) fn of_task(id: TaskId, context: *const TaskContext) -> Current {
        Current {
            context,
            number: id.number(),
            slot: id.slot(),
            runs: Runs::Task,
        }
    }

    /// What runs during the polls of the async task `id` (chapter 9): a
    /// task with no context, since it has no stack of its own.
    pub(super) fn of_async_task(id: TaskId) -> Current {
        Current {
            runs: Runs::AsyncTask,
            ..Current::of_task(id, ptr::null())
        }
    }

    /// The task being stepped or polled, if any.
    #[inline]
    pub(super) fn task(self) -> Option<TaskId> {
        matches!(self.runs, Runs::Task | Runs::AsyncTask)
            .then(|| TaskId::new(self.number, self.slot))
    }

    /// Whether a callback runs.
    fn in_callback(self) -> bool {
        self.runs == Runs::Callback
    }
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

/// The scheduler running on this thread, if any, whatever runs in it now.
pub(super) fn running_scheduler() -> Option<Rc<Shared>> {
    RUNNING
        .try_with(|running| running.try_borrow().ok()?.as_ref()?.upgrade())
        .ok()
        .flatten()
}

/// Whether a scheduler is running on this thread.
pub(super) fn is_running() -> bool {
    RUNNING.with(|running| running.borrow().is_some())
}

/// The task being stepped, if any.
#[inline]
pub(super) fn task() -> Option<TaskId> {
    CURRENT.with(Cell::get).task()
}

/// Whether the code running now is a poll of an async task (chapter 9),
/// which has no stack of its own to suspend: what chapter 10's stackful
/// socket operations ask before they start.
pub(super) fn in_async_task() -> bool {
    CURRENT.with(Cell::get).runs == Runs::AsyncTask
}

/// The scheduler running this code: a task of it, or a callback of it.
pub(super) fn running(operation: &'static str) -> Result<Rc<Shared>, SchedError> {
    let current = CURRENT.with(Cell::get);
    let shared = RUNNING.with(|running| running.borrow().as_ref().and_then(Weak::upgrade));
    match shared {
        Some(shared) if current.runs != Runs::Nothing => Ok(shared),
        _ => Err(SchedError::NotInTask { operation }),
    }
}

/// Whether the code running now is a task (not a callback) of the
/// scheduler `shared` points to, without touching its reference counts:
/// `Ok(true)` yes, `Ok(false)` a task of another scheduler.
///
/// # Errors
///
/// [`SchedError::NotInTask`] outside a task and [`SchedError::InCallback`]
/// in a callback, naming `operation`.
pub(super) fn in_task_of(
    shared: *const Shared,
    operation: &'static str,
) -> Result<bool, SchedError> {
    let current = CURRENT.with(Cell::get);
    if current.task().is_none() {
        return Err(no_task(operation, current.in_callback()));
    }
    Ok(RUNNING.with(|running| {
        running
            .borrow()
            .as_ref()
            .is_some_and(|running| ptr::eq(running.as_ptr(), shared))
    }))
}

/// Called by a task's body at the start of its first step: makes the
/// context `suspend` needs, on the task's own stack, and runs `body` with
/// it published. `stack` is the task's stack, `name` its name.
pub(super) fn with_context<R>(
    yielder: &Yielder<Resume, Wait>,
    stack: (usize, usize),
    name: *const str,
    body: impl FnOnce(&TaskContext) -> R,
) -> R {
    let context = TaskContext {
        yielder,
        stack_low: stack.0,
        stack_high: stack.1,
        name,
    };
    /// Takes the context out of `CURRENT` when the body is over (also by
    /// an unwind), so that nothing can name it once it is gone.
    struct Withdraw<'a>(&'a TaskContext);
    impl Drop for Withdraw<'_> {
        fn drop(&mut self) {
            CURRENT.with(|current| {
                let now = current.get();
                if ptr::eq(now.context, self.0) {
                    current.set(Current {
                        context: ptr::null(),
                        ..now
                    });
                }
            });
        }
    }
    CURRENT.with(|current| {
        current.set(Current {
            context: &context,
            ..current.get()
        })
    });
    let _withdraw = Withdraw(&context);
    body(&context)
}

/// Calls `report` with the running task's stack (its lowest address, one
/// past its highest) and name, if a task of a chapter 6 scheduler runs on
/// this thread: what the stack overflow report (`crate::overflow`) needs.
///
/// Called from a signal handler, so it only reads: `CURRENT` is a `Copy`
/// value in a constant-initialised thread-local, and `try_with` refuses a
/// thread whose locals are being torn down rather than panicking.
pub(crate) fn with_running_task_stack(report: impl FnOnce(usize, usize, &[u8])) {
    let Ok(current) = CURRENT.try_with(Cell::get) else {
        return;
    };
    if current.runs != Runs::Task || current.context.is_null() {
        return;
    }
    // SAFETY: a task's context is in `CURRENT` only while that task is being
    // stepped and its body has not returned (the body withdraws it as it
    // ends, see `with_context`): it sits in the task's bottom frame, far
    // from the guard page at the other end of the stack, so it is intact
    // whatever fault brought us here. Its name points into the task's shared
    // half, which the table keeps alive until the task ends, after its last
    // step.
    let (context, name) = unsafe {
        let context = &*current.context;
        (context, (*context.name).as_bytes())
    };
    report(context.stack_low, context.stack_high, name);
}

/// Whether a step of the task whose context is `context` is what runs now
/// (and not, say, the scheduler dropping that task by force).
pub(super) fn is_stepping(context: &TaskContext) -> bool {
    ptr::eq(CURRENT.with(Cell::get).context, context)
}

thread_local! {
    /// Where the last task to suspend on this thread did so: the line of
    /// the program that called `sleep`, `join`, `read` ... (see
    /// [`suspend`]). Written at every suspension, one store of a constant
    /// the caller passes; read only by chapter 11's slow steps, which take
    /// it after each step, so that the next step of that task can be said
    /// to resume from there.
    static SUSPENDED_AT: Cell<Option<&'static Location<'static>>> = const { Cell::new(None) };
}

/// Takes where the last suspension on this thread happened, leaving
/// nothing: taken before a step and after it, it says where that step
/// suspended (`None`: it did not, it ended or was an async task's poll).
pub(super) fn take_suspension() -> Option<&'static Location<'static>> {
    SUSPENDED_AT.with(Cell::take)
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
///
/// `#[track_caller]`, as are the public functions that suspend (`sleep`,
/// `join`, `gather`, a socket's `read` ...): the place it notes in
/// `SUSPENDED_AT` is the line of the program that called the first of them.
#[inline(always)]
#[track_caller]
pub(super) fn suspend(operation: &'static str, wait: Wait) -> Result<Resume, SchedError> {
    if std::thread::panicking() {
        return Err(unwinding(operation));
    }
    let current = CURRENT.with(Cell::get);
    if current.context.is_null() {
        return Err(no_context(operation, current));
    }
    // SAFETY: `CURRENT` names a task, with its context, only while `step`
    // resumes that task: `step` sets it through a `CurrentGuard`, which
    // puts the previous value back on every way out of the step, unwinding
    // included. The context is a local of the task's `run_body`, at the
    // bottom of the task's stack, published by it at the start of its first
    // step; it lives until the body returns, after the task's last step, so
    // it is alive for the whole of this step.
    let context = unsafe { &*current.context };
    // A local lives on the stack this code runs on, so its address says
    // whose stack that is (`black_box` keeps it a real stack slot).
    let marker = 0u8;
    let here = std::hint::black_box(ptr::addr_of!(marker)) as usize;
    if here < context.stack_low || here >= context.stack_high {
        return Err(not_on_task_stack(operation, current));
    }
    // SAFETY: `context.yielder` is the `&Yielder` corosensei handed this
    // task's body; it lives at the top of the task's stack until the
    // coroutine is dropped, which cannot happen while the task runs (`step`
    // holds the coroutine for the whole resume). The address check above
    // proves this code runs on that very stack, not on the stack of a
    // coroutine nested inside the task (nor on the scheduler's stack:
    // callbacks run with no task in `CURRENT`), so the coroutine that
    // suspends is the one this yielder belongs to, as corosensei requires.
    let yielder = unsafe { &*context.yielder };
    let place = Location::caller(); // outside the closure: that has no caller's place
    SUSPENDED_AT.with(|at| at.set(Some(place)));
    match yielder.suspend(wait) {
        Resume::Cancelled => Err(SchedError::Cancelled),
        why => Ok(why),
    }
}
// ANCHOR_END: suspend

/// The error for a suspension while the thread unwinds.
#[cold]
fn unwinding(operation: &'static str) -> SchedError {
    SchedError::Unwinding { operation }
}

/// The error for a suspension where no task's context is published: no
/// task runs (or a task's body has not begun, which no code can observe).
#[cold]
fn no_context(operation: &'static str, current: Current) -> SchedError {
    match current.runs {
        Runs::Task => not_on_task_stack(operation, current),
        Runs::AsyncTask => SchedError::InAsyncTask { operation },
        Runs::Callback | Runs::Nothing => no_task(operation, current.in_callback()),
    }
}

/// The error for a suspension where no task runs.
#[cold]
fn no_task(operation: &'static str, in_callback: bool) -> SchedError {
    if in_callback {
        SchedError::InCallback { operation }
    } else {
        SchedError::NotInTask { operation }
    }
}

/// The error for a suspension from the wrong stack, naming the task.
#[cold]
fn not_on_task_stack(operation: &'static str, current: Current) -> SchedError {
    let task = current.task().expect("a task runs");
    let name = RUNNING
        .with(|running| running.borrow().as_ref().and_then(Weak::upgrade))
        .map_or_else(|| task.to_string(), |shared| shared.name_of(task));
    SchedError::NotOnTaskStack {
        operation,
        task: name,
    }
}
