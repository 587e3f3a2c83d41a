//! # Chapter 6: a scheduler that behaves like asyncio
//!
//! Chapter 5's loop resumed every task every round, just to let sleepers look
//! at the clock. This scheduler resumes a task only when it can go on: a
//! **ready queue** holds the tasks that can run, a **timer heap** holds the
//! sleepers by deadline, and a finished task wakes exactly the tasks that
//! await it. When nothing is ready, the scheduler waits for the earliest
//! timer: the thread sleeps on the real clock, and on the virtual clock time
//! jumps straight to the deadline.
//!
//! The core operations are:
//! - [`Scheduler::spawn`] (or [`spawn`] inside a task) puts a new task at the
//!   back of the ready queue and returns its [`JoinHandle`]. The spawner goes
//!   on running until it suspends.
//! - [`JoinHandle::join`] waits for a task: the caller leaves the ready queue
//!   until the task is done, then goes to the back of it.
//! - [`sleep`] puts the caller in the timer heap; [`yield_now`] (and
//!   `sleep(Duration::ZERO)`) puts it at the back of the ready queue.
//! - [`Scheduler::run_until_complete`] runs iterations, asyncio's
//!   `_run_once`, until `main` is done (and then one more pass, as asyncio
//!   does).
//! - For chapter 7: [`JoinHandle::cancel`] hands a task
//!   [`SchedError::Cancelled`] at the suspension point it waits at, and
//!   [`waker`] with [`park`] let a task sleep until someone wakes it, the
//!   way `gather` and `wait_for` wait.
//!
//! One iteration:
//!
//! ```text
//!   ready empty? ──yes──▶ timers empty? ──yes──▶ Err(Deadlock): name the stuck tasks, cancel them
//!        │                      │ no
//!        │                      ▼
//!        │               wait until the earliest deadline
//!        │               (real: the thread sleeps; virtual: now = deadline)
//!        ▼                      │
//!   move every due timer's task to the back of the ready queue,
//!   in (deadline, order set) order ◀────────┘
//!        │
//!        ▼
//!   step the tasks that are in the ready queue now, front first; a task
//!   made ready during this pass runs in the next iteration
//!
//!   ready queue:  front ▶ [T1, T3, main] ◀ back        timer heap: (0.5s, T2), (1.0s, T4)
//! ```
//!
//! Where a task goes when it suspends:
//!
//! ```text
//!   yield_now() / sleep(0) ───────────▶ back of the ready queue
//!   sleep(d) ──────────────────────────▶ timer heap at now + d ──fires──▶ back of the ready queue
//!   handle.join() on an unfinished task ▶ the task's waiter list ──done──▶ back of the ready queue
//!   returns or panics ─────────────────▶ gone; its stack goes back to the pool
//! ```
//!
//! A task's coroutine tells the scheduler what it waits for by yielding a
//! [`Wait`]; code deep inside the task reaches its coroutine as in chapter 5,
//! through a thread-local and one `unsafe` block (in `suspend`) guarded by the
//! same stack check. Stacks of finished tasks are kept in a pool and reused;
//! a stack the OS refuses is an error ([`SchedError::StackRefused`]), not a
//! crash.
//!
//! The scheduler can record a [`Trace`] of every event and draw it as a text
//! sequence diagram or as Chrome trace-event JSON (see [`trace`]).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::fmt;
use std::io;
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::ptr;
use std::rc::{Rc, Weak};
use std::time::{Duration, Instant};

use corosensei::stack::{DefaultStack, Stack};
use corosensei::{Coroutine, CoroutineResult, Yielder};

use crate::ch04_future_task::{Future, FutureError, panic_message};

mod overflow;
pub mod trace;

pub use trace::{Event, EventKind, Trace};

/// The default stack size of a task: 256 KiB of address space, of which the
/// OS backs only the pages the task touches.
pub const DEFAULT_STACK_SIZE: usize = 256 * 1024;

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

/// A task's identity within its scheduler. Tasks are numbered in the order
/// they are spawned, from 0, and shown as `T0`, `T1`, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId {
    /// The spawn number, never reused.
    number: u32,
    /// The task's place in the scheduler's table, reused once it finishes.
    slot: u32,
}

impl TaskId {
    /// The spawn number: 0 for the first task spawned, and so on.
    pub fn number(self) -> u32 {
        self.number
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T{}", self.number)
    }
}

// ANCHOR: wait
/// What a suspended task waits for: the value a task's coroutine yields to
/// the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Wait {
    /// Nothing: put me at the back of the ready queue ([`yield_now`]).
    Turn,
    /// The clock: wake me at this time ([`sleep`]).
    Until(Duration),
    /// Another task: wake me when it is done ([`JoinHandle::join`]).
    Task(TaskId),
    /// Whoever holds my [`Waker`]: wake me when they call
    /// [`wake`](Waker::wake), or at this time if one is given ([`park`];
    /// chapter 7 builds `gather`, `as_completed` and `wait_for` on it).
    Park(Option<Duration>),
}
// ANCHOR_END: wait

// ANCHOR: resume
/// Why the scheduler resumed a task: what a suspension point receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resume {
    /// What the task waited for has happened: its turn came, the task it
    /// joined finished, or its waker was called.
    Ready,
    /// The task's timer fired: its sleep is over, or its [`park`] timed out.
    TimedOut,
    /// The task was cancelled ([`JoinHandle::cancel`]): the suspension point
    /// returns [`SchedError::Cancelled`], once. (Chapter 7.)
    Cancelled,
}
// ANCHOR_END: resume

/// A task that panicked and that nobody joined: asyncio's "Task exception
/// was never retrieved". See [`Scheduler::take_unretrieved`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Unretrieved {
    /// The task's name.
    pub task: String,
    /// Its number.
    pub id: TaskId,
    /// The panic's message.
    pub message: String,
}

impl fmt::Display for Unretrieved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "task {} ({}) panicked and nobody joined it: {}",
            self.task, self.id, self.message
        )
    }
}

/// A task that can never go on, in a [`SchedError::Deadlock`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StuckTask {
    /// The task's name.
    pub name: String,
    /// Its number.
    pub id: TaskId,
    /// The task it waits for, with that task's name.
    pub waiting_for: Option<(TaskId, String)>,
}

impl fmt::Display for StuckTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.waiting_for {
            Some((id, name)) => {
                write!(f, "{} ({}) waits for {} ({})", self.name, self.id, name, id)
            }
            None => write!(
                f,
                "{} ({}) waits for nothing that can happen",
                self.name, self.id
            ),
        }
    }
}

// ANCHOR: error
/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchedError {
    /// A scheduler operation was called outside a task.
    NotInTask {
        /// The operation.
        operation: &'static str,
    },
    /// A scheduler operation was called from a coroutine nested inside a
    /// task, not from the task's own stack.
    NotOnTaskStack {
        /// The operation.
        operation: &'static str,
        /// The task it should have been called from.
        task: String,
    },
    /// `run_until_complete` was called while a scheduler is already running
    /// on this thread.
    NestedLoop,
    /// An operation that suspends was called while the task is unwinding (a
    /// destructor running during a panic or a cancellation); see chapter 5's
    /// `LoopError::Unwinding`.
    Unwinding {
        /// The operation.
        operation: &'static str,
    },
    /// A task tried to join itself.
    JoinSelf {
        /// The task.
        task: String,
    },
    /// A task joined a task of another scheduler.
    ForeignTask {
        /// The task being joined.
        task: String,
    },
    /// There is no stack for a new task: the OS refused to map it (out of
    /// memory, or of memory mappings: see `vm.max_map_count`), or the size
    /// asked for exceeds any address space.
    StackRefused {
        /// The stack size asked for.
        size: usize,
        /// Why: the OS's error, or why no address space holds the stack.
        reason: String,
    },
    /// The main task waits, nothing is ready, and no timer is pending: no
    /// task can ever go on. Each stuck task, with what it waits for; they
    /// have been cancelled by the time this error is returned.
    Deadlock(Vec<StuckTask>),
    /// The task this code runs in was cancelled: the suspension point it was
    /// waiting at returns this error, once. Clean up (cleanup may suspend
    /// again) and return; the task ends cancelled. (Chapter 7.)
    Cancelled,
    /// A wait with a deadline ran out of time (chapter 7's `wait_for`).
    TimedOut,
    /// The joined task failed or was cancelled.
    Task(FutureError),
    /// A task called [`stop`] before `main` finished: `run_until_complete`
    /// returned after the iteration it was called in.
    Stopped,
}
// ANCHOR_END: error

impl fmt::Display for SchedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchedError::NotInTask { operation } => write!(
                f,
                "{operation}() was called outside a task: only code running inside a task of a \
                 running Scheduler can use it; start it with Scheduler::run_until_complete or spawn"
            ),
            SchedError::NotOnTaskStack { operation, task } => write!(
                f,
                "{operation}() was called from a coroutine nested inside task {task:?}; only the \
                 task itself can be suspended by the scheduler, so call it from the task's own code"
            ),
            SchedError::Unwinding { operation } => write!(
                f,
                "{operation}() was called while the task is unwinding (a destructor running \
                 during a panic or a cancellation); a task cannot suspend then, so do the \
                 waiting before the value is dropped"
            ),
            SchedError::NestedLoop => f.write_str(
                "run_until_complete() was called while a scheduler is already running on this \
                 thread; inside a task, spawn the work and join it instead",
            ),
            SchedError::JoinSelf { task } => write!(
                f,
                "task {task:?} tried to join itself, which would wait forever; join another task"
            ),
            SchedError::ForeignTask { task } => write!(
                f,
                "task {task:?} belongs to another scheduler; a task can only join tasks of the \
                 scheduler it runs on"
            ),
            SchedError::StackRefused { size, reason } => write!(
                f,
                "no {size}-byte stack for a new task: each task stack costs two memory \
                 mappings (a guard page and the stack), and Linux allows 65,530 per process \
                 by default (vm.max_map_count), about 32,000 live stacks; the process's \
                 address-space or memory limit can refuse it too. Run fewer tasks at once, \
                 ask for a smaller stack size (with_stack_size), or raise the limit. The OS \
                 said: {reason}"
            ),
            SchedError::Deadlock(stuck) => {
                f.write_str(
                    "deadlock: nothing is ready and no timer is pending, so no task can go on: ",
                )?;
                for (i, task) in stuck.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{task}")?;
                }
                Ok(())
            }
            SchedError::Cancelled => f.write_str(
                "this task was cancelled while it waited; clean up and return (the task ends \
                 cancelled whatever it returns)",
            ),
            SchedError::Stopped => f.write_str(
                "the scheduler was stopped (a task called stop()) before main finished; main \
                 and every other unfinished task still wait where they were: run the \
                 scheduler again to let them go on, or drop it to cancel them",
            ),
            SchedError::TimedOut => {
                f.write_str("the wait ran out of time before the work finished")
            }
            SchedError::Task(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for SchedError {}

impl From<FutureError> for SchedError {
    fn from(error: FutureError) -> Self {
        SchedError::Task(error)
    }
}

/// A task's coroutine: it yields what it waits for, and returns the panic
/// message if its body panicked (`None` when it returned; its value is in its
/// [`Future`] by then).
type TaskCoroutine = Coroutine<Resume, Wait, Option<String>, DefaultStack>;

/// How many stacks of finished tasks the pool keeps for new ones. A crowd of
/// tasks that has finished gives the rest back to the OS, so an idle
/// scheduler does not sit on tens of thousands of mappings.
pub const POOL_LIMIT: usize = 1024;

/// Owns a task's body and future inside its coroutine. If the body never
/// finishes (the task is cancelled before it starts, or dropped by force),
/// dropping the guard marks the future cancelled; settling it first makes
/// that a no-op.
///
/// Dropping it never panics: corosensei drops the closure of a coroutine
/// that never started from inside its own `Drop`, and aborts the process if
/// that panics. A destructor of what the body captured, or a done callback,
/// that panics here has its panic kept for the scheduler instead.
struct CancelOnDrop<F, T> {
    /// The task's body, until it runs.
    body: Option<F>,
    /// The task's future.
    future: Future<T>,
    /// The scheduler the task belongs to, to hand it a kept panic.
    scheduler: Weak<Shared>,
}

impl<F, T> CancelOnDrop<F, T> {
    /// Settles the future with the body's outcome: done with its value,
    /// failed with its panic, or cancelled (whatever it returned) if its
    /// cancellation was delivered. Returns the panic's message, if any.
    ///
    /// Settling runs the future's done callbacks. One that panics must not
    /// leave the task half-finished (still in the table, its joiners never
    /// woken), so its panic is kept for the scheduler, which passes it on
    /// out of `run_until_complete` once the task has finished: chapter 4's
    /// rule, a callback's panic comes out of whatever settled the future.
    fn settle(&self, outcome: std::thread::Result<T>, cancelled: bool) -> Option<String> {
        let message = match &outcome {
            Err(payload) => Some(panic_message(payload.as_ref())),
            Ok(_) => None,
        };
        let settled = panic::catch_unwind(AssertUnwindSafe(|| match outcome {
            Ok(value) if cancelled => {
                drop(value); // the cleanup is over before the callbacks run
                self.future.cancel();
            }
            // Neither can fail: nothing else settles a running task's future.
            Ok(value) => {
                let _ = self.future.set_result(value);
            }
            Err(_) => {
                let message = message.clone().unwrap_or_default();
                let _ = self.future.set_panicked(message);
            }
        }));
        if let Err(payload) = settled {
            keep_panic(&self.scheduler, payload);
        }
        message
    }
}

impl<F, T> Drop for CancelOnDrop<F, T> {
    fn drop(&mut self) {
        // A body that never ran goes first: cleanup before callbacks.
        let body = self.body.take();
        let dropped = panic::catch_unwind(AssertUnwindSafe(move || drop(body)));
        let cancelled = panic::catch_unwind(AssertUnwindSafe(|| self.future.cancel()));
        for payload in [dropped.err(), cancelled.err()].into_iter().flatten() {
            keep_panic(&self.scheduler, payload);
        }
    }
}

/// How many times dropping the scheduler (or a deadlock) cancels a task that
/// goes on waiting after its cancellation, before its stack is unwound by
/// force. See `Shared::cancel_all`.
const SHUTDOWN_ROUNDS: usize = 16;

/// An entry in the ready queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ready {
    /// Resume this task, if its token still matches, telling it why.
    Step(TaskId, u64, Resume),
    /// This task's timer fired: put its step at the back of the queue. An
    /// extra hop, as in asyncio, where a timer only completes the sleep's
    /// future and the task's wake-up is then queued behind whatever is ready.
    Wake(TaskId, u64),
}

// ANCHOR: task_slot
/// One task in the scheduler's table.
struct TaskSlot {
    /// Its identity; `id.slot` is where this entry sits in the table.
    id: TaskId,
    /// Its name, for traces and errors.
    name: Rc<str>,
    /// The coroutine, boxed so that taking it out for a step and putting it
    /// back moves one pointer; `None` while the task is being stepped.
    coroutine: Option<Box<TaskCoroutine>>,
    /// The addresses of the task's stack.
    stack: Range<usize>,
    /// Where the task's body published its yielder (null before its first step).
    yielder: *const Yielder<Resume, Wait>,
    /// What the task waits for while suspended.
    waiting: Option<Wait>,
    /// Tasks joined on this one, in the order they joined, each with the
    /// wake-up token it had when it joined.
    waiters: Vec<(TaskId, u64)>,
    /// Counts the task's resumes. Every wake-up (a ready-queue entry, a
    /// timer, a waiter entry, a [`Waker`]) carries the token the task had
    /// when it suspended; one whose token no longer matches arrives after the
    /// task has already been woken some other way, and is ignored.
    token: u64,
    /// Whether the task has been resumed at least once.
    started: bool,
    /// A cancellation waits to be delivered at the task's next resume.
    cancel_requested: bool,
    /// A cancellation has been delivered: the task ends cancelled.
    cancelled: bool,
    /// A [`Waker`] was called while the task was running, before it parked:
    /// its next [`park`] returns at once.
    notified: bool,
}
// ANCHOR_END: task_slot

// ANCHOR: timer
/// A timer in the heap: ordered by deadline, then by the order timers were
/// set, so equal deadlines fire first-set, first-fired. (The derived `Ord`
/// compares the fields in this order.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Timer {
    /// When the task wakes, on the scheduler's clock.
    deadline: Duration,
    /// How many timers were set before this one: the tie-breaker.
    seq: u64,
    /// The task to wake.
    task: TaskId,
    /// The task's wake-up token when the timer was set.
    token: u64,
}
// ANCHOR_END: timer

// ANCHOR: shared
/// The scheduler's state. A [`Scheduler`] owns it; tasks reach it through a
/// thread-local while it runs.
struct Shared {
    /// Which clock `now` reads.
    clock: Clock,
    /// When the scheduler was created: time zero on the real clock.
    created: Instant,
    /// The virtual clock's time (unused on the real clock).
    virtual_now: Cell<Duration>,
    /// The size of the stacks new tasks get.
    stack_size: Cell<usize>,
    /// What runs next, front first: mostly task steps, and the wake-ups of
    /// timers that fired.
    ready: RefCell<VecDeque<Ready>>,
    /// Sleeping tasks, earliest deadline on top.
    timers: RefCell<BinaryHeap<Reverse<Timer>>>,
    /// The `seq` of the next timer.
    timer_seq: Cell<u64>,
    /// Every live task, at its `TaskId::slot`; `None` marks a free place.
    tasks: RefCell<Vec<Option<TaskSlot>>>,
    /// Free places in `tasks`, reused before the table grows.
    free_slots: RefCell<Vec<u32>>,
    /// The number the next spawned task gets.
    next_number: Cell<u32>,
    /// Tasks that panicked and whose panic nobody has joined yet.
    unretrieved: RefCell<Vec<Unretrieved>>,
    /// A task called [`stop`]: `run_until_complete` returns once the
    /// current iteration is over.
    stop_requested: Cell<bool>,
    /// A panic to pass on: a done callback panicked while a task's future
    /// settled (see `CancelOnDrop::settle`), or a destructor did while the
    /// scheduler cancelled a task that never started.
    kept_panic: RefCell<Option<Box<dyn Any + Send>>>,
    /// Stacks of finished tasks, ready for new ones.
    pool: RefCell<Vec<DefaultStack>>,
    /// How many times a task's coroutine has been resumed.
    resumes: Cell<u64>,
    /// `Some` when recording: every event, in order.
    trace: RefCell<Option<Trace>>,
    /// Mirrors `trace.is_some()`, read on every event: one branch when off.
    tracing: Cell<bool>,
}
// ANCHOR_END: shared

// ANCHOR: current
/// The task being stepped, for [`suspend`] to find. One `Copy` value in a
/// `Cell`: the hot path reads and writes it whole, with no borrow flags.
#[derive(Clone, Copy)]
struct Current {
    /// The running task, if any: set by `step` for the length of one step.
    task: Option<TaskId>,
    /// That task's yielder: null until its body has published it.
    yielder: *const Yielder<Resume, Wait>,
    /// The lowest address of that task's stack.
    stack_low: usize,
    /// One past the highest address of that task's stack.
    stack_high: usize,
    /// Whether that task has been handed a cancellation (chapter 7).
    cancelled: bool,
    /// That task's name, for the stack overflow report (see `overflow`):
    /// it points into the `Rc<str>` of the task's slot, which lives until
    /// the task finishes, after its last step.
    name: *const str,
}

impl Current {
    /// No task is running.
    const NONE: Current = Current {
        task: None,
        yielder: ptr::null(),
        stack_low: 0,
        stack_high: 0,
        cancelled: false,
        name: "",
    };
}

thread_local! {
    /// What `suspend` needs to know about the task being stepped.
    static CURRENT: Cell<Current> = const { Cell::new(Current::NONE) };
    /// Set while the scheduler drops the coroutines of cancelled tasks: the
    /// unwinding that runs their destructors is a cancellation, not a panic
    /// of the task's own.
    static CANCELLING: Cell<bool> = const { Cell::new(false) };
    /// The scheduler running on this thread: chapter 5's `RUNNING`.
    static RUNNING: RefCell<Option<Weak<Shared>>> = const { RefCell::new(None) };
}
// ANCHOR_END: current

/// Clears `RUNNING` when `run_until_complete` ends, also by a panic.
struct RunningGuard;

impl Drop for RunningGuard {
    fn drop(&mut self) {
        RUNNING.with(|running| *running.borrow_mut() = None);
        CURRENT.with(|current| current.set(Current::NONE));
    }
}

// ANCHOR: scheduler
/// A scheduler with a ready queue, a timer heap and a clock.
///
/// It owns its tasks: dropping it cancels whatever is left, as asyncio.run
/// does at its end. Each suspended task is handed [`SchedError::Cancelled`]
/// where it waits and cleans up (any wait during the cleanup is cancelled at
/// once), so the destructors of the values on its stack run; a task that
/// never started is dropped with its closure. A panic in that cleanup is the
/// task's own: its handle says so, and it is printed like any panic nobody
/// joined.
///
/// ```
/// use std::time::Duration;
/// use yieldpoint::ch06_scheduler::{Clock, SchedError, Scheduler, sleep, spawn};
///
/// let scheduler = Scheduler::new(Clock::Virtual);
/// let answer = scheduler.run_until_complete(|| {
///     let slow = spawn("slow", || {
///         sleep(Duration::from_secs(2))?;
///         Ok::<u32, SchedError>(40)
///     })?;
///     sleep(Duration::from_secs(1))?; // meanwhile, slow sleeps too
///     Ok::<u32, SchedError>(slow.join()?? + 2)
/// });
/// assert_eq!(answer, Ok(Ok(42)));
/// // Both sleeps overlapped: 2 s in all, and no real time at all.
/// assert_eq!(scheduler.now(), Duration::from_secs(2));
/// // main: its start, after its sleep, after slow ends; slow: start, end.
/// assert_eq!(scheduler.resumes(), 5);
/// ```
pub struct Scheduler {
    /// The state; tasks see it through `RUNNING` as a weak pointer.
    shared: Rc<Shared>,
}
// ANCHOR_END: scheduler

/// A handle to a spawned task: join it to wait for its value.
///
/// Handles are cheap to clone; any number of tasks may join the same task,
/// and they wake in the order they joined. Dropping a handle does not stop
/// the task (asyncio's tasks also run whether or not anyone awaits them).
pub struct JoinHandle<T> {
    /// The task's identity.
    id: TaskId,
    /// The task's name, for errors.
    name: Rc<str>,
    /// The task's result, set when its body returns (or panics, or the
    /// task is cancelled).
    future: Future<T>,
    /// The scheduler the task belongs to, to refuse a join from another.
    scheduler: Weak<Shared>,
}

impl<T> Clone for JoinHandle<T> {
    fn clone(&self) -> Self {
        JoinHandle {
            id: self.id,
            name: Rc::clone(&self.name),
            future: self.future.clone(),
            scheduler: Weak::clone(&self.scheduler),
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("status", &self.future.status())
            .finish()
    }
}

impl Scheduler {
    /// A scheduler on `clock`, with [`DEFAULT_STACK_SIZE`] stacks and no trace.
    pub fn new(clock: Clock) -> Self {
        // A task that overflows its stack will be named (see `overflow`).
        overflow::prepare();
        Scheduler {
            shared: Rc::new(Shared {
                clock,
                created: Instant::now(),
                virtual_now: Cell::new(Duration::ZERO),
                stack_size: Cell::new(DEFAULT_STACK_SIZE),
                ready: RefCell::new(VecDeque::new()),
                timers: RefCell::new(BinaryHeap::new()),
                timer_seq: Cell::new(0),
                tasks: RefCell::new(Vec::new()),
                free_slots: RefCell::new(Vec::new()),
                next_number: Cell::new(0),
                pool: RefCell::new(Vec::new()),
                unretrieved: RefCell::new(Vec::new()),
                kept_panic: RefCell::new(None),
                stop_requested: Cell::new(false),
                resumes: Cell::new(0),
                trace: RefCell::new(None),
                tracing: Cell::new(false),
            }),
        }
    }

    /// The same scheduler, giving the tasks it spawns from now on stacks of
    /// at least `size` bytes (corosensei's minimum is 4 KiB). Pooled stacks
    /// of the old size are dropped.
    ///
    /// Nothing is mapped here: a size the OS cannot map shows up as
    /// [`SchedError::StackRefused`] from the next spawn (or from
    /// [`run_until_complete`](Self::run_until_complete), which spawns `main`).
    pub fn with_stack_size(self, size: usize) -> Self {
        self.shared.stack_size.set(size);
        self.shared.pool.borrow_mut().clear();
        self
    }

    /// The same scheduler, recording a [`Trace`] of everything it does from
    /// now on.
    pub fn with_trace(self) -> Self {
        self.shared
            .trace
            .borrow_mut()
            .get_or_insert_with(Trace::default);
        self.shared.tracing.set(true);
        self
    }

    /// The scheduler's time: since it was created (real clock), or the
    /// virtual time.
    pub fn now(&self) -> Duration {
        self.shared.now()
    }

    /// How many times the scheduler has resumed a task.
    pub fn resumes(&self) -> u64 {
        self.shared.resumes.get()
    }

    /// How many tasks are alive (spawned and not yet finished).
    pub fn live_tasks(&self) -> usize {
        self.shared.tasks.borrow().iter().flatten().count()
    }

    /// How many stacks wait in the pool for new tasks.
    pub fn pooled_stacks(&self) -> usize {
        self.shared.pool.borrow().len()
    }

    /// Takes the list of tasks that panicked and that nobody has joined
    /// since. Whatever is left when the scheduler is dropped is printed on
    /// stderr.
    pub fn take_unretrieved(&self) -> Vec<Unretrieved> {
        std::mem::take(&mut *self.shared.unretrieved.borrow_mut())
    }

    /// The events recorded so far (empty unless built
    /// [`with_trace`](Self::with_trace)).
    pub fn trace(&self) -> Trace {
        self.shared.trace.borrow().clone().unwrap_or_default()
    }

    /// Spawns a task running `body`: it goes to the back of the ready queue.
    /// Called from outside a run, the task waits for the next
    /// [`run_until_complete`](Self::run_until_complete), where it runs
    /// before `main`.
    ///
    /// # Errors
    ///
    /// [`SchedError::StackRefused`] if the OS refuses the task's stack.
    pub fn spawn<T: 'static>(
        &self,
        name: &str,
        body: impl FnOnce() -> T + 'static,
    ) -> Result<JoinHandle<T>, SchedError> {
        self.shared.spawn(&self.shared, name, body)
    }

    // ANCHOR: run_until_complete
    /// Spawns `main` as a task named `main` (at the back of the ready queue,
    /// like any task: `T0` if nothing was spawned before), runs iterations
    /// until it is done, and returns its value.
    ///
    /// The iteration in which `main` finishes is followed by one more pass
    /// that does not wait: every task that is ready by then gets one more
    /// step. asyncio does the same, because it stops its loop with a
    /// callback that `main`'s end puts at the back of the ready queue, and
    /// that callback waits its turn. Tasks still alive after that stay where
    /// they are: run the scheduler again to carry on with them, or drop it to
    /// cancel them.
    ///
    /// # Errors
    ///
    /// - [`SchedError::NestedLoop`] if a scheduler is already running here.
    /// - [`SchedError::Deadlock`] if `main` waits and no task can ever go on;
    ///   the stuck tasks are cancelled, as dropping the scheduler cancels
    ///   them, before it returns: their cleanup and destructors have run.
    /// - [`SchedError::Task`] if `main` panicked.
    /// - [`SchedError::StackRefused`] if there is no stack for `main`.
    /// - [`SchedError::Stopped`] if a task called [`stop`] before `main`
    ///   finished: the iteration it was called in runs to its end, and every
    ///   unfinished task, `main` included, stays where it waits.
    ///
    /// # Panics
    ///
    /// If a done callback panics when a task's future settles (chapter 4's
    /// [`Future::add_done_callback`], through [`JoinHandle::future`]), the
    /// panic continues out of this call at the end of that pass, as chapter
    /// 4's `Task::step` passes it on. The task has finished by then, and
    /// the tasks still alive carry on in the next run.
    pub fn run_until_complete<T: 'static>(
        &self,
        main: impl FnOnce() -> T + 'static,
    ) -> Result<T, SchedError> {
        if RUNNING.with(|running| running.borrow().is_some()) {
            return Err(SchedError::NestedLoop);
        }
        RUNNING.with(|running| *running.borrow_mut() = Some(Rc::downgrade(&self.shared)));
        let _clear_on_exit = RunningGuard;

        // A stop asked for during an earlier run (or the drop's cleanup)
        // has done its work: this run starts afresh.
        self.shared.stop_requested.set(false);
        let main = self.spawn("main", main)?;
        while !main.future.is_settled() {
            self.run_once()?;
            // asyncio's `loop.stop()`: the iteration is over, so stop here.
            if self.shared.stop_requested.replace(false) && !main.future.is_settled() {
                return Err(SchedError::Stopped);
            }
        }
        // asyncio's stop callback: one more pass, if there is work right now.
        if self.shared.has_work_now() {
            self.run_once()?;
        }
        // Handing main's panic back counts as joining it.
        self.shared.retrieved(main.id);
        Ok(main.future.take_result()?)
    }
    // ANCHOR_END: run_until_complete

    /// One iteration (`Shared::run_once`). Then, if a done callback
    /// panicked during it, that panic continues from here: the pass is
    /// over and the scheduler's books are in order.
    fn run_once(&self) -> Result<(), SchedError> {
        let iteration = self.shared.run_once();
        if let Some(payload) = self.shared.kept_panic.take() {
            panic::resume_unwind(payload);
        }
        iteration
    }
}

impl Shared {
    /// The time on the scheduler's clock: see [`Scheduler::now`].
    fn now(&self) -> Duration {
        match self.clock {
            Clock::Real => self.created.elapsed(),
            Clock::Virtual => self.virtual_now.get(),
        }
    }

    /// Whether an iteration would find something to do without waiting: a
    /// task is ready, or a timer is due.
    fn has_work_now(&self) -> bool {
        !self.ready.borrow().is_empty()
            || self
                .earliest_deadline()
                .is_some_and(|deadline| deadline <= self.now())
    }

    /// The deadline of the earliest timer still wanted. Timers of tasks that
    /// were woken some other way meanwhile (a cancelled sleep, a `park` whose
    /// waker came first) are thrown away from the top of the heap first, as
    /// asyncio drops cancelled timer handles, so that an idle wait never
    /// waits for a timer nobody wants any more.
    fn earliest_deadline(&self) -> Option<Duration> {
        loop {
            let top = self.timers.borrow().peek().map(|Reverse(timer)| *timer);
            let timer = top?;
            if self.token_matches(timer.task, timer.token) {
                return Some(timer.deadline);
            }
            self.timers.borrow_mut().pop();
        }
    }

    /// Adds an event to the trace, if the scheduler records one. When it
    /// does not, this is one branch, inlined where it is called.
    #[inline]
    fn record(&self, task: Option<TaskId>, kind: impl FnOnce() -> EventKind) {
        if self.tracing.get() {
            self.push_event(task, kind());
        }
    }

    /// The part of [`record`](Self::record) that runs only when tracing:
    /// kept out of line, so the switch's code stays small.
    #[cold]
    #[inline(never)]
    fn push_event(&self, task: Option<TaskId>, kind: EventKind) {
        let at = self.now();
        if let Some(trace) = self.trace.borrow_mut().as_mut() {
            trace.events.push(Event { at, task, kind });
        }
    }

    /// The name of task `id`, or `T<number>` once it is gone.
    fn name_of(&self, id: TaskId) -> String {
        slot_of(&self.tasks.borrow(), id)
            .map_or_else(|| id.to_string(), |slot| slot.name.to_string())
    }

    // ANCHOR: spawn
    /// [`Scheduler::spawn`] and the free function [`spawn`]: takes a stack
    /// (from the pool if one is there), wraps `body` in a coroutine on it,
    /// and puts the new task at the back of the ready queue. `this` is the
    /// `Rc` that `self` lives in, for the handle's weak pointer.
    fn spawn<T: 'static>(
        &self,
        this: &Rc<Shared>,
        name: &str,
        body: impl FnOnce() -> T + 'static,
    ) -> Result<JoinHandle<T>, SchedError> {
        let pooled = self.pool.borrow_mut().pop();
        let stack = match pooled {
            Some(stack) => stack,
            None => new_stack(self.stack_size.get())?,
        };
        let stack_range = stack.limit().get()..stack.base().get();
        let future = Future::new();
        // If the body never finishes (the task is cancelled before it starts,
        // or dropped by force), dropping this guard with the closure marks
        // the future cancelled.
        let guard = CancelOnDrop {
            body: Some(body),
            future: future.clone(),
            scheduler: Rc::downgrade(this),
        };
        let coroutine = Coroutine::with_stack(stack, move |yielder: &Yielder<Resume, Wait>, _| {
            let mut guard = guard;
            // First step: tell `suspend` where this task's yielder is.
            CURRENT.with(|current| {
                current.set(Current {
                    yielder,
                    ..current.get()
                })
            });
            let body = guard.body.take().expect("a task's body runs once");
            let outcome = match panic::catch_unwind(AssertUnwindSafe(body)) {
                // The scheduler is dropping this coroutine by force: let the
                // unwind go on to corosensei, and the guard cancel the future.
                Err(payload) if CANCELLING.with(Cell::get) => panic::resume_unwind(payload),
                outcome => outcome,
            };
            // Done, failed, or (if its cancellation was delivered) cancelled.
            guard.settle(outcome, CURRENT.with(Cell::get).cancelled)
        });

        let number = self.next_number.get();
        self.next_number
            .set(number.checked_add(1).expect("fewer than 4 billion spawns"));
        let mut tasks = self.tasks.borrow_mut();
        let slot = match self.free_slots.borrow_mut().pop() {
            Some(slot) => slot,
            None => {
                tasks.push(None);
                u32::try_from(tasks.len() - 1).expect("fewer than 4 billion live tasks")
            }
        };
        let id = TaskId { number, slot };
        let name: Rc<str> = Rc::from(name);
        tasks[slot as usize] = Some(TaskSlot {
            id,
            name: Rc::clone(&name),
            coroutine: Some(Box::new(coroutine)),
            stack: stack_range,
            yielder: ptr::null(),
            waiting: Some(Wait::Turn),
            waiters: Vec::new(),
            token: 0,
            started: false,
            cancel_requested: false,
            cancelled: false,
            notified: false,
        });
        drop(tasks);
        self.ready
            .borrow_mut()
            .push_back(Ready::Step(id, 0, Resume::Ready));
        self.record(Some(id), || EventKind::Spawned {
            name: name.to_string(),
            by: CURRENT.with(Cell::get).task,
        });
        Ok(JoinHandle {
            id,
            name,
            future,
            scheduler: Rc::downgrade(this),
        })
    }
    // ANCHOR_END: spawn

    // ANCHOR: run_once
    /// One iteration of the loop, as asyncio's `_run_once`.
    fn run_once(&self) -> Result<(), SchedError> {
        if self.ready.borrow().is_empty() {
            let Some(deadline) = self.earliest_deadline() else {
                // Nothing is ready and nothing ever will be: report who is
                // stuck on whom, then cancel them (their destructors run).
                let stuck = self.stuck_tasks();
                self.cancel_all();
                return Err(SchedError::Deadlock(stuck));
            };
            self.idle_until(deadline);
        }
        let now = self.now();
        loop {
            let due = {
                let mut timers = self.timers.borrow_mut();
                match timers.peek() {
                    Some(Reverse(timer)) if timer.deadline <= now => {
                        timers.pop().map(|Reverse(t)| t)
                    }
                    _ => None,
                }
            };
            let Some(timer) = due else { break };
            self.ready
                .borrow_mut()
                .push_back(Ready::Wake(timer.task, timer.token));
        }
        let ntodo = self.ready.borrow().len();
        for _ in 0..ntodo {
            let next = self.ready.borrow_mut().pop_front();
            match next {
                Some(Ready::Step(id, token, why)) => self.step(id, token, why),
                Some(Ready::Wake(id, token)) => {
                    if self.token_matches(id, token) {
                        self.record(Some(id), || EventKind::Woken { by: None });
                        self.ready
                            .borrow_mut()
                            .push_back(Ready::Step(id, token, Resume::TimedOut));
                    }
                }
                None => break,
            }
        }
        Ok(())
    }
    // ANCHOR_END: run_once

    // ANCHOR: idle_until
    /// Waits for `deadline`: the thread sleeps (real clock), or the clock
    /// jumps (virtual clock).
    fn idle_until(&self, deadline: Duration) {
        let now = self.now();
        if deadline <= now {
            return;
        }
        self.record(None, || EventKind::Idle { until: deadline });
        match self.clock {
            Clock::Real => std::thread::sleep(deadline - now),
            Clock::Virtual => self.virtual_now.set(deadline),
        }
    }
    // ANCHOR_END: idle_until

    // ANCHOR: step
    /// Resumes task `id` once, and files it where its answer says.
    ///
    /// Inlined into its two callers (`run_once`, and the cancellation when
    /// the scheduler is dropped): left to itself the compiler keeps it out
    /// of line, which costs the switch about fifty instructions.
    #[inline(always)]
    fn step(&self, id: TaskId, token: u64, why: Resume) {
        let (mut coroutine, yielder, stack, input, cancelled, name) = {
            let mut tasks = self.tasks.borrow_mut();
            let Some(slot) = slot_of_mut(&mut tasks, id) else {
                return; // gone since it was queued
            };
            if slot.token != token {
                return; // already woken some other way since this was queued
            }
            let Some(coroutine) = slot.coroutine.take() else {
                return;
            };
            slot.token += 1;
            slot.started = true;
            slot.notified = false;
            slot.waiting = None;
            let input = if slot.cancel_requested {
                slot.cancel_requested = false;
                slot.cancelled = true;
                Resume::Cancelled
            } else {
                why
            };
            (
                coroutine,
                slot.yielder,
                slot.stack.clone(),
                input,
                slot.cancelled,
                // The name lives in the slot until the task finishes, after
                // this step: the overflow report may read it meanwhile.
                &*slot.name as *const str,
            )
        };
        CURRENT.with(|current| {
            current.set(Current {
                task: Some(id),
                yielder,
                stack_low: stack.start,
                stack_high: stack.end,
                cancelled,
                name,
            })
        });
        self.resumes.set(self.resumes.get() + 1);
        self.record(Some(id), || EventKind::Resumed);

        // A panic in the body is caught inside the coroutine (see `spawn`),
        // so `resume` returns normally whatever the body does.
        let outcome = coroutine.resume(input);

        let yielder = CURRENT.with(|current| current.replace(Current::NONE).yielder);
        match outcome {
            CoroutineResult::Yield(wait) => {
                self.record(Some(id), || EventKind::Suspended(wait));
                let mut tasks = self.tasks.borrow_mut();
                let slot = slot_of_mut(&mut tasks, id).expect("a suspended task is in the table");
                slot.coroutine = Some(coroutine);
                slot.yielder = yielder;
                slot.waiting = Some(wait);
                let token = slot.token;
                // Cancelled while it ran (by itself, say): deliver at once.
                let cancel_now = slot.cancel_requested;
                drop(tasks);
                if cancel_now {
                    self.ready
                        .borrow_mut()
                        .push_back(Ready::Step(id, token, Resume::Ready));
                } else {
                    self.file(id, token, wait);
                }
            }
            CoroutineResult::Return(panic) => self.finish(id, *coroutine, panic),
        }
    }
    // ANCHOR_END: step

    // ANCHOR: file
    /// Puts a suspended task where it waits.
    fn file(&self, id: TaskId, token: u64, wait: Wait) {
        match wait {
            Wait::Turn => self
                .ready
                .borrow_mut()
                .push_back(Ready::Step(id, token, Resume::Ready)),
            Wait::Until(deadline) => self.set_timer(id, token, deadline),
            Wait::Task(target) => {
                let mut tasks = self.tasks.borrow_mut();
                match slot_of_mut(&mut tasks, target) {
                    Some(slot) => slot.waiters.push((id, token)),
                    // Already gone: `join` checks first, so this does not
                    // happen; if it did, waking at once is right.
                    None => {
                        drop(tasks);
                        self.ready
                            .borrow_mut()
                            .push_back(Ready::Step(id, token, Resume::Ready));
                    }
                }
            }
            Wait::Park(deadline) => {
                let notified = slot_of_mut(&mut self.tasks.borrow_mut(), id)
                    .is_some_and(|slot| std::mem::take(&mut slot.notified));
                if notified {
                    // Its waker was called before it parked: nothing to wait for.
                    self.ready
                        .borrow_mut()
                        .push_back(Ready::Step(id, token, Resume::Ready));
                } else if let Some(deadline) = deadline {
                    self.set_timer(id, token, deadline);
                }
            }
        }
    }

    /// Puts task `id` in the timer heap until `deadline`.
    fn set_timer(&self, id: TaskId, token: u64, deadline: Duration) {
        let seq = self.timer_seq.get();
        self.timer_seq.set(seq + 1);
        self.timers.borrow_mut().push(Reverse(Timer {
            deadline,
            seq,
            task: id,
            token,
        }));
    }

    /// Someone has been handed task `id`'s failure: it is not unretrieved.
    fn retrieved(&self, id: TaskId) {
        self.unretrieved
            .borrow_mut()
            .retain(|failure| failure.id != id);
    }

    /// Whether task `id` is alive and still waiting with this token.
    fn token_matches(&self, id: TaskId, token: u64) -> bool {
        slot_of(&self.tasks.borrow(), id).is_some_and(|slot| slot.token == token)
    }

    // ANCHOR: wake
    /// A [`Waker`]'s call: makes task `id` ready if it still waits with this
    /// token. Returns whether the wake-up counted.
    fn wake(&self, id: TaskId, token: u64) -> bool {
        let mut tasks = self.tasks.borrow_mut();
        let Some(slot) = slot_of_mut(&mut tasks, id) else {
            return false;
        };
        if slot.token != token {
            return false;
        }
        if slot.coroutine.is_none() {
            // It is running right now: its next park returns at once.
            slot.notified = true;
            return true;
        }
        drop(tasks);
        let by = CURRENT.with(Cell::get).task;
        self.record(Some(id), || EventKind::Woken { by });
        self.ready
            .borrow_mut()
            .push_back(Ready::Step(id, token, Resume::Ready));
        true
    }
    // ANCHOR_END: wake

    // ANCHOR: cancel
    /// [`JoinHandle::cancel`]: a task that never started is dropped now and
    /// never runs; any other is handed [`SchedError::Cancelled`] at its next
    /// resume, which comes at once if it is suspended.
    fn cancel(&self, id: TaskId) -> bool {
        let mut tasks = self.tasks.borrow_mut();
        let Some(slot) = slot_of_mut(&mut tasks, id) else {
            return false;
        };
        if !slot.started {
            let slot = tasks[id.slot as usize].take().expect("the slot just found");
            self.free_slots.borrow_mut().push(id.slot);
            drop(tasks);
            self.record(Some(id), || EventKind::Cancelled { started: false });
            // Dropping the closure drops its `CancelOnDrop` guard: the
            // future is cancelled. If a destructor or a done callback panics
            // meanwhile, the guard keeps the panic, and it comes out of this
            // call once the task's joiners are woken.
            let earlier = self.kept_panic.take();
            drop_cancelled(slot.coroutine);
            let dropping = self.kept_panic.replace(earlier);
            self.wake_waiters(id, slot.waiters);
            if let Some(payload) = dropping {
                panic::resume_unwind(payload);
            }
            return true;
        }
        slot.cancel_requested = true;
        let suspended = slot.coroutine.is_some().then_some(slot.token);
        drop(tasks);
        if suspended.is_none() && CURRENT.with(Cell::get).task == Some(id) {
            // The task cancels itself while it runs. It learns of it at its
            // next suspension point; if it returns before it suspends again,
            // it ends cancelled all the same, as in asyncio (whose task sees
            // `_must_cancel` when its coroutine returns).
            CURRENT.with(|current| {
                current.set(Current {
                    cancelled: true,
                    ..current.get()
                })
            });
        }
        self.record(Some(id), || EventKind::Cancelled { started: true });
        if let Some(token) = suspended {
            self.ready
                .borrow_mut()
                .push_back(Ready::Step(id, token, Resume::Ready));
        }
        true
    }
    // ANCHOR_END: cancel
    // ANCHOR_END: file

    // ANCHOR: finish
    /// A task's coroutine has returned (its future holds the value) or
    /// panicked: settle, wake its waiters, recycle its stack.
    fn finish(&self, id: TaskId, coroutine: TaskCoroutine, panic: Option<String>) {
        let slot = self.tasks.borrow_mut()[id.slot as usize]
            .take()
            .expect("a finishing task is in the table");
        self.free_slots.borrow_mut().push(id.slot);
        if let Some(message) = &panic {
            self.unretrieved.borrow_mut().push(Unretrieved {
                task: slot.name.to_string(),
                id,
                message: message.clone(),
            });
        }
        // Delivered, or asked for by the task itself just before it returned.
        let cancelled = slot.cancelled || slot.cancel_requested;
        self.record(Some(id), || EventKind::Done {
            panicked: panic,
            cancelled,
        });
        self.wake_waiters(id, slot.waiters);
        let mut pool = self.pool.borrow_mut();
        if pool.len() < POOL_LIMIT {
            pool.push(coroutine.into_stack());
        }
        // Beyond the limit the stack is unmapped here, with the coroutine.
    }
    // ANCHOR_END: finish

    // ANCHOR: stuck_tasks
    /// Task `id` has ended: every task that joined it goes to the back of
    /// the ready queue, in the order it joined.
    fn wake_waiters(&self, id: TaskId, waiters: Vec<(TaskId, u64)>) {
        for (waiter, token) in waiters {
            self.record(Some(waiter), || EventKind::Woken { by: Some(id) });
            self.ready
                .borrow_mut()
                .push_back(Ready::Step(waiter, token, Resume::Ready));
        }
    }

    /// Every live task, with what it waits for.
    fn stuck_tasks(&self) -> Vec<StuckTask> {
        let tasks = self.tasks.borrow();
        tasks
            .iter()
            .flatten()
            .map(|slot| StuckTask {
                name: slot.name.to_string(),
                id: slot.id,
                waiting_for: match slot.waiting {
                    Some(Wait::Task(target)) => Some((
                        target,
                        slot_of(&tasks, target)
                            .map_or_else(|| target.to_string(), |t| t.name.to_string()),
                    )),
                    _ => None,
                },
            })
            .collect()
    }
    // ANCHOR_END: stuck_tasks

    /// Cancels every live task and runs its cleanup now, as asyncio.run
    /// cancels the tasks left at its end; each task ends exactly once.
    ///
    /// - A task that never started is dropped with its closure (the values
    ///   it captured), as [`JoinHandle::cancel`] does, and never runs.
    /// - A suspended task is resumed at once with [`SchedError::Cancelled`],
    ///   at the suspension point it waits at, and cleans up as after any
    ///   cancellation. Nothing here runs the clock, so every wait during
    ///   that cleanup is cancelled again at once. The destructors on its
    ///   stack run as its code returns, and a panic in one is the task's own
    ///   (its joiners see it, or `take_unretrieved`).
    ///
    /// A task still waiting after [`SHUTDOWN_ROUNDS`] rounds refuses to end:
    /// its coroutine is dropped by force, which unwinds its stack. (A
    /// destructor that panics during that unwinding aborts the process, as
    /// any panic during a panic does; only such a task ever gets there.)
    fn cancel_all(&self) {
        for _ in 0..SHUTDOWN_ROUNDS {
            let mut live: Vec<TaskId> = self
                .tasks
                .borrow()
                .iter()
                .flatten()
                .map(|slot| slot.id)
                .collect();
            if live.is_empty() {
                break;
            }
            live.sort_unstable(); // in the order they were spawned
            for id in live {
                self.cancel_now(id);
            }
        }
        self.drop_all_by_force();
        self.ready.borrow_mut().clear();
        self.timers.borrow_mut().clear();
    }

    /// One round of [`cancel_all`](Self::cancel_all) for task `id`.
    fn cancel_now(&self, id: TaskId) {
        let suspended = {
            let mut tasks = self.tasks.borrow_mut();
            let Some(slot) = slot_of_mut(&mut tasks, id) else {
                return; // it ended meanwhile
            };
            if slot.coroutine.is_none() {
                return; // it is running: it cannot be resumed again
            }
            if slot.started {
                slot.cancel_requested = true;
                Some(slot.token)
            } else {
                None
            }
        };
        // A panic from the destructors of a closure that never ran, or from
        // a done callback, is passed on once everything is cancelled. (So is
        // one from an unfinished part of the scheduler, such as an
        // exercise's `todo!()`: a panic out of a drop during a panic would
        // abort the process.)
        let cancelled = panic::catch_unwind(AssertUnwindSafe(|| match suspended {
            Some(token) => {
                self.record(Some(id), || EventKind::Cancelled { started: true });
                self.step(id, token, Resume::Ready); // delivers the cancellation
            }
            None => {
                self.cancel(id);
            }
        }));
        if let Err(payload) = cancelled {
            self.keep_panic(payload);
        }
    }

    /// Drops every task still in the table by force: its coroutine is
    /// dropped, which unwinds its stack (or, for a task that never started,
    /// drops its closure); either way its `CancelOnDrop` guard marks its
    /// future cancelled.
    fn drop_all_by_force(&self) {
        loop {
            // Take the whole table first: a destructor may spawn, and what it
            // spawns lands in a fresh table, dropped on the next pass.
            let slots = std::mem::take(&mut *self.tasks.borrow_mut());
            self.free_slots.borrow_mut().clear();
            if slots.is_empty() {
                break;
            }
            drop_cancelled(slots);
        }
    }

    /// Keeps `payload` to pass on later; the first panic kept wins.
    fn keep_panic(&self, payload: Box<dyn Any + Send>) {
        self.kept_panic.borrow_mut().get_or_insert(payload);
    }
}

/// [`Shared::keep_panic`], for the scheduler behind `scheduler`. If it is
/// gone, nobody is left to tell but stderr.
fn keep_panic(scheduler: &Weak<Shared>, payload: Box<dyn Any + Send>) {
    match scheduler.upgrade() {
        Some(shared) => shared.keep_panic(payload),
        None => eprintln!(
            "[scheduler] a done callback panicked after its scheduler was dropped: {}",
            panic_message(payload.as_ref())
        ),
    }
}

impl Drop for Scheduler {
    /// Cancels the tasks still alive and runs their cleanup (see
    /// `Shared::cancel_all`), then reports every panic nobody joined on
    /// stderr, as asyncio logs "Task exception was never retrieved": a
    /// failure is never lost without a word.
    ///
    /// A panic kept meanwhile (from a done callback, or a destructor of a
    /// closure that never ran) continues out of the drop at the end, once
    /// every task is gone; if the thread is already panicking, a second
    /// panic would abort the process, so it is printed on stderr instead.
    fn drop(&mut self) {
        // The cleanup runs with this scheduler as the running one, so tasks
        // can spawn, sleep or join in it (and be cancelled again at once).
        // Whatever this thread was running is put back afterwards.
        let this = Some(Rc::downgrade(&self.shared));
        let outer_running = RUNNING.with(|running| running.replace(this));
        let outer_current = CURRENT.with(|current| current.replace(Current::NONE));
        let outer_cancelling = CANCELLING.with(|cancelling| cancelling.replace(false));
        self.shared.cancel_all();
        RUNNING.with(|running| *running.borrow_mut() = outer_running);
        CURRENT.with(|current| current.set(outer_current));
        CANCELLING.with(|cancelling| cancelling.set(outer_cancelling));
        for failure in self.take_unretrieved() {
            eprintln!("[scheduler] {failure}");
        }
        if let Some(payload) = self.shared.kept_panic.take() {
            if std::thread::panicking() {
                eprintln!(
                    "[scheduler] a panic while the scheduler was dropped: {}",
                    panic_message(payload.as_ref())
                );
            } else {
                panic::resume_unwind(payload);
            }
        }
    }
}

impl fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scheduler")
            .field("clock", &self.shared.clock)
            .field("now", &self.now())
            .field("live_tasks", &self.live_tasks())
            .field("resumes", &self.resumes())
            .finish_non_exhaustive()
    }
}

// ANCHOR: new_stack
/// A fresh stack of at least `size` bytes, or the OS's refusal as an error.
///
/// corosensei maps the stack with one guard page below it: two memory
/// mappings per stack, which is what runs into Linux's `vm.max_map_count`
/// when tens of thousands of tasks are alive at once.
fn new_stack(size: usize) -> Result<DefaultStack, SchedError> {
    if size > isize::MAX as usize {
        // No address space holds it (and corosensei's size arithmetic
        // would overflow): refuse before asking the OS.
        return Err(SchedError::StackRefused {
            size,
            reason: "no address space holds a stack that large".to_string(),
        });
    }
    DefaultStack::new(size).map_err(|error: io::Error| SchedError::StackRefused {
        size,
        reason: error.to_string(),
    })
}
// ANCHOR_END: new_stack

/// Drops `cancelled` (coroutines of cancelled tasks, or what holds them)
/// with `CANCELLING` set, so that each task's body lets the unwinding pass
/// instead of reporting it as a panic of its own.
fn drop_cancelled<T>(cancelled: T) {
    /// Puts `CANCELLING` back as it was, also when a destructor panics.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            CANCELLING.with(|cancelling| cancelling.set(self.0));
        }
    }
    let _restore = Restore(CANCELLING.with(|cancelling| cancelling.replace(true)));
    drop(cancelled);
}

/// The live task `id`, if it is still in the table.
fn slot_of(tasks: &[Option<TaskSlot>], id: TaskId) -> Option<&TaskSlot> {
    tasks
        .get(id.slot as usize)?
        .as_ref()
        .filter(|slot| slot.id == id)
}

/// [`slot_of`], for changing the slot.
fn slot_of_mut(tasks: &mut [Option<TaskSlot>], id: TaskId) -> Option<&mut TaskSlot> {
    tasks
        .get_mut(id.slot as usize)?
        .as_mut()
        .filter(|slot| slot.id == id)
}

/// The scheduler running this task.
fn running(operation: &'static str) -> Result<Rc<Shared>, SchedError> {
    let in_task = CURRENT.with(Cell::get).task.is_some();
    let shared = RUNNING.with(|running| running.borrow().as_ref().and_then(Weak::upgrade));
    match shared {
        Some(shared) if in_task => Ok(shared),
        _ => Err(SchedError::NotInTask { operation }),
    }
}

// ANCHOR: suspend
/// Suspends the running task, telling the scheduler what it waits for.
fn suspend(operation: &'static str, wait: Wait) -> Result<Resume, SchedError> {
    if std::thread::panicking() {
        return Err(SchedError::Unwinding { operation });
    }
    let current = CURRENT.with(Cell::get);
    let Some(task) = current.task else {
        return Err(SchedError::NotInTask { operation });
    };
    // A local lives on the stack this code runs on, so its address says
    // whose stack that is (`black_box` keeps it a real stack slot).
    let here = std::hint::black_box(ptr::addr_of!(wait)) as usize;
    let yielder = current.yielder;
    if yielder.is_null() || here < current.stack_low || here >= current.stack_high {
        let name = RUNNING
            .with(|running| running.borrow().as_ref().and_then(Weak::upgrade))
            .map_or_else(|| task.to_string(), |shared| shared.name_of(task));
        return Err(SchedError::NotOnTaskStack {
            operation,
            task: name,
        });
    }
    // SAFETY: the same argument as chapter 5's `suspend`. `yielder` is the
    // `&Yielder` corosensei handed the body of the task being stepped (the
    // scheduler sets CURRENT for exactly that task, and the body publishes its
    // yielder on its first step); it lives at the top of that task's stack
    // until the coroutine is dropped, which cannot happen while it runs. The
    // address check above proves this code runs on that task's own stack, so
    // the coroutine that suspends is the one the yielder belongs to.
    let yielder = unsafe { &*yielder };
    match yielder.suspend(wait) {
        Resume::Cancelled => Err(SchedError::Cancelled),
        why => Ok(why),
    }
}
// ANCHOR_END: suspend

/// Spawns a task on the running scheduler: it goes to the back of the ready
/// queue, and the caller keeps running until it suspends.
///
/// # Errors
///
/// [`SchedError::NotInTask`] outside a task; [`SchedError::StackRefused`] if
/// the OS refuses the stack.
pub fn spawn<T: 'static>(
    name: &str,
    body: impl FnOnce() -> T + 'static,
) -> Result<JoinHandle<T>, SchedError> {
    let shared = running("spawn")?;
    shared.spawn(&shared, name, body)
}

/// The running scheduler's time.
///
/// # Errors
///
/// [`SchedError::NotInTask`] outside a task.
pub fn now() -> Result<Duration, SchedError> {
    Ok(running("now")?.now())
}

/// Stops the scheduler, as asyncio's `loop.stop()` does: the iteration that
/// is running now goes on to its end (every task that was ready when it
/// began still runs), and then `run_until_complete` returns
/// [`SchedError::Stopped`]. The caller does not suspend. Nothing is
/// cancelled: every unfinished task, `main` included, waits where it is,
/// and goes on if the scheduler runs again. Asking twice is asking once.
///
/// # Errors
///
/// [`SchedError::NotInTask`] outside a task.
pub fn stop() -> Result<(), SchedError> {
    running("stop")?.stop_requested.set(true);
    Ok(())
}

/// Goes to the back of the ready queue: every task that is ready now runs
/// before the caller runs again.
///
/// # Errors
///
/// [`SchedError::NotInTask`] outside a task; [`SchedError::NotOnTaskStack`]
/// inside a coroutine nested in a task.
#[inline]
pub fn yield_now() -> Result<(), SchedError> {
    suspend("yield_now", Wait::Turn).map(drop)
}

// ANCHOR: sleep
/// Sleeps for `duration`: the task leaves the ready queue and waits in the
/// timer heap until its deadline. `sleep(Duration::ZERO)` is
/// [`yield_now`], as `asyncio.sleep(0)` is.
///
/// # Errors
///
/// As [`yield_now`].
pub fn sleep(duration: Duration) -> Result<(), SchedError> {
    if duration.is_zero() {
        return suspend("sleep", Wait::Turn).map(drop);
    }
    // An absurd duration saturates: the task sleeps until the end of time.
    let deadline = running("sleep")?.now().saturating_add(duration);
    suspend("sleep", Wait::Until(deadline)).map(drop)
}
// ANCHOR_END: sleep

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
    token: u64,
    scheduler: Weak<Shared>,
}

impl Waker {
    /// Makes the task ready, if it is still waiting for this wake-up.
    /// Returns whether it was; calling it twice, or after the task has moved
    /// on, is harmless.
    pub fn wake(&self) -> bool {
        self.scheduler
            .upgrade()
            .is_some_and(|shared| shared.wake(self.task, self.token))
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
/// [`SchedError::NotInTask`] outside a task.
pub fn waker() -> Result<Waker, SchedError> {
    let shared = running("waker")?;
    let task = CURRENT
        .with(Cell::get)
        .task
        .ok_or(SchedError::NotInTask { operation: "waker" })?;
    let token = slot_of(&shared.tasks.borrow(), task).map_or(0, |slot| slot.token);
    Ok(Waker {
        task,
        token,
        scheduler: Rc::downgrade(&shared),
    })
}

/// Suspends the running task until its [`Waker`] is called
/// ([`Resume::Ready`]) or, if a deadline is given, until the scheduler's
/// clock reaches it ([`Resume::TimedOut`]), whichever comes first. If the
/// waker was called already, since the task last resumed, `park` returns
/// at once.
///
/// # Errors
///
/// [`SchedError::Cancelled`] if the task is cancelled meanwhile; and those
/// of [`yield_now`] when called from the wrong place.
pub fn park(deadline: Option<Duration>) -> Result<Resume, SchedError> {
    suspend("park", Wait::Park(deadline))
}
// ANCHOR_END: waker

impl<T> JoinHandle<T> {
    // ANCHOR: join_handle_cancel
    /// Cancels the task, as asyncio's `Task.cancel()`. Returns `false` if
    /// the task has already finished, and changes nothing then.
    ///
    /// A task that has not started yet never runs: its closure is dropped
    /// and its future is cancelled at once. A task that has started is
    /// handed [`SchedError::Cancelled`] by the suspension point it waits at
    /// (at its next one, if it is running now); it can clean up, even by
    /// sleeping or joining, and then ends cancelled whatever it returns.
    /// Joining a cancelled task gives
    /// `SchedError::Task(FutureError::Cancelled)`.
    ///
    /// # Panics
    ///
    /// For a task that has not started, if a destructor of what its closure
    /// captured, or one of its future's done callbacks, panics, the panic
    /// continues out of this call once the task is gone and its joiners are
    /// woken.
    pub fn cancel(&self) -> bool {
        if self.future.is_settled() {
            return false;
        }
        match self.scheduler.upgrade() {
            Some(shared) => shared.cancel(self.id),
            // The scheduler is gone, and cancelled everything as it went.
            None => false,
        }
    }
    // ANCHOR_END: join_handle_cancel

    /// The task's future (chapter 4's), for done callbacks: chapter 7's
    /// combinators hear about a task's end through it.
    pub fn future(&self) -> &Future<T> {
        &self.future
    }

    /// The task's number.
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// The task's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the task has finished (or panicked, or was cancelled).
    pub fn is_finished(&self) -> bool {
        self.future.is_settled()
    }
}

impl<T: Clone> JoinHandle<T> {
    // ANCHOR: join
    /// Waits for the task and returns its value. If the task has already
    /// finished, returns at once without suspending (as awaiting a done
    /// future does in asyncio); otherwise the caller waits in the task's
    /// waiter list and, when the task finishes, goes to the back of the
    /// ready queue.
    ///
    /// # Errors
    ///
    /// [`SchedError::Task`] if the task panicked or was cancelled;
    /// [`SchedError::JoinSelf`], [`SchedError::ForeignTask`],
    /// [`SchedError::NotInTask`] or [`SchedError::NotOnTaskStack`] when
    /// called from the wrong place.
    pub fn join(&self) -> Result<T, SchedError> {
        if !self.future.is_settled() {
            let shared = running("join")?;
            if !Weak::ptr_eq(&self.scheduler, &Rc::downgrade(&shared)) {
                return Err(SchedError::ForeignTask {
                    task: self.name.to_string(),
                });
            }
            if CURRENT.with(Cell::get).task == Some(self.id) {
                return Err(SchedError::JoinSelf {
                    task: self.name.to_string(),
                });
            }
            while !self.future.is_settled() {
                suspend("join", Wait::Task(self.id))?;
            }
            // Handing the failure over counts as joining it.
            shared.retrieved(self.id);
        } else if let Some(shared) = self.scheduler.upgrade() {
            shared.retrieved(self.id);
        }
        Ok(self.future.result()?)
    }
    // ANCHOR_END: join
}
