//! Runs a program on chapter 6's scheduler (`Scheduler::new(Clock::Virtual)`)
//! and records what happened, checking the invariants as it goes.
//!
//! Every op says a line `<time> <who>: <what>` (the time in whole units of
//! [`UNIT`] since the run began), in the words the model and the asyncio
//! rendering use too:
//!
//! ```text
//! start                       the task's first step
//! spawn tK
//! sleep D   ─▶ woke from sleep D  | sleep D interrupted by cancel
//! yield     ─▶ back from yield    | yield interrupted by cancel
//! join tK   ─▶ joined tK: V | joined tK: panicked (boom tK)
//!              | joined tK: cancelled | join tK interrupted by cancel
//! join tK: not spawned            cancel tK: not spawned
//! cancel tK -> True|False
//! return V | panic | stops        (stops: after a cancellation, see OnCancel)
//! ```
//!
//! After the run, `loop:` says how `run_until_complete` ended (`main returned
//! V`, `main panicked (boom main)`, `deadlock: main t1 ...`), and `end:` gives
//! every spawned task's state (`tK done V`, `tK panicked (boom tK)`, `tK
//! cancelled`, `tK pending`; the tasks a deadlock names are left out).
//!
//! **Shutdown.** The tasks a deadlock leaves stuck, and those still alive
//! when the scheduler is dropped, are cancelled by the scheduler itself, and
//! their cleanup runs (each is resumed with its cancellation, as asyncio's
//! `Runner.close` cancels what is left). Neither the model nor CPython's side
//! (whose loop is abandoned as it stands) covers that shutdown, so what tasks
//! say during it goes to [`Outcome::shutdown_lines`], kept apart; the
//! invariants hold there too. The shutdown begins at the first cancellation
//! no `cancel` op asked for, which is only allowed when `run_until_complete`
//! returns the deadlock, or when the scheduler is dropped.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::sync::mpsc;
use std::time::Duration;

use yieldpoint::ch04_future_task::{FutureError, Status};
use yieldpoint::ch06_scheduler::{
    Clock, JoinHandle, SchedError, Scheduler, now, sleep, spawn, yield_now,
};

use crate::program::{OnCancel, Op, Program, name};

/// One unit of virtual time.
pub const UNIT: Duration = Duration::from_millis(100);

/// How long a run may take, in real time, before it counts as a hang. A
/// program runs in well under a millisecond.
pub const HANG_LIMIT: Duration = Duration::from_secs(20);

/// A known difference from CPython's asyncio that a run went into (two
/// documented ones, and one reported bug): from that op on, CPython's lines
/// may differ, so the comparison with CPython stops there (the model and the
/// invariants still check everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Divergence {
    /// A task was cancelled before it ever ran. Here it settles at once;
    /// asyncio settles it when its first step comes up in the ready queue.
    /// `chapters/07-combinators.md`, "Cancellation: an error returned by the
    /// suspension point": "One visible difference from asyncio: here the
    /// task is settled at once".
    CancelledBeforeStart,
    /// A task was cancelled while it joined an unfinished task (or joined
    /// one with a cancellation pending). Here only the joiner is cancelled;
    /// asyncio passes the cancellation on to the joined task. Same section:
    /// "One difference from asyncio is deliberate. In asyncio, a task paused
    /// at `await other_task` that is cancelled passes the cancellation *on*";
    /// and "What can go wrong": "Cancelling a joiner does not cancel what it
    /// joins".
    JoinerCancelled,
}

/// What a run produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Every line said, in order, up to the shutdown.
    pub lines: Vec<String>,
    /// What tasks said while the scheduler cancelled the tasks left by a
    /// deadlock or by the end of the run.
    pub shutdown_lines: Vec<String>,
    /// Where the run meets a documented difference from CPython: how many
    /// lines, those before the op that meets it, CPython must match. (Not
    /// the op's own line: asyncio's side of a difference can begin inside
    /// the op, e.g. `cancel()` passing the cancellation on along a cycle of
    /// joins until Python's recursion limit.)
    pub diverges: Option<(usize, Divergence)>,
    /// The panics nobody had been handed when the run ended (before the
    /// shutdown; `take_unretrieved()` itself is checked against what the
    /// tasks did), as `tK: message`, in the order the tasks panicked.
    pub unretrieved: Vec<String>,
    /// Invariants that did not hold; empty when all is well.
    pub violations: Vec<String>,
}

/// What the harness knows about one task of the run.
#[derive(Debug, Default, Clone)]
struct TaskState {
    /// Its body has begun.
    started: bool,
    /// The task it is joining right now.
    joining: Option<usize>,
    /// Someone cancelled it (it had started) and no op has returned the
    /// cancellation yet.
    cancel_pending: bool,
    /// An op has returned its cancellation.
    interrupted: bool,
    /// It stopped after its cancellation.
    stopped: bool,
    /// What its `return` op returned.
    returned: Option<u32>,
    /// It ran its `panic` op.
    panicked: bool,
    /// ... during the shutdown.
    panicked_in_shutdown: bool,
    /// It was spawned during the shutdown (by a task's cleanup).
    spawned_in_shutdown: bool,
    /// A join handed its panic to the joiner.
    panic_handed_over: bool,
    /// ... before the shutdown.
    panic_handed_over_in_run: bool,
    /// How many times its future settled (its done callback ran).
    ends: u32,
    /// How many times its closure, with everything it owns, was dropped.
    drops: u32,
}

/// The run's shared state; every task holds an `Rc` of it.
struct Run {
    program: Program,
    lines: RefCell<Vec<String>>,
    shutdown_lines: RefCell<Vec<String>>,
    /// The shutdown has begun (see the module docs).
    shutdown: Cell<bool>,
    /// A cancellation nobody asked for came before the drop: only a
    /// deadlock may do that.
    unasked_cancel: Cell<bool>,
    /// The tasks that ran their `panic` op, in that order.
    panics: RefCell<Vec<usize>>,
    handles: RefCell<Vec<Option<JoinHandle<u32>>>>,
    tasks: RefCell<Vec<TaskState>>,
    violations: RefCell<Vec<String>>,
    diverges: Cell<Option<(usize, Divergence)>>,
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
        if self.shutdown.get() {
            self.shutdown_lines.borrow_mut().push(line);
        } else {
            self.lines.borrow_mut().push(line);
        }
    }

    fn say(&self, k: usize, what: impl AsRef<str>) {
        match now() {
            Ok(at) => self.say_at(at, &name(k), what),
            Err(error) => self.violation(format!("now() inside {}: {error}", name(k))),
        }
    }

    fn violation(&self, what: String) {
        self.violations.borrow_mut().push(what);
    }

    /// How many lines the run has said so far.
    fn said(&self) -> usize {
        self.lines.borrow().len()
    }

    /// Marks the first documented difference from CPython, met by the op
    /// whose first line is line number `at` (counting from 0).
    fn diverge(&self, at: usize, why: Divergence) {
        if self.diverges.get().is_none() && !self.shutdown.get() {
            self.diverges.set(Some((at, why)));
        }
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

    /// An op of task `k` has returned its cancellation: if no `cancel` op
    /// asked for one, the scheduler's shutdown has begun.
    fn handed_cancellation(&self, k: usize) {
        if !self.state(k).cancel_pending && !self.shutdown.get() {
            self.shutdown.set(true);
            self.unasked_cancel.set(true);
        }
    }
}

/// Task `k`'s closure: it owns a drop counter and runs the body.
fn task_closure(run: &Rc<Run>, k: usize) -> impl FnOnce() -> u32 + 'static {
    let counter = DropCounter(Rc::downgrade(run), k);
    let run = Rc::clone(run);
    move || {
        let _counter = counter;
        body(&run, k)
    }
}

/// Runs task `k`'s ops.
fn body(run: &Rc<Run>, k: usize) -> u32 {
    run.update(k, |t| t.started = true);
    run.say(k, "start");
    let spec = run.program.tasks[k].clone();
    // After a cancellation: how many more ops the task does before it stops.
    let mut budget: Option<u32> = None;
    for op in spec.ops {
        if budget == Some(0) {
            run.say(k, "stops");
            run.update(k, |t| t.stopped = true);
            return 0;
        }
        if let Some(left) = &mut budget {
            *left -= 1;
        }
        let interrupted = match op {
            Op::Spawn(j) => {
                do_spawn(run, k, j);
                false
            }
            Op::Sleep(d) => do_sleep(run, k, d),
            Op::Yield => do_yield(run, k),
            Op::Join(j) => do_join(run, k, j),
            Op::Cancel(j) => {
                do_cancel(run, k, j);
                false
            }
            Op::Return(v) => {
                run.say(k, format!("return {v}"));
                run.update(k, |t| t.returned = Some(v));
                return v;
            }
            Op::Panic => {
                run.say(k, "panic");
                let shutdown = run.shutdown.get();
                run.update(k, |t| {
                    t.panicked = true;
                    t.panicked_in_shutdown = shutdown;
                });
                run.panics.borrow_mut().push(k);
                panic!("boom {}", name(k));
            }
        };
        if interrupted {
            let first = !run.state(k).interrupted;
            run.update(k, |t| {
                t.interrupted = true;
                t.cancel_pending = false;
            });
            budget = Some(u32::from(spec.on_cancel == OnCancel::GoOn && first));
        }
    }
    run.violation(format!("{} ran past its last op", name(k)));
    0
}

fn do_spawn(run: &Rc<Run>, k: usize, j: usize) {
    match spawn(&name(j), task_closure(run, j)) {
        Ok(handle) => {
            let weak = Rc::downgrade(run);
            handle.future().add_done_callback(move |_| {
                if let Some(run) = weak.upgrade() {
                    run.update(j, |t| t.ends += 1);
                }
            });
            run.handles.borrow_mut()[j] = Some(handle);
            let shutdown = run.shutdown.get();
            run.update(j, |t| t.spawned_in_shutdown = shutdown);
            run.say(k, format!("spawn {}", name(j)));
        }
        Err(error) => run.violation(format!("{} could not spawn {}: {error}", name(k), name(j))),
    }
}

/// Returns whether the sleep returned the task's cancellation.
fn do_sleep(run: &Rc<Run>, k: usize, d: u32) -> bool {
    run.say(k, format!("sleep {d}"));
    let deadline = now().unwrap_or_default() + UNIT * d;
    match sleep(UNIT * d) {
        Ok(()) => {
            let woke = now().unwrap_or_default();
            if woke < deadline {
                run.violation(format!(
                    "{}: sleep {d} returned at {woke:?}, before its deadline {deadline:?}",
                    name(k)
                ));
            }
            run.say(k, format!("woke from sleep {d}"));
            false
        }
        Err(SchedError::Cancelled) => {
            run.handed_cancellation(k);
            run.say(k, format!("sleep {d} interrupted by cancel"));
            true
        }
        Err(error) => {
            run.violation(format!("{}: sleep {d}: {error}", name(k)));
            false
        }
    }
}

fn do_yield(run: &Rc<Run>, k: usize) -> bool {
    run.say(k, "yield");
    match yield_now() {
        Ok(()) => {
            run.say(k, "back from yield");
            false
        }
        Err(SchedError::Cancelled) => {
            run.handed_cancellation(k);
            run.say(k, "yield interrupted by cancel");
            true
        }
        Err(error) => {
            run.violation(format!("{}: yield: {error}", name(k)));
            false
        }
    }
}

fn do_join(run: &Rc<Run>, k: usize, j: usize) -> bool {
    let target = name(j);
    let Some(handle) = run.handle(j) else {
        run.say(k, format!("join {target}: not spawned"));
        return false;
    };
    if run.state(k).cancel_pending && !handle.is_finished() {
        run.diverge(run.said(), Divergence::JoinerCancelled);
    }
    run.say(k, format!("join {target}"));
    run.update(k, |t| t.joining = Some(j));
    let result = handle.join();
    run.update(k, |t| t.joining = None);
    let ended = |run: &Rc<Run>| {
        let ends = run.state(j).ends;
        if ends != 1 || !handle.is_finished() {
            run.violation(format!(
                "{}: join {target} returned, but {target} has ended {ends} times",
                name(k)
            ));
        }
    };
    match result {
        Ok(value) => {
            ended(run);
            let state = run.state(j);
            if state.returned != Some(value) || state.interrupted || state.cancel_pending {
                run.violation(format!(
                    "{}: join {target} returned {value}, but {target} returned {:?} \
                     (interrupted: {})",
                    name(k),
                    state.returned,
                    state.interrupted
                ));
            }
            run.say(k, format!("joined {target}: {value}"));
            false
        }
        Err(SchedError::Task(FutureError::Panicked(message))) => {
            ended(run);
            if !run.state(j).panicked {
                run.violation(format!("{}: {target} never ran its panic", name(k)));
            }
            let shutdown = run.shutdown.get();
            run.update(j, |t| {
                t.panic_handed_over = true;
                t.panic_handed_over_in_run |= !shutdown;
            });
            run.say(k, format!("joined {target}: panicked ({message})"));
            false
        }
        Err(SchedError::Task(FutureError::Cancelled)) => {
            ended(run);
            run.say(k, format!("joined {target}: cancelled"));
            false
        }
        Err(SchedError::Cancelled) => {
            run.handed_cancellation(k);
            run.say(k, format!("join {target} interrupted by cancel"));
            true
        }
        Err(error) => {
            run.violation(format!("{}: join {target}: {error}", name(k)));
            false
        }
    }
}

fn do_cancel(run: &Rc<Run>, k: usize, j: usize) {
    let target = name(j);
    let Some(handle) = run.handle(j) else {
        run.say(k, format!("cancel {target}: not spawned"));
        return;
    };
    let state = run.state(j);
    let joins_unfinished = state
        .joining
        .and_then(|joined| run.handle(joined))
        .is_some_and(|joined| !joined.is_finished());
    let was_finished = handle.is_finished();
    let at = run.said();
    let cancelled = handle.cancel();
    run.say(
        k,
        format!(
            "cancel {target} -> {}",
            if cancelled { "True" } else { "False" }
        ),
    );
    if cancelled == was_finished {
        run.violation(format!(
            "{}: cancel {target} returned {cancelled} on a task that had finished: {was_finished}",
            name(k)
        ));
    }
    if !cancelled {
        return;
    }
    if state.started {
        run.update(j, |t| t.cancel_pending = true);
        if joins_unfinished {
            run.diverge(at, Divergence::JoinerCancelled);
        }
    } else {
        run.diverge(at, Divergence::CancelledBeforeStart);
        if handle.future().status() != Status::Cancelled || run.state(j).ends != 1 {
            run.violation(format!(
                "{target} was cancelled before it started but has not ended cancelled"
            ));
        }
    }
}

/// The state line of task `j` after the run, and checks that it agrees
/// with what the harness saw the task do.
fn end_line(run: &Run, j: usize, handle: &JoinHandle<u32>) -> String {
    let target = name(j);
    let state = run.state(j);
    let status = handle.future().status();
    let result = handle.future().result();
    // What the state must be, from what the task did.
    let expected = if state.ends == 0 {
        Status::Pending
    } else if state.panicked {
        Status::Failed
    } else if state.returned.is_some() && !state.interrupted && !state.cancel_pending {
        Status::Done
    } else {
        Status::Cancelled
    };
    if status != expected {
        run.violation(format!(
            "{target} ended {status:?}, but from what it did it should be {expected:?}: {state:?}"
        ));
    }
    match result {
        Ok(value) => {
            if state.returned != Some(value) {
                run.violation(format!(
                    "{target} holds {value}, but returned {:?}",
                    state.returned
                ));
            }
            format!("{target} done {value}")
        }
        Err(FutureError::Panicked(message)) => format!("{target} panicked ({message})"),
        Err(FutureError::Cancelled) => format!("{target} cancelled"),
        Err(FutureError::NotReady) => format!("{target} pending"),
        Err(error) => {
            run.violation(format!("{target}: result {error}"));
            format!("{target} ???")
        }
    }
}

/// Runs `program` on a fresh scheduler with a virtual clock.
pub fn run_program(program: &Program) -> Outcome {
    let n = program.tasks.len();
    let run = Rc::new(Run {
        program: program.clone(),
        lines: RefCell::default(),
        shutdown_lines: RefCell::default(),
        shutdown: Cell::new(false),
        unasked_cancel: Cell::new(false),
        panics: RefCell::default(),
        handles: RefCell::new(vec![None; n]),
        tasks: RefCell::new(vec![TaskState::default(); n]),
        violations: RefCell::default(),
        diverges: Cell::new(None),
    });
    let scheduler = Scheduler::new(Clock::Virtual);
    let result = scheduler.run_until_complete(task_closure(&run, 0));
    let at = scheduler.now();

    let deadlock = matches!(result, Err(SchedError::Deadlock(_)));
    if run.unasked_cancel.get() && !deadlock {
        run.violation(format!(
            "a task was handed a cancellation nobody asked for, and the run ended {result:?}"
        ));
    }
    // The closing lines belong with the run's.
    run.shutdown.set(false);
    let mut stuck: Vec<usize> = Vec::new();
    match result {
        Ok(value) => {
            if run.state(0).returned != Some(value) {
                run.violation(format!(
                    "run_until_complete returned {value}, main returned {:?}",
                    run.state(0).returned
                ));
            }
            run.say_at(at, "loop", format!("main returned {value}"));
        }
        Err(SchedError::Task(FutureError::Panicked(message))) => {
            run.say_at(at, "loop", format!("main panicked ({message})"));
            run.update(0, |t| {
                t.panic_handed_over = true;
                t.panic_handed_over_in_run = true;
            });
        }
        Err(SchedError::Deadlock(tasks)) => {
            for task in &tasks {
                let index = (0..n).find(|&k| name(k) == task.name);
                match index {
                    Some(k) => stuck.push(k),
                    None => run.violation(format!("deadlock names an unknown task {task}")),
                }
            }
            stuck.sort_unstable();
            let names: Vec<String> = stuck.iter().map(|&k| name(k)).collect();
            run.say_at(at, "loop", format!("deadlock: {}", names.join(" ")));
            if !stuck.contains(&0) {
                run.violation("a deadlock that does not name main".to_string());
            }
        }
        Err(error) => run.violation(format!("run_until_complete: {error}")),
    }

    let handles: Vec<Option<JoinHandle<u32>>> = run.handles.borrow().clone();
    for (j, handle) in handles.iter().enumerate() {
        let Some(handle) = handle else { continue };
        if stuck.contains(&j) {
            // A deadlock cancels the tasks it names; one may panic in its
            // cleanup.
            let status = handle.future().status();
            let panicked = run.state(j).panicked_in_shutdown;
            if !(status == Status::Cancelled || (status == Status::Failed && panicked)) {
                run.violation(format!(
                    "{} is stuck but ended {status:?} after the deadlock",
                    name(j)
                ));
            }
            continue;
        }
        if run.state(j).spawned_in_shutdown {
            continue;
        }
        let line = end_line(&run, j, handle);
        run.say_at(at, "end", line);
    }

    // No result lost: every panic nobody was handed (by a join, or by
    // run_until_complete for main's) is reported, and only those, in the
    // order the tasks panicked. The shutdown of a deadlock may add panics,
    // and hand some over: the model is shown the list as it stood when the
    // run ended.
    let describe = |k: &usize| format!("{}: boom {}", name(*k), name(*k));
    let got: Vec<String> = scheduler
        .take_unretrieved()
        .iter()
        .map(|failure| format!("{}: {}", failure.task, failure.message))
        .collect();
    let panics = run.panics.borrow().clone();
    let expected: Vec<String> = panics
        .iter()
        .filter(|&&k| !run.state(k).panic_handed_over)
        .map(describe)
        .collect();
    if expected != got {
        run.violation(format!(
            "take_unretrieved() gave {got:?}, but the panics nobody was handed are {expected:?}"
        ));
    }
    let unretrieved: Vec<String> = panics
        .iter()
        .filter(|&&k| {
            let t = run.state(k);
            !t.panicked_in_shutdown && !t.panic_handed_over_in_run
        })
        .map(describe)
        .collect();

    // Every task ends exactly once: those that ended have, the others end
    // when the scheduler is dropped, and nothing ends twice.
    for (j, handle) in handles.iter().enumerate().skip(1) {
        let t = run.state(j);
        let finished = handle.as_ref().is_some_and(JoinHandle::is_finished);
        if t.ends != u32::from(finished) || (finished && t.drops != 1) || t.drops > 1 {
            run.violation(format!(
                "{}: finished {finished}, ended {} times, its closure dropped {} times",
                name(j),
                t.ends,
                t.drops
            ));
        }
    }
    run.shutdown.set(true);
    drop(scheduler);
    // (Cleanup during the drop may have spawned more tasks.)
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
        diverges: run.diverges.get(),
        unretrieved,
        violations: run.violations.take(),
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
