//! A random task program: its data, its text form, and the generator.
//!
//! A program is a list of tasks. Task 0 is `main`, the others are `t1`,
//! `t2`, ... Each task is a short list of ops that ends with `return V` or
//! `panic`. Task `tK` is spawned by exactly one `spawn tK` op, in a task
//! listed before it, so the spawns form a tree under `main`; a task whose
//! spawner stops early is never spawned.
//!
//! The text form is what failures print and regression tests are written in,
//! one task a line:
//!
//! ```text
//! main: spawn t1; spawn t2; sleep 1; join t1; return 7
//! t1: yield; cancel t2; return 3
//! t2 (goes on): sleep 2; sleep 0; panic
//! ```
//!
//! `(goes on)`: when an op of the task returns its cancellation, the task
//! does one more op and then stops; without it, the task stops at once.
//! Stopping is returning, and a task that has been handed its cancellation
//! ends cancelled whatever it returns (chapter 7).

use std::fmt;

use proptest::prelude::*;

/// One step of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `spawn tK`: spawn task K (it goes to the back of the ready queue).
    Spawn(usize),
    /// `sleep D`: sleep D units; `sleep 0` is a `yield_now`.
    Sleep(u32),
    /// `yield`: `yield_now()`.
    Yield,
    /// `join tK`: join task K (never the task itself, never `main`).
    Join(usize),
    /// `cancel tK`: cancel task K (may be the task itself, never `main`).
    Cancel(usize),
    /// `return V`: the task's last op.
    Return(u32),
    /// `panic`: the task's last op; panics with `boom <name>`.
    Panic,
}

/// What a task does when an op hands it its cancellation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnCancel {
    /// Stop at once: the task returns, and ends cancelled.
    Stop,
    /// Do one more op (which may sleep, join, spawn, return, panic...), then
    /// stop.
    GoOn,
}

/// One task of a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSpec {
    /// Its ops; the last one is `Return` or `Panic`, and only the last.
    pub ops: Vec<Op>,
    /// What it does with its cancellation.
    pub on_cancel: OnCancel,
}

/// A program: `tasks[0]` is `main`.
#[derive(Clone, PartialEq, Eq)]
pub struct Program {
    /// The tasks, `main` first.
    pub tasks: Vec<TaskSpec>,
}

/// The name of task `k`: `main` or `tK`.
pub fn name(k: usize) -> String {
    if k == 0 {
        "main".to_string()
    } else {
        format!("t{k}")
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Op::Spawn(k) => write!(f, "spawn {}", name(k)),
            Op::Sleep(d) => write!(f, "sleep {d}"),
            Op::Yield => f.write_str("yield"),
            Op::Join(k) => write!(f, "join {}", name(k)),
            Op::Cancel(k) => write!(f, "cancel {}", name(k)),
            Op::Return(v) => write!(f, "return {v}"),
            Op::Panic => f.write_str("panic"),
        }
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, task) in self.tasks.iter().enumerate() {
            if k > 0 {
                f.write_str("\n")?;
            }
            f.write_str(&name(k))?;
            if task.on_cancel == OnCancel::GoOn {
                f.write_str(" (goes on)")?;
            }
            f.write_str(":")?;
            for (i, op) in task.ops.iter().enumerate() {
                let sep = if i == 0 { " " } else { "; " };
                write!(f, "{sep}{op}")?;
            }
        }
        Ok(())
    }
}

/// Failures print the program in its text form, ready to paste into a
/// regression test.
impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\n{self}\n")
    }
}

impl Program {
    /// Reads the text form (see the module docs) and checks the program.
    ///
    /// # Panics
    ///
    /// On text that is not a well-formed program, saying what is wrong.
    pub fn parse(text: &str) -> Program {
        let mut tasks = Vec::new();
        for (k, line) in text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            let (head, body) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("line {line:?}: expected `name: ops`"));
            let (task_name, on_cancel) = match head.trim().strip_suffix("(goes on)") {
                Some(task_name) => (task_name.trim(), OnCancel::GoOn),
                None => (head.trim(), OnCancel::Stop),
            };
            assert_eq!(
                task_name,
                name(k),
                "line {line:?}: tasks go main, t1, t2, ..."
            );
            let ops = body
                .split(';')
                .map(|op| parse_op(op.trim()))
                .collect::<Vec<Op>>();
            tasks.push(TaskSpec { ops, on_cancel });
        }
        let program = Program { tasks };
        if let Err(problem) = program.check() {
            panic!("not a well-formed program: {problem}\n{program}");
        }
        program
    }

    /// Whether the program is well formed: every task ends with its only
    /// `return` or `panic`; every task but `main` is spawned exactly once, by
    /// a task before it; joins and cancels name tasks of the program other
    /// than `main`, and a task never joins itself.
    pub fn check(&self) -> Result<(), String> {
        let n = self.tasks.len();
        if n == 0 {
            return Err("no main".to_string());
        }
        let mut spawned_by = vec![None; n];
        for (k, task) in self.tasks.iter().enumerate() {
            let who = name(k);
            let Some((last, rest)) = task.ops.split_last() else {
                return Err(format!("{who} has no ops"));
            };
            if !matches!(last, Op::Return(_) | Op::Panic) {
                return Err(format!("{who} does not end with return or panic"));
            }
            for op in rest {
                match *op {
                    Op::Return(_) | Op::Panic => {
                        return Err(format!("{who}: `{op}` before the last op"));
                    }
                    Op::Spawn(j) => {
                        if j <= k || j >= n {
                            return Err(format!("{who}: `{op}` names no task after {who}"));
                        }
                        if let Some(other) = spawned_by[j].replace(k) {
                            return Err(format!("{} is spawned twice ({})", name(j), name(other)));
                        }
                    }
                    Op::Join(j) | Op::Cancel(j) => {
                        if j == 0 || j >= n {
                            return Err(format!("{who}: `{op}` names no task (or main)"));
                        }
                        if j == k && matches!(op, Op::Join(_)) {
                            return Err(format!("{who} joins itself"));
                        }
                    }
                    Op::Sleep(_) | Op::Yield => {}
                }
            }
        }
        if let Some(j) = (1..n).find(|&j| spawned_by[j].is_none()) {
            return Err(format!("nobody spawns {}", name(j)));
        }
        Ok(())
    }
}

fn parse_op(text: &str) -> Op {
    let task = |arg: &str| -> usize {
        arg.strip_prefix('t')
            .and_then(|number| number.parse().ok())
            .unwrap_or_else(|| panic!("op {text:?}: expected a task t1, t2, ..."))
    };
    let number = |arg: &str| -> u32 {
        arg.parse()
            .unwrap_or_else(|_| panic!("op {text:?}: expected a number"))
    };
    match text.split_once(' ') {
        None if text == "yield" => Op::Yield,
        None if text == "panic" => Op::Panic,
        Some(("spawn", arg)) => Op::Spawn(task(arg)),
        Some(("sleep", arg)) => Op::Sleep(number(arg)),
        Some(("join", arg)) => Op::Join(task(arg)),
        Some(("cancel", arg)) => Op::Cancel(task(arg)),
        Some(("return", arg)) => Op::Return(number(arg)),
        _ => panic!("unknown op {text:?}"),
    }
}

// ---------------------------------------------------------------------------
// The generator.
//
// It draws "raw" tasks whose task references are plain numbers, and `build`
// turns them into a well-formed program, resolving each number modulo the
// tasks there are. Whatever proptest shrinks (a task removed, an op removed,
// a number made smaller) still builds a well-formed program, so shrinking
// needs no filter.

/// An op before its task reference is resolved.
#[derive(Debug, Clone)]
enum RawOp {
    Sleep(u32),
    Yield,
    Join(u8),
    Cancel(u8),
}

/// A task before its references are resolved.
#[derive(Debug, Clone)]
struct RawTask {
    ops: Vec<RawOp>,
    /// `None` for `panic`.
    end: Option<u32>,
    goes_on: bool,
    /// Which earlier task spawns this one (modulo its index).
    parent: u8,
    /// Where among the parent's ops the spawn goes (modulo their count + 1).
    position: u8,
}

fn raw_op() -> impl Strategy<Value = RawOp> {
    // Small durations, zero included; with so few values, equal deadlines
    // (ties) are common.
    let duration = prop_oneof![2 => Just(0u32), 3 => Just(1), 2 => Just(2), 1 => Just(3)];
    prop_oneof![
        3 => duration.prop_map(RawOp::Sleep),
        1 => Just(RawOp::Yield),
        3 => any::<u8>().prop_map(RawOp::Join),
        2 => any::<u8>().prop_map(RawOp::Cancel),
    ]
}

fn raw_task() -> impl Strategy<Value = RawTask> {
    (
        proptest::collection::vec(raw_op(), 0..=5),
        prop_oneof![4 => (0u32..100).prop_map(Some), 1 => Just(None)],
        any::<bool>(),
        any::<u8>(),
        // Spawns early in the spawner's ops, half the time: joins and
        // cancels then more often find their task alive, and join cycles
        // (deadlocks) come up.
        prop_oneof![1 => Just(0u8), 1 => any::<u8>()],
    )
        .prop_map(|(ops, end, goes_on, parent, position)| RawTask {
            ops,
            end,
            goes_on,
            parent,
            position,
        })
}

/// Random programs: `main` and up to six more tasks.
pub fn programs() -> impl Strategy<Value = Program> {
    proptest::collection::vec(raw_task(), 1..=7).prop_map(|raw| build(&raw))
}

fn build(raw: &[RawTask]) -> Program {
    let n = raw.len();
    let mut bodies: Vec<Vec<Op>> = raw
        .iter()
        .enumerate()
        .map(|(k, task)| {
            // Joins name another task than `main` and the task itself;
            // cancels may name the task itself.
            let others: Vec<usize> = (1..n).filter(|&j| j != k).collect();
            let all: Vec<usize> = (1..n).collect();
            task.ops
                .iter()
                .map(|op| match *op {
                    RawOp::Sleep(d) => Op::Sleep(d),
                    RawOp::Yield => Op::Yield,
                    RawOp::Join(r) if !others.is_empty() => {
                        Op::Join(others[usize::from(r) % others.len()])
                    }
                    RawOp::Cancel(r) if !all.is_empty() => {
                        Op::Cancel(all[usize::from(r) % all.len()])
                    }
                    RawOp::Join(_) | RawOp::Cancel(_) => Op::Yield,
                })
                .collect()
        })
        .collect();
    for (k, task) in raw.iter().enumerate().skip(1) {
        let parent = usize::from(task.parent) % k;
        let ops = &mut bodies[parent];
        let at = usize::from(task.position) % (ops.len() + 1);
        ops.insert(at, Op::Spawn(k));
    }
    let tasks = bodies
        .into_iter()
        .zip(raw)
        .map(|(mut ops, task)| {
            ops.push(task.end.map_or(Op::Panic, Op::Return));
            TaskSpec {
                ops,
                on_cancel: if task.goes_on {
                    OnCancel::GoOn
                } else {
                    OnCancel::Stop
                },
            }
        })
        .collect();
    let program = Program { tasks };
    debug_assert_eq!(program.check(), Ok(()), "{program}");
    program
}
