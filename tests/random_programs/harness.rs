//! Runs a program on chapter 6's scheduler (`Scheduler::new(Clock::Virtual)`,
//! with the program's stack size) and records what happened, checking the
//! invariants as it goes.
//!
//! Every op says a line `<time> <who>: <what>` (the time in whole units of
//! [`UNIT`] since the run began), in the words the model and the asyncio
//! rendering use too:
//!
//! ```text
//! start                       the task's first step (none if cancelled before it)
//! spawn tK
//! sleep D   ─▶ woke from sleep D  | sleep D interrupted by cancel
//! yield     ─▶ back from yield    | yield interrupted by cancel
//! join tK   ─▶ joined tK: V | joined tK: panicked (boom tJ)
//!              | joined tK: cancelled | join tK interrupted by cancel
//! join? tK  ─▶ the same, with ", passes it on" when the task ends with it
//! join tK: not spawned            cancel tK: not spawned   on_done tK: not spawned
//! cancel tK -> True|False
//! on_done tK                  and later, from the callback (who: `callback`):
//!                             tK done V|panicked (boom tJ)|cancelled (added by tJ)
//!                             spawn tJ
//! return V | panic | stops    (stops: after a cancellation, see OnCancel)
//! drop: sleep D ─▶ drop: woke from sleep D | drop: sleep D interrupted by cancel
//!                  | drop: sleep D refused (unwinding)
//! ```
//!
//! After `run_until_complete`, `loop:` says how it ended (`main returned V`,
//! `main panicked (boom tJ)`, `main cancelled`, `deadlock: main t1 ...`); in
//! an `asyncio.run` program, `Scheduler::shutdown` then cancels what is left
//! and its cleanup's lines follow (`loop: shutdown deadlock: ...` if it
//! gets stuck); `end:` gives every task's state (`tK done V`, `tK panicked
//! (boom tJ)`, `tK cancelled`, `tK pending`; the tasks a deadlock names and
//! those spawned during a shutdown are left out).
//!
//! **Cleanup.** The tasks a deadlock leaves stuck, and those still alive
//! when the scheduler is dropped, are cancelled by the scheduler itself, and
//! their cleanup runs. Neither the model nor CPython's side covers that, so
//! what is said then goes to [`Outcome::shutdown_lines`], kept apart; the
//! invariants hold there too. That cleanup begins at the first cancellation
//! handed to a task that nobody asked to cancel (a `cancel` op, or the
//! shutdown of `asyncio.run`, on it or on a task that joins it), which is
//! only allowed when `run_until_complete` or `shutdown` returns the
//! deadlock, or when the scheduler is dropped.
//!
//! **Invariants** (each breach is a line in [`Outcome::violations`]):
//!
//! - every spawned task ends exactly once (its done callback runs once) and
//!   its closure is dropped exactly once, by the time the scheduler is gone;
//! - a join returns only once its task has ended, with what that task ended
//!   with: the value it returned, its failure (naming the task that
//!   panicked), `TaskCancelled` only if it ended cancelled; `Cancelled` only
//!   if the joiner was asked to be cancelled, and only from a join that
//!   suspended;
//! - a sleep never returns before its deadline; `cancel()` is false exactly
//!   for ended tasks;
//! - a task's final state agrees with what its body returned: `Ok(V)` is
//!   done V (or cancelled, only if it cancelled something in that last
//!   step: itself, or a task that joins it); a cancellation is cancelled; a
//!   failure, the same failure; a task cancelled before it started is
//!   cancelled;
//! - `take_unretrieved()` lists exactly the failures nobody was handed (by a
//!   join, a done callback's `failure()`, or the loop for main's), in the
//!   order the tasks failed;
//! - a done callback's `sleep` and the destructor of a value it owns say
//!   `InCallback`; a drop guard's sleep during a panic says `Unwinding`;
//! - the run ends, or is `SchedError::Deadlock` naming main, within
//!   [`HANG_LIMIT`] of real time (each run is on a thread of its own);
//! - when the run is over, no task is alive (after an `asyncio.run`
//!   shutdown, but those its cleanup spawned) and no timer is left once the
//!   scheduler has nothing alive; the pool keeps at most `POOL_LIMIT` stacks.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::sync::mpsc;
use std::time::Duration;

use yieldpoint::ch04_future_task::Status;
use yieldpoint::ch06_scheduler::{
    Clock, JoinHandle, POOL_LIMIT, SchedError, Scheduler, TaskHandle, now, sleep, spawn, yield_now,
};

use crate::model::Divergence;
use crate::program::{Ending, OnCancel, Op, Program, name};

/// One unit of virtual time.
pub const UNIT: Duration = Duration::from_millis(100);

/// How long a run may take, in real time, before it counts as a hang. A
/// program runs in well under a millisecond.
pub const HANG_LIMIT: Duration = Duration::from_secs(20);

/// What a run produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Every line said, in order, up to the cleanup.
    pub lines: Vec<String>,
    /// What was said while the scheduler cleaned up the tasks left by a
    /// deadlock or by the end of the run.
    pub shutdown_lines: Vec<String>,
    /// The failures nobody had been handed when the run ended (before the
    /// cleanup; `take_unretrieved()` itself is checked against what the
    /// tasks did), as `tK: message`, in the order the tasks failed.
    pub unretrieved: Vec<String>,
    /// Invariants that did not hold; empty when all is well.
    pub violations: Vec<String>,
    /// Where the run meets a known difference from CPython: how many lines
    /// come before it, and which. The harness leaves it `None`; the test's
    /// `check` fills it in from the model, which knows the state that
    /// decides it.
    pub diverges: Option<(usize, Divergence)>,
}

/// What a task's body ended with, as its closure saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closed {
    Value(u32),
    Cancelled,
    /// Failed with the panic of this task.
    Failed(usize),
}

/// What the harness knows about one task of the run.
#[derive(Debug, Default, Clone)]
struct TaskState {
    /// Its body has begun.
    started: bool,
    /// The task it is joining right now.
    joining: Option<usize>,
    /// It holds a cancellation someone asked for (a `cancel` op, the
    /// shutdown), on it or on a task that joins it and passed it on here,
    /// and no cancellation has been handed to it since.
    pending_ask: bool,
    /// It was asked in a cycle of joins (see `Run::ask`).
    cycle_ask: bool,
    /// A cancellation that came back round a cycle of joins woke it: it is
    /// still in its `join` (so `joining` still names the task), but waits
    /// no more, and passes nothing on until that `join` returns.
    woken_in_cycle: bool,
    /// An op has handed it its cancellation.
    interrupted: bool,
    /// How many `cancel` ops returned true in its current step.
    cancels_in_step: u32,
    /// How many in its last step, once its body is over.
    cancels_in_last_step: u32,
    /// What its body ended with.
    closed: Option<Closed>,
    /// It ran its `panic` op.
    panicked: bool,
    /// It failed (the panic of which task), and when.
    failed: Option<usize>,
    failed_in_cleanup: bool,
    /// Someone was handed its failure, and when.
    retrieved: bool,
    retrieved_in_run: bool,
    /// It was spawned during a shutdown (asyncio.run's, or the cleanup).
    spawned_in_shutdown: bool,
    /// How many times its future settled (the harness's done callback ran).
    ends: u32,
    /// How many times its closure, with everything it owns, was dropped.
    drops: u32,
}

/// Where the run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The run, and the closing lines.
    Run,
    /// asyncio.run's shutdown (modelled, compared).
    Shutdown,
    /// The scheduler's own cleanup after a deadlock, or its drop.
    Cleanup,
}

/// The run's shared state; every task holds an `Rc` of it.
struct Run {
    program: Program,
    lines: RefCell<Vec<String>>,
    shutdown_lines: RefCell<Vec<String>>,
    phase: Cell<Phase>,
    /// The time of the last line, for lines said where `now()` cannot be
    /// read (a forced drop in the cleanup).
    last_now: Cell<Duration>,
    /// A cancellation nobody asked for came before the drop: only a
    /// deadlock may do that.
    unasked_cancel: Cell<bool>,
    /// The tasks that failed, in that order.
    failures: RefCell<Vec<usize>>,
    handles: RefCell<Vec<Option<JoinHandle<u32>>>>,
    tasks: RefCell<Vec<TaskState>>,
    violations: RefCell<Vec<String>>,
}

/// Counts the drop of a task's closure: it owns one of these.
struct DropCounter(Weak<Run>, usize);

impl Drop for DropCounter {
    fn drop(&mut self) {
        if let Some(run) = self.0.upgrade() {
            run.tasks.borrow_mut()[self.1].drops += 1;
        }
    }
}

/// A value a task owns whose destructor sleeps (`(drop sleeps D)`).
struct DropGuard {
    run: Weak<Run>,
    k: usize,
    d: u32,
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        let Some(run) = self.run.upgrade() else {
            return;
        };
        let (k, d) = (self.k, self.d);
        run.say(k, format!("drop: sleep {d}"));
        let deadline = now().unwrap_or_default() + UNIT * d;
        let result = sleep(UNIT * d);
        run.resumed(k);
        match result {
            Ok(()) => {
                run.check_deadline(k, d, deadline);
                run.say(k, format!("drop: woke from sleep {d}"));
            }
            Err(SchedError::Cancelled) => {
                run.handed_cancellation(k);
                run.say(k, format!("drop: sleep {d} interrupted by cancel"));
            }
            Err(SchedError::Unwinding { .. }) => {
                if !std::thread::panicking() {
                    run.violation(format!("{}: drop: Unwinding, but no panic", name(k)));
                }
                run.say(k, format!("drop: sleep {d} refused (unwinding)"));
            }
            Err(error) if run.phase.get() == Phase::Cleanup => {
                // A task that never started, dropped by force: no task
                // runs then.
                run.say(k, format!("drop: sleep {d} refused ({error})"));
            }
            Err(error) => run.violation(format!("{}: drop: sleep {d}: {error}", name(k))),
        }
    }
}

/// A value a done callback owns: its destructor tries to sleep, and must be
/// refused. It leaves what it got in `got`.
struct CallbackGuard {
    got: Rc<Cell<Option<Result<(), SchedError>>>>,
}

impl Drop for CallbackGuard {
    fn drop(&mut self) {
        self.got.set(Some(sleep(UNIT)));
    }
}

impl Run {
    /// The time in whole units.
    fn units(&self, at: Duration) -> u128 {
        if !at.as_nanos().is_multiple_of(UNIT.as_nanos()) {
            self.violation(format!("the time {at:?} is not a whole number of units"));
        }
        at.as_nanos() / UNIT.as_nanos()
    }

    fn say_at(&self, at: Duration, who: &str, what: impl AsRef<str>) {
        let line = format!("{} {who}: {}", self.units(at), what.as_ref());
        if self.phase.get() == Phase::Cleanup {
            self.shutdown_lines.borrow_mut().push(line);
        } else {
            self.lines.borrow_mut().push(line);
        }
    }

    fn say_as(&self, who: &str, what: impl AsRef<str>) {
        let at = match now() {
            Ok(at) => {
                self.last_now.set(at);
                at
            }
            Err(error) => {
                if self.phase.get() != Phase::Cleanup {
                    self.violation(format!("now() inside {who}: {error}"));
                }
                self.last_now.get()
            }
        };
        self.say_at(at, who, what);
    }

    fn say(&self, k: usize, what: impl AsRef<str>) {
        self.say_as(&name(k), what);
    }

    fn violation(&self, what: String) {
        self.violations.borrow_mut().push(what);
    }

    fn handle(&self, k: usize) -> Option<JoinHandle<u32>> {
        self.handles.borrow()[k].clone()
    }

    fn state(&self, k: usize) -> TaskState {
        self.tasks.borrow()[k].clone()
    }

    fn update(&self, k: usize, change: impl FnOnce(&mut TaskState)) {
        change(&mut self.tasks.borrow_mut()[k]);
    }

    fn check_deadline(&self, k: usize, d: u32, deadline: Duration) {
        let woke = now().unwrap_or_default();
        if woke < deadline {
            self.violation(format!(
                "{}: sleep {d} returned at {woke:?}, before its deadline {deadline:?}",
                name(k)
            ));
        }
    }

    /// A suspension point of task `k` has returned: a new step.
    fn resumed(&self, k: usize) {
        self.update(k, |t| t.cancels_in_step = 0);
    }

    /// Someone asks for task `k` to be cancelled. Follows the cancellation
    /// as the scheduler passes it on: from a task waiting for a pending task
    /// to that task, until a task that does not wait so keeps it, or, around
    /// a cycle of joins, the task met again keeps it (woken with it). Only
    /// that task holds it; each task on the way passed it on.
    fn ask(&self, k: usize) {
        let mut seen = Vec::new();
        let mut at = k;
        let keeper = loop {
            if seen.contains(&at) {
                self.update(at, |t| {
                    t.cycle_ask = true;
                    t.woken_in_cycle = true;
                });
                break at;
            }
            seen.push(at);
            let state = self.state(at);
            let next = state
                .joining
                .filter(|_| !state.woken_in_cycle)
                .filter(|&target| self.handle(target).is_some_and(|h| !h.done()));
            match next {
                Some(target) => at = target,
                None => break at,
            }
        };
        for &j in seen.iter().filter(|&&j| j != keeper) {
            self.update(j, |t| t.pending_ask = false);
        }
        self.update(keeper, |t| t.pending_ask = true);
    }

    /// An op of task `k` has been handed its cancellation: if nobody asked
    /// for one, the scheduler's cleanup has begun.
    fn handed_cancellation(&self, k: usize) {
        if !self.state(k).pending_ask && self.phase.get() != Phase::Cleanup {
            self.phase.set(Phase::Cleanup);
            self.unasked_cancel.set(true);
        }
        self.update(k, |t| t.pending_ask = false);
    }

    /// Task `k` failed with the panic of task `origin`.
    fn failed(&self, k: usize, origin: usize) {
        let cleanup = self.phase.get() == Phase::Cleanup;
        self.update(k, |t| {
            t.failed = Some(origin);
            t.failed_in_cleanup = cleanup;
        });
        self.failures.borrow_mut().push(k);
    }

    /// Someone was handed the failure of task `k`.
    fn retrieved(&self, k: usize) {
        let cleanup = self.phase.get() == Phase::Cleanup;
        self.update(k, |t| {
            t.retrieved = true;
            t.retrieved_in_run |= !cleanup;
        });
    }

    /// Task `k`'s body is over (not by a panic), its drop guard included.
    fn closed(&self, k: usize, result: &Result<u32, SchedError>) {
        let closed = match result {
            Ok(value) => Closed::Value(*value),
            Err(error) if error.is_cancellation() => Closed::Cancelled,
            Err(SchedError::TaskFailed(failure)) => {
                let origin = self.index_of(failure.task());
                self.failed(k, origin);
                Closed::Failed(origin)
            }
            Err(error) => {
                self.violation(format!("{} returned {error}", name(k)));
                Closed::Cancelled
            }
        };
        self.update(k, |t| {
            t.closed = Some(closed);
            t.cancels_in_last_step = t.cancels_in_step;
        });
    }

    fn index_of(&self, task: &str) -> usize {
        (0..self.program.tasks.len())
            .find(|&k| name(k) == task)
            .unwrap_or_else(|| {
                self.violation(format!("a failure names an unknown task {task:?}"));
                0
            })
    }
}

/// Task `k`'s closure: it owns a drop counter, maybe a drop guard, and runs
/// the body.
fn task_closure(run: &Rc<Run>, k: usize) -> impl FnOnce() -> Result<u32, SchedError> + 'static {
    let counter = DropCounter(Rc::downgrade(run), k);
    let guard = run.program.tasks[k].drop_sleep.map(|d| DropGuard {
        run: Rc::downgrade(run),
        k,
        d,
    });
    let run = Rc::clone(run);
    move || {
        let _counter = counter;
        let result = body(&run, k);
        drop(guard);
        run.closed(k, &result);
        result
    }
}

/// What an op leaves the task to do next.
enum Flow {
    Next,
    /// It was handed its cancellation, and swallows it.
    Interrupted,
    /// Its body returns this.
    End(Result<u32, SchedError>),
}

/// Runs task `k`'s ops.
fn body(run: &Rc<Run>, k: usize) -> Result<u32, SchedError> {
    run.update(k, |t| t.started = true);
    run.say(k, "start");
    let spec = run.program.tasks[k].clone();
    // After a cancellation: how many more ops the task does before it stops.
    let mut budget: Option<u32> = None;
    for op in spec.ops {
        if budget == Some(0) {
            run.say(k, "stops");
            return Err(SchedError::Cancelled);
        }
        if let Some(left) = &mut budget {
            *left -= 1;
        }
        let flow = match op {
            Op::Spawn(j) => {
                do_spawn(run, &name(k), j);
                Flow::Next
            }
            Op::Sleep(d) => do_sleep(run, k, d),
            Op::Yield => do_yield(run, k),
            Op::Join(j) => do_join(run, k, j, false),
            Op::TryJoin(j) => do_join(run, k, j, true),
            Op::Cancel(j) => {
                do_cancel(run, k, j);
                Flow::Next
            }
            Op::OnDone(j, child) => {
                do_on_done(run, k, j, child);
                Flow::Next
            }
            Op::Return(v) => {
                run.say(k, format!("return {v}"));
                return Ok(v);
            }
            Op::Panic => {
                run.say(k, "panic");
                run.update(k, |t| t.panicked = true);
                run.failed(k, k);
                panic!("boom {}", name(k));
            }
        };
        match flow {
            Flow::Next => {}
            Flow::Interrupted => {
                let first = !run.state(k).interrupted;
                run.update(k, |t| t.interrupted = true);
                budget = Some(u32::from(spec.on_cancel == OnCancel::GoOn && first));
            }
            Flow::End(result) => return result,
        }
    }
    run.violation(format!("{} ran past its last op", name(k)));
    Ok(0)
}

/// Spawns task `j` (`who` says the line: a task, or `callback`).
fn do_spawn(run: &Rc<Run>, who: &str, j: usize) {
    match spawn(name(j), task_closure(run, j)) {
        Ok(handle) => {
            let weak = Rc::downgrade(run);
            handle.add_done_callback(move |_| {
                if let Some(run) = weak.upgrade() {
                    run.update(j, |t| t.ends += 1);
                }
            });
            run.handles.borrow_mut()[j] = Some(handle);
            let shutdown = run.phase.get() != Phase::Run;
            run.update(j, |t| t.spawned_in_shutdown = shutdown);
            run.say_as(who, format!("spawn {}", name(j)));
        }
        Err(error) => run.violation(format!("{who} could not spawn {}: {error}", name(j))),
    }
}

fn do_sleep(run: &Rc<Run>, k: usize, d: u32) -> Flow {
    run.say(k, format!("sleep {d}"));
    let deadline = now().unwrap_or_default() + UNIT * d;
    let result = sleep(UNIT * d);
    run.resumed(k);
    match result {
        Ok(()) => {
            run.check_deadline(k, d, deadline);
            run.say(k, format!("woke from sleep {d}"));
            Flow::Next
        }
        Err(SchedError::Cancelled) => {
            run.handed_cancellation(k);
            run.say(k, format!("sleep {d} interrupted by cancel"));
            Flow::Interrupted
        }
        Err(error) => {
            run.violation(format!("{}: sleep {d}: {error}", name(k)));
            Flow::Next
        }
    }
}

fn do_yield(run: &Rc<Run>, k: usize) -> Flow {
    run.say(k, "yield");
    let result = yield_now();
    run.resumed(k);
    match result {
        Ok(()) => {
            run.say(k, "back from yield");
            Flow::Next
        }
        Err(SchedError::Cancelled) => {
            run.handed_cancellation(k);
            run.say(k, "yield interrupted by cancel");
            Flow::Interrupted
        }
        Err(error) => {
            run.violation(format!("{}: yield: {error}", name(k)));
            Flow::Next
        }
    }
}

/// `join tK` (`pass_on` false) or `join? tK`, with the join rule: a
/// cancellation from a join reads `joined tK: cancelled` if tK has ended
/// cancelled (the joiner carries on), else `join tK interrupted by cancel`.
fn do_join(run: &Rc<Run>, k: usize, j: usize, pass_on: bool) -> Flow {
    let target = name(j);
    let op = if pass_on { "join?" } else { "join" };
    let Some(handle) = run.handle(j) else {
        run.say(k, format!("{op} {target}: not spawned"));
        return Flow::Next;
    };
    run.say(k, format!("{op} {target}"));
    let suspends = !handle.done();
    run.update(k, |t| t.joining = Some(j));
    if suspends && run.state(k).pending_ask {
        // A cancellation pending as it begins to wait goes on to the task
        // it joins (and, around a cycle, back to it).
        run.ask(k);
    }
    let result = handle.join();
    run.update(k, |t| {
        t.joining = None;
        t.woken_in_cycle = false;
    });
    if suspends {
        run.resumed(k);
    }
    let who = name(k);
    if !handle.done() && result != Err(SchedError::Cancelled) {
        run.violation(format!(
            "{who}: {op} {target} returned {result:?} before it ended"
        ));
    }
    let suffix = if pass_on { ", passes it on" } else { "" };
    let pass = |error: SchedError| {
        if pass_on {
            Flow::End(Err(error))
        } else {
            Flow::Next
        }
    };
    match result {
        Ok(value) => {
            let state = run.state(j);
            if state.closed != Some(Closed::Value(value)) {
                run.violation(format!(
                    "{who}: {op} {target} returned {value}, but {target}'s body ended {:?}",
                    state.closed
                ));
            }
            if suspends {
                run.update(k, |t| t.pending_ask = false);
            }
            run.say(k, format!("joined {target}: {value}"));
            Flow::Next
        }
        Err(SchedError::TaskFailed(failure)) => {
            let origin = run.index_of(failure.task());
            if run.state(j).failed != Some(origin) || handle.status() != Status::Failed {
                run.violation(format!(
                    "{who}: {op} {target} failed with {failure}, but {target} failed {:?}",
                    run.state(j).failed
                ));
            }
            if run.state(origin).panicked && failure.message() != format!("boom {}", name(origin)) {
                run.violation(format!("{who}: {op} {target}: the failure says {failure}"));
            }
            run.retrieved(j);
            if suspends {
                run.update(k, |t| t.pending_ask = false);
            }
            run.say(
                k,
                format!("joined {target}: panicked ({}){suffix}", failure.message()),
            );
            pass(SchedError::TaskFailed(failure))
        }
        Err(error) if error.is_cancellation() => {
            if error == SchedError::Cancelled {
                if !suspends {
                    run.violation(format!(
                        "{who}: {op} {target} of an ended task delivered a cancellation"
                    ));
                }
                // A joiner's cancellation goes on to the task it joins, so
                // it comes back while that task is pending only in a cycle
                // of joins, or in the scheduler's cleanup after a deadlock
                // (which hands every stuck task its cancellation directly).
                if !handle.done() && !run.state(k).cycle_ask {
                    run.update(k, |t| t.pending_ask = false);
                }
                run.handed_cancellation(k);
            } else if !handle.cancelled() {
                run.violation(format!(
                    "{who}: {op} {target} says {error}, but {target} is {:?}",
                    handle.status()
                ));
            }
            if suspends {
                run.update(k, |t| t.pending_ask = false);
            }
            if handle.cancelled() {
                run.say(k, format!("joined {target}: cancelled{suffix}"));
                pass(error)
            } else {
                run.say(k, format!("join {target} interrupted by cancel{suffix}"));
                if pass_on {
                    Flow::End(Err(error))
                } else {
                    Flow::Interrupted
                }
            }
        }
        Err(error) => {
            run.violation(format!("{who}: {op} {target}: {error}"));
            Flow::Next
        }
    }
}

fn do_cancel(run: &Rc<Run>, k: usize, j: usize) {
    let target = name(j);
    let Some(handle) = run.handle(j) else {
        run.say(k, format!("cancel {target}: not spawned"));
        return;
    };
    let was_done = handle.done();
    let cancelled = handle.cancel();
    run.say(
        k,
        format!(
            "cancel {target} -> {}",
            if cancelled { "True" } else { "False" }
        ),
    );
    if cancelled == was_done {
        run.violation(format!(
            "{}: cancel {target} returned {cancelled} on a task that had ended: {was_done}",
            name(k)
        ));
    }
    if cancelled {
        run.ask(j);
        run.update(k, |t| t.cancels_in_step += 1);
        if handle.done() {
            run.violation(format!(
                "{}: cancel {target} ended it at once (it must end at its next step)",
                name(k)
            ));
        }
    }
}

fn do_on_done(run: &Rc<Run>, k: usize, j: usize, child: Option<usize>) {
    let target = name(j);
    let Some(handle) = run.handle(j) else {
        run.say(k, format!("on_done {target}: not spawned"));
        return;
    };
    run.say(k, format!("on_done {target}"));
    let weak = Rc::downgrade(run);
    let got = Rc::new(Cell::new(None));
    let guard = CallbackGuard {
        got: Rc::clone(&got),
    };
    handle.add_done_callback(move |task| {
        let Some(run) = weak.upgrade() else { return };
        run.callback(j, k, child, task);
        drop(guard);
        match got.take() {
            Some(Err(SchedError::InCallback { .. })) => {}
            other => run.violation(format!(
                "the destructor of a value a callback owns tried to sleep: {other:?}"
            )),
        }
    });
}

impl Run {
    /// A done callback of task `j`, added by task `adder`, runs.
    fn callback(self: &Rc<Self>, j: usize, adder: usize, child: Option<usize>, task: &TaskHandle) {
        match sleep(UNIT) {
            Err(SchedError::InCallback { .. }) => {}
            other => self.violation(format!("sleep in a done callback: {other:?}")),
        }
        let state = match task.status() {
            Status::Done => match self.handle(j).map(|h| h.join()) {
                Some(Ok(value)) => format!("done {value}"),
                other => {
                    self.violation(format!("join in a callback of {}: {other:?}", name(j)));
                    "done ???".to_string()
                }
            },
            Status::Failed => match task.failure() {
                Some(failure) => {
                    self.retrieved(j);
                    format!("panicked ({})", failure.message())
                }
                None => {
                    self.violation(format!("{} failed without a failure", name(j)));
                    "panicked ???".to_string()
                }
            },
            Status::Cancelled => "cancelled".to_string(),
            Status::Pending => {
                self.violation(format!(
                    "a done callback of {} ran before it ended",
                    name(j)
                ));
                "pending".to_string()
            }
        };
        self.say_as(
            "callback",
            format!("{} {state} (added by {})", name(j), name(adder)),
        );
        if let Some(child) = child {
            do_spawn(self, "callback", child);
        }
    }
}

/// The state line of task `j` after the run, and checks that it agrees
/// with what its body ended with.
fn end_line(run: &Run, j: usize, handle: &JoinHandle<u32>) -> String {
    let target = name(j);
    let state = run.state(j);
    let status = handle.status();
    let fits = match (state.closed, status) {
        (_, Status::Pending) => true,
        (None, Status::Cancelled) => !state.started || state.panicked,
        (None, Status::Failed) => state.panicked,
        (Some(Closed::Value(_)), Status::Done | Status::Cancelled) => {
            status == Status::Done || state.cancels_in_last_step > 0
        }
        (Some(Closed::Cancelled), Status::Cancelled) => true,
        (Some(Closed::Failed(_)), Status::Failed) => true,
        _ => false,
    };
    if !fits {
        run.violation(format!(
            "{target} ended {status:?}, but its body ended {:?}: {state:?}",
            state.closed
        ));
    }
    match status {
        Status::Done => match handle.join() {
            Ok(value) => {
                if state.closed != Some(Closed::Value(value)) {
                    run.violation(format!("{target} holds {value}: {state:?}"));
                }
                format!("{target} done {value}")
            }
            Err(error) => {
                run.violation(format!("{target} is done, but join says {error}"));
                format!("{target} ???")
            }
        },
        Status::Failed => match handle.failure() {
            Some(failure) => {
                if Some(run.index_of(failure.task())) != state.failed {
                    run.violation(format!("{target} failed with {failure}: {state:?}"));
                }
                format!("{target} panicked ({})", failure.message())
            }
            None => {
                run.violation(format!("{target} failed without a failure"));
                format!("{target} ???")
            }
        },
        Status::Cancelled => format!("{target} cancelled"),
        Status::Pending => format!("{target} pending"),
    }
}

/// The indices of the tasks a deadlock names, sorted.
fn stuck_indices(run: &Run, tasks: &[yieldpoint::ch06_scheduler::StuckTask]) -> Vec<usize> {
    let mut stuck: Vec<usize> = tasks.iter().map(|task| run.index_of(&task.name)).collect();
    stuck.sort_unstable();
    stuck
}

fn names(tasks: &[usize]) -> String {
    tasks.iter().map(|&k| name(k)).collect::<Vec<_>>().join(" ")
}

/// Runs `program` on a fresh scheduler with a virtual clock.
pub fn run_program(program: &Program) -> Outcome {
    let n = program.tasks.len();
    let run = Rc::new(Run {
        program: program.clone(),
        lines: RefCell::default(),
        shutdown_lines: RefCell::default(),
        phase: Cell::new(Phase::Run),
        last_now: Cell::new(Duration::ZERO),
        unasked_cancel: Cell::new(false),
        failures: RefCell::default(),
        handles: RefCell::new(vec![None; n]),
        tasks: RefCell::new(vec![TaskState::default(); n]),
        violations: RefCell::default(),
    });
    let mut scheduler = Scheduler::new(Clock::Virtual);
    if let Some(kib) = program.stack_kib {
        scheduler = scheduler.with_stack_size(kib * 1024);
    }
    let result = scheduler.run_until_complete(task_closure(&run, 0));

    let deadlock = matches!(result, Err(SchedError::Deadlock(_)));
    if run.unasked_cancel.get() && !deadlock {
        run.violation(format!(
            "a task was handed a cancellation nobody asked for, and the run ended {result:?}"
        ));
    }
    // The closing lines belong with the run's.
    run.phase.set(Phase::Run);
    let at = scheduler.now();
    let mut stuck: Vec<usize> = Vec::new();
    match result {
        Ok(value) => {
            if run.state(0).closed != Some(Closed::Value(value)) {
                run.violation(format!(
                    "run_until_complete returned {value}, main's body ended {:?}",
                    run.state(0).closed
                ));
            }
            run.say_at(at, "loop", format!("main returned {value}"));
        }
        Err(SchedError::TaskFailed(failure)) => {
            run.say_at(at, "loop", format!("main panicked ({})", failure.message()));
            run.retrieved(0);
        }
        Err(SchedError::TaskCancelled { task }) => {
            if task != "main" {
                run.violation(format!("run_until_complete: {task} cancelled"));
            }
            run.say_at(at, "loop", "main cancelled");
        }
        Err(SchedError::Deadlock(tasks)) => {
            stuck = stuck_indices(&run, &tasks);
            run.say_at(at, "loop", format!("deadlock: {}", names(&stuck)));
            if !stuck.contains(&0) {
                run.violation("a deadlock that does not name main".to_string());
            }
        }
        Err(error) => run.violation(format!("run_until_complete: {error}")),
    }

    if program.ending == Ending::Run && !deadlock {
        // asyncio.run: cancel what is left, run its cleanup to its end.
        run.phase.set(Phase::Shutdown);
        run.unasked_cancel.set(false);
        let handles: Vec<Option<JoinHandle<u32>>> = run.handles.borrow().clone();
        // In spawn order, as the shutdown cancels them: around a cycle of
        // joins, the order decides which task keeps a cancellation.
        let mut alive: Vec<(u64, usize)> = handles
            .iter()
            .enumerate()
            .filter_map(|(j, handle)| {
                let handle = handle.as_ref().filter(|h| !h.done())?;
                Some((handle.id().number(), j))
            })
            .collect();
        alive.sort_unstable();
        for (_, j) in alive {
            run.ask(j);
        }
        let shutdown = scheduler.shutdown();
        let shutdown_deadlock = matches!(shutdown, Err(SchedError::Deadlock(_)));
        if run.unasked_cancel.get() && !shutdown_deadlock {
            run.violation(format!(
                "a task was handed a cancellation nobody asked for, and the shutdown ended \
                 {shutdown:?}"
            ));
        }
        run.phase.set(Phase::Shutdown);
        match shutdown {
            Ok(()) => {
                let alive = handles.iter().flatten().filter(|h| !h.done()).count();
                if alive > 0 {
                    run.violation(format!("{alive} tasks still alive after the shutdown"));
                }
            }
            Err(SchedError::Deadlock(tasks)) => {
                stuck = stuck_indices(&run, &tasks);
                let at = scheduler.now();
                run.say_at(at, "loop", format!("shutdown deadlock: {}", names(&stuck)));
            }
            Err(error) => run.violation(format!("shutdown: {error}")),
        }
        run.phase.set(Phase::Run);
    }
    let at = scheduler.now();

    // No failure lost: every failure nobody was handed (by a join, a
    // callback, or run_until_complete for main's) is reported, and only
    // those, in the order the tasks failed. A deadlock's cleanup may add
    // failures, and hand some over: the model is shown the list as it
    // stood when the run ended.
    let failures = run.failures.borrow().clone();
    let describe = |k: &usize| {
        let origin = run.state(*k).failed.unwrap_or(*k);
        format!("{}: boom {}", name(*k), name(origin))
    };
    let got: Vec<String> = scheduler
        .take_unretrieved()
        .iter()
        .map(|u| format!("{}: {}", u.task, u.failure.message()))
        .collect();
    let expected: Vec<String> = failures
        .iter()
        .filter(|&&k| !run.state(k).retrieved)
        .map(describe)
        .collect();
    if expected != got {
        run.violation(format!(
            "take_unretrieved() gave {got:?}, but the failures nobody was handed are {expected:?}"
        ));
    }
    let unretrieved: Vec<String> = failures
        .iter()
        .filter(|&&k| {
            let t = run.state(k);
            k != 0 && !t.failed_in_cleanup && !t.retrieved_in_run
        })
        .map(describe)
        .collect();

    let handles: Vec<Option<JoinHandle<u32>>> = run.handles.borrow().clone();
    for (j, handle) in handles.iter().enumerate() {
        let Some(handle) = handle else { continue };
        if stuck.contains(&j) {
            // A deadlock cancels the tasks it names; their cleanup may end
            // them any way (a join of a task that ended cancelled meanwhile
            // reads as that task's cancellation, and the task goes on).
            if handle.status() == Status::Pending {
                run.violation(format!("{} is stuck and still pending", name(j)));
            }
            continue;
        }
        if run.state(j).spawned_in_shutdown {
            continue;
        }
        let line = end_line(&run, j, handle);
        run.say_at(at, "end", line);
    }
    if scheduler.pooled_stacks() > POOL_LIMIT {
        run.violation(format!("{} pooled stacks", scheduler.pooled_stacks()));
    }
    if scheduler.live_tasks() == 0 && scheduler.pending_timers() > 100 {
        run.violation(format!(
            "{} timers kept with no task alive",
            scheduler.pending_timers()
        ));
    }

    run.phase.set(Phase::Cleanup);
    drop(scheduler);
    // Every task ends exactly once, and its closure is dropped once, by the
    // time the scheduler is gone. (Cleanup during the drop may have spawned
    // more tasks.)
    let spawned_at_all: Vec<bool> = run.handles.borrow().iter().map(Option::is_some).collect();
    for (j, &spawned) in spawned_at_all.iter().enumerate() {
        let t = run.state(j);
        let spawned = j == 0 || spawned;
        let want = u32::from(spawned);
        if (j > 0 && t.ends != want) || t.drops != want {
            run.violation(format!(
                "{} after the scheduler was dropped: ended {} times, closure dropped {} times \
                 (want {want})",
                name(j),
                t.ends,
                t.drops
            ));
        }
    }

    // Break the cycles through done callbacks and closures.
    run.handles.borrow_mut().clear();
    Outcome {
        lines: run.lines.take(),
        shutdown_lines: run.shutdown_lines.take(),
        unretrieved,
        violations: run.violations.take(),
        diverges: None,
    }
}

/// [`run_program`] on a thread of its own, so that a run that hangs fails
/// after [`HANG_LIMIT`] instead of hanging the test.
///
/// # Panics
///
/// If the run does not finish in time.
pub fn run_with_limit(program: &Program) -> Outcome {
    let owned = program.clone();
    within(HANG_LIMIT, &format!("{program:?}"), move || {
        run_program(&owned)
    })
}

/// Runs `work` on a thread of its own and waits at most `limit` for it.
///
/// # Panics
///
/// If `work` does not finish in time (it is left behind, and the message
/// names `what`), or if it panics.
pub fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (send, receive) = mpsc::channel();
    std::thread::Builder::new()
        .name("random program".to_string())
        .spawn(move || {
            let _ = send.send(work());
        })
        .expect("a thread for the run");
    match receive.recv_timeout(limit) {
        Ok(outcome) => outcome,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("the run did not finish within {limit:?}: it hangs. The program:\n{what}")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            panic!("the run panicked outside its tasks (see above). The program:\n{what}")
        }
    }
}

/// Runs `program` through `ch06_scheduler::run` itself (asyncio.run: main,
/// then the shutdown, then the drop) instead of `run_until_complete` and
/// `shutdown`, and returns every line its tasks and callbacks say, in order
/// (there is no scheduler left to ask for `loop:` and `end:` lines). The
/// stack size is the default one.
pub fn lines_through_run(program: &Program) -> Vec<String> {
    let owned = program.clone();
    within(HANG_LIMIT, &format!("{program:?}"), move || {
        let n = owned.tasks.len();
        let run = Rc::new(Run {
            program: owned.clone(),
            lines: RefCell::default(),
            shutdown_lines: RefCell::default(),
            phase: Cell::new(Phase::Run),
            last_now: Cell::new(Duration::ZERO),
            unasked_cancel: Cell::new(false),
            failures: RefCell::default(),
            handles: RefCell::new(vec![None; n]),
            tasks: RefCell::new(vec![TaskState::default(); n]),
            violations: RefCell::default(),
        });
        let _ = yieldpoint::ch06_scheduler::run(Clock::Virtual, task_closure(&run, 0));
        run.handles.borrow_mut().clear();
        let mut lines = run.lines.take();
        lines.extend(run.shutdown_lines.take());
        lines
    })
}
