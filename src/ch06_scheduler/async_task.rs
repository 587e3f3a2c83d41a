//! Async tasks (chapter 9): a future as a task of this scheduler, beside the
//! stackful ones, with no stack of its own.
//!
//! This file owns what a task needs when its body is a future instead of a
//! coroutine: spawning it ([`spawn_async`]), polling it (`poll_async`, which
//! `step` hands an async task to), the [`std::task::Waker`] it is polled
//! with, the inbox where wakes from other threads wait for the scheduler
//! ([`ExpectedWake`] says one is coming), and `JoinHandle` as a future
//! ([`JoinFuture`]), so that an async task can `.await` any task.
//!
//! ```text
//!   spawn_async(name, future) ──▶ a task whose body is Body::Async: no stack
//!
//!   step(T): its body is a future ──▶ poll_async: poll it once, with T's waker
//!               │ Ready(ending) ──▶ finish, as a stackful task's return
//!               │ Pending       ──▶ parked: nowhere, until its waker is called
//!               │ cancelled     ──▶ the future is dropped where it waits (tokio's meaning)
//!
//!   waker.wake()  on the scheduler's thread, while it runs: T's step goes to the
//!                 back of the ready queue at once (asyncio's order holds)
//!                 anywhere else: into the inbox, which the next iteration empties;
//!                 an idle scheduler is unparked for it
//! ```
//!
//! A waker must be `Send + Sync`: whoever holds it may be another thread.
//! So it holds no `Rc`: only the task's id and an `Arc` of the scheduler's
//! [`Inbox`], a mutex and two atomics. Whether the caller is the
//! scheduler's own thread, running, is asked of the thread-local `RUNNING`,
//! which only that thread can see.

use std::any::Any;
use std::borrow::Cow;
use std::future::{Future, IntoFuture};
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

use super::current::{self, Current, CurrentGuard};
use super::error::{BoxError, SchedError};
use super::step::Ready;
use super::task::{self, Body, Ending, JoinHandle, OnDone};
use super::trace::{Cause, EventKind};
use super::{Clock, Resume, Shared, TaskId, Wait};
use crate::ch04_future_task::Status;

/// The body of an async task: its future, and the waker it is polled with.
pub(super) struct AsyncBody {
    /// The task's future, wrapped so that it ends with an [`Ending`] (see
    /// [`spawn_async`]).
    future: Pin<Box<dyn Future<Output = Ending>>>,
    /// The waker every poll gets (clones of it are the task's wakers).
    waker: Waker,
    /// What the waker wakes. The body holds it twice (here, and inside
    /// `waker`), so its count less two is how many clones are alive
    /// elsewhere: zero on a task that is parked is a lost waker.
    target: Arc<TaskWake>,
}

impl AsyncBody {
    /// How many clones of the task's waker are alive outside the scheduler.
    pub(super) fn wakers_alive(&self) -> usize {
        Arc::strong_count(&self.target).saturating_sub(2)
    }
}

/// What an async task's waker wakes: the task, through its scheduler's
/// inbox.
pub(super) struct TaskWake {
    task: TaskId,
    inbox: Arc<Inbox>,
}

impl Wake for TaskWake {
    fn wake(self: Arc<Self>) {
        self.inbox.wake(self.task);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.inbox.wake(self.task);
    }
}

// ANCHOR: inbox
/// Where wakes that cannot reach the ready queue at once wait for the
/// scheduler: those from another thread, and those from its own thread while
/// it is not running. Shared (`Arc`) by the scheduler and every waker.
pub(super) struct Inbox {
    /// The tasks woken, in the order they were woken.
    wakes: Mutex<Vec<TaskId>>,
    /// Set when `wakes` has something: one atomic load tells an iteration
    /// there is nothing to take.
    pending: AtomicBool,
    /// How many [`ExpectedWake`]s are alive: wakes another thread promised.
    /// While there are any, an idle scheduler waits for the inbox rather
    /// than calling the tasks it has stuck.
    expected: AtomicUsize,
    /// The scheduler's thread, to unpark when a wake arrives.
    thread: Thread,
    /// The scheduler's poller, once it has one (chapter 10): a wake must
    /// also end a wait in it.
    pub(super) poller: OnceLock<Arc<polling::Poller>>,
}
// ANCHOR_END: inbox

impl Inbox {
    /// An inbox for a scheduler on the calling thread.
    pub(super) fn new() -> Arc<Self> {
        Arc::new(Inbox {
            wakes: Mutex::new(Vec::new()),
            pending: AtomicBool::new(false),
            expected: AtomicUsize::new(0),
            thread: thread::current(),
            poller: OnceLock::new(),
        })
    }

    /// Wakes `task`: straight into the ready queue if this is the
    /// scheduler's own thread and it is running, else into the inbox.
    fn wake(self: &Arc<Self>, task: TaskId) {
        if let Some(shared) = current::running_scheduler()
            && Arc::ptr_eq(&shared.inbox, self)
            && shared.wake_async(task)
        {
            return;
        }
        self.wakes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(task);
        self.pending.store(true, Ordering::Release);
        self.rouse();
    }

    /// Ends the scheduler's wait, wherever it waits: parked, or in the
    /// poller.
    fn rouse(&self) {
        self.thread.unpark();
        if let Some(poller) = self.poller.get() {
            let _ = poller.notify();
        }
    }

    /// Takes the wakes that are waiting, oldest first.
    fn take(&self) -> Vec<TaskId> {
        if !self.pending.swap(false, Ordering::Acquire) {
            return Vec::new();
        }
        std::mem::take(&mut *self.wakes.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Whether a wake waits in the inbox.
    pub(super) fn has_wakes(&self) -> bool {
        self.pending.load(Ordering::Acquire)
    }

    /// Whether another thread has promised a wake.
    pub(super) fn expects_wakes(&self) -> bool {
        self.expected.load(Ordering::Acquire) > 0
    }
}

/// A promise that a wake will come from outside the scheduler's thread:
/// while one is alive, a scheduler with nothing else to do waits for the
/// wake (the thread parks; the virtual clock does not move) instead of
/// reporting its waiting tasks as stuck. Get one with [`expect_wake`] inside
/// a task, hand it to the thread that will wake, and let that thread drop it
/// once it has woken (or given up). Dropping it unparks the scheduler, so a
/// promise broken is noticed too.
pub struct ExpectedWake {
    inbox: Arc<Inbox>,
}

impl Drop for ExpectedWake {
    fn drop(&mut self) {
        self.inbox.expected.fetch_sub(1, Ordering::AcqRel);
        self.inbox.rouse();
    }
}

impl std::fmt::Debug for ExpectedWake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExpectedWake").finish_non_exhaustive()
    }
}

/// Promises the running scheduler a wake from another thread: see
/// [`ExpectedWake`].
///
/// # Errors
///
/// [`SchedError::NotInTask`] outside a running scheduler.
pub fn expect_wake() -> Result<ExpectedWake, SchedError> {
    let shared = current::running("expect_wake")?;
    shared.inbox.expected.fetch_add(1, Ordering::AcqRel);
    Ok(ExpectedWake {
        inbox: Arc::clone(&shared.inbox),
    })
}

/// A [`std::task::Waker`] for the running task, stackful or async: calling
/// it, from any thread, makes the task ready if it is parked (chapter 6's
/// [`park`](super::park); for an async task, waiting on a future), and if
/// it is running, its next park does not wait. Chapter 11's `to_thread`
/// hands one to the thread that does the work.
///
/// # Errors
///
/// [`SchedError::NotInTask`] outside a task (and in a callback, which has no
/// task to wake).
pub fn task_waker() -> Result<Waker, SchedError> {
    let shared = current::running("task_waker")?;
    let task = current::task().ok_or(SchedError::NotInTask {
        operation: "task_waker",
    })?;
    Ok(Waker::from(Arc::new(TaskWake {
        task,
        inbox: Arc::clone(&shared.inbox),
    })))
}

// ANCHOR: spawn_async
/// Spawns a task whose body is `future` (chapter 9): it goes to the back of
/// the ready queue, as any task does, and is polled when its turn comes,
/// then again each time its waker is called. It has no stack of its own:
/// it is polled on the scheduler's. Its `JoinHandle` is the same as a
/// stackful task's, so any task can join it, and it can `.await` any task.
///
/// The future's output is the task's outcome, as a stackful body's return
/// is: `Ok(value)`, or an error passed on with `?` (a cancellation ends it
/// cancelled, anything else fails it).
///
/// # Errors
///
/// [`SchedError::NotInTask`] outside a running scheduler.
pub fn spawn_async<T, E>(
    name: impl Into<Cow<'static, str>>,
    future: impl Future<Output = Result<T, E>> + 'static,
) -> Result<JoinHandle<T>, SchedError>
where
    T: 'static,
    E: Into<BoxError> + 'static,
{
    let shared = current::running("spawn_async")?;
    Ok(shared.spawn_async(&shared, name.into(), future))
}
// ANCHOR_END: spawn_async

impl Shared {
    /// [`spawn_async`], and `Scheduler::spawn_async`.
    pub(super) fn spawn_async<T, E>(
        &self,
        this: &Rc<Shared>,
        name: Cow<'static, str>,
        future: impl Future<Output = Result<T, E>> + 'static,
    ) -> JoinHandle<T>
    where
        T: 'static,
        E: Into<BoxError> + 'static,
    {
        self.spawn_task(this, name, |id, cell| {
            let value_cell = Rc::clone(cell);
            // The task's outcome, as `run_body` makes a stackful task's.
            let future = async move {
                match future.await {
                    Ok(value) => {
                        *value_cell.value.borrow_mut() = Some(value);
                        Ending::Done
                    }
                    Err(error) => task::classify(error.into()),
                }
            };
            let target = Arc::new(TaskWake {
                task: id,
                inbox: Arc::clone(&this.inbox),
            });
            let body = AsyncBody {
                future: Box::pin(future),
                waker: Waker::from(Arc::clone(&target)),
                target,
            };
            (Body::Async(Box::new(body)), Current::of_async_task(id))
        })
    }

    // ANCHOR: poll_async
    /// A step of an async task: polls its future once (or, if the step
    /// delivers a cancellation, drops it), and files the task by the
    /// answer. Called by `step`, which has found the task and taken its
    /// body out of the table.
    #[inline(never)]
    pub(super) fn poll_async(
        &self,
        slot: u32,
        token: u64,
        current: Current,
        mut body: Box<AsyncBody>,
        input: Resume,
    ) {
        if input == Resume::Cancelled {
            // Cancelling an async task drops its future where it waits: its
            // destructors are its cleanup (tokio's meaning; a stackful task
            // is handed an error instead, and cleans up in its own code).
            let ending = drop_future(body).map_or(Ending::Cancelled, Ending::Panicked);
            return self.finish(slot, None, ending);
        }
        let guard = CurrentGuard::set(current);
        let began = self.step_begins(current);
        let polled = panic::catch_unwind(AssertUnwindSafe(|| {
            body.future
                .as_mut()
                .poll(&mut Context::from_waker(&body.waker))
        }));
        self.step_ends(current, began);
        drop(guard);
        let ending = match polled {
            Ok(Poll::Pending) => return self.park_async(slot, token, current, body),
            Ok(Poll::Ready(ending)) => ending,
            Err(payload) => Ending::Panicked(payload),
        };
        // Done: whatever the future still holds goes before the task is
        // settled, as a stackful task's stack is empty by then.
        let ending = match drop_future(body) {
            Some(payload) if matches!(ending, Ending::Done | Ending::Cancelled) => {
                Ending::Panicked(payload)
            }
            _ => ending,
        };
        self.finish(slot, None, ending);
    }
    // ANCHOR_END: poll_async

    /// An async task's poll returned `Pending`: it waits for its waker,
    /// unless that was called during the poll (then it takes a turn at the
    /// back of the queue, as a stackful `yield_now` does) or it cancelled
    /// itself (then its next step drops it).
    fn park_async(&self, slot: u32, token: u64, current: Current, body: Box<AsyncBody>) {
        self.record_step(current, || EventKind::Suspended(Wait::Park(None)));
        let mut core = self.core.borrow_mut();
        let task = core.tasks.running(slot);
        task.body = Some(Body::Async(body));
        let again = task.take_notified() || task.must_cancel();
        if again {
            core.ready.push_back(Ready::Step {
                slot,
                token,
                why: Resume::Ready,
            });
        } else {
            task.waiting = Some(Wait::Park(None));
        }
    }

    /// A waker's call for the async task `id`, on the scheduler's own
    /// thread: its step goes to the back of the ready queue if it waits;
    /// if it is being polled, it is polled again after this poll. Returns
    /// `false` if the table is in use right now (then the wake goes to the
    /// inbox, and the next iteration delivers it).
    pub(super) fn wake_async(&self, id: TaskId) -> bool {
        let Ok(mut core) = self.core.try_borrow_mut() else {
            return false;
        };
        let token = core.tasks.token(id.slot());
        let Some(task) = core.tasks.by_id_mut(id) else {
            return true; // it has ended: a late wake is harmless
        };
        if task.body.is_none() {
            task.notify(); // being polled right now
            return true;
        }
        if !matches!(task.waiting, Some(Wait::Park(_))) {
            return true; // already in the ready queue
        }
        task.waiting = None;
        core.ready.push_back(Ready::Step {
            slot: id.slot(),
            token,
            why: Resume::Ready,
        });
        drop(core);
        self.record(Some(id), || EventKind::Woken(Cause::Waker(current::task())));
        true
    }

    /// Delivers the wakes waiting in the inbox: from other threads, or from
    /// this one while the scheduler was not running.
    #[inline]
    pub(super) fn take_outside_wakes(&self) {
        if self.inbox.has_wakes() {
            self.deliver_outside_wakes();
        }
    }

    /// The part of `take_outside_wakes` that runs only when there are some.
    #[cold]
    #[inline(never)]
    fn deliver_outside_wakes(&self) {
        for id in self.inbox.take() {
            self.wake_async(id);
        }
    }

    /// Nothing is ready and no timer is pending: waits for wakes that other
    /// threads promised ([`ExpectedWake`]), and delivers them. Returns
    /// whether anything can still happen; `false` is a deadlock.
    pub(super) fn wait_for_outside_wakes(&self) -> bool {
        loop {
            self.take_outside_wakes();
            if !self.core.borrow().ready.is_empty() {
                return true;
            }
            if !self.inbox.expects_wakes() {
                return false;
            }
            self.record(None, || EventKind::Idle {
                until: Duration::MAX,
            });
            // `park` returns when a wake (or a broken promise) unparks the
            // thread, or for no reason at all: the loop looks again.
            if !self.inbox.has_wakes() {
                thread::park();
            }
        }
    }

    /// Waits on the real clock until `deadline`, or until a wake arrives
    /// from another thread, whichever is first.
    pub(super) fn park_until(&self, deadline: Duration) {
        loop {
            let now = self.now();
            if now >= deadline || self.inbox.has_wakes() {
                return;
            }
            thread::park_timeout(deadline - now);
        }
    }

    /// On the virtual clock, time must not jump past a wake another thread
    /// promised: waits (in real time) until every promised wake has come.
    pub(super) fn wait_before_jumping(&self) {
        if self.clock == Clock::Virtual {
            while self.inbox.expects_wakes() && !self.inbox.has_wakes() {
                thread::park();
            }
        }
    }
}

/// Drops an async task's body (its future, and what the future holds) as a
/// callback runs: its destructors can read the clock and spawn, nothing in
/// them can suspend ([`SchedError::InCallback`]), and a panic in one is
/// caught and returned.
fn drop_future(body: Box<AsyncBody>) -> Option<Box<dyn Any + Send>> {
    let _as_a_callback = CurrentGuard::set(Current::CALLBACK);
    panic::catch_unwind(AssertUnwindSafe(move || drop(body))).err()
}

// ANCHOR: join_future
/// A [`JoinHandle`] as a future: what `handle.await` waits on, in an async
/// task (chapter 9). Its output is what [`JoinHandle::join`] returns.
///
/// It registers its waker with the task it waits for, as a joiner does: when
/// that task ends, the waker is called at once, so the awaiting task's step
/// goes to the back of the ready queue in the same pass a stackful joiner's
/// would.
pub struct JoinFuture<T> {
    handle: JoinHandle<T>,
    /// The waker registered with the task, if any: registered again only if
    /// a poll brings a waker that would not wake the same task.
    registered: Option<Waker>,
}

impl<T: Clone + 'static> IntoFuture for JoinHandle<T> {
    type Output = Result<T, SchedError>;
    type IntoFuture = JoinFuture<T>;

    fn into_future(self) -> JoinFuture<T> {
        JoinFuture {
            handle: self,
            registered: None,
        }
    }
}

impl<T: Clone + 'static> Future for JoinFuture<T> {
    type Output = Result<T, SchedError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.handle.status() != Status::Pending {
            // `join` on an ended task returns at once, without suspending.
            return Poll::Ready(this.handle.join());
        }
        if let Err(error) = this.handle.task().check_awaitable("await") {
            return Poll::Ready(Err(error));
        }
        let fresh = this
            .registered
            .as_ref()
            .is_none_or(|waker| !waker.will_wake(cx.waker()));
        if fresh {
            this.handle.on_done(OnDone::Waker(cx.waker().clone()));
            this.registered = Some(cx.waker().clone());
        }
        Poll::Pending
    }
}
// ANCHOR_END: join_future

impl<T: 'static> std::fmt::Debug for JoinFuture<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinFuture")
            .field("task", &self.handle.id())
            .field("registered", &self.registered.is_some())
            .finish()
    }
}
