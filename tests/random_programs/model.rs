//! The reference model: a plain simulation of the scheduling rules of
//! chapters 6 and 7 (which follow asyncio's), written without the
//! scheduler's code. Tasks are not coroutines here but a program counter
//! over their ops; the loop is a queue of entries and a list of timers.
//!
//! The rules it encodes:
//!
//! - **Ready queue, FIFO.** A spawned task, a task that yields (or sleeps 0),
//!   a task woken by its timer, by the end of the task it joins or by a
//!   cancellation, and every done callback go to the back.
//! - **One pass per iteration.** An iteration runs the entries that are in
//!   the queue when its pass begins; entries added during the pass run in
//!   the next iteration (asyncio's `ntodo`).
//! - **Timers.** `sleep D` (D > 0) sets a timer at now + D. An iteration
//!   whose queue is empty first moves the clock to the earliest live timer
//!   (or, if there is none, ends the run with a deadlock naming every live
//!   task). Then every timer that is due goes to the back of the queue,
//!   earliest deadline first and equal deadlines in the order they were set,
//!   as a "fire" entry; when a fire entry's turn comes the task's step goes
//!   to the back (one hop, as asyncio's timer handle settles a future whose
//!   callback then queues the task).
//! - **Stale wake-ups.** Every entry carries the task's resume count when it
//!   was queued; a task resumed since then ignores it.
//! - **Joins.** Joining a task that has ended returns at once, without
//!   suspending. Otherwise the joiner waits in the task's list of "what to
//!   do when it ends", which also holds its done callbacks, in the order
//!   they were added: when the task ends, each joiner's step and each
//!   callback go to the back of the queue in that order.
//! - **Cancellation** (asyncio's `Task.cancel`). Cancelling an ended task
//!   returns false. Otherwise, by where the task is: running (it cancels
//!   itself, maybe through a join, below) or in the ready queue (not
//!   started, yielded, woken): a cancellation is pending, delivered at its
//!   next step; sleeping: it is woken now (back of the queue) with it;
//!   joining an unfinished task: that task is cancelled instead and the
//!   joiner waits on, unless that task is already passing a cancellation on
//!   (a cycle of joins), in which case the joiner is woken with it. A task
//!   with a pending cancellation that begins to wait has that wait cancelled
//!   at once, by the same rules. A task cancelled before it started is
//!   dropped at its first step without running (no `start` line).
//! - **The join rule.** `join tK` returns a cancellation both when tK ended
//!   cancelled and when the joiner's own cancellation is delivered there
//!   (asyncio raises `CancelledError` for both, and cannot tell them
//!   apart). The rule all three sides follow: if tK has ended cancelled,
//!   the line is `joined tK: cancelled` and the joiner carries on;
//!   otherwise `join tK interrupted by cancel`, and the joiner's
//!   cancellation has been handed over.
//! - **Endings.** `return V` ends the task done with V, even after a
//!   cancellation it swallowed, unless it cancelled itself in the same step
//!   (then cancelled, asyncio's `_must_cancel` as the coroutine returns).
//!   Stopping after a cancellation, or `join?` passing a cancellation on,
//!   ends it cancelled; `join?` passing a failure on fails it with the same
//!   failure (naming the task that panicked); `panic` fails it.
//! - **Drop guards.** A task with `(drop sleeps D)` sleeps D in the
//!   destructor of a value it owns, as its body ends (after its last line,
//!   before it ends): the sleep may be cancelled, and the task then ends as
//!   its body did (`return V` then ends done even if it had cancelled
//!   itself: the sleep took that cancellation). During a panic the sleep is
//!   refused (`Unwinding`). A task cancelled before it started sleeps there
//!   too: its body is dropped on its own stack at its first step.
//! - **Done callbacks** run on the scheduler's stack, say the task's state,
//!   may spawn, and asking for a failure retrieves it.
//! - **main.** Iterations run until main has ended, then one more pass if
//!   anything is in the queue (asyncio's stop callback waits its turn).
//! - **asyncio.run.** Then the tasks still alive are cancelled, in spawn
//!   order, and iterations run until all of them have ended, then one more
//!   pass if anything is in the queue.
//! - **Unretrieved failures.** A failure goes on the list when the task
//!   ends, and off it when a join or a callback reads it; main's is handed
//!   back by the loop.
//!
//! It stops where the run ends: the cleanup the scheduler runs for the
//! tasks a deadlock leaves (or that are left when it is dropped) is not
//! modelled; the harness keeps what happens there apart, and checks its
//! invariants only.
//!
//! The model also says where a run meets a known difference from CPython
//! ([`Divergence`]), since it knows the state that decides it.

use std::collections::VecDeque;

use crate::program::{Ending, OnCancel, Op, Program, name};

/// How many iterations a run may take before the model gives up.
const ITERATION_LIMIT: u64 = 100_000;

/// A known difference from CPython's asyncio that a run went into: from that
/// line on, CPython's lines may differ, so the comparison with CPython stops
/// there (the model and the invariants still check everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Divergence {
    /// A cancellation passed on along a cycle of joins came back to a task
    /// already passing it on. Here that task keeps it instead and the cycle
    /// comes undone; asyncio passes it on forever, until Python's recursion
    /// limit (`RecursionError` inside `cancel()` or `Task.__step`). Chapter
    /// 6's `cancel.rs`, `forward_cancel`.
    JoinCycleCancel,
    /// `asyncio.run` left two tasks or more to cancel: CPython cancels them
    /// in the order of a set, the scheduler in spawn order.
    ShutdownOrder,
    /// After `asyncio.run`'s shutdown, work is still queued (a task spawned
    /// by cleanup, a done callback): CPython's `Runner.close` runs a few
    /// more passes (gather's callback, `shutdown_asyncgens`,
    /// `shutdown_default_executor`) where the scheduler's shutdown runs one.
    ShutdownLeftovers,
    /// A task with a drop guard was cancelled before it started: Rust drops
    /// its body on its own stack at its first step, so the guard's sleep is
    /// its cleanup; asyncio never runs any of a coroutine that never
    /// started.
    DropBeforeStart,
}

/// What the model predicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prediction {
    /// The lines, in the harness's words.
    pub lines: Vec<String>,
    /// The failures nobody had been handed when the run ended, as `tK:
    /// message`, in the order the tasks failed (main's left out: the loop
    /// hands it back).
    pub unretrieved: Vec<String>,
    /// The first known difference from CPython: how many lines come before
    /// it, and which.
    pub diverges: Option<(usize, Divergence)>,
}

/// How a task ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Done(u32),
    /// Failed with the panic of this task (itself, or one it joined).
    Failed(usize),
    Cancelled,
}

/// What a suspended task waits in (the op, for its next line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Waiting {
    Yield,
    Sleep(u32),
    Join {
        target: usize,
        pass_on: bool,
    },
    /// The drop guard's sleep.
    Drop(u32),
}

/// What to do when a task ends, in the order asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnDone {
    Wake(usize, u64),
    Call { adder: usize, spawn: Option<usize> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Step(usize, u64),
    Fire(usize, u64),
    Callback {
        target: usize,
        adder: usize,
        spawn: Option<usize>,
    },
}

#[derive(Debug, Clone, Copy)]
struct Timer {
    deadline: u64,
    seq: u64,
    task: usize,
    resumes: u64,
}

#[derive(Debug, Clone, Default)]
struct Task {
    spawned: bool,
    /// The order it was spawned in.
    spawn_seq: u64,
    /// Spawned during asyncio.run's shutdown.
    in_shutdown: bool,
    /// Its first step has come.
    started: bool,
    end: Option<End>,
    /// The next op.
    pc: usize,
    /// The op it waits in.
    waiting: Option<Waiting>,
    /// Filed where it waits and not woken yet (the scheduler's `waiting`).
    asleep: bool,
    /// How many times it has been resumed: what its queue entries carry.
    resumes: u64,
    /// A cancellation to deliver at its next step.
    must_cancel: bool,
    /// A cancellation has been handed to an op.
    interrupted: bool,
    /// Ops left before it stops, after a cancellation.
    budget: Option<u32>,
    on_done: Vec<OnDone>,
    /// How it ends once its drop guard's sleep is over.
    pending_end: Option<End>,
}

struct Model<'p> {
    program: &'p Program,
    tasks: Vec<Task>,
    ready: VecDeque<Entry>,
    timers: Vec<Timer>,
    timers_set: u64,
    spawns: u64,
    now: u64,
    /// The task whose step is running.
    running: Option<usize>,
    /// Tasks passing a cancellation on to the task they join.
    cancelling: Vec<usize>,
    shutting_down: bool,
    lines: Vec<String>,
    /// Failed tasks nobody retrieved, in the order they failed, with the
    /// task whose panic it is.
    unretrieved: Vec<(usize, usize)>,
    diverges: Option<(usize, Divergence)>,
}

/// Simulates `program`. `Err` if the model itself finds the program runs
/// forever (which no finite program can) or breaks its own rules.
pub fn predict(program: &Program) -> Result<Prediction, String> {
    let mut model = Model {
        program,
        tasks: vec![Task::default(); program.tasks.len()],
        ready: VecDeque::new(),
        timers: Vec::new(),
        timers_set: 0,
        spawns: 0,
        now: 0,
        running: None,
        cancelling: Vec::new(),
        shutting_down: false,
        lines: Vec::new(),
        unretrieved: Vec::new(),
        diverges: None,
    };
    model.spawn(0);
    let mut stuck = None;
    let mut iterations = 0;
    while model.tasks[0].end.is_none() {
        iterations += 1;
        if iterations > ITERATION_LIMIT {
            return Err(format!("the model ran {ITERATION_LIMIT} iterations"));
        }
        if let Some(tasks) = model.iteration()? {
            stuck = Some(tasks);
            break;
        }
    }
    if stuck.is_none() && !model.ready.is_empty() {
        // The pass that asyncio's stop callback waits for.
        model.iteration()?;
    }

    match &stuck {
        Some(tasks) => {
            let names: Vec<String> = tasks.iter().map(|&k| name(k)).collect();
            model.say("loop", format!("deadlock: {}", names.join(" ")));
        }
        None => {
            let line = match model.tasks[0].end {
                Some(End::Done(value)) => format!("main returned {value}"),
                Some(End::Failed(origin)) => format!("main panicked (boom {})", name(origin)),
                Some(End::Cancelled) => "main cancelled".to_string(),
                None => return Err("main has not ended".to_string()),
            };
            model.say("loop", line);
            if program.ending == Ending::Run {
                stuck = model.shutdown(&mut iterations)?;
            }
        }
    }
    let stuck = stuck.unwrap_or_default();
    for j in 1..model.tasks.len() {
        let task = &model.tasks[j];
        if !task.spawned || task.in_shutdown || stuck.contains(&j) {
            continue;
        }
        let state = match task.end {
            Some(End::Done(value)) => format!("{} done {value}", name(j)),
            Some(End::Failed(origin)) => format!("{} panicked (boom {})", name(j), name(origin)),
            Some(End::Cancelled) => format!("{} cancelled", name(j)),
            None => format!("{} pending", name(j)),
        };
        model.say("end", state);
    }
    Ok(Prediction {
        lines: model.lines,
        unretrieved: model
            .unretrieved
            .iter()
            .filter(|&&(k, _)| k != 0)
            .map(|&(k, origin)| format!("{}: boom {}", name(k), name(origin)))
            .collect(),
        diverges: model.diverges,
    })
}

impl Model<'_> {
    fn say(&mut self, who: &str, what: String) {
        self.lines.push(format!("{} {who}: {what}", self.now));
    }

    fn diverge(&mut self, why: Divergence) {
        if self.diverges.is_none() {
            self.diverges = Some((self.lines.len(), why));
        }
    }

    fn alive(&self, k: usize) -> bool {
        self.tasks[k].spawned && self.tasks[k].end.is_none()
    }

    /// Whether an entry for task `k` carrying `resumes` still counts.
    fn current(&self, k: usize, resumes: u64) -> bool {
        self.alive(k) && self.tasks[k].resumes == resumes
    }

    fn spawn(&mut self, k: usize) {
        let task = &mut self.tasks[k];
        task.spawned = true;
        task.spawn_seq = self.spawns;
        task.in_shutdown = self.shutting_down;
        self.spawns += 1;
        self.ready.push_back(Entry::Step(k, 0));
    }

    /// asyncio.run's ending: cancel every live task in spawn order, run
    /// until they have all ended, then one more pass. `Some(stuck tasks)`
    /// on a deadlock.
    fn shutdown(&mut self, iterations: &mut u64) -> Result<Option<Vec<usize>>, String> {
        self.shutting_down = true;
        let mut to_end: Vec<usize> = (0..self.tasks.len()).filter(|&k| self.alive(k)).collect();
        to_end.sort_by_key(|&k| self.tasks[k].spawn_seq);
        if to_end.len() >= 2 {
            self.diverge(Divergence::ShutdownOrder);
        }
        for &k in &to_end {
            self.cancel(k);
        }
        while to_end.iter().any(|&k| self.alive(k)) {
            *iterations += 1;
            if *iterations > ITERATION_LIMIT {
                return Err(format!("the model ran {ITERATION_LIMIT} iterations"));
            }
            if let Some(stuck) = self.iteration()? {
                let names: Vec<String> = stuck.iter().map(|&k| name(k)).collect();
                self.say("loop", format!("shutdown deadlock: {}", names.join(" ")));
                return Ok(Some(stuck));
            }
        }
        if !self.ready.is_empty() {
            self.iteration()?;
        }
        let leftovers = self.ready.iter().any(|entry| match *entry {
            Entry::Step(k, resumes) | Entry::Fire(k, resumes) => self.current(k, resumes),
            Entry::Callback { .. } => true,
        });
        if leftovers {
            self.diverge(Divergence::ShutdownLeftovers);
        }
        Ok(None)
    }

    /// One iteration; `Some(stuck tasks)` on a deadlock.
    fn iteration(&mut self) -> Result<Option<Vec<usize>>, String> {
        if self.ready.is_empty() {
            let next = self
                .timers
                .iter()
                .filter(|t| self.current(t.task, t.resumes))
                .map(|t| t.deadline)
                .min();
            match next {
                Some(deadline) => self.now = self.now.max(deadline),
                None => {
                    let stuck: Vec<usize> =
                        (0..self.tasks.len()).filter(|&k| self.alive(k)).collect();
                    for &k in &stuck {
                        self.tasks[k].end = Some(End::Cancelled);
                    }
                    return Ok(Some(stuck));
                }
            }
        }
        let now = self.now;
        let (mut due, later): (Vec<Timer>, Vec<Timer>) =
            self.timers.iter().partition(|t| t.deadline <= now);
        self.timers = later;
        due.sort_by_key(|t| (t.deadline, t.seq));
        for timer in due {
            if self.current(timer.task, timer.resumes) {
                self.ready.push_back(Entry::Fire(timer.task, timer.resumes));
            }
        }
        for _ in 0..self.ready.len() {
            match self.ready.pop_front() {
                Some(Entry::Step(k, resumes)) if self.current(k, resumes) => self.resume(k)?,
                Some(Entry::Fire(k, resumes))
                    if self.current(k, resumes) && self.tasks[k].asleep =>
                {
                    self.tasks[k].asleep = false;
                    self.ready.push_back(Entry::Step(k, resumes));
                }
                Some(Entry::Callback {
                    target,
                    adder,
                    spawn,
                }) => self.callback(target, adder, spawn),
                _ => {}
            }
        }
        Ok(None)
    }

    /// Resumes task `k`: finishes the op it waited in, then runs ops until it
    /// suspends or ends.
    fn resume(&mut self, k: usize) -> Result<(), String> {
        self.running = Some(k);
        let task = &mut self.tasks[k];
        task.resumes += 1;
        task.asleep = false;
        let cancelled = std::mem::take(&mut task.must_cancel);
        if !task.started {
            task.started = true;
            if cancelled {
                // Cancelled before it started: its body is dropped, never
                // running.
                if self.program.tasks[k].drop_sleep.is_some() {
                    self.diverge(Divergence::DropBeforeStart);
                }
                self.finish(k, End::Cancelled);
            } else {
                self.say(&name(k), "start".to_string());
                self.run_ops(k);
            }
            self.running = None;
            return Ok(());
        }
        let waiting = self.tasks[k].waiting.take();
        let interrupted = match waiting {
            Some(Waiting::Drop(d)) => {
                let what = if cancelled {
                    format!("drop: sleep {d} interrupted by cancel")
                } else {
                    format!("drop: woke from sleep {d}")
                };
                self.say(&name(k), what);
                let end = self.tasks[k]
                    .pending_end
                    .take()
                    .ok_or_else(|| format!("{} woke from its drop with no ending", name(k)))?;
                self.end(k, end);
                self.running = None;
                return Ok(());
            }
            Some(Waiting::Yield) if cancelled => {
                self.say(&name(k), "yield interrupted by cancel".to_string());
                true
            }
            Some(Waiting::Yield) => {
                self.say(&name(k), "back from yield".to_string());
                false
            }
            Some(Waiting::Sleep(d)) if cancelled => {
                self.say(&name(k), format!("sleep {d} interrupted by cancel"));
                true
            }
            Some(Waiting::Sleep(d)) => {
                self.say(&name(k), format!("woke from sleep {d}"));
                false
            }
            Some(Waiting::Join { target, pass_on }) => {
                if !cancelled && self.tasks[target].end.is_none() {
                    return Err(format!(
                        "{} was woken from join {} before it ended",
                        name(k),
                        name(target)
                    ));
                }
                match self.joined(k, target, cancelled, pass_on) {
                    Joined::CarryOn => false,
                    Joined::Interrupted => true,
                    Joined::Ends(end) => {
                        self.finish(k, end);
                        self.running = None;
                        return Ok(());
                    }
                }
            }
            None => return Err(format!("{} resumed but waits for nothing", name(k))),
        };
        if interrupted {
            self.interrupt(k);
        }
        self.run_ops(k);
        self.running = None;
        Ok(())
    }

    /// An op handed task `k` its cancellation, which it swallows: it does
    /// one more op if it goes on (the first time only), then stops.
    fn interrupt(&mut self, k: usize) {
        let goes_on = self.program.tasks[k].on_cancel == OnCancel::GoOn;
        let task = &mut self.tasks[k];
        let first = !task.interrupted;
        task.interrupted = true;
        task.budget = Some(u32::from(goes_on && first));
    }

    /// The end of `join` (or `join?`) of `target` by task `k`, `cancelled`
    /// if its own cancellation was delivered there: says its line, hands a
    /// failure over, and says what the joiner does next (the join rule, see
    /// the module docs).
    fn joined(&mut self, k: usize, target: usize, cancelled: bool, pass_on: bool) -> Joined {
        let t = name(target);
        let suffix = if pass_on { ", passes it on" } else { "" };
        let (what, next) = match self.tasks[target].end {
            Some(End::Cancelled) => (
                format!("joined {t}: cancelled{suffix}"),
                if pass_on {
                    Joined::Ends(End::Cancelled)
                } else {
                    Joined::CarryOn
                },
            ),
            _ if cancelled => (
                format!("join {t} interrupted by cancel{suffix}"),
                if pass_on {
                    Joined::Ends(End::Cancelled)
                } else {
                    Joined::Interrupted
                },
            ),
            Some(End::Done(value)) => (format!("joined {t}: {value}"), Joined::CarryOn),
            Some(End::Failed(origin)) => {
                self.unretrieved.retain(|&(p, _)| p != target);
                (
                    format!("joined {t}: panicked (boom {}){suffix}", name(origin)),
                    if pass_on {
                        Joined::Ends(End::Failed(origin))
                    } else {
                        Joined::CarryOn
                    },
                )
            }
            None => unreachable!("joined() is called for ended tasks, or with a cancellation"),
        };
        self.say(&name(k), what);
        next
    }

    fn run_ops(&mut self, k: usize) {
        loop {
            let task = &mut self.tasks[k];
            match task.budget {
                Some(0) => {
                    self.say(&name(k), "stops".to_string());
                    self.finish(k, End::Cancelled);
                    return;
                }
                Some(left) => task.budget = Some(left - 1),
                None => {}
            }
            let op = self.program.tasks[k].ops[task.pc];
            task.pc += 1;
            match op {
                Op::Spawn(j) => {
                    self.spawn(j);
                    self.say(&name(k), format!("spawn {}", name(j)));
                }
                Op::Sleep(d) => {
                    self.say(&name(k), format!("sleep {d}"));
                    self.suspend(k, Waiting::Sleep(d));
                    return;
                }
                Op::Yield => {
                    self.say(&name(k), "yield".to_string());
                    self.suspend(k, Waiting::Yield);
                    return;
                }
                Op::Join(j) | Op::TryJoin(j) => {
                    let pass_on = matches!(op, Op::TryJoin(_));
                    let op_name = if pass_on { "join?" } else { "join" };
                    if !self.tasks[j].spawned {
                        self.say(&name(k), format!("{op_name} {}: not spawned", name(j)));
                    } else if self.tasks[j].end.is_some() {
                        self.say(&name(k), format!("{op_name} {}", name(j)));
                        match self.joined(k, j, false, pass_on) {
                            Joined::CarryOn => {}
                            Joined::Interrupted => unreachable!("no cancellation without a wait"),
                            Joined::Ends(end) => {
                                self.finish(k, end);
                                return;
                            }
                        }
                    } else {
                        self.say(&name(k), format!("{op_name} {}", name(j)));
                        self.suspend(k, Waiting::Join { target: j, pass_on });
                        return;
                    }
                }
                Op::Cancel(j) => {
                    if self.tasks[j].spawned {
                        let cancelled = self.cancel(j);
                        let answer = if cancelled { "True" } else { "False" };
                        self.say(&name(k), format!("cancel {} -> {answer}", name(j)));
                    } else {
                        self.say(&name(k), format!("cancel {}: not spawned", name(j)));
                    }
                }
                Op::OnDone(j, spawn) => {
                    if self.tasks[j].spawned {
                        self.say(&name(k), format!("on_done {}", name(j)));
                        let call = OnDone::Call { adder: k, spawn };
                        if self.tasks[j].end.is_some() {
                            self.ready.push_back(Entry::Callback {
                                target: j,
                                adder: k,
                                spawn,
                            });
                        } else {
                            self.tasks[j].on_done.push(call);
                        }
                    } else {
                        self.say(&name(k), format!("on_done {}: not spawned", name(j)));
                    }
                }
                Op::Return(value) => {
                    self.say(&name(k), format!("return {value}"));
                    // Cancelled itself in this step (and has not suspended
                    // since): cancelled, as in asyncio. Its drop guard's
                    // sleep would take that cancellation, though.
                    let guarded = self.program.tasks[k].drop_sleep.is_some();
                    let end = if self.tasks[k].must_cancel && !guarded {
                        End::Cancelled
                    } else {
                        End::Done(value)
                    };
                    self.finish(k, end);
                    return;
                }
                Op::Panic => {
                    self.say(&name(k), "panic".to_string());
                    if let Some(d) = self.program.tasks[k].drop_sleep {
                        self.say(&name(k), format!("drop: sleep {d}"));
                        self.say(&name(k), format!("drop: sleep {d} refused (unwinding)"));
                    }
                    self.end(k, End::Failed(k));
                    return;
                }
            }
        }
    }

    /// Task `k`'s body is over (not by a panic): its drop guard sleeps
    /// first, if it has one; then it ends with `end`.
    fn finish(&mut self, k: usize, end: End) {
        match self.program.tasks[k].drop_sleep {
            Some(d) => {
                self.tasks[k].pending_end = Some(end);
                self.say(&name(k), format!("drop: sleep {d}"));
                self.suspend(k, Waiting::Drop(d));
            }
            None => self.end(k, end),
        }
    }

    /// Task `k` waits in `waiting` (it is the running task).
    fn suspend(&mut self, k: usize, waiting: Waiting) {
        let now = self.now;
        let task = &mut self.tasks[k];
        task.waiting = Some(waiting);
        let resumes = task.resumes;
        match waiting {
            Waiting::Yield | Waiting::Sleep(0) | Waiting::Drop(0) => {
                self.ready.push_back(Entry::Step(k, resumes));
            }
            Waiting::Sleep(d) | Waiting::Drop(d) => {
                task.asleep = true;
                self.timers.push(Timer {
                    deadline: now + u64::from(d),
                    seq: self.timers_set,
                    task: k,
                    resumes,
                });
                self.timers_set += 1;
            }
            Waiting::Join { target, .. } => {
                task.asleep = true;
                self.tasks[target].on_done.push(OnDone::Wake(k, resumes));
            }
        }
        self.running = None;
        if self.tasks[k].asleep && self.tasks[k].must_cancel {
            // It cancelled itself, then began to wait: that wait is
            // cancelled at once.
            self.cancel_suspended(k);
        }
    }

    /// `cancel()` on spawned task `j`: whether it counted.
    fn cancel(&mut self, j: usize) -> bool {
        if !self.alive(j) {
            return false;
        }
        if self.running == Some(j) {
            self.tasks[j].must_cancel = true;
        } else {
            self.cancel_suspended(j);
        }
        true
    }

    /// Cancels task `j`, which is not running, by where it waits.
    fn cancel_suspended(&mut self, j: usize) {
        let task = &self.tasks[j];
        if !task.asleep {
            // In the ready queue: its next step delivers it.
            self.tasks[j].must_cancel = true;
            return;
        }
        let passed_on = match task.waiting {
            Some(Waiting::Join { target, .. }) => self.forward(j, target),
            _ => false,
        };
        let task = &mut self.tasks[j];
        if !task.asleep {
            // The cycle came back here: this task keeps the cancellation
            // (it was woken with it on the way).
            return;
        }
        task.must_cancel = !passed_on;
        if !passed_on {
            task.asleep = false;
            let resumes = task.resumes;
            self.ready.push_back(Entry::Step(j, resumes));
        }
    }

    /// Task `joiner`, joining `target`, is cancelled: cancel `target`
    /// instead. Whether that happened.
    fn forward(&mut self, joiner: usize, target: usize) -> bool {
        if self.cancelling.contains(&joiner) {
            self.diverge(Divergence::JoinCycleCancel);
            return false;
        }
        self.cancelling.push(joiner);
        let cancelled = self.cancel(target);
        self.cancelling.retain(|&k| k != joiner);
        cancelled
    }

    /// A done callback of `target`, added by `adder`, runs.
    fn callback(&mut self, target: usize, adder: usize, spawn: Option<usize>) {
        let state = match self.tasks[target].end {
            Some(End::Done(value)) => format!("done {value}"),
            Some(End::Failed(origin)) => {
                self.unretrieved.retain(|&(p, _)| p != target);
                format!("panicked (boom {})", name(origin))
            }
            Some(End::Cancelled) => "cancelled".to_string(),
            None => "pending?".to_string(),
        };
        self.say(
            "callback",
            format!("{} {state} (added by {})", name(target), name(adder)),
        );
        if let Some(j) = spawn {
            self.spawn(j);
            self.say("callback", format!("spawn {}", name(j)));
        }
    }

    /// Task `k` has ended: its joiners and callbacks go to the queue.
    fn end(&mut self, k: usize, end: End) {
        let task = &mut self.tasks[k];
        task.end = Some(end);
        let on_done = std::mem::take(&mut task.on_done);
        if let End::Failed(origin) = end {
            self.unretrieved.push((k, origin));
        }
        for action in on_done {
            match action {
                OnDone::Wake(joiner, resumes) => {
                    let waits_here = matches!(
                        self.tasks[joiner].waiting,
                        Some(Waiting::Join { target, .. }) if target == k
                    );
                    if self.current(joiner, resumes) && self.tasks[joiner].asleep && waits_here {
                        self.tasks[joiner].asleep = false;
                        self.ready.push_back(Entry::Step(joiner, resumes));
                    }
                }
                OnDone::Call { adder, spawn } => self.ready.push_back(Entry::Callback {
                    target: k,
                    adder,
                    spawn,
                }),
            }
        }
    }
}

/// What a joiner does after its join's line.
enum Joined {
    CarryOn,
    Interrupted,
    Ends(End),
}
