//! The reference model: a plain simulation of the scheduling rules that
//! chapters 6 and 7 describe, written without the scheduler's code. Tasks
//! are not coroutines here but a program counter over their ops; the loop is
//! a queue of entries and a list of timers.
//!
//! The rules it encodes:
//!
//! - **Ready queue, FIFO.** A spawned task, a task that yields (or sleeps 0),
//!   and every joiner of a task that ends go to the back.
//! - **One pass per iteration.** An iteration runs the entries that are in
//!   the queue when its pass begins; entries added during the pass run in
//!   the next iteration (asyncio's `ntodo`).
//! - **Timers.** `sleep D` (D > 0) sets a timer at now + D. An iteration
//!   whose queue is empty first moves the clock to the earliest live timer
//!   (or, if there is none, ends the run with a deadlock naming every live
//!   task, which is then cancelled). Then every timer that is due goes to the
//!   back of the queue, earliest deadline first and equal deadlines in the
//!   order they were set, as a "fire" entry; when a fire entry's turn comes
//!   the task's step goes to the back (one hop, as asyncio's timer handle
//!   settles a future whose callback then queues the task).
//! - **Stale wake-ups.** Every entry carries the task's resume count when it
//!   was queued; a task resumed since then ignores it.
//! - **Joins.** Joining a task that has ended returns at once, without
//!   suspending. Otherwise the joiner waits in the task's list and goes to
//!   the back of the queue when the task ends, in the order the joiners came.
//! - **Cancellation.** Cancelling an ended task returns false. A task that
//!   never started ends cancelled at once, never runs, and its joiners are
//!   queued then. Any other task gets a pending cancellation and, unless it
//!   is the task running now, a fresh entry at the back of the queue. A task
//!   with a pending cancellation that suspends (cancelled itself) is queued
//!   at once instead of waiting. The next resume delivers the cancellation:
//!   the op it waits in returns it, once.
//! - **Endings.** A task ends done with its value, panicked, or, if it was
//!   handed a cancellation, cancelled whatever it returned. A task that
//!   returns with a cancellation of its own still pending (it cancelled
//!   itself and has not suspended since) ends cancelled, as in asyncio.
//! - **main.** Iterations run until main has ended, then one more pass if
//!   anything is in the queue (asyncio's stop callback waits its turn).
//! - **Unretrieved panics.** A panic goes on the list when the task ends, and
//!   off it when a join hands it over; main's is handed back by the loop.
//!
//! It stops where the run ends: the cleanup the scheduler runs for the
//! tasks a deadlock leaves (or that are left when it is dropped) is not
//! modelled; the harness keeps what happens there apart, and checks its
//! invariants only.

use std::collections::VecDeque;

use crate::program::{OnCancel, Op, Program, name};

/// How many iterations a run may take before the model gives up.
const ITERATION_LIMIT: u64 = 100_000;

/// What the model predicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prediction {
    /// The lines, in the harness's words.
    pub lines: Vec<String>,
    /// The panics nobody had been handed when the run ended, as `tK:
    /// message`, in the order the tasks panicked.
    pub unretrieved: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Done(u32),
    Panicked,
    Cancelled,
}

/// What a suspended task waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Waiting {
    Yield,
    Sleep(u32),
    Join(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Step(usize, u64),
    Fire(usize, u64),
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
    started: bool,
    end: Option<End>,
    /// The next op.
    pc: usize,
    waiting: Option<Waiting>,
    /// How many times it has been resumed: what its queue entries carry.
    resumes: u64,
    cancel_pending: bool,
    /// A cancellation has been delivered.
    interrupted: bool,
    /// Ops left before it stops, after a cancellation.
    budget: Option<u32>,
    /// Joiners, with their resume counts.
    joiners: Vec<(usize, u64)>,
}

struct Model<'p> {
    program: &'p Program,
    tasks: Vec<Task>,
    ready: VecDeque<Entry>,
    timers: Vec<Timer>,
    timers_set: u64,
    now: u64,
    /// The task whose step is running.
    running: Option<usize>,
    lines: Vec<String>,
    /// Panicked tasks nobody joined, in the order they panicked.
    unretrieved: Vec<usize>,
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
        now: 0,
        running: None,
        lines: Vec::new(),
        unretrieved: Vec::new(),
    };
    model.spawn(0);
    let mut iterations = 0;
    let mut stuck = Vec::new();
    while model.tasks[0].end.is_none() {
        iterations += 1;
        if iterations > ITERATION_LIMIT {
            return Err(format!("the model ran {ITERATION_LIMIT} iterations"));
        }
        if let Some(tasks) = model.iteration()? {
            stuck = tasks;
            break;
        }
    }
    if stuck.is_empty() && !model.ready.is_empty() {
        // The pass that asyncio's stop callback waits for.
        model.iteration()?;
    }

    if stuck.is_empty() {
        match model.tasks[0].end {
            Some(End::Done(value)) => model.say("loop", format!("main returned {value}")),
            Some(End::Panicked) => model.say("loop", "main panicked (boom main)".to_string()),
            Some(End::Cancelled) | None => return Err("main ended cancelled".to_string()),
        }
    } else {
        let names: Vec<String> = stuck.iter().map(|&k| name(k)).collect();
        model.say("loop", format!("deadlock: {}", names.join(" ")));
    }
    for j in 1..model.tasks.len() {
        let task = &model.tasks[j];
        if !task.spawned || stuck.contains(&j) {
            continue;
        }
        let state = match task.end {
            Some(End::Done(value)) => format!("{} done {value}", name(j)),
            Some(End::Panicked) => format!("{} panicked (boom {})", name(j), name(j)),
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
            .filter(|&&k| k != 0)
            .map(|&k| format!("{}: boom {}", name(k), name(k)))
            .collect(),
    })
}

impl Model<'_> {
    fn say(&mut self, who: &str, what: String) {
        self.lines.push(format!("{} {who}: {what}", self.now));
    }

    fn alive(&self, k: usize) -> bool {
        self.tasks[k].spawned && self.tasks[k].end.is_none()
    }

    /// Whether an entry for task `k` carrying `resumes` still counts.
    fn current(&self, k: usize, resumes: u64) -> bool {
        self.alive(k) && self.tasks[k].resumes == resumes
    }

    fn spawn(&mut self, k: usize) {
        self.tasks[k].spawned = true;
        self.ready.push_back(Entry::Step(k, 0));
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
            self.ready.push_back(Entry::Fire(timer.task, timer.resumes));
        }
        for _ in 0..self.ready.len() {
            match self.ready.pop_front() {
                Some(Entry::Step(k, resumes)) if self.current(k, resumes) => self.resume(k)?,
                Some(Entry::Fire(k, resumes)) if self.current(k, resumes) => {
                    self.ready.push_back(Entry::Step(k, resumes));
                }
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
        let cancelled = std::mem::take(&mut task.cancel_pending);
        if !task.started {
            if cancelled {
                return Err(format!("{} got a cancellation before it started", name(k)));
            }
            task.started = true;
            self.say(&name(k), "start".to_string());
        } else {
            let waiting = task.waiting.take();
            let (what, interrupted) = match waiting {
                Some(Waiting::Yield) if cancelled => ("yield interrupted by cancel".into(), true),
                Some(Waiting::Yield) => ("back from yield".into(), false),
                Some(Waiting::Sleep(d)) if cancelled => {
                    (format!("sleep {d} interrupted by cancel"), true)
                }
                Some(Waiting::Sleep(d)) => (format!("woke from sleep {d}"), false),
                Some(Waiting::Join(j)) if cancelled => {
                    (format!("join {} interrupted by cancel", name(j)), true)
                }
                Some(Waiting::Join(j)) => {
                    if self.tasks[j].end.is_none() {
                        return Err(format!(
                            "{} was woken from join {} before it ended",
                            name(k),
                            name(j)
                        ));
                    }
                    (self.joined(j), false)
                }
                None => return Err(format!("{} resumed but waits for nothing", name(k))),
            };
            self.say(&name(k), what);
            if interrupted {
                let task = &mut self.tasks[k];
                let first = !task.interrupted;
                task.interrupted = true;
                let goes_on = self.program.tasks[k].on_cancel == OnCancel::GoOn;
                task.budget = Some(u32::from(goes_on && first));
            }
        }
        self.run_ops(k);
        self.running = None;
        Ok(())
    }

    /// The joiner's line for task `j`, which has ended; hands its panic over.
    fn joined(&mut self, j: usize) -> String {
        match self.tasks[j].end {
            Some(End::Done(value)) => format!("joined {}: {value}", name(j)),
            Some(End::Panicked) => {
                self.unretrieved.retain(|&p| p != j);
                format!("joined {}: panicked (boom {})", name(j), name(j))
            }
            Some(End::Cancelled) => format!("joined {}: cancelled", name(j)),
            None => unreachable!("joined() is called for ended tasks"),
        }
    }

    fn run_ops(&mut self, k: usize) {
        loop {
            let task = &mut self.tasks[k];
            match task.budget {
                Some(0) => {
                    self.say(&name(k), "stops".to_string());
                    self.end(k, End::Cancelled);
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
                Op::Join(j) => {
                    if !self.tasks[j].spawned {
                        self.say(&name(k), format!("join {}: not spawned", name(j)));
                    } else if self.tasks[j].end.is_some() {
                        self.say(&name(k), format!("join {}", name(j)));
                        let line = self.joined(j);
                        self.say(&name(k), line);
                    } else {
                        self.say(&name(k), format!("join {}", name(j)));
                        self.suspend(k, Waiting::Join(j));
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
                Op::Return(value) => {
                    self.say(&name(k), format!("return {value}"));
                    // Handed its cancellation: cancelled, whatever it
                    // returns. With one of its own still pending (it
                    // cancelled itself and has not suspended since):
                    // cancelled too, as in asyncio.
                    let task = &self.tasks[k];
                    let end = if task.interrupted || task.cancel_pending {
                        End::Cancelled
                    } else {
                        End::Done(value)
                    };
                    self.end(k, end);
                    return;
                }
                Op::Panic => {
                    self.say(&name(k), "panic".to_string());
                    self.end(k, End::Panicked);
                    return;
                }
            }
        }
    }

    fn suspend(&mut self, k: usize, waiting: Waiting) {
        let task = &mut self.tasks[k];
        task.waiting = Some(waiting);
        let resumes = task.resumes;
        if task.cancel_pending {
            // Cancelled while it ran: its cancellation comes next pass.
            self.ready.push_back(Entry::Step(k, resumes));
            return;
        }
        match waiting {
            Waiting::Yield | Waiting::Sleep(0) => self.ready.push_back(Entry::Step(k, resumes)),
            Waiting::Sleep(d) => {
                self.timers.push(Timer {
                    deadline: self.now + u64::from(d),
                    seq: self.timers_set,
                    task: k,
                    resumes,
                });
                self.timers_set += 1;
            }
            Waiting::Join(j) => self.tasks[j].joiners.push((k, resumes)),
        }
    }

    /// `cancel()` on spawned task `j`: whether it counted.
    fn cancel(&mut self, j: usize) -> bool {
        if self.tasks[j].end.is_some() {
            return false;
        }
        if !self.tasks[j].started {
            self.end(j, End::Cancelled);
            return true;
        }
        self.tasks[j].cancel_pending = true;
        if self.running != Some(j) {
            let resumes = self.tasks[j].resumes;
            self.ready.push_back(Entry::Step(j, resumes));
        }
        true
    }

    fn end(&mut self, k: usize, end: End) {
        let task = &mut self.tasks[k];
        task.end = Some(end);
        let joiners = std::mem::take(&mut task.joiners);
        if end == End::Panicked {
            self.unretrieved.push(k);
        }
        for (joiner, resumes) in joiners {
            self.ready.push_back(Entry::Step(joiner, resumes));
        }
    }
}
