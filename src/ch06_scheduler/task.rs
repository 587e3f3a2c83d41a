//! Tasks and their slots: what a task is, on both sides of the scheduler.
//!
//! This file owns the two halves of a task and the table that holds them:
//!
//! ```text
//!   the scheduler's half (in the table)          the shared half (behind every handle)
//!   ┌────────────────────────────────┐           ┌──────────────────────────────────────┐
//!   │ TaskEntry: the coroutine, its  │──Rc──────▶│ TaskCell<T>: id, name, status,       │
//!   │ stack, what it waits for, a    │           │ value or failure, what to do when it │
//!   │ pending cancellation           │           │ ends (wake joiners, run callbacks)   │
//!   └────────────────────────────────┘           └──────────────────────────────────────┘
//!     gone when the task ends                       ▲ JoinHandle<T>, TaskHandle
//!                                                   │ live as long as a handle does
//! ```
//!
//! The table is a slab: a `Vec` of slots with a list of free ones, so a
//! task's place is a small number (`TaskId::slot`) and a finished task's
//! place is reused. Every slot carries a **token** that counts the resumes of
//! every task that ever lived in it. A wake-up (a ready-queue entry, a timer,
//! a joiner's entry, a [`Waker`](super::Waker)) carries the token its task had
//! when it suspended; one whose token no longer matches arrives after the
//! task has been woken some other way, or after it ended and another task
//! took the slot, and is ignored.
//!
//! It may touch: the pool of stacks (to take one for a new task), and the
//! ready queue (a new task's first step goes to its back).

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::ptr;
use std::rc::{Rc, Weak};

use corosensei::stack::{DefaultStack, Stack};
use corosensei::{Coroutine, Yielder};

use super::async_task::AsyncBody;
use super::current::{self, Current, CurrentGuard, TaskContext};
use super::error::{BoxError, Failure, SchedError, Unretrieved};
use super::stacks::{POOL_LIMIT, new_stack};
use super::trace::EventKind;
use super::{Ready, Resume, Shared, Wait};
use crate::ch04_future_task::Status;

/// A task's identity within its scheduler. Tasks are numbered in the order
/// they are spawned, from 0, and shown as `T0`, `T1`, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId {
    /// The spawn number, never reused: a `u64` does not run out (at a
    /// billion spawns a second, it lasts 584 years).
    number: u64,
    /// The task's place in the scheduler's table, reused once it finishes.
    slot: u32,
}

impl TaskId {
    /// The task spawned `number`th, in `slot`.
    pub(super) fn new(number: u64, slot: u32) -> Self {
        TaskId { number, slot }
    }

    /// The spawn number: 0 for the first task spawned, and so on.
    pub fn number(self) -> u64 {
        self.number
    }

    /// The task's place in its scheduler's table.
    pub(super) fn slot(self) -> u32 {
        self.slot
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T{}", self.number)
    }
}

/// What a task's coroutine returns when its body is over. The value, if
/// any, is in the task's cell by then; the scheduler settles the rest.
pub(super) enum Ending {
    /// The body returned `Ok`: the value is in the cell.
    Done,
    /// The body returned a cancellation, or was cancelled before it ran, or
    /// cancelled itself just before returning.
    Cancelled,
    /// The body panicked.
    Panicked(Box<dyn std::any::Any + Send>),
    /// The body returned an error (not a cancellation).
    Error(BoxError),
    /// The body passed on the failure of a task it waited for.
    PassedOn(Failure),
}

/// A task's coroutine: it yields what it waits for, and returns how it ended.
pub(super) type TaskCoroutine = Coroutine<Resume, Wait, Ending, DefaultStack>;

/// What a task runs: a coroutine on a stack of its own (this chapter), or a
/// future polled on the scheduler's stack (chapter 9's async tasks).
pub(super) enum Body {
    /// A stackful task's coroutine, boxed so that taking it out for a step
    /// and putting it back moves one pointer.
    Stackful(Box<TaskCoroutine>),
    /// An async task's future, with its waker (see `async_task.rs`); boxed
    /// too, so that a body is two words, and a stackful step moves no more.
    Async(Box<AsyncBody>),
}

/// What to do when a task ends, in the order it was asked for: asyncio keeps
/// a task's awaiters and its done callbacks in one list, and so do we.
pub(super) enum OnDone {
    /// A task joined this one: wake it (if it still waits with this token).
    Wake { slot: u32, token: u64 },
    /// A done callback: schedule it.
    Call(Box<dyn FnOnce(&TaskHandle)>),
    /// An async task awaits this one (chapter 9): call its waker.
    Waker(std::task::Waker),
}

/// A task's [`OnDone`] actions, in the order they were added. The first is
/// kept in place: a task usually has one joiner or none, and spawning and
/// joining a task then allocates nothing for it.
#[derive(Default)]
pub(super) struct OnDoneList {
    first: Option<OnDone>,
    rest: Vec<OnDone>,
}

impl OnDoneList {
    /// Adds `action` at the end.
    pub(super) fn push(&mut self, action: OnDone) {
        if self.first.is_none() {
            self.first = Some(action);
        } else {
            self.rest.push(action);
        }
    }
}

// ANCHOR: header
/// The part of a task's shared half that does not depend on its value type.
pub(super) struct Header {
    /// Its identity.
    pub(super) id: TaskId,
    /// Its name, for traces, errors and the overflow report: borrowed when
    /// it is a literal, as it nearly always is, so that spawning does not
    /// allocate for it.
    pub(super) name: Cow<'static, str>,
    /// The scheduler it belongs to.
    pub(super) scheduler: Weak<Shared>,
    /// Pending until it ends; then done, failed or cancelled, for good.
    pub(super) status: Cell<Status>,
    /// Why it failed, once it has.
    pub(super) failure: RefCell<Option<Failure>>,
    /// Whether someone has been handed its failure (joined it, asked for
    /// it): a failure nobody retrieved is reported.
    pub(super) retrieved: Cell<bool>,
    /// Joiners to wake and callbacks to run when it ends.
    pub(super) on_done: RefCell<OnDoneList>,
}
// ANCHOR_END: header

/// The shared half of a task whose value is a `T`.
pub(super) struct TaskCell<T> {
    pub(super) header: Header,
    /// The value, once the body has returned it (until `take_value`).
    pub(super) value: RefCell<Option<T>>,
}

/// The shared half of a task of any value type.
pub(super) trait AnyTask {
    fn header(&self) -> &Header;

    /// Takes the value out, if the body returned one, for the caller to
    /// drop: a task that cancelled itself in its last step ends cancelled,
    /// and its value is never handed out.
    fn take_value(&self) -> Option<Box<dyn std::any::Any>>;
}

impl<T: 'static> AnyTask for TaskCell<T> {
    fn header(&self) -> &Header {
        &self.header
    }

    fn take_value(&self) -> Option<Box<dyn std::any::Any>> {
        let value = self.value.borrow_mut().take()?;
        Some(Box::new(value))
    }
}

/// Reads the outcome of a task that has ended, as a joiner receives it:
/// marks a failure as retrieved.
fn ended_outcome(header: &Header) -> Result<(), SchedError> {
    match header.status.get() {
        Status::Done => Ok(()),
        Status::Cancelled => Err(SchedError::TaskCancelled {
            task: header.name.to_string(),
        }),
        Status::Failed => {
            header.retrieved.set(true);
            let failure = header.failure.borrow().clone();
            Err(SchedError::TaskFailed(
                failure.expect("a failed task has its failure"),
            ))
        }
        Status::Pending => unreachable!("asked for the outcome of a task still running"),
    }
}

/// Whether the code running now may wait for the task behind `header`:
/// only a task (not a callback) of the same scheduler, and not the task
/// itself.
fn check_awaitable(header: &Header, operation: &'static str) -> Result<(), SchedError> {
    if !current::in_task_of(header.scheduler.as_ptr(), operation)? {
        return Err(SchedError::ForeignTask {
            task: header.name.to_string(),
        });
    }
    if current::task() == Some(header.id) {
        return Err(SchedError::JoinSelf {
            task: header.name.to_string(),
        });
    }
    Ok(())
}

/// Waits, inside a task, until the task behind `header` has ended.
#[track_caller]
fn wait_until_ended(header: &Header, operation: &'static str) -> Result<(), SchedError> {
    if header.status.get() != Status::Pending {
        return Ok(());
    }
    check_awaitable(header, operation)?;
    while header.status.get() == Status::Pending {
        current::suspend(operation, Wait::Task(header.id))?;
    }
    Ok(())
}

// ANCHOR: join_handle
/// A handle to a spawned task: join it to wait for its value.
///
/// Handles are cheap to clone; any number of tasks may join the same task,
/// and they wake in the order they joined. Dropping a handle does not stop
/// the task (asyncio's tasks also run whether or not anyone awaits them).
pub struct JoinHandle<T> {
    cell: Rc<TaskCell<T>>,
}
// ANCHOR_END: join_handle

impl<T> Clone for JoinHandle<T> {
    fn clone(&self) -> Self {
        JoinHandle {
            cell: Rc::clone(&self.cell),
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = &self.cell.header;
        f.debug_struct("JoinHandle")
            .field("id", &header.id)
            .field("name", &header.name)
            .field("status", &header.status.get())
            .finish()
    }
}

impl<T: 'static> JoinHandle<T> {
    /// The task's number.
    pub fn id(&self) -> TaskId {
        self.cell.header.id
    }

    /// The task's name.
    pub fn name(&self) -> &str {
        &self.cell.header.name
    }

    /// Whether the task has ended, in any way: asyncio's `done()`.
    pub fn done(&self) -> bool {
        self.cell.header.status.get() != Status::Pending
    }

    /// Whether the task ended cancelled: asyncio's `cancelled()`.
    pub fn cancelled(&self) -> bool {
        self.cell.header.status.get() == Status::Cancelled
    }

    /// Where the task is in its life: pending, done, failed or cancelled.
    pub fn status(&self) -> Status {
        self.cell.header.status.get()
    }

    /// Why the task failed, if it did: asyncio's `exception()`. Asking
    /// counts as retrieving it (it is not reported as unretrieved).
    pub fn failure(&self) -> Option<Failure> {
        self.task().failure()
    }

    /// The same task, without its value type: what [`current_task`]
    /// returns, and what done callbacks receive.
    ///
    /// [`current_task`]: super::current_task
    pub fn task(&self) -> TaskHandle {
        TaskHandle {
            cell: Rc::clone(&self.cell) as Rc<dyn AnyTask>,
        }
    }

    // ANCHOR: join_handle_cancel
    /// Cancels the task, as asyncio's `Task.cancel()`. Returns `false` if
    /// the task has already ended, and changes nothing then. What happens
    /// next depends on where the task is (see chapter 7): it is handed
    /// [`SchedError::Cancelled`] at the suspension point it waits at (at its
    /// first step, before its body runs, if it has not started: the body is
    /// then dropped without running); a task that waits in `join` passes the
    /// cancellation on to the task it joins, as asyncio's `await task` does.
    pub fn cancel(&self) -> bool {
        self.task().cancel()
    }
    // ANCHOR_END: join_handle_cancel

    /// Asks for `callback` to be called with the task once it has ended:
    /// asyncio's `add_done_callback`. Like asyncio, the callback is never
    /// called at once: when the task ends (or now, if it has already
    /// ended) it goes to the back of the ready queue, in the order
    /// callbacks and joiners were added, and runs on the scheduler's own
    /// stack between the steps of tasks. It cannot suspend
    /// ([`SchedError::InCallback`]), but it can spawn. If the scheduler is
    /// gone, the task has ended and nothing is left to schedule it: it is
    /// called at once.
    pub fn add_done_callback(&self, callback: impl FnOnce(&TaskHandle) + 'static) {
        self.task().add_done_callback(callback);
    }

    /// Adds `action` to what happens when the task ends (chapter 9's
    /// `JoinFuture` registers its waker so).
    pub(super) fn on_done(&self, action: OnDone) {
        self.cell.header.on_done.borrow_mut().push(action);
    }

    /// The value, for `run_until_complete` (which is its only reader).
    pub(super) fn take_outcome(&self) -> Result<T, SchedError> {
        ended_outcome(&self.cell.header)?;
        Ok(self
            .cell
            .value
            .borrow_mut()
            .take()
            .expect("main's value is taken once"))
    }
}

impl<T: Clone + 'static> JoinHandle<T> {
    // ANCHOR: join
    /// Waits for the task and returns its value: asyncio's `await task`. If
    /// the task has already ended, returns at once without suspending (as
    /// awaiting a done future does in asyncio); otherwise the caller waits in
    /// the task's list of joiners and, when the task ends, goes to the back
    /// of the ready queue.
    ///
    /// # Errors
    ///
    /// - [`SchedError::TaskFailed`] if the task panicked or its body returned
    ///   an error, and [`SchedError::TaskCancelled`] if it was cancelled:
    ///   passed on with `?`, each ends the caller the same way, as in
    ///   asyncio.
    /// - [`SchedError::Cancelled`] if the caller is cancelled while it waits
    ///   and the cancellation cannot be passed on to the task it joins.
    /// - [`SchedError::JoinSelf`], [`SchedError::ForeignTask`],
    ///   [`SchedError::NotInTask`], [`SchedError::InCallback`] or
    ///   [`SchedError::NotOnTaskStack`] when called from the wrong place.
    #[track_caller]
    pub fn join(&self) -> Result<T, SchedError> {
        wait_until_ended(&self.cell.header, "join")?;
        ended_outcome(&self.cell.header)?;
        Ok(self
            .cell
            .value
            .borrow()
            .clone()
            .expect("a done task that is joined has its value"))
    }
    // ANCHOR_END: join
}

/// A handle to a task of any value type: what [`current_task`] returns and
/// what done callbacks receive. It can do everything a [`JoinHandle`] can,
/// except hand out the value.
///
/// [`current_task`]: super::current_task
#[derive(Clone)]
pub struct TaskHandle {
    cell: Rc<dyn AnyTask>,
}

impl fmt::Debug for TaskHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = self.cell.header();
        f.debug_struct("TaskHandle")
            .field("id", &header.id)
            .field("name", &header.name)
            .field("status", &header.status.get())
            .finish()
    }
}

impl TaskHandle {
    pub(super) fn new(cell: Rc<dyn AnyTask>) -> Self {
        TaskHandle { cell }
    }

    /// The task's number.
    pub fn id(&self) -> TaskId {
        self.cell.header().id
    }

    /// The task's name.
    pub fn name(&self) -> &str {
        &self.cell.header().name
    }

    /// Whether the task has ended, in any way.
    pub fn done(&self) -> bool {
        self.status() != Status::Pending
    }

    /// Whether the task ended cancelled.
    pub fn cancelled(&self) -> bool {
        self.status() == Status::Cancelled
    }

    /// Where the task is in its life.
    pub fn status(&self) -> Status {
        self.cell.header().status.get()
    }

    /// Why the task failed, if it did (this counts as retrieving it).
    pub fn failure(&self) -> Option<Failure> {
        let header = self.cell.header();
        let failure = header.failure.borrow().clone();
        if failure.is_some() {
            header.retrieved.set(true);
        }
        failure
    }

    /// Whether `self` and `other` are the same task.
    pub fn same_as(&self, other: &TaskHandle) -> bool {
        Rc::ptr_eq(&self.cell, &other.cell)
    }

    /// Cancels the task: see [`JoinHandle::cancel`].
    pub fn cancel(&self) -> bool {
        let header = self.cell.header();
        if header.status.get() != Status::Pending {
            return false;
        }
        match header.scheduler.upgrade() {
            Some(shared) => shared.cancel(header.id),
            // The scheduler is gone, and cancelled everything as it went.
            None => false,
        }
    }

    /// Waits, inside a task, until the task has ended, and returns how:
    /// `Ok(())` if it is done, or the error [`JoinHandle::join`] would
    /// return.
    ///
    /// # Errors
    ///
    /// As [`JoinHandle::join`].
    #[track_caller]
    pub fn wait(&self) -> Result<(), SchedError> {
        let header = self.cell.header();
        wait_until_ended(header, "wait")?;
        ended_outcome(header)
    }

    /// Whether the code running now may wait for this task: it must run in
    /// a task (not a callback) of the same scheduler, and not be this task.
    /// Chapter 7's combinators ask before they start; `operation` names the
    /// one asking, for the error.
    ///
    /// # Errors
    ///
    /// [`SchedError::NotInTask`], [`SchedError::InCallback`],
    /// [`SchedError::ForeignTask`] or [`SchedError::JoinSelf`].
    pub fn check_awaitable(&self, operation: &'static str) -> Result<(), SchedError> {
        check_awaitable(self.cell.header(), operation)
    }

    /// See [`JoinHandle::add_done_callback`].
    pub fn add_done_callback(&self, callback: impl FnOnce(&TaskHandle) + 'static) {
        let header = self.cell.header();
        if header.status.get() == Status::Pending {
            header
                .on_done
                .borrow_mut()
                .push(OnDone::Call(Box::new(callback)));
            return;
        }
        match header.scheduler.upgrade() {
            Some(shared) => {
                let task = self.clone();
                shared.call_soon(Box::new(move || callback(&task)));
            }
            None => callback(self),
        }
    }
}

// ANCHOR: task_entry
/// The scheduler's half of a live task, in its slot of the table.
pub(super) struct TaskEntry {
    /// Its identity (`id.slot` is where this entry sits).
    pub(super) id: TaskId,
    /// The shared half, which its handles also hold.
    pub(super) cell: Rc<dyn AnyTask>,
    /// What it runs: its coroutine (or, for an async task, its future);
    /// `None` while the task is being stepped.
    pub(super) body: Option<Body>,
    /// Which of the scheduler's stack sizes its stack has: the count of
    /// `with_stack_size` calls when it was spawned. A stack of an older size
    /// is not pooled when the task ends.
    pub(super) stack_generation: u32,
    /// What it waits for, while it is suspended and nothing has woken it
    /// yet; `None` while it runs or is in the ready queue.
    pub(super) waiting: Option<Wait>,
    /// What makes its next step more than a plain resume: see [`Flags`].
    flags: Flags,
    /// The `CURRENT` its steps run under: its identity, and its context
    /// once its body has made it.
    pub(super) current: Current,
    /// What cancelling it does while it is parked, if not the usual (chapter
    /// 7's `gather` cancels the tasks it gathers instead): asyncio's
    /// `_fut_waiter.cancel()`. Set only with [`Flags::ON_CANCEL`].
    pub(super) on_cancel: Option<Box<dyn FnMut() -> bool>>,
}
// ANCHOR_END: task_entry

/// What makes a task's next step more than a plain resume, one bit each.
/// All clear for a task that yielded and has nothing else going on, so
/// `step` decides with one look at one byte.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Flags(u8);

impl Flags {
    /// It has not been resumed yet.
    const NOT_STARTED: u8 = 1 << 0;
    /// A cancellation to deliver at its next resume: asyncio's
    /// `_must_cancel`.
    const MUST_CANCEL: u8 = 1 << 1;
    /// Its timed wait still has a timer in the heap.
    const TIMER_PENDING: u8 = 1 << 2;
    /// A [`Waker`](super::Waker) was called while it ran, before it parked:
    /// its next `park` does not wait (it takes a turn instead).
    const NOTIFIED: u8 = 1 << 3;
    /// It has an `on_cancel` for the wait it is in.
    const ON_CANCEL: u8 = 1 << 4;

    fn get(self, bit: u8) -> bool {
        self.0 & bit != 0
    }

    fn set(&mut self, bit: u8, on: bool) {
        if on {
            self.0 |= bit;
        } else {
            self.0 &= !bit;
        }
    }
}

impl TaskEntry {
    /// Whether anything but a plain resume is due at its next step.
    #[inline(always)]
    pub(super) fn unusual(&self) -> bool {
        self.flags != Flags::default()
    }

    /// Whether it has been resumed at least once.
    pub(super) fn started(&self) -> bool {
        !self.flags.get(Flags::NOT_STARTED)
    }

    /// Whether a cancellation waits to be delivered at its next resume.
    pub(super) fn must_cancel(&self) -> bool {
        self.flags.get(Flags::MUST_CANCEL)
    }

    /// Asks for (or, passed on, drops) the delivery of a cancellation.
    pub(super) fn set_must_cancel(&mut self, on: bool) {
        self.flags.set(Flags::MUST_CANCEL, on);
    }

    /// Notes whether its timed wait has a timer in the heap.
    pub(super) fn set_timer_pending(&mut self, on: bool) {
        self.flags.set(Flags::TIMER_PENDING, on);
    }

    /// Its waker was called while it ran.
    pub(super) fn notify(&mut self) {
        self.flags.set(Flags::NOTIFIED, true);
    }

    /// Takes the note that its waker was called while it ran.
    pub(super) fn take_notified(&mut self) -> bool {
        let notified = self.flags.get(Flags::NOTIFIED);
        self.flags.set(Flags::NOTIFIED, false);
        notified
    }

    /// Gives its current wait an `on_cancel`.
    pub(super) fn set_on_cancel(&mut self, on_cancel: Box<dyn FnMut() -> bool>) {
        self.on_cancel = Some(on_cancel);
        self.flags.set(Flags::ON_CANCEL, true);
    }

    /// Takes its `on_cancel`, if its wait has one.
    pub(super) fn take_on_cancel(&mut self) -> Option<Box<dyn FnMut() -> bool>> {
        self.flags.set(Flags::ON_CANCEL, false);
        self.on_cancel.take()
    }

    /// Whether it waits in a park with an `on_cancel`.
    pub(super) fn has_on_cancel(&self) -> bool {
        self.flags.get(Flags::ON_CANCEL)
    }

    /// The part of `step` for a task with [`unusual`](Self::unusual) set:
    /// clears what a resume ends, counts a timer left behind as stale, and
    /// turns a pending cancellation into the resume's reason. Returns that
    /// reason, and the `on_cancel` the resume ends (for the caller to drop
    /// once the table is let go).
    #[cold]
    pub(super) fn prepare_unusual_step(
        &mut self,
        why: Resume,
        timers: &mut super::clock::Timers,
    ) -> (Resume, Option<Box<dyn FnMut() -> bool>>) {
        if self.flags.get(Flags::TIMER_PENDING) {
            // It leaves a timed wait before its timer fired: asyncio's
            // `TimerHandle.cancel()`, counted for `tidy_timers`.
            timers.one_more_stale();
        }
        let input = if self.must_cancel() {
            Resume::Cancelled
        } else {
            why
        };
        let on_cancel = self.on_cancel.take();
        self.flags = Flags::default();
        (input, on_cancel)
    }
}

/// One place in the table.
pub(super) struct Slot {
    /// Counts the resumes of every task that ever lived here: see the
    /// module docs.
    pub(super) token: u64,
    /// The task living here, if any.
    pub(super) task: Option<TaskEntry>,
}

/// The table of live tasks: a slab with a free list.
#[derive(Default)]
pub(super) struct Tasks {
    slots: Vec<Slot>,
    free: Vec<u32>,
    live: usize,
}

impl Tasks {
    /// The task in `slot`, if it is there and still waits with `token`.
    #[inline]
    pub(super) fn by_token(&mut self, slot: u32, token: u64) -> Option<&mut TaskEntry> {
        let place = self.slots.get_mut(slot as usize)?;
        if place.token != token {
            return None;
        }
        place.task.as_mut()
    }

    /// [`by_token`](Self::by_token) for a step: the task, with its token
    /// moved on to the new one (returned too), since it is about to be
    /// resumed.
    #[inline(always)]
    pub(super) fn for_step(&mut self, slot: u32, token: u64) -> Option<(&mut TaskEntry, u64)> {
        let place = self.slots.get_mut(slot as usize)?;
        if place.token != token {
            return None;
        }
        let task = place.task.as_mut()?;
        // A task being stepped has no body in its entry: this entry is a
        // leftover.
        task.body.as_ref()?;
        place.token += 1;
        Some((task, place.token))
    }

    /// The task being stepped, in `slot`: its place cannot be given up
    /// while it runs.
    #[inline]
    pub(super) fn running(&mut self, slot: u32) -> &mut TaskEntry {
        self.slots[slot as usize]
            .task
            .as_mut()
            .expect("the task being stepped is in the table")
    }

    /// The live task `id`.
    pub(super) fn by_id(&self, id: TaskId) -> Option<&TaskEntry> {
        self.slots
            .get(id.slot as usize)?
            .task
            .as_ref()
            .filter(|task| task.id == id)
    }

    /// [`by_id`](Self::by_id), to change it.
    pub(super) fn by_id_mut(&mut self, id: TaskId) -> Option<&mut TaskEntry> {
        self.slots
            .get_mut(id.slot as usize)?
            .task
            .as_mut()
            .filter(|task| task.id == id)
    }

    /// The token of `slot` now.
    #[inline]
    pub(super) fn token(&self, slot: u32) -> u64 {
        self.slots[slot as usize].token
    }

    /// A free place for a new task.
    fn reserve(&mut self) -> u32 {
        match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.slots.push(Slot {
                    token: 0,
                    task: None,
                });
                u32::try_from(self.slots.len() - 1).expect("fewer than 4 billion live tasks")
            }
        }
    }

    /// Puts a new task in its reserved place.
    fn fill(&mut self, slot: u32, task: TaskEntry) {
        self.slots[slot as usize].task = Some(task);
        self.live += 1;
    }

    /// Takes the task out of `slot`; the place is free again.
    pub(super) fn remove(&mut self, slot: u32) -> Option<TaskEntry> {
        let task = self.slots.get_mut(slot as usize)?.task.take()?;
        self.free.push(slot);
        self.live -= 1;
        Some(task)
    }

    /// How many tasks are alive.
    pub(super) fn live(&self) -> usize {
        self.live
    }

    /// Every live task, in spawn order.
    pub(super) fn ids(&self) -> Vec<TaskId> {
        let mut ids: Vec<TaskId> = self
            .slots
            .iter()
            .filter_map(|slot| slot.task.as_ref().map(|task| task.id))
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Every live task.
    pub(super) fn iter(&self) -> impl Iterator<Item = &TaskEntry> {
        self.slots.iter().filter_map(|slot| slot.task.as_ref())
    }

    /// Takes every task out of the table at once.
    pub(super) fn take_all(&mut self) -> Vec<TaskEntry> {
        let tasks: Vec<TaskEntry> = self
            .slots
            .iter_mut()
            .filter_map(|slot| slot.task.take())
            .collect();
        self.free = (0..self.slots.len())
            .rev()
            .map(|slot| u32::try_from(slot).expect("fewer than 4 billion slots"))
            .collect();
        self.live = 0;
        tasks
    }
}

impl Shared {
    // ANCHOR: spawn
    /// [`Scheduler::spawn`](super::Scheduler::spawn) and the free function
    /// [`spawn`](super::spawn): takes a stack (from the pool if one is
    /// there), wraps `body` in a coroutine on it, and puts the new task's
    /// first step at the back of the ready queue. `this` is the `Rc` that
    /// `self` lives in, for the handles' weak pointer.
    pub(super) fn spawn<T, E>(
        &self,
        this: &Rc<Shared>,
        name: Cow<'static, str>,
        body: impl FnOnce() -> Result<T, E> + 'static,
    ) -> Result<JoinHandle<T>, SchedError>
    where
        T: 'static,
        E: Into<BoxError> + 'static,
    {
        let stack = self.take_stack()?;
        let (stack_low, stack_high) = (stack.limit().get(), stack.base().get());
        Ok(self.spawn_task(this, name, move |id, cell| {
            let value_cell = Rc::clone(cell);
            let name_ptr = &*cell.header.name as *const str;
            let coroutine =
                Coroutine::with_stack(stack, move |yielder: &Yielder<Resume, Wait>, first| {
                    current::with_context(yielder, (stack_low, stack_high), name_ptr, |context| {
                        run_body(context, first, body, &value_cell)
                    })
                });
            (
                Body::Stackful(Box::new(coroutine)),
                Current::of_task(id, ptr::null()),
            )
        }))
    }
    // ANCHOR_END: spawn

    // ANCHOR: spawn_task
    /// What spawning a task of either kind does once its body is known: a
    /// number and a place, its shared half, its entry in the table, and its
    /// first step at the back of the ready queue. `make` builds the body
    /// (and what `CURRENT` says during its steps) for the task's id and
    /// shared half.
    pub(super) fn spawn_task<T: 'static>(
        &self,
        this: &Rc<Shared>,
        name: Cow<'static, str>,
        make: impl FnOnce(TaskId, &Rc<TaskCell<T>>) -> (Body, Current),
    ) -> JoinHandle<T> {
        let number = self.next_number.get();
        self.next_number.set(number + 1);
        let slot = self.core.borrow_mut().tasks.reserve();
        let id = TaskId { number, slot };
        let cell = Rc::new(TaskCell {
            header: Header {
                id,
                name,
                scheduler: Rc::downgrade(this),
                status: Cell::new(Status::Pending),
                failure: RefCell::new(None),
                retrieved: Cell::new(false),
                on_done: RefCell::new(OnDoneList::default()),
            },
            value: RefCell::new(None),
        });
        let (body, current) = make(id, &cell);
        let token = {
            let mut core = self.core.borrow_mut();
            let tasks = &mut core.tasks;
            tasks.fill(
                slot,
                TaskEntry {
                    id,
                    cell: Rc::clone(&cell) as Rc<dyn AnyTask>,
                    body: Some(body),
                    stack_generation: self.stack_generation.get(),
                    waiting: None,
                    flags: Flags(Flags::NOT_STARTED),
                    current,
                    on_cancel: None,
                },
            );
            tasks.token(slot)
        };
        self.core.borrow_mut().ready.push_back(Ready::Step {
            slot,
            token,
            why: Resume::Ready,
        });
        self.record(Some(id), || EventKind::Spawned {
            name: cell.header.name.to_string(),
            by: current::task(),
        });
        JoinHandle { cell }
    }
    // ANCHOR_END: spawn_task

    /// A stack for a new task: from the pool if one is there (the pool
    /// holds stacks of the current size only), else a fresh one.
    fn take_stack(&self) -> Result<DefaultStack, SchedError> {
        let pooled = self.pool.borrow_mut().pop();
        match pooled {
            Some(stack) => Ok(stack),
            None => new_stack(self.stack_size.get(), self.live_tasks()),
        }
    }

    /// How many tasks are alive.
    pub(super) fn live_tasks(&self) -> usize {
        self.core.borrow().tasks.live()
    }

    // ANCHOR: finish
    /// Task `slot`'s body has ended (its coroutine returned, or, chapter 9,
    /// its future was ready or dropped): take it out of the table, settle
    /// its shared half, wake its joiners and schedule its callbacks (in the
    /// order they were added), and put its stack back in the pool.
    pub(super) fn finish(&self, slot: u32, stack: Option<DefaultStack>, ending: Ending) {
        let task = self
            .core
            .borrow_mut()
            .tasks
            .remove(slot)
            .expect("a finishing task is in the table");
        let ending = match ending {
            // It cancelled itself in this last step, after its last wait:
            // it ends cancelled, as asyncio's task does when `_must_cancel`
            // is set as its coroutine returns, and its value is dropped.
            Ending::Done if task.must_cancel() => self.drop_value(&task),
            ending => ending,
        };
        self.settle(&task, ending);
        let Some(stack) = stack else {
            return; // an async task (chapter 9) has none
        };
        let mut pool = self.pool.borrow_mut();
        if task.stack_generation == self.stack_generation.get() && pool.len() < POOL_LIMIT {
            pool.push(stack);
        }
        // A stack of another size (the scheduler's stack size changed since
        // the task was spawned), or one beyond the pool's limit, is unmapped
        // here.
    }
    // ANCHOR_END: finish

    /// Drops the value of `task`, which cancelled itself in its last step,
    /// as a callback would: a destructor cannot suspend here. Returns how
    /// the task ends: cancelled, or failed if the destructor panicked.
    #[cold]
    fn drop_value(&self, task: &TaskEntry) -> Ending {
        let value = task.cell.take_value();
        let _nothing_runs = CurrentGuard::set(Current::NONE);
        match panic::catch_unwind(AssertUnwindSafe(move || drop(value))) {
            Ok(()) => Ending::Cancelled,
            Err(payload) => Ending::Panicked(payload),
        }
    }

    /// Settles the shared half of `task` with `ending`, records it, and
    /// hands its joiners and callbacks to the ready queue.
    pub(super) fn settle(&self, task: &TaskEntry, ending: Ending) {
        let header = task.cell.header();
        let name: &str = &header.name;
        let failure = match ending {
            Ending::Done => None,
            Ending::Cancelled => {
                header.status.set(Status::Cancelled);
                None
            }
            Ending::Panicked(payload) => Some(Failure::panicked(name, task.id, payload)),
            Ending::Error(error) => Some(Failure::from_error(name, task.id, error)),
            Ending::PassedOn(failure) => Some(failure),
        };
        match failure {
            Some(failure) => {
                self.record(Some(task.id), || EventKind::Failed {
                    message: if failure.id() != task.id {
                        format!("failed: {failure}")
                    } else if failure.is_panic() {
                        format!("panicked: {}", failure.message())
                    } else {
                        format!("failed: {}", failure.message())
                    },
                });
                *header.failure.borrow_mut() = Some(failure);
                header.status.set(Status::Failed);
                self.failed.borrow_mut().push(Rc::clone(&task.cell));
            }
            None if header.status.get() == Status::Cancelled => {
                self.record(Some(task.id), || EventKind::Done { cancelled: true });
            }
            None => {
                header.status.set(Status::Done);
                self.record(Some(task.id), || EventKind::Done { cancelled: false });
            }
        }
        let OnDoneList { first, rest } = header.on_done.take();
        let Some(first) = first else {
            return;
        };
        self.on_done(task, first);
        for action in rest {
            self.on_done(task, action);
        }
    }

    /// Does one thing asked for when `task` ended: wakes a joiner, or
    /// schedules a done callback.
    fn on_done(&self, task: &TaskEntry, action: OnDone) {
        match action {
            OnDone::Wake { slot, token } => self.wake_joiner(slot, token, task.id),
            OnDone::Call(callback) => {
                let handle = TaskHandle::new(Rc::clone(&task.cell));
                self.call_soon(Box::new(move || callback(&handle)));
            }
            OnDone::Waker(waker) => waker.wake(),
        }
    }

    /// Takes the failures nobody has retrieved: see
    /// [`Scheduler::take_unretrieved`](super::Scheduler::take_unretrieved).
    pub(super) fn take_unretrieved(&self) -> Vec<Unretrieved> {
        let failed = std::mem::take(&mut *self.failed.borrow_mut());
        failed
            .into_iter()
            .filter(|task| !task.header().retrieved.get())
            .map(|task| {
                let header = task.header();
                header.retrieved.set(true);
                Unretrieved {
                    task: header.name.to_string(),
                    id: header.id,
                    failure: header
                        .failure
                        .borrow()
                        .clone()
                        .expect("a failed task has its failure"),
                }
            })
            .collect()
    }
}

// ANCHOR: run_body
/// The code at the bottom of every task's stack: runs the body once, and
/// turns how it ended into an [`Ending`].
///
/// - A task cancelled before its first step is resumed once with
///   [`Resume::Cancelled`]: its body is dropped here, on its own stack, and
///   never runs (in asyncio, a cancelled coroutine that never started
///   raises at once, before its first line).
/// - A panic is the task's failure. It is caught here, so it never leaves
///   the coroutine, except the unwinding corosensei starts when the
///   scheduler drops a suspended task by force: that one arrives while no
///   step of this task runs, and is let through.
/// - `Ok(value)` stores the value in the task's cell. (If the task asked for
///   its own cancellation in this last step, `finish` drops it again: the
///   task ends cancelled.)
fn run_body<T, E: Into<BoxError>>(
    context: &TaskContext,
    first: Resume,
    body: impl FnOnce() -> Result<T, E>,
    cell: &TaskCell<T>,
) -> Ending {
    // Whatever runs here may panic (a destructor, the body): every panic is
    // caught and becomes this task's failure.
    let ran = panic::catch_unwind(AssertUnwindSafe(|| {
        if first == Resume::Cancelled {
            drop(body);
            return Ending::Cancelled;
        }
        match body() {
            Ok(value) => {
                *cell.value.borrow_mut() = Some(value);
                Ending::Done
            }
            Err(error) => classify(error.into()),
        }
    }));
    match ran {
        Ok(ending) => ending,
        // The scheduler is dropping this suspended task by force: let the
        // unwinding go on to corosensei, which started it.
        Err(payload) if !current::is_stepping(context) => panic::resume_unwind(payload),
        Err(payload) => Ending::Panicked(payload),
    }
}
// ANCHOR_END: run_body

// ANCHOR: classify
/// How a body that returned `error` ends: a cancellation of any kind ends it
/// cancelled, a failure passed on keeps its origin, and anything else is
/// this task's own failure.
pub(super) fn classify(error: BoxError) -> Ending {
    match error.downcast::<SchedError>() {
        Ok(sched) => match *sched {
            SchedError::Cancelled | SchedError::TaskCancelled { .. } => Ending::Cancelled,
            SchedError::TaskFailed(failure) => Ending::PassedOn(failure),
            other => Ending::Error(Box::new(other)),
        },
        Err(other) => Ending::Error(other),
    }
}
// ANCHOR_END: classify

#[cfg(test)]
mod tests {
    use std::mem::size_of;

    use super::{Ready, Slot, TaskCell, TaskCoroutine};

    /// Chapter 8's "What a parked task holds" names the size of each piece
    /// of a parked task; they are the compiler's, and this keeps the page
    /// honest when a field is added or removed.
    #[test]
    fn the_sizes_chapter_8_gives_a_parked_task_are_the_real_ones() {
        let page = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/chapters/08-cost-of-a-switch.md"
        ))
        .expect("chapter 8 is readable");
        // Line breaks in the prose are spaces.
        let page = page.split_whitespace().collect::<Vec<_>>().join(" ");
        // An `Rc`'s allocation holds its two counts, then the value.
        let shared_half = size_of::<TaskCell<()>>() + 2 * size_of::<usize>();
        let phrases = [
            format!("every handle holds: {shared_half} bytes"),
            format!("the boxed coroutine: {} bytes", size_of::<TaskCoroutine>()),
            format!("its entry in the table: {} bytes", size_of::<Slot>()),
            format!(
                "room for 16,384: about {} bytes each",
                (size_of::<Slot>() * 16_384 / 10_000).next_multiple_of(10)
            ),
            format!(
                "where each task waited once: about {} bytes",
                size_of::<Ready>() * 16_384 / 10_000
            ),
        ];
        for phrase in phrases {
            assert!(
                page.contains(&phrase),
                "chapters/08-cost-of-a-switch.md should say {phrase:?}"
            );
        }
    }
}
