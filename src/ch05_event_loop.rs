//! # Chapter 5: the round-robin event loop
//!
//! An [`EventLoop`] owns a queue of tasks (chapter 4's [`Task`]) and steps
//! them in turn until the main task is done. Code running inside a task finds
//! its loop and its own coroutine through a thread-local, so it can
//! [`sleep`], [`yield_now`] or [`await_future`] from any call depth without
//! passing anything around.
//!
//! The core operations are:
//! - [`EventLoop::create_task`] wraps a closure in a task and puts it at the
//!   back of the queue. Nothing runs yet.
//! - [`EventLoop::run_until_complete`] makes `main` a task and runs rounds:
//!   each round steps every queued task once, in order, until `main` settles.
//! - [`EventLoop::stop`] cancels and drops every remaining task, once.
//! - [`current_loop`] reaches the running loop from inside a task (Python's
//!   original keeps it in a class attribute).
//! - [`sleep`] is the busy kind: it yields until the clock has passed the
//!   deadline, so a sleeping task is resumed every round just to look at the
//!   clock. [`EventLoop::resumes`] and [`cpu_time`] show what that costs.
//!
//! One round, with three tasks:
//!
//! ```text
//!   queue: [main, countdown, fetch]
//!            │
//!            ├─ pop main ──▶ step (resume its coroutine) ──▶ Pending ──▶ push back
//!            ├─ pop countdown ──▶ step ──▶ Pending ──▶ push back
//!            └─ pop fetch ──▶ step ──▶ Settled ──▶ dropped
//!   queue: [main, countdown]          (the round is over; the next begins)
//! ```
//!
//! How `sleep` finds the task it belongs to:
//!
//! ```text
//!   loop: RUNNING.task = { yielder of countdown, stack range of countdown }
//!         step(countdown) ───────▶ countdown's body ... f() ... g()
//!                                                             │
//!                                             sleep(1s) ──────┘
//!                                               reads RUNNING.task,
//!                                               checks it runs on countdown's
//!                                               stack, suspends through its yielder
//!   loop: ◀──────────────── Pending
//!         RUNNING.task = none
//! ```
//!
//! Suspending through a yielder found in a thread-local is this module's one
//! `unsafe` block (in `suspend`); the stack check before it is what makes it
//! sound, and turns the one way to misuse it (calling `sleep` from a
//! generator nested inside a task) into [`LoopError::NotOnTaskStack`].
//!
//! ## Cancelling a task: telling it, not unwinding it
//!
//! When the loop stops, is dropped, or finds a deadlock, it cancels every
//! task left. Chapter 4's [`Task::cancel`] would drop each paused coroutine,
//! which unwinds its stack as a panic does; a destructor that panics during
//! that unwinding aborts the whole process. This loop can do better, because
//! a task here pauses only inside the loop's own functions ([`sleep`],
//! [`yield_now`], [`await_future`]), and they return a `Result`. So the loop
//! *tells* a paused task: it resumes it once more, and the function it waits
//! in returns [`LoopError::Cancelled`]. The task returns through its own code
//! (a `?` does it), its destructors run as on any return, and a destructor
//! that panics is an ordinary panic: the task's own error, like any other.
//! Whatever the task returns then, its future ends cancelled, after its
//! cleanup. This is asyncio's way (a `CancelledError` raised at the `await`)
//! and chapter 6's.
//!
//! ```text
//!   stop() ──▶ for each queued task:
//!                never started ──────────▶ drop its closure, cancel its future
//!                paused in sleep(...) ───▶ resume it: sleep returns Err(Cancelled)
//!                                            └─ the task returns ─▶ future: Cancelled
//!                still waiting? ─────────▶ told again next round (16 rounds at most)
//! ```
//!
//! Three cases still drop a stack by force, and there a destructor that
//! panics aborts the process: a task that goes on waiting after it has been
//! told 16 times, a task whose future was cancelled from
//! outside with chapter 4's [`Future::cancel`] (the loop drops it at its next
//! turn, as chapter 4's [`Task::step`] does), and every task when the loop is
//! dropped while the thread is already unwinding from a panic.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::ops::Range;
use std::ptr;
use std::rc::{Rc, Weak};
use std::time::{Duration, Instant};

use crate::ch02_coroutines::Yielder;
use crate::ch04_future_task::{Future, FutureError, Step, Task};

// The functions the rebuild exercise (5.4) leaves to you live in one file;
// the feature `exercise-ch05` compiles your version in its place.
#[cfg_attr(
    feature = "exercise-ch05",
    path = "../exercises/ch05_event_loop/4_rebuild.rs"
)]
mod rounds;

pub use rounds::{await_future, sleep};

/// How the loop tells the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The wall clock: time passes while the loop works.
    Real,
    /// A pretend clock that advances by the given step after every round of
    /// the loop, whatever the wall clock says. Runs are exactly repeatable,
    /// which is what tests need. (Chapter 6 builds a better virtual clock
    /// that jumps straight to the next deadline.)
    Ticks(Duration),
}

// ANCHOR: error
/// What went wrong with the loop, or with code that needs one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoopError {
    /// A loop operation (`sleep`, `yield_now`, `await_future`, `current_loop`)
    /// was called from code that is not running inside a task.
    NotInTask {
        /// The operation that was called.
        operation: &'static str,
    },
    /// A loop operation was called from a coroutine nested inside a task (for
    /// example chapter 2's generator), not from the task's own stack. Only the
    /// task itself can be suspended by the loop.
    NotOnTaskStack {
        /// The operation that was called.
        operation: &'static str,
        /// The task whose stack the call should have run on.
        task: String,
    },
    /// `run_until_complete` was called while a loop is already running on
    /// this thread.
    NestedLoop,
    /// A loop operation that suspends was called while the task is unwinding
    /// (a panic, or a cancellation dropping its stack, is running its
    /// destructors). A task cannot pause halfway through unwinding: the panic
    /// in flight would still count as this thread's while other tasks ran.
    Unwinding {
        /// The operation that was called.
        operation: &'static str,
    },
    /// The loop behind a [`LoopHandle`] has been dropped.
    LoopGone,
    /// The loop was stopped before the main task finished.
    Stopped,
    /// The task this code runs in was cancelled while it waited: the loop
    /// was stopped or dropped, or found a deadlock. The suspension point
    /// (`sleep`, `yield_now`, `await_future`) returns this instead of
    /// waiting on; clean up and return. The task ends cancelled, whatever it
    /// returns.
    Cancelled,
    /// Every remaining task waits on a future that nothing will ever settle:
    /// a whole round passed in which no task did anything but look at a
    /// pending future. The names of the waiting tasks.
    Deadlock(Vec<String>),
    /// The awaited future was cancelled or failed.
    Future(FutureError),
}
// ANCHOR_END: error

impl fmt::Display for LoopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoopError::NotInTask { operation } => write!(
                f,
                "{operation}() was called outside a task: only code running inside a task on a \
                 running EventLoop can use it; start the code with EventLoop::run_until_complete \
                 or create_task"
            ),
            LoopError::NotOnTaskStack { operation, task } => write!(
                f,
                "{operation}() was called from a coroutine nested inside task {task:?}, not from \
                 the task itself; only the task can be suspended by the loop, so call it from the \
                 task's own code (or yield from the nested generator and let the task call it)"
            ),
            LoopError::Unwinding { operation } => write!(
                f,
                "{operation}() was called while the task is unwinding (a destructor running \
                 during a panic or a cancellation); a task cannot suspend then, so do the \
                 waiting before the value is dropped"
            ),
            LoopError::NestedLoop => f.write_str(
                "run_until_complete() was called while a loop is already running on this thread; \
                 inside a task, create a task with current_loop()?.create_task and await it instead",
            ),
            LoopError::LoopGone => {
                f.write_str("the event loop behind this handle has been dropped")
            }
            LoopError::Stopped => {
                f.write_str("the loop was stopped before the main task finished")
            }
            LoopError::Cancelled => f.write_str(
                "this task was cancelled while it waited (the loop was stopped or dropped, or \
                 found a deadlock); clean up and return (the task ends cancelled whatever it \
                 returns)",
            ),
            LoopError::Deadlock(tasks) => write!(
                f,
                "deadlock: every remaining task waits on a future that nothing will settle: {}",
                tasks.join(", ")
            ),
            LoopError::Future(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for LoopError {}

impl From<FutureError> for LoopError {
    fn from(error: FutureError) -> Self {
        LoopError::Future(error)
    }
}

/// How many times `Shared::cancel_all` tells a task that goes on waiting
/// that it is cancelled, before its stack is unwound by force. A cleanup may
/// wait a few times (each wait is cancelled again at once); a task that waits
/// this many times is not cleaning up, it ignores the cancellation.
const CANCEL_ROUNDS: usize = 16;

/// A task with its value type erased, so tasks of any type share one queue.
trait Runnable {
    fn step(&mut self) -> Step;
    fn cancel(&mut self) -> bool;
    fn is_settled(&self) -> bool;
}

impl<T> Runnable for Task<T> {
    fn step(&mut self) -> Step {
        Task::step(self)
    }
    fn cancel(&mut self) -> bool {
        Task::cancel(self)
    }
    fn is_settled(&self) -> bool {
        self.future().is_settled()
    }
}

/// Where a task's body publishes its yielder, for [`suspend`] to find.
///
/// Null until the body's first step. Once set, it points at the `Yielder`
/// corosensei keeps at the top of the task's stack, which stays put until the
/// task's coroutine is dropped.
type YielderSlot = Rc<Cell<*const Yielder<(), ()>>>;

// ANCHOR: entry
/// One queued task.
struct Entry {
    /// The task's name, for `LoopError` messages.
    name: Rc<str>,
    /// The task itself; its value type is erased.
    task: Box<dyn Runnable>,
    /// Where the task's body publishes its yielder on its first step.
    yielder: YielderSlot,
    /// The addresses of the task's coroutine stack: code running inside this
    /// task (and not inside a coroutine nested in it) has its locals here.
    stack: Range<usize>,
    /// Set when the loop cancels the task: from then on, each of its
    /// suspension points returns [`LoopError::Cancelled`] when resumed, and
    /// the task ends cancelled. Shared with the task's body.
    cancelled: Rc<Cell<bool>>,
}
// ANCHOR_END: entry

/// The loop's state, shared by the [`EventLoop`] (which owns it) and its
/// [`LoopHandle`]s (which only point at it).
struct Shared {
    /// Tasks waiting for their next step, in order.
    queue: RefCell<VecDeque<Entry>>,
    /// Where `now` reads the time.
    clock: Clock,
    /// When the loop was created: time zero for [`Clock::Real`].
    created: Instant,
    /// Completed rounds: the time for [`Clock::Ticks`].
    rounds: Cell<u64>,
    /// Every resume of every task's coroutine so far.
    resumes: Cell<u64>,
    /// Set by [`EventLoop::stop`] while the loop runs; the loop cancels
    /// everything once the current step is over.
    stop_requested: Cell<bool>,
}

/// `rounds` ticks of `tick` each: the time on a [`Clock::Ticks`] clock.
///
/// The product is taken in nanoseconds as a `u128`, which no number of
/// rounds can overflow, and saturates at [`Duration::MAX`]: a clock that has
/// run past the end of time stays there. (Multiplying the `Duration` by a
/// `u32` would stop the clock at `u32::MAX` rounds: 4.29 s on a 1 ns tick.)
fn ticks_to_time(tick: Duration, rounds: u64) -> Duration {
    const NANOS_PER_SECOND: u128 = 1_000_000_000;
    let nanos = tick.as_nanos().saturating_mul(u128::from(rounds));
    match u64::try_from(nanos / NANOS_PER_SECOND) {
        // The remainder is below a billion, so it fits in a u32.
        Ok(seconds) => Duration::new(seconds, (nanos % NANOS_PER_SECOND) as u32),
        Err(_) => Duration::MAX,
    }
}

impl Shared {
    /// The time on the loop's clock: see [`EventLoop::now`].
    fn now(&self) -> Duration {
        match self.clock {
            Clock::Real => self.created.elapsed(),
            Clock::Ticks(tick) => ticks_to_time(tick, self.rounds.get()),
        }
    }

    // ANCHOR: cancel_all
    /// Cancels every queued task, each exactly once, and drops it.
    ///
    /// A task that never started is dropped with its closure. A suspended
    /// task is told: it is resumed once more, and the suspension point it
    /// waits at returns [`LoopError::Cancelled`], so the task returns through
    /// its own code and its destructors run as on any return (a panic in one
    /// is an ordinary panic, which becomes the task's error). Each round of
    /// cancelling takes the whole queue out first, so a task created by a
    /// cleanup is cancelled in the next round, and running this again (from a
    /// destructor, say) finds nothing twice.
    ///
    /// A task still waiting after [`CANCEL_ROUNDS`] rounds, one whose future
    /// was cancelled from outside (chapter 4's way), and every task when the
    /// thread is already unwinding, are dropped by force: their stacks are
    /// unwound, and a destructor that panics then aborts the process.
    fn cancel_all(self: &Rc<Self>) {
        for _ in 0..CANCEL_ROUNDS {
            let entries: Vec<Entry> = self.queue.borrow_mut().drain(..).collect();
            if entries.is_empty() {
                return;
            }
            for mut entry in entries {
                let started = !entry.yielder.get().is_null();
                if !started || entry.task.is_settled() || std::thread::panicking() {
                    entry.task.cancel();
                    continue;
                }
                entry.cancelled.set(true);
                if cancel_step(self, &mut entry) == Step::Pending {
                    // It went on waiting: it is told again next round.
                    self.queue.borrow_mut().push_back(entry);
                }
            }
        }
        while let Some(mut entry) = self.queue.borrow_mut().pop_front() {
            entry.task.cancel();
        }
    }
    // ANCHOR_END: cancel_all

    // ANCHOR: enqueue
    /// Wraps `body` in a task, queues it, and returns the task's future.
    fn enqueue<T: 'static>(&self, name: &str, body: impl FnOnce() -> T + 'static) -> Future<T> {
        let yielder: YielderSlot = Rc::new(Cell::new(ptr::null()));
        let publish = Rc::clone(&yielder);
        let cancelled = Rc::new(Cell::new(false));
        let told = Rc::clone(&cancelled);
        // The task's own future, for the body to cancel (it exists only once
        // the task does).
        let own_future: Rc<OnceCell<Future<T>>> = Rc::default();
        let to_cancel = Rc::clone(&own_future);
        let task = Task::new(name, move |own: &Yielder<(), ()>| {
            // The first step: tell the loop (which shares this slot) where
            // this task's yielder is, so `suspend` can find it.
            publish.set(own);
            let value = body();
            if let Some(own_future) = to_cancel.get().filter(|_| told.get()) {
                // Cancelled while it waited: whatever it returns, the task
                // ends cancelled, now that its cleanup has run.
                own_future.cancel();
            }
            value
        });
        let future = task.future().clone();
        let _ = own_future.set(future.clone());
        let stack = task.stack_range();
        self.queue.borrow_mut().push_back(Entry {
            name: Rc::from(name),
            task: Box::new(task),
            yielder,
            stack,
            cancelled,
        });
        future
    }
    // ANCHOR_END: enqueue
}

// ANCHOR: event_loop
/// A round-robin event loop. It owns its tasks; dropping the loop cancels
/// and drops whatever is left (see [`stop`](Self::stop)).
pub struct EventLoop {
    shared: Rc<Shared>,
}
// ANCHOR_END: event_loop

// ANCHOR: loop_handle
/// A weak handle to an [`EventLoop`], for code inside a task: it can create
/// tasks, read the clock and stop the loop, but does not keep the loop alive.
///
/// A task that held the loop itself would own the loop that owns it (a
/// reference cycle, never freed). Python's garbage collector would clean that
/// up; Rust's `Rc` would not, hence the weak handle. Every method says
/// [`LoopError::LoopGone`] once the loop has been dropped.
#[derive(Clone)]
pub struct LoopHandle {
    shared: Weak<Shared>,
}
// ANCHOR_END: loop_handle

// ANCHOR: running
/// What a task in the middle of a step can see of itself.
struct CurrentTask {
    /// The task's name, for `LoopError::NotOnTaskStack`.
    name: Rc<str>,
    /// The task's yielder, published by its body on its first step.
    yielder: YielderSlot,
    /// The addresses of the task's own stack.
    stack: Range<usize>,
    /// Set when the task's last suspension was only a look at a future that
    /// is still pending: the step did no other work. See `LoopError::Deadlock`.
    stalled: Cell<bool>,
    /// Whether the loop has cancelled the task (see `Entry::cancelled`).
    cancelled: Rc<Cell<bool>>,
}

/// The loop running on this thread, and the task it is stepping.
#[derive(Default)]
struct Running {
    /// Set by `run_until_complete` for as long as it runs.
    event_loop: Option<Weak<Shared>>,
    /// Set by the loop for the length of one step: `None` between steps.
    task: Option<CurrentTask>,
}

thread_local! {
    /// Python's `EventLoop.current` class attribute, made per thread: how
    /// code inside a task finds its loop and the task it runs in.
    static RUNNING: RefCell<Running> = RefCell::new(Running::default());
}
// ANCHOR_END: running

/// Clears `RUNNING` when `run_until_complete` ends, also by a panic.
struct RunningGuard;

impl Drop for RunningGuard {
    fn drop(&mut self) {
        RUNNING.with(|running| *running.borrow_mut() = Running::default());
    }
}

impl EventLoop {
    /// A loop on the wall clock.
    pub fn new() -> Self {
        Self::with_clock(Clock::Real)
    }

    /// A loop on the given clock.
    ///
    /// # Panics
    ///
    /// Panics on `Clock::Ticks(Duration::ZERO)`: time would never pass, and
    /// every `sleep` would spin forever.
    pub fn with_clock(clock: Clock) -> Self {
        if clock == Clock::Ticks(Duration::ZERO) {
            panic!(
                "EventLoop::with_clock(Clock::Ticks(Duration::ZERO)): a tick of zero never \
                 advances the clock, so every sleep would spin forever; give the tick a length, \
                 such as Clock::Ticks(Duration::from_millis(1))"
            );
        }
        EventLoop {
            shared: Rc::new(Shared {
                queue: RefCell::new(VecDeque::new()),
                clock,
                created: Instant::now(),
                rounds: Cell::new(0),
                resumes: Cell::new(0),
                stop_requested: Cell::new(false),
            }),
        }
    }

    /// A weak handle to this loop.
    pub fn handle(&self) -> LoopHandle {
        LoopHandle {
            shared: Rc::downgrade(&self.shared),
        }
    }

    /// Puts a new task running `body` at the back of the queue and returns
    /// its future. Nothing runs yet: the task first runs in the loop's next
    /// round (not in the round under way, if a task creates it).
    pub fn create_task<T: 'static>(
        &self,
        name: &str,
        body: impl FnOnce() -> T + 'static,
    ) -> Future<T> {
        self.shared.enqueue(name, body)
    }

    /// The time on the loop's clock: since the loop was created
    /// ([`Clock::Real`]), or rounds times the tick ([`Clock::Ticks`]),
    /// saturating at [`Duration::MAX`].
    pub fn now(&self) -> Duration {
        self.shared.now()
    }

    /// How many times the loop has resumed a task's coroutine, over all its
    /// runs. A sleeping task costs one resume per round.
    pub fn resumes(&self) -> u64 {
        self.shared.resumes.get()
    }

    /// How many rounds the loop has completed.
    pub fn rounds(&self) -> u64 {
        self.shared.rounds.get()
    }

    /// How many tasks are queued.
    pub fn pending_tasks(&self) -> usize {
        self.shared.queue.borrow().len()
    }

    /// Stops the loop: every remaining task is cancelled (its future becomes
    /// cancelled) and dropped (the destructors of the values on its stack
    /// run), each exactly once.
    ///
    /// Called from inside a task, it takes effect when that task next
    /// suspends, and `run_until_complete` then returns [`LoopError::Stopped`]
    /// unless the main task has already finished. Calling it again, or on a
    /// loop with no tasks, does nothing.
    pub fn stop(&self) {
        stop(&self.shared);
    }
}

// ANCHOR: step_entry
/// Steps one task with `RUNNING.task` pointing at it. Returns `None` if the
/// task settled, or whether it stalled (see [`CurrentTask::stalled`]).
fn step_entry(shared: &Shared, entry: &mut Entry) -> Option<bool> {
    if entry.task.is_settled() {
        // Cancelled through its future: this step only drops the coroutine.
        // That is no resume, and the task is not running, so `RUNNING.task`
        // stays empty while the destructors on its stack run.
        let step = entry.task.step();
        debug_assert_eq!(step, Step::Settled);
        return None;
    }
    RUNNING.with(|running| {
        running.borrow_mut().task = Some(current_task(entry));
    });
    shared.resumes.set(shared.resumes.get() + 1);
    let step = entry.task.step();
    let current = RUNNING.with(|running| running.borrow_mut().task.take());
    match step {
        Step::Settled => None,
        Step::Pending => Some(current.is_some_and(|task| task.stalled.get())),
    }
}
// ANCHOR_END: step_entry

/// What the task of `entry` may see of itself during its step.
fn current_task(entry: &Entry) -> CurrentTask {
    CurrentTask {
        name: Rc::clone(&entry.name),
        yielder: Rc::clone(&entry.yielder),
        stack: entry.stack.clone(),
        stalled: Cell::new(false),
        cancelled: Rc::clone(&entry.cancelled),
    }
}

/// Steps a task that the loop has cancelled, so that the suspension point it
/// waits at returns [`LoopError::Cancelled`]. `RUNNING` names this loop and
/// this task for the length of the step, as in a normal step, whatever it
/// named before (`stop` and dropping a loop can happen anywhere, even inside
/// a task of another loop); it is put back afterwards.
fn cancel_step(shared: &Rc<Shared>, entry: &mut Entry) -> Step {
    /// Puts back what `RUNNING` held, also if the step panics.
    struct Restore(Option<Running>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(before) = self.0.take() {
                RUNNING.with(|running| *running.borrow_mut() = before);
            }
        }
    }
    let _restore = Restore(Some(RUNNING.with(|running| {
        running.replace(Running {
            event_loop: Some(Rc::downgrade(shared)),
            task: Some(current_task(entry)),
        })
    })));
    shared.resumes.set(shared.resumes.get() + 1);
    entry.task.step()
}

// ANCHOR: stop
/// [`EventLoop::stop`] and [`LoopHandle::stop`].
fn stop(shared: &Rc<Shared>) {
    let inside_a_step = RUNNING.with(|running| {
        let running = running.borrow();
        let this_loop_runs = running
            .event_loop
            .as_ref()
            .is_some_and(|running_loop| ptr::eq(running_loop.as_ptr(), Rc::as_ptr(shared)));
        this_loop_runs && running.task.is_some()
    });
    if inside_a_step {
        // The task calling us is in the middle of its step: it cannot be
        // dropped from under its own feet. The loop cancels everything as
        // soon as this step is over.
        shared.stop_requested.set(true);
    } else {
        shared.cancel_all();
    }
}
// ANCHOR_END: stop

impl Default for EventLoop {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for EventLoop {
    fn drop(&mut self) {
        self.shared.cancel_all();
    }
}

impl fmt::Debug for EventLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventLoop")
            .field("clock", &self.shared.clock)
            .field("pending_tasks", &self.pending_tasks())
            .field("resumes", &self.resumes())
            .finish_non_exhaustive()
    }
}

impl LoopHandle {
    fn shared(&self) -> Result<Rc<Shared>, LoopError> {
        self.shared.upgrade().ok_or(LoopError::LoopGone)
    }

    /// [`EventLoop::create_task`], through the handle.
    ///
    /// # Errors
    ///
    /// [`LoopError::LoopGone`] if the loop has been dropped.
    pub fn create_task<T: 'static>(
        &self,
        name: &str,
        body: impl FnOnce() -> T + 'static,
    ) -> Result<Future<T>, LoopError> {
        Ok(self.shared()?.enqueue(name, body))
    }

    /// [`EventLoop::now`], through the handle.
    ///
    /// # Errors
    ///
    /// [`LoopError::LoopGone`] if the loop has been dropped.
    pub fn now(&self) -> Result<Duration, LoopError> {
        Ok(self.shared()?.now())
    }

    /// [`EventLoop::resumes`], through the handle.
    ///
    /// # Errors
    ///
    /// [`LoopError::LoopGone`] if the loop has been dropped.
    pub fn resumes(&self) -> Result<u64, LoopError> {
        Ok(self.shared()?.resumes.get())
    }

    /// [`EventLoop::stop`], through the handle.
    ///
    /// # Errors
    ///
    /// [`LoopError::LoopGone`] if the loop has been dropped.
    pub fn stop(&self) -> Result<(), LoopError> {
        stop(&self.shared()?);
        Ok(())
    }
}

impl fmt::Debug for LoopHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopHandle")
            .field("alive", &(self.shared.strong_count() > 0))
            .finish()
    }
}

// ANCHOR: current_loop
/// The loop running the current task: Python's `EventLoop.current`.
///
/// It works from any depth inside a task, also from a generator nested in
/// one: it only reads `RUNNING`, it does not suspend anything.
///
/// # Errors
///
/// [`LoopError::NotInTask`] outside a task.
pub fn current_loop() -> Result<LoopHandle, LoopError> {
    RUNNING.with(|running| {
        let running = running.borrow();
        match (&running.event_loop, &running.task) {
            (Some(shared), Some(_)) => Ok(LoopHandle {
                shared: Weak::clone(shared),
            }),
            _ => Err(LoopError::NotInTask {
                operation: "current_loop",
            }),
        }
    })
}
// ANCHOR_END: current_loop

// ANCHOR: own_yielder
/// The yielder of the task the loop is stepping, once we know the caller may
/// use it: it runs inside that task, on the task's own stack, and the task
/// is not unwinding.
fn own_yielder(operation: &'static str) -> Result<*const Yielder<(), ()>, LoopError> {
    if std::thread::panicking() {
        // Suspending here would carry this thread's panic count into the
        // other tasks: a panic in any of them would then abort the process.
        return Err(LoopError::Unwinding { operation });
    }
    // A local variable lives on the stack this code runs on, so its address
    // tells whose stack that is. (`black_box` keeps it a real stack slot.)
    let marker = 0_u8;
    let here = std::hint::black_box(ptr::addr_of!(marker)) as usize;
    RUNNING.with(|running| {
        let running = running.borrow();
        let task = running
            .task
            .as_ref()
            .ok_or(LoopError::NotInTask { operation })?;
        let yielder = task.yielder.get();
        if yielder.is_null() || !task.stack.contains(&here) {
            return Err(LoopError::NotOnTaskStack {
                operation,
                task: task.name.to_string(),
            });
        }
        Ok(yielder)
    })
}
// ANCHOR_END: own_yielder

// ANCHOR: suspend
/// Suspends the current task until the loop's next round. `stalled` says
/// whether the task did nothing since its last suspension but find a future
/// still pending.
fn suspend(operation: &'static str, stalled: bool) -> Result<(), LoopError> {
    let yielder = own_yielder(operation)?;
    RUNNING.with(|running| {
        if let Some(task) = &running.borrow().task {
            task.stalled.set(stalled);
        }
    });
    // SAFETY: `yielder` was published by the body of the task the loop is
    // stepping right now, from the `&Yielder` corosensei handed that body.
    // That Yielder lives at the top of the task's stack until the coroutine
    // is dropped, and a coroutine cannot be dropped while it runs, so the
    // pointer is valid for this whole call. `own_yielder` just checked that
    // this code runs on that task's own stack, not on the stack of a
    // coroutine nested inside it (whose suspension would have to go through
    // that coroutine's own yielder): so the coroutine being suspended is
    // exactly the one this yielder belongs to, as corosensei requires.
    let yielder = unsafe { &*yielder };
    yielder.suspend(());
    // Resumed: by the loop's next round, or by the loop cancelling the task.
    let cancelled = RUNNING.with(|running| {
        let running = running.borrow();
        running
            .task
            .as_ref()
            .is_some_and(|task| task.cancelled.get())
    });
    if cancelled {
        return Err(LoopError::Cancelled);
    }
    Ok(())
}
// ANCHOR_END: suspend

/// Gives the other tasks a turn: suspends until the loop's next round.
///
/// # Errors
///
/// [`LoopError::NotInTask`] outside a task; [`LoopError::NotOnTaskStack`]
/// inside a coroutine nested in a task.
pub fn yield_now() -> Result<(), LoopError> {
    suspend("yield_now", false)
}

// ANCHOR: cpu_time
/// How much CPU time the calling thread has used so far, or `None` where it
/// cannot be measured.
///
/// On Linux this reads the first field of `/proc/thread-self/schedstat`: the
/// nanoseconds the thread has spent running on a CPU. On other systems (or if
/// the file cannot be read) it returns `None`. An event loop runs on the
/// thread that calls [`EventLoop::run_until_complete`], so the difference of
/// two readings taken around a run is what the run cost in CPU time.
pub fn cpu_time() -> Option<Duration> {
    let stats = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = stats.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}
// ANCHOR_END: cpu_time

#[cfg(test)]
mod tests {
    use super::*;

    /// A loop on `tick` whose clock reads `rounds` rounds, as if it had run
    /// them all (four billion real rounds would take minutes).
    fn after_rounds(tick: Duration, rounds: u64) -> EventLoop {
        let event_loop = EventLoop::with_clock(Clock::Ticks(tick));
        event_loop.shared.rounds.set(rounds);
        event_loop
    }

    #[test]
    fn the_tick_clock_keeps_counting_past_u32_max_rounds() {
        let nanosecond = Duration::from_nanos(1);
        let past = u64::from(u32::MAX) + 1;
        assert_eq!(
            after_rounds(nanosecond, u64::from(u32::MAX)).now(),
            Duration::new(4, 294_967_295)
        );
        assert_eq!(
            after_rounds(nanosecond, past).now(),
            Duration::new(4, 294_967_296)
        );
        assert_eq!(
            after_rounds(nanosecond, 10 * past).now(),
            Duration::new(42, 949_672_960)
        );
        assert_eq!(
            after_rounds(nanosecond, u64::MAX).now(),
            Duration::from_nanos(u64::MAX)
        );
    }

    #[test]
    fn the_tick_clock_saturates_at_the_end_of_time() {
        assert_eq!(
            after_rounds(Duration::from_secs(u64::MAX / 2), 3).now(),
            Duration::MAX
        );
        assert_eq!(after_rounds(Duration::MAX, u64::MAX).now(), Duration::MAX);
        assert_eq!(after_rounds(Duration::MAX, 1).now(), Duration::MAX);
    }

    #[test]
    fn a_sleep_past_u32_max_rounds_ends_on_a_one_nanosecond_tick() {
        // Four rounds short of a sleep of 4.3 s, on a clock of 1 ns ticks:
        // with the rounds clamped to u32::MAX, the clock would stop at
        // 4.294967295 s and the sleep would never end.
        let event_loop = after_rounds(Duration::from_nanos(1), 4_300_000_000 - 4);
        let outcome = event_loop.run_until_complete(|| {
            let start = current_loop()?.now()?;
            sleep(Duration::from_nanos(4_300_000_000) - start)?;
            current_loop()?.now()
        });
        assert_eq!(outcome, Ok(Ok(Duration::from_nanos(4_300_000_000))));
        assert_eq!(event_loop.rounds(), 4_300_000_000 + 1);
    }

    #[test]
    fn the_round_count_saturates_instead_of_overflowing() {
        let event_loop = after_rounds(Duration::from_millis(1), u64::MAX);
        assert_eq!(event_loop.run_until_complete(yield_now), Ok(Ok(())));
        assert_eq!(event_loop.rounds(), u64::MAX);
    }
}
