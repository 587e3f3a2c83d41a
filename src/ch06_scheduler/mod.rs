//! # Chapter 6: a scheduler that behaves like asyncio
//!
//! Chapter 5's loop resumed every task every round, just to let sleepers look
//! at the clock. This scheduler resumes a task only when it can go on: a
//! **ready queue** holds what can run now, a **timer heap** holds the
//! sleepers by deadline, and a task that ends wakes exactly the tasks that
//! joined it. When nothing is ready, the scheduler waits for the earliest
//! timer: the thread sleeps on the real clock, and on the virtual clock time
//! jumps straight to the deadline.
//!
//! The core operations are:
//! - [`Scheduler::spawn`] (or [`spawn`] inside a task) puts a new task at the
//!   back of the ready queue and returns its [`JoinHandle`]. The spawner goes
//!   on running until it suspends.
//! - [`JoinHandle::join`] waits for a task: the caller leaves the ready queue
//!   until the task has ended, then goes to the back of it. `t.join()?` is
//!   asyncio's `await t`: the task's failure, or its cancellation, passes on.
//! - [`sleep`] puts the caller in the timer heap; [`yield_now`] (and
//!   `sleep(Duration::ZERO)`) puts it at the back of the ready queue.
//! - [`Scheduler::run_until_complete`] runs iterations, asyncio's
//!   `_run_once`, until `main` has ended (and then one more pass, as asyncio
//!   does); [`run`] is `asyncio.run`: that, then cancel what is left and let
//!   its cleanup finish.
//! - [`call_soon`], [`call_later`], [`call_at`] and
//!   [`JoinHandle::add_done_callback`] schedule callbacks, which run through
//!   the ready queue between the steps of tasks, as asyncio's do.
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
//!   move every due timer to the back of the ready queue,
//!   in (deadline, order set) order ◀────────┘
//!        │
//!        ▼
//!   run the entries that are in the ready queue now, front first: steps of
//!   tasks and callbacks; whatever they make ready runs in the next iteration
//!
//!   ready queue:  front ▶ [step T1, step T3, callback, step main] ◀ back
//!   timer heap:   (0.5s, wake T2), (1.0s, wake T4)
//! ```
//!
//! Where a task goes when it suspends, and how it ends:
//!
//! ```text
//!   yield_now() / sleep(0) ───────────▶ back of the ready queue
//!   sleep(d) ──────────────────────────▶ timer heap at now + d ──fires──▶ back of the ready queue
//!   handle.join() on an unfinished task ▶ the task's list of joiners ──it ends──▶ back of the ready queue
//!   park() ────────────────────────────▶ nowhere: its Waker puts it back
//!   body returns Ok(v) ────────────────▶ done: joiners get v
//!   body returns Err(cancellation) ────▶ cancelled: joiners get TaskCancelled
//!   body returns Err(e) or panics ─────▶ failed: joiners get TaskFailed, with e kept
//! ```
//!
//! A task's coroutine tells the scheduler what it waits for by yielding a
//! [`Wait`]; code deep inside the task reaches its coroutine as in chapter 5,
//! through a thread-local and one `unsafe` block (in `current::suspend`)
//! guarded by the same stack check. Stacks of finished tasks are kept in a
//! pool and reused; a stack the OS refuses is an error
//! ([`SchedError::StackRefused`]), not a crash.
//!
//! The scheduler can record a [`Trace`] of every event and draw it as a text
//! sequence diagram or as Chrome trace-event JSON (see [`trace`]).
//!
//! The files of this chapter, in the order to read them:
//!
//! | file | what it owns |
//! |---|---|
//! | `mod.rs` | this essay, the public API, and the scheduler's state |
//! | `task.rs` | tasks and their slots: the handles, the table, spawning, ending |
//! | `clock.rs` | the clock, the timer heap, and waiting for the earliest timer |
//! | `iteration.rs` | one iteration: `run_once`, and `file`, where a suspended task waits |
//! | `step.rs` | resuming a task (`step`), wake-ups, callbacks, the `Waker` |
//! | `current.rs` | which task is running, and `suspend` (the `unsafe` block) |
//! | `cancel.rs` | cancellation, and ending every task at shutdown |
//! | `stacks.rs` | stacks: the pool, and the operating system's ceiling |
//! | `error.rs` | what can go wrong: errors and failures |
//! | `trace.rs` | the trace, drawn |

use std::any::Any;
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use corosensei::stack::DefaultStack;

// With the rebuild exercise's stub in place of `iteration.rs`, what only
// `iteration.rs` uses (timers, filing, a deadlock's report) is unused until
// the learner uses it: no warning for it then.
#[cfg_attr(feature = "exercise-ch06", allow(dead_code))]
mod async_task;
#[cfg_attr(feature = "exercise-ch06", allow(dead_code))]
mod cancel;
#[cfg_attr(feature = "exercise-ch06", allow(dead_code))]
mod clock;
mod current;
#[cfg_attr(feature = "exercise-ch06", allow(dead_code))]
mod debug;
mod error;
#[cfg_attr(feature = "exercise-ch06", allow(dead_code))]
mod io;
#[cfg_attr(
    feature = "exercise-ch06",
    path = "../../exercises/ch06_scheduler/6_rebuild.rs"
)]
mod iteration;
mod stacks;
#[cfg_attr(feature = "exercise-ch06", allow(dead_code))]
mod step;
#[cfg_attr(feature = "exercise-ch06", allow(dead_code))]
mod task;
pub mod trace;

pub use async_task::{ExpectedWake, JoinFuture, expect_wake, spawn_async, task_waker};
pub use clock::{CallbackHandle, Clock};
pub use debug::SlowStep;
pub(crate) use error::panic_text;
pub use error::{BoxError, Failure, SchedError, StuckTask, Unretrieved};
pub use io::Interest;
pub(crate) use io::IoSource;
pub use stacks::POOL_LIMIT;
pub use step::{Waker, call_at, call_later, call_soon, park, park_with_cancel, waker};
pub use task::{JoinHandle, TaskHandle, TaskId};
pub use trace::{Cause, Event, EventKind, Trace};

use async_task::Inbox;
use clock::Timers;
use current::RunningGuard;
pub(crate) use current::with_running_task_stack;
use step::Ready;
use task::{AnyTask, Tasks};

/// The default stack size of a task: 256 KiB of address space, of which the
/// OS backs only the pages the task touches.
pub const DEFAULT_STACK_SIZE: usize = 256 * 1024;

// ANCHOR: wait
/// What a suspended task waits for: the value a task's coroutine yields to
/// the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Wait {
    /// Nothing: put me at the back of the ready queue ([`yield_now`]).
    Turn,
    /// The clock: wake me at this time ([`sleep`]).
    Until(Duration),
    /// Another task: wake me when it has ended ([`JoinHandle::join`]).
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
    /// joined ended, or its waker was called.
    Ready,
    /// The task's timer fired: its sleep is over, or its [`park`] timed out.
    TimedOut,
    /// The task was cancelled ([`JoinHandle::cancel`]): the suspension point
    /// returns [`SchedError::Cancelled`]. (Chapter 7.)
    Cancelled,
}
// ANCHOR_END: resume

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
    /// How many times the stack size was set: a task's stack is pooled when
    /// it ends only if no new size was set since it was spawned.
    stack_generation: Cell<u32>,
    /// The ready queue, the timer heap and the task table, behind one
    /// `RefCell`: the loop borrows it twice per step, once before the resume
    /// and once after, never across it.
    core: RefCell<Core>,
    /// The number the next spawned task gets.
    next_number: Cell<u64>,
    /// Tasks that failed, until someone retrieves their failure or
    /// `take_unretrieved` reports it.
    failed: RefCell<Vec<Rc<dyn AnyTask>>>,
    /// A task called [`stop`]: `run_until_complete` returns once the
    /// current iteration is over.
    stop_requested: Cell<bool>,
    /// A panic to pass on once the pass is over: a callback panicked, or a
    /// destructor did while a task was dropped by force.
    kept_panic: RefCell<Option<Box<dyn Any + Send>>>,
    /// Stacks of finished tasks, ready for new ones.
    pool: RefCell<Vec<DefaultStack>>,
    /// How many times a task's coroutine has been resumed.
    resumes: Cell<u64>,
    /// Tasks whose cancellation is being passed on to the task they join,
    /// to stop a cycle of joins from passing it on forever.
    cancelling: RefCell<Vec<TaskId>>,
    /// Where wakes of async tasks (chapter 9) from other threads wait, and
    /// the wakes other threads promised.
    inbox: Arc<Inbox>,
    /// The poller and the sockets registered with it (chapter 10), made on
    /// the first registration.
    io: RefCell<Option<io::Reactor>>,
    /// How many sockets are registered: mirrors the reactor's count, read
    /// on every iteration without a borrow.
    io_live: Cell<usize>,
    /// Slow-step reporting (chapter 11), once it is on.
    debug: std::cell::OnceCell<debug::Debug>,
    /// `Some` when recording: every event, in order.
    trace: RefCell<Option<Trace>>,
    /// Mirrors `trace.is_some()`, read on every event: one branch when off.
    tracing: Cell<bool>,
    /// Whether anything watches the steps: the trace, or chapter 11's slow
    /// steps. One check before a step and one after, when nothing does.
    watched: Cell<bool>,
}
// ANCHOR_END: shared

// ANCHOR: core
/// What the loop changes on every step, together (see `Shared::core`).
struct Core {
    /// What runs next, front first: steps of tasks, timer hops, callbacks.
    ready: VecDeque<Ready>,
    /// Timers by deadline: sleeping tasks, and callbacks for later.
    timers: Timers,
    /// Every live task, in a slab.
    tasks: Tasks,
}
// ANCHOR_END: core

// ANCHOR: scheduler
/// A scheduler with a ready queue, a timer heap and a clock.
///
/// It owns its tasks. Dropping it cancels whatever is left, where it waits:
/// their cleanup runs (waits in it are cancelled again, for a bounded number
/// of rounds, since nothing here runs the clock any more), then the stacks
/// of any that refuse to end are unwound by force, so the destructors of
/// every value on them run. For asyncio.run's ending, where cleanup that
/// sleeps or joins runs to its end, call [`shutdown`](Self::shutdown) first,
/// or use [`run`].
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
///     Ok::<u32, SchedError>(slow.join()? + 2)
/// });
/// assert_eq!(answer, Ok(42));
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

impl Scheduler {
    /// A scheduler on `clock`, with [`DEFAULT_STACK_SIZE`] stacks and no trace.
    pub fn new(clock: Clock) -> Self {
        // A task that overflows its stack will be named (see `crate::overflow`).
        crate::overflow::prepare();
        Scheduler {
            shared: Rc::new(Shared {
                clock,
                created: Instant::now(),
                virtual_now: Cell::new(Duration::ZERO),
                stack_size: Cell::new(DEFAULT_STACK_SIZE),
                stack_generation: Cell::new(0),
                core: RefCell::new(Core {
                    ready: VecDeque::new(),
                    timers: Timers::default(),
                    tasks: Tasks::default(),
                }),
                next_number: Cell::new(0),
                failed: RefCell::new(Vec::new()),
                stop_requested: Cell::new(false),
                kept_panic: RefCell::new(None),
                pool: RefCell::new(Vec::new()),
                resumes: Cell::new(0),
                cancelling: RefCell::new(Vec::new()),
                inbox: Inbox::new(),
                io: RefCell::new(None),
                io_live: Cell::new(0),
                debug: std::cell::OnceCell::new(),
                trace: RefCell::new(None),
                tracing: Cell::new(false),
                watched: Cell::new(false),
            }),
        }
    }

    /// The same scheduler, giving the tasks it spawns from now on stacks of
    /// at least `size` bytes (corosensei's minimum is 4 KiB). Pooled stacks
    /// of the old size are dropped, and a task spawned before keeps its
    /// stack: when it ends, that stack is unmapped rather than pooled, so a
    /// new task never gets a stack smaller than the size asked for.
    ///
    /// Nothing is mapped here: a size the OS cannot map shows up as
    /// [`SchedError::StackRefused`] from the next spawn (or from
    /// [`run_until_complete`](Self::run_until_complete), which spawns `main`).
    pub fn with_stack_size(self, size: usize) -> Self {
        self.shared.stack_size.set(size);
        let generation = &self.shared.stack_generation;
        generation.set(generation.get().wrapping_add(1));
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
        self.shared.watched.set(true);
        self
    }

    /// The same scheduler, timing every step on the wall clock and
    /// reporting each one longer than `threshold` on stderr when it ends,
    /// as asyncio's debug mode does (`Executing <Task ...> took 0.305
    /// seconds`; asyncio's threshold is 100 ms), with a watchdog thread
    /// that reports a step still running past the threshold (chapter 11).
    /// Calling it again keeps the first threshold.
    pub fn with_slow_steps(self, threshold: Duration) -> Self {
        let _ = self.shared.debug.set(debug::Debug::new(threshold));
        self.shared.watched.set(true);
        self
    }

    /// Every step that took longer than the threshold of
    /// [`with_slow_steps`](Self::with_slow_steps), in order (empty when it
    /// is off).
    pub fn slow_steps(&self) -> Vec<SlowStep> {
        self.shared.slow_steps()
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

    /// How many tasks are alive (spawned and not yet ended).
    pub fn live_tasks(&self) -> usize {
        self.shared.live_tasks()
    }

    /// How many sockets are registered with the scheduler's poller (chapter
    /// 10), and how many tasks wait on one now.
    pub fn io_registrations(&self) -> (usize, usize) {
        self.shared.io_counts()
    }

    /// How many stacks wait in the pool for new tasks.
    pub fn pooled_stacks(&self) -> usize {
        self.shared.pool.borrow().len()
    }

    /// How many timers the heap holds, including those no longer wanted but
    /// not yet thrown away (see `clock.rs`: the heap never holds more than
    /// about twice the timers still wanted, or 100).
    pub fn pending_timers(&self) -> usize {
        self.shared.core.borrow().timers.len()
    }

    /// Takes the failures of tasks that nobody has joined (nor asked for
    /// their failure) since they failed: asyncio's "Task exception was
    /// never retrieved". Whatever is left when the scheduler is dropped is
    /// printed on stderr. A cancellation is not a failure, and is not
    /// reported.
    pub fn take_unretrieved(&self) -> Vec<Unretrieved> {
        self.shared.take_unretrieved()
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
    /// The body returns a `Result`: `Ok(value)` is the task's value, an
    /// error passed on with `?` ends the task as asyncio's exception would
    /// (a cancellation ends it cancelled, anything else fails it).
    ///
    /// # Errors
    ///
    /// [`SchedError::StackRefused`] if the OS refuses the task's stack.
    pub fn spawn<T, E>(
        &self,
        name: impl Into<Cow<'static, str>>,
        body: impl FnOnce() -> Result<T, E> + 'static,
    ) -> Result<JoinHandle<T>, SchedError>
    where
        T: 'static,
        E: Into<BoxError> + 'static,
    {
        self.shared.spawn(&self.shared, name.into(), body)
    }

    /// Spawns an async task (chapter 9) whose body is `future`: see
    /// [`spawn_async`]. Called from outside a run, the task waits for the
    /// next run, where it runs before `main`.
    pub fn spawn_async<T, E>(
        &self,
        name: impl Into<Cow<'static, str>>,
        future: impl Future<Output = Result<T, E>> + 'static,
    ) -> JoinHandle<T>
    where
        T: 'static,
        E: Into<BoxError> + 'static,
    {
        self.shared.spawn_async(&self.shared, name.into(), future)
    }

    // ANCHOR: run_until_complete
    /// Spawns `main` as a task named `main` (at the back of the ready queue,
    /// like any task: `T0` if nothing was spawned before), runs iterations
    /// until it has ended, and returns its value.
    ///
    /// The iteration in which `main` ends is followed by one more pass that
    /// does not wait: every entry that is ready by then runs once more.
    /// asyncio does the same, because it stops its loop with a callback that
    /// `main`'s end puts at the back of the ready queue, and that callback
    /// waits its turn. Tasks still alive after that stay where they are: run
    /// the scheduler again to carry on with them, [`shutdown`](Self::shutdown)
    /// to end them as asyncio.run does, or drop it.
    ///
    /// # Errors
    ///
    /// - What `main` ended with: [`SchedError::TaskFailed`] if it panicked or
    ///   returned an error (a failure it passed on from a task it joined
    ///   names that task), [`SchedError::TaskCancelled`] if it was cancelled.
    /// - [`SchedError::NestedLoop`] if a scheduler is already running here.
    /// - [`SchedError::Deadlock`] if `main` waits and no task can ever go on;
    ///   the stuck tasks are cancelled, as dropping the scheduler cancels
    ///   them, before it returns: their cleanup and destructors have run.
    /// - [`SchedError::StackRefused`] if there is no stack for `main`.
    /// - [`SchedError::Stopped`] if a task called [`stop`] before `main`
    ///   ended: the iteration it was called in runs to its end, and every
    ///   unfinished task, `main` included, stays where it waits.
    ///
    /// # Panics
    ///
    /// If a callback panics, the panic continues out of this call at the end
    /// of that pass; the scheduler's books are in order by then, and the
    /// tasks still alive carry on in the next run.
    pub fn run_until_complete<T, E>(
        &self,
        main: impl FnOnce() -> Result<T, E> + 'static,
    ) -> Result<T, SchedError>
    where
        T: 'static,
        E: Into<BoxError> + 'static,
    {
        self.run_main(|scheduler| scheduler.spawn("main", main))
    }
    // ANCHOR_END: run_until_complete

    /// [`run_until_complete`](Self::run_until_complete) with an async `main`
    /// (chapter 9): `main` is spawned as an async task named `main`.
    ///
    /// # Errors
    ///
    /// As [`run_until_complete`](Self::run_until_complete).
    pub fn run_until_complete_async<T, E>(
        &self,
        main: impl Future<Output = Result<T, E>> + 'static,
    ) -> Result<T, SchedError>
    where
        T: 'static,
        E: Into<BoxError> + 'static,
    {
        self.run_main(|scheduler| Ok(scheduler.spawn_async("main", main)))
    }

    /// The loop of `run_until_complete`, for a `main` that `spawn_main`
    /// spawns.
    fn run_main<T: 'static>(
        &self,
        spawn_main: impl FnOnce(&Self) -> Result<JoinHandle<T>, SchedError>,
    ) -> Result<T, SchedError> {
        if current::is_running() {
            return Err(SchedError::NestedLoop);
        }
        let _running = RunningGuard::set(&self.shared);
        // A stop asked for during an earlier run has done its work: this
        // run starts afresh.
        self.shared.stop_requested.set(false);
        let main = spawn_main(self)?;
        while !main.done() {
            self.run_once()?;
            // asyncio's `loop.stop()`: the iteration is over, so stop here.
            if self.shared.stop_requested.replace(false) && !main.done() {
                return Err(SchedError::Stopped);
            }
        }
        // asyncio's stop callback: one more pass, if there is work right now.
        if self.shared.has_work_now() {
            self.run_once()?;
        }
        // Handing main's failure back counts as retrieving it.
        main.take_outcome()
    }

    // ANCHOR: shutdown
    /// Ends every task still alive the way `asyncio.run` does when its
    /// `main` returns: cancels each (in spawn order), then runs the
    /// scheduler until all of them have ended, so cleanup that sleeps or
    /// joins runs to its end on the clock. Tasks spawned by that cleanup are
    /// not waited for (asyncio does not either): dropping the scheduler
    /// cancels them.
    ///
    /// A task that swallows its cancellation and never ends keeps this
    /// running, as it keeps `asyncio.run` running.
    ///
    /// # Errors
    ///
    /// [`SchedError::NestedLoop`] inside a running scheduler, and
    /// [`SchedError::Deadlock`] if the cleanup waits for something that
    /// cannot happen (the stuck tasks are then ended as a drop ends them).
    pub fn shutdown(&self) -> Result<(), SchedError> {
        if current::is_running() {
            return Err(SchedError::NestedLoop);
        }
        let _running = RunningGuard::set(&self.shared);
        let to_end: Vec<TaskHandle> = self.shared.live_handles();
        for task in &to_end {
            task.cancel();
        }
        while !to_end.iter().all(TaskHandle::done) {
            self.run_once()?;
        }
        if self.shared.has_work_now() {
            self.run_once()?;
        }
        Ok(())
    }
    // ANCHOR_END: shutdown

    /// One iteration (`Shared::run_once`). Then, if a callback panicked
    /// during it, that panic continues from here: the pass is over and the
    /// scheduler's books are in order.
    fn run_once(&self) -> Result<(), SchedError> {
        let iteration = self.shared.run_once();
        if let Some(payload) = self.shared.kept_panic.take() {
            panic::resume_unwind(payload);
        }
        iteration
    }
}

impl Shared {
    /// Whether an iteration would find something to do without waiting:
    /// something is ready, or a timer is due.
    fn has_work_now(&self) -> bool {
        let mut core = self.core.borrow_mut();
        !core.ready.is_empty()
            || core
                .earliest_deadline()
                .is_some_and(|deadline| deadline <= self.now())
    }

    /// A handle to every live task, in spawn order.
    fn live_handles(&self) -> Vec<TaskHandle> {
        let core = self.core.borrow();
        let tasks = &core.tasks;
        tasks
            .ids()
            .into_iter()
            .filter_map(|id| tasks.by_id(id))
            .map(|task| TaskHandle::new(Rc::clone(&task.cell)))
            .collect()
    }
}

impl Drop for Scheduler {
    /// Cancels the tasks still alive and runs their cleanup (see
    /// `Shared::cancel_all`), then reports every failure nobody retrieved
    /// on stderr, as asyncio logs "Task exception was never retrieved": a
    /// failure is never lost without a word.
    ///
    /// A panic kept meanwhile (from a callback, or a destructor of a task
    /// dropped by force) continues out of the drop at the end, once every
    /// task is gone; if the thread is already panicking, a second panic
    /// would abort the process, so it is printed on stderr instead.
    fn drop(&mut self) {
        {
            // The cleanup runs with this scheduler as the running one, so
            // tasks can spawn, sleep or join in it (and be cancelled again
            // at once). Whatever this thread was running is put back after.
            let _running = RunningGuard::set(&self.shared);
            self.shared.cancel_all();
        }
        for failure in self.take_unretrieved() {
            eprintln!("[scheduler] {failure}");
        }
        if let Some(payload) = self.shared.kept_panic.take() {
            if std::thread::panicking() {
                eprintln!(
                    "[scheduler] a panic while the scheduler was dropped: {}",
                    error::panic_text(payload.as_ref())
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

// ANCHOR: run
/// `asyncio.run(main())`: a new scheduler on `clock` runs `main` to its end,
/// then ends every task still alive as [`Scheduler::shutdown`] does (their
/// cleanup may sleep or join, and runs to its end), and returns `main`'s
/// value.
///
/// # Errors
///
/// As [`Scheduler::run_until_complete`]; if `main` succeeded but the
/// shutdown found a deadlock, that.
pub fn run<T, E>(
    clock: Clock,
    main: impl FnOnce() -> Result<T, E> + 'static,
) -> Result<T, SchedError>
where
    T: 'static,
    E: Into<BoxError> + 'static,
{
    let scheduler = Scheduler::new(clock);
    let outcome = scheduler.run_until_complete(main);
    let shutdown = scheduler.shutdown();
    let value = outcome?;
    shutdown?;
    Ok(value)
}
// ANCHOR_END: run

/// Spawns a task on the running scheduler: it goes to the back of the ready
/// queue, and the caller keeps running until it suspends. Callbacks may
/// spawn too. See [`Scheduler::spawn`].
///
/// # Errors
///
/// [`SchedError::NotInTask`] outside a running scheduler;
/// [`SchedError::StackRefused`] if the OS refuses the stack.
pub fn spawn<T, E>(
    name: impl Into<Cow<'static, str>>,
    body: impl FnOnce() -> Result<T, E> + 'static,
) -> Result<JoinHandle<T>, SchedError>
where
    T: 'static,
    E: Into<BoxError> + 'static,
{
    let shared = current::running("spawn")?;
    shared.spawn(&shared, name.into(), body)
}

/// The running scheduler's time.
///
/// # Errors
///
/// [`SchedError::NotInTask`] outside a running scheduler.
pub fn now() -> Result<Duration, SchedError> {
    Ok(current::running("now")?.now())
}

/// The task this code runs in: asyncio's `current_task()`. A task can
/// cancel itself with `current_task()?.cancel()`, or hand itself to others.
///
/// # Errors
///
/// [`SchedError::NotInTask`] outside a task (a callback has no task).
pub fn current_task() -> Result<TaskHandle, SchedError> {
    let not_in_task = SchedError::NotInTask {
        operation: "current_task",
    };
    let shared = current::running("current_task")?;
    let id = current::task().ok_or(not_in_task.clone())?;
    let core = shared.core.borrow();
    let task = core.tasks.by_id(id).ok_or(not_in_task)?;
    Ok(TaskHandle::new(Rc::clone(&task.cell)))
}

/// Whether a scheduler runs on this thread now: inside its
/// `run_until_complete` (a task's step, a callback, its own bookkeeping) or
/// its drop's cleanup. What chapter 9's `block_on` asks before it blocks the
/// thread.
pub fn scheduler_runs_here() -> bool {
    current::is_running()
}

/// Whether the code running now is a task, which can wait: what every
/// operation that suspends asks first. `operation` names it, for the error.
///
/// # Errors
///
/// [`SchedError::InCallback`] in a callback, [`SchedError::NotInTask`]
/// anywhere else outside a task.
pub fn check_in_task(operation: &'static str) -> Result<(), SchedError> {
    let running = current::running(operation)?;
    drop(running);
    if current::task().is_some() {
        Ok(())
    } else {
        Err(SchedError::InCallback { operation })
    }
}

/// Whether the code running now is a stackful task, which can suspend
/// where it is: [`check_in_task`], and not an async task (chapter 9),
/// which has no stack of its own and must await instead. What an operation
/// that will park (chapter 11's `to_thread`) asks before it does anything
/// it could not take back.
///
/// # Errors
///
/// Those of [`check_in_task`], and [`SchedError::InAsyncTask`] in an async
/// task.
pub fn check_stackful_task(operation: &'static str) -> Result<(), SchedError> {
    check_in_task(operation)?;
    if current::in_async_task() {
        return Err(SchedError::InAsyncTask { operation });
    }
    Ok(())
}

/// Stops the scheduler, as asyncio's `loop.stop()` does: the iteration that
/// is running now goes on to its end (every entry that was ready when it
/// began still runs), and then `run_until_complete` returns
/// [`SchedError::Stopped`]. The caller does not suspend. Nothing is
/// cancelled: every unfinished task, `main` included, waits where it is,
/// and goes on if the scheduler runs again. Asking twice is asking once.
///
/// # Errors
///
/// [`SchedError::NotInTask`] outside a running scheduler.
pub fn stop() -> Result<(), SchedError> {
    current::running("stop")?.stop_requested.set(true);
    Ok(())
}

/// Goes to the back of the ready queue: every entry that is ready now runs
/// before the caller runs again.
///
/// # Errors
///
/// [`SchedError::Cancelled`] if the task is cancelled meanwhile;
/// [`SchedError::NotInTask`] outside a task, [`SchedError::InCallback`] in
/// a callback, [`SchedError::NotOnTaskStack`] inside a coroutine nested in
/// a task.
#[inline]
#[track_caller]
pub fn yield_now() -> Result<(), SchedError> {
    current::suspend("yield_now", Wait::Turn).map(drop)
}

// ANCHOR: sleep
/// Sleeps for `duration`: the task leaves the ready queue and waits in the
/// timer heap until its deadline. `sleep(Duration::ZERO)` is
/// [`yield_now`], as `asyncio.sleep(0)` is.
///
/// # Errors
///
/// As [`yield_now`].
#[track_caller]
pub fn sleep(duration: Duration) -> Result<(), SchedError> {
    if duration.is_zero() {
        return current::suspend("sleep", Wait::Turn).map(drop);
    }
    // An absurd duration saturates: the task sleeps until the end of time.
    let deadline = current::running("sleep")?.now().saturating_add(duration);
    current::suspend("sleep", Wait::Until(deadline)).map(drop)
}
// ANCHOR_END: sleep
