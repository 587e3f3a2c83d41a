//! Resuming a task, and the ways it becomes ready again.
//!
//! This file owns the ready queue's entries ([`Ready`]), `step` (the one
//! place a task is resumed), every way a waiting task is woken (the end of
//! a task it joined, a [`Waker`]), and running callbacks, with the public
//! faces of those: [`waker`], [`park`], [`call_soon`], [`call_later`],
//! [`call_at`]. `iteration.rs` decides when each runs.
//!
//! ```text
//!   step(T):  take T's coroutine out of the table ── resume it ── put it back
//!               │                                                    │
//!               │ CURRENT = T, for `suspend` to find                 ├─ Yield(Turn): back of the queue
//!               ▼                                                    ├─ Yield(other): `file` it
//!             T runs until it suspends or returns                    └─ Return: `finish` it
//!
//!   wake-ups:  a joined task ends ──▶ wake_joiner ──▶ Step at the back of the queue
//!              waker.wake()      ──▶ wake        ──▶ Step at the back of the queue
//!              call_soon(f)      ──▶ Callback at the back of the queue
//! ```

use std::cell::{Cell, RefMut};
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::rc::{Rc, Weak};
use std::time::Duration;

use corosensei::CoroutineResult;

use super::clock::{Callback, CallbackHandle};
use super::current::{self, CURRENT, Current, CurrentGuard};
use super::error::SchedError;
use super::task::Body;
use super::trace::{Cause, EventKind};
use super::{Core, Resume, Shared, TaskId, Wait};

// ANCHOR: ready
/// An entry in the ready queue: something to do in this pass or the next.
pub(super) enum Ready {
    /// Resume the task in `slot`, if it still waits with `token`, telling
    /// it `why`.
    Step { slot: u32, token: u64, why: Resume },
    /// The task's timer fired: put its `Step` at the back of the queue. An
    /// extra hop, as in asyncio, where a timer only completes the sleep's
    /// future, and the task's wake-up is then queued behind whatever is
    /// ready.
    TimerFired { slot: u32, token: u64 },
    /// Call a callback: a done callback, or one given to `call_soon` (or to
    /// `call_later`, once its timer fired).
    Callback(Rc<Callback>),
}
// ANCHOR_END: ready

impl Shared {
    // ANCHOR: step
    /// Resumes the task in `slot` once, if it still waits with `token`, and
    /// files it where its answer says. `core` is the loop's borrow of the
    /// queue and the table, which it took to pop this step: `step` lets it
    /// go before the task runs, since the task may spawn, sleep or join.
    ///
    /// Inlined into `run_once`: left to itself the compiler keeps it out of
    /// line, which costs the switch about fifty instructions. The common
    /// case, a task that yielded and yields again, touches the table and the
    /// queue once each side of the resume.
    #[inline(always)]
    pub(super) fn step(&self, mut core: RefMut<'_, Core>, slot: u32, token: u64, why: Resume) {
        let (body, current, input, token, leftovers) = {
            let super::Core { tasks, timers, .. } = &mut *core;
            let Some((task, token)) = tasks.for_step(slot, token) else {
                return; // woken some other way since, or gone
            };
            let body = task.body.take().expect("for_step found it");
            task.waiting = None;
            let (input, leftovers) = if task.unusual() {
                task.prepare_unusual_step(why, timers)
            } else {
                (why, None)
            };
            let step = (body, task.current, input, token, leftovers);
            drop(core);
            step
        };
        // What the last wait left behind (an `on_cancel` it no longer
        // needs) is dropped with the table let go: its destructors may use
        // the scheduler.
        drop(leftovers);
        self.resumes.set(self.resumes.get() + 1);
        let mut coroutine = match body {
            Body::Stackful(coroutine) => coroutine,
            // Chapter 9: an async task is polled, not resumed.
            Body::Async(future) => return self.poll_async(slot, token, current, future, input),
        };

        // A panic in the body is caught inside the coroutine (see
        // `run_body`), so `resume` returns whatever the body does; the
        // guard puts `CURRENT` back even if something else unwinds.
        let guard = CurrentGuard::set(current);
        // The trace, and chapter 11's slow steps: one flag when neither is on.
        let watched = self.watched.get();
        let began = if watched {
            self.watch_begins(current)
        } else {
            None
        };
        let outcome = coroutine.resume(input);
        if watched {
            let wait = match &outcome {
                CoroutineResult::Yield(wait) => Some(*wait),
                CoroutineResult::Return(_) => None,
            };
            self.watch_ends(current, began, wait);
        }
        let context = CURRENT.with(Cell::get).context;
        drop(guard);

        match outcome {
            CoroutineResult::Yield(wait) => {
                let mut core = self.core.borrow_mut();
                let super::Core { tasks, ready, .. } = &mut *core;
                let task = tasks.running(slot);
                task.body = Some(Body::Stackful(coroutine));
                task.current.context = context;
                if wait == Wait::Turn && !task.unusual() {
                    // The hot path: a yield goes to the back of the queue.
                    ready.push_back(Ready::Step {
                        slot,
                        token,
                        why: Resume::Ready,
                    });
                } else {
                    drop(core);
                    self.file(slot, token, wait);
                }
            }
            CoroutineResult::Return(ending) => {
                self.finish(slot, Some(coroutine.into_stack()), ending);
            }
        }
    }
    // ANCHOR_END: step

    /// Puts a step of the task in `slot` at the back of the ready queue.
    #[inline]
    pub(super) fn push_step(&self, slot: u32, token: u64, why: Resume) {
        self.core
            .borrow_mut()
            .ready
            .push_back(Ready::Step { slot, token, why });
    }

    /// A task the one in `slot` joined has ended: wake it, if it still
    /// waits for that.
    pub(super) fn wake_joiner(&self, slot: u32, token: u64, ended: TaskId) {
        let id = {
            let mut core = self.core.borrow_mut();
            let tasks = &mut core.tasks;
            let Some(task) = tasks.by_token(slot, token) else {
                return;
            };
            if !matches!(task.waiting, Some(Wait::Task(target)) if target == ended) {
                return;
            }
            task.waiting = None;
            task.id
        };
        self.record(Some(id), || EventKind::Woken(Cause::Joined(ended)));
        self.push_step(slot, token, Resume::Ready);
    }

    // ANCHOR: wake
    /// A [`Waker`]'s call: makes the task in `slot` ready if it is parked
    /// with `token`. Returns whether the wake-up counted.
    pub(super) fn wake(&self, slot: u32, token: u64) -> bool {
        let id = {
            let mut core = self.core.borrow_mut();
            let tasks = &mut core.tasks;
            let Some(task) = tasks.by_token(slot, token) else {
                return false;
            };
            if task.body.is_none() {
                // It is running right now: its next park does not wait.
                task.notify();
                return true;
            }
            if !matches!(task.waiting, Some(Wait::Park(_))) {
                return false; // already woken, or waiting for something else
            }
            task.waiting = None;
            task.id
        };
        self.record(Some(id), || EventKind::Woken(Cause::Waker(current::task())));
        self.push_step(slot, token, Resume::Ready);
        true
    }
    // ANCHOR_END: wake

    /// Schedules `function` at the back of the ready queue: asyncio's
    /// `call_soon`.
    pub(super) fn call_soon(&self, function: Box<dyn FnOnce()>) -> Rc<Callback> {
        let callback = Callback::new(function);
        self.core
            .borrow_mut()
            .ready
            .push_back(Ready::Callback(Rc::clone(&callback)));
        callback
    }

    /// Runs a callback on the scheduler's stack, with `CURRENT` saying a
    /// callback runs (so it cannot suspend). A panic in it is kept, and
    /// continues out of `run_until_complete` once the pass is over.
    pub(super) fn run_callback(&self, callback: &Callback) {
        let Some(function) = callback.take() else {
            return; // cancelled
        };
        self.run_as_callback(function);
    }

    /// Calls `function` as a callback (see [`run_callback`](Self::run_callback)),
    /// returning what it returns, or `None` if it panicked.
    pub(super) fn run_as_callback<R>(&self, function: impl FnOnce() -> R) -> Option<R> {
        let _callback = CurrentGuard::set(Current::CALLBACK);
        match panic::catch_unwind(AssertUnwindSafe(function)) {
            Ok(value) => Some(value),
            Err(payload) => {
                self.keep_panic(payload);
                None
            }
        }
    }

    /// The name of task `id`, or `T<number>` once it is gone.
    pub(super) fn name_of(&self, id: TaskId) -> String {
        self.core.borrow().tasks.by_id(id).map_or_else(
            || id.to_string(),
            |task| task.cell.header().name.to_string(),
        )
    }
}

// ANCHOR: waker
/// A handle that makes a parked task ready again: Rust's own
/// [`std::task::Waker`] in miniature. Get one with [`waker`] before
/// [`park`]ing, and hand it to whoever will know when to wake you (a done
/// callback, another task).
///
/// A waker is good for one wait: once the task has been resumed, for any
/// reason, older wakers do nothing.
#[derive(Clone)]
pub struct Waker {
    task: TaskId,
    slot: u32,
    token: u64,
    scheduler: Weak<Shared>,
}

impl Waker {
    /// Makes the task ready, if it is still waiting for this wake-up: it
    /// goes to the back of the ready queue. Returns whether it was; calling
    /// it twice, or after the task has moved on, is harmless.
    pub fn wake(&self) -> bool {
        self.scheduler
            .upgrade()
            .is_some_and(|shared| shared.wake(self.slot, self.token))
    }

    /// The task this waker wakes.
    pub fn task(&self) -> TaskId {
        self.task
    }
}

impl fmt::Debug for Waker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Waker")
            .field("task", &self.task)
            .finish_non_exhaustive()
    }
}

/// A [`Waker`] for the running task's next [`park`].
///
/// # Errors
///
/// [`SchedError::NotInTask`] outside a task (and in a callback, which has
/// no task to wake).
pub fn waker() -> Result<Waker, SchedError> {
    let shared = current::running("waker")?;
    let task = current::task().ok_or(SchedError::NotInTask { operation: "waker" })?;
    let slot = task.slot();
    let token = shared.core.borrow().tasks.token(slot);
    Ok(Waker {
        task,
        slot,
        token,
        scheduler: Rc::downgrade(&shared),
    })
}

// ANCHOR: park
/// Suspends the running task until its [`Waker`] is called
/// ([`Resume::Ready`]) or, if a deadline is given, until the scheduler's
/// clock reaches it ([`Resume::TimedOut`]), whichever comes first. If the
/// waker was called already, since the task last resumed, `park` does not
/// wait for it: the task goes to the back of the ready queue, as
/// [`yield_now`](super::yield_now) does, and `park` returns
/// [`Resume::Ready`] at its next turn.
///
/// A [`std::task::Waker`] of the task (chapter 9's
/// [`task_waker`](super::task_waker)) ends any park too, as
/// `std::thread::park` may return with no `unpark` behind it: `Ready` says
/// that the task was woken, not that what it waits for has happened. Look
/// again, and park again (with a fresh [`Waker`]) if it has not.
///
/// # Errors
///
/// [`SchedError::Cancelled`] if the task is cancelled meanwhile; and those
/// of [`yield_now`](super::yield_now) when called from the wrong place.
#[track_caller]
pub fn park(deadline: Option<Duration>) -> Result<Resume, SchedError> {
    current::suspend("park", Wait::Park(deadline))
}

/// [`park`], with a say in what cancelling the task does while it is
/// parked: asyncio's "cancelling a task cancels the future it awaits".
///
/// While the task is parked here, cancelling it calls `on_cancel` instead
/// of waking it. `on_cancel` passes the cancellation on (chapter 7's
/// `gather` cancels the tasks it gathers) and returns whether it did; the
/// task then goes on waiting for its waker, which the end of that work will
/// call. If it returns `false` (nothing was left to cancel), the task is
/// handed the cancellation as usual. It is called again for every further
/// cancellation during the same wait (asyncio passes every `cancel()` on),
/// until it returns `false` once. `on_cancel` runs as a callback: it cannot
/// suspend.
///
/// # Errors
///
/// As [`park`].
#[track_caller]
pub fn park_with_cancel(
    deadline: Option<Duration>,
    on_cancel: impl FnMut() -> bool + 'static,
) -> Result<Resume, SchedError> {
    let shared = current::running("park")?;
    if let Some(task) = current::task()
        && let Some(entry) = shared.core.borrow_mut().tasks.by_id_mut(task)
    {
        entry.set_on_cancel(Box::new(on_cancel));
    }
    drop(shared);
    current::suspend("park", Wait::Park(deadline))
}
// ANCHOR_END: park
// ANCHOR_END: waker

/// Schedules `callback` to be called at the back of the ready queue, on the
/// scheduler's own stack: asyncio's `loop.call_soon`. It runs after every
/// entry already queued, in the next pass if this pass has begun.
///
/// # Errors
///
/// [`SchedError::NotInTask`] outside a running scheduler.
pub fn call_soon(callback: impl FnOnce() + 'static) -> Result<CallbackHandle, SchedError> {
    let shared = current::running("call_soon")?;
    let scheduled = shared.call_soon(Box::new(callback));
    Ok(CallbackHandle::new(scheduled, &shared))
}

/// Schedules `callback` to run once `delay` has passed on the scheduler's
/// clock: asyncio's `loop.call_later`. Timers with the same deadline run in
/// the order they were set. A zero delay still waits for the timers' turn
/// in the next pass (it is not `call_soon`).
///
/// # Errors
///
/// [`SchedError::NotInTask`] outside a running scheduler.
pub fn call_later(
    delay: Duration,
    callback: impl FnOnce() + 'static,
) -> Result<CallbackHandle, SchedError> {
    let shared = current::running("call_later")?;
    let when = shared.now().saturating_add(delay);
    Ok(schedule_at(&shared, when, Box::new(callback)))
}

/// Schedules `callback` to run when the scheduler's clock reaches `when`:
/// asyncio's `loop.call_at`.
///
/// # Errors
///
/// [`SchedError::NotInTask`] outside a running scheduler.
pub fn call_at(
    when: Duration,
    callback: impl FnOnce() + 'static,
) -> Result<CallbackHandle, SchedError> {
    let shared = current::running("call_at")?;
    Ok(schedule_at(&shared, when, Box::new(callback)))
}

fn schedule_at(shared: &Rc<Shared>, when: Duration, function: Box<dyn FnOnce()>) -> CallbackHandle {
    let callback = Callback::new(function);
    shared.set_callback_timer(&callback, when);
    CallbackHandle::new(callback, shared)
}
