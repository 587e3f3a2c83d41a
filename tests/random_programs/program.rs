//! A random task program: its data, its text form, and the generator.
//!
//! A program is a list of tasks. Task 0 is `main`, the others are `t1`,
//! `t2`, ... Each task is a short list of ops that ends with `return V` or
//! `panic`. Task `tK` is spawned by exactly one op (`spawn tK`, or a done
//! callback's `on_done tJ spawn tK`) of a task listed before it, so the
//! spawns form a tree under `main`; a task whose spawner stops early (or
//! whose callback never runs) is never spawned.
//!
//! The text form is what failures print and regression tests are written in:
//! an optional line of options, then one task a line:
//!
//! ```text
//! options: asyncio.run; stack 16 KiB
//! main: spawn t1; spawn t2; sleep 1; join t1; return 7
//! t1: yield; cancel t2; on_done t2 spawn t3; join? t2; return 3
//! t2 (goes on; drop sleeps 1): sleep 2; sleep 0; panic
//! t3: return 4
//! ```
//!
//! - `(goes on)`: when an op hands the task its cancellation, the task does
//!   one more op and then stops; without it, it stops at once. Stopping
//!   passes the cancellation on (`Err(Cancelled)`, `raise`): the task ends
//!   cancelled. A task that swallows its cancellation and reaches `return V`
//!   ends done with V, as in asyncio.
//! - `(drop sleeps D)`: the task owns a value whose destructor sleeps D
//!   units (on the Python side, an `async with` whose exit does).
//! - `join? tK` joins and passes a failure or a cancellation on (Rust's `?`,
//!   Python's bare `await`): the task ends with it. `join tK` catches.
//! - `on_done tK` adds a done callback to tK that says tK's state when it
//!   runs; `on_done tK spawn tJ` also spawns tJ from it.
//! - Options: `asyncio.run` ends the run as `ch06_scheduler::run` and
//!   `asyncio.Runner` do (cancel what is left, run its cleanup to its end);
//!   `stack N KiB` gives the tasks stacks of N KiB.

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
    /// `join tK`: join task K (never the task itself, never `main`),
    /// catching what it ended with.
    Join(usize),
    /// `join? tK`: join task K and pass its failure or cancellation on.
    TryJoin(usize),
    /// `cancel tK`: cancel task K (may be the task itself, never `main`).
    Cancel(usize),
    /// `on_done tK`, `on_done tK spawn tJ`: add a done callback to task K
    /// (may be the task itself, never `main`), which may spawn task J.
    OnDone(usize, Option<usize>),
    /// `return V`: the task's last op.
    Return(u32),
    /// `panic`: the task's last op; panics with `boom <name>`.
    Panic,
}

/// What a task does when an op hands it its cancellation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnCancel {
    /// Stop at once: the task passes the cancellation on, and ends cancelled.
    Stop,
    /// Do one more op (which may sleep, join, spawn, return, panic...), then
    /// stop.
    GoOn,
}

/// How the run ends once `main` has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `Scheduler::run_until_complete`: the tasks left stay pending (and the
    /// drop of the scheduler cleans them up, outside what is compared).
    Loop,
    /// `asyncio.run`: `Scheduler::shutdown` cancels the tasks left and runs
    /// their cleanup to its end, inside what is compared.
    Run,
}

/// One task of a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSpec {
    /// Its ops; the last one is `Return` or `Panic`, and only the last.
    pub ops: Vec<Op>,
    /// What it does with its cancellation.
    pub on_cancel: OnCancel,
    /// The destructor of a value it owns sleeps this long, if any.
    pub drop_sleep: Option<u32>,
}

/// A program: `tasks[0]` is `main`.
#[derive(Clone, PartialEq, Eq)]
pub struct Program {
    /// The tasks, `main` first.
    pub tasks: Vec<TaskSpec>,
    /// How the run ends.
    pub ending: Ending,
    /// The tasks' stack size in KiB, if not the default.
    pub stack_kib: Option<usize>,
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
            Op::TryJoin(k) => write!(f, "join? {}", name(k)),
            Op::Cancel(k) => write!(f, "cancel {}", name(k)),
            Op::OnDone(k, None) => write!(f, "on_done {}", name(k)),
            Op::OnDone(k, Some(j)) => write!(f, "on_done {} spawn {}", name(k), name(j)),
            Op::Return(v) => write!(f, "return {v}"),
            Op::Panic => f.write_str("panic"),
        }
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut options = Vec::new();
        if self.ending == Ending::Run {
            options.push("asyncio.run".to_string());
        }
        if let Some(kib) = self.stack_kib {
            options.push(format!("stack {kib} KiB"));
        }
        if !options.is_empty() {
            writeln!(f, "options: {}", options.join("; "))?;
        }
        for (k, task) in self.tasks.iter().enumerate() {
            if k > 0 {
                f.write_str("\n")?;
            }
            f.write_str(&name(k))?;
            let mut flags = Vec::new();
            if task.on_cancel == OnCancel::GoOn {
                flags.push("goes on".to_string());
            }
            if let Some(d) = task.drop_sleep {
                flags.push(format!("drop sleeps {d}"));
            }
            if !flags.is_empty() {
                write!(f, " ({})", flags.join("; "))?;
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
        let mut ending = Ending::Loop;
        let mut stack_kib = None;
        let lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        for line in lines {
            if let Some(options) = line.strip_prefix("options:") {
                for option in options.split(';').map(str::trim) {
                    match option.split(' ').collect::<Vec<_>>()[..] {
                        ["asyncio.run"] => ending = Ending::Run,
                        ["stack", kib, "KiB"] => {
                            stack_kib = Some(kib.parse().expect("a stack size in KiB"));
                        }
                        _ => panic!("unknown option {option:?}"),
                    }
                }
                continue;
            }
            let (head, body) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("line {line:?}: expected `name: ops`"));
            let (task_name, flags) = match head.split_once('(') {
                Some((task_name, flags)) => (
                    task_name.trim(),
                    flags
                        .trim_end()
                        .strip_suffix(')')
                        .unwrap_or_else(|| panic!("line {line:?}: unclosed flags")),
                ),
                None => (head.trim(), ""),
            };
            let mut on_cancel = OnCancel::Stop;
            let mut drop_sleep = None;
            for flag in flags.split(';').map(str::trim).filter(|f| !f.is_empty()) {
                if flag == "goes on" {
                    on_cancel = OnCancel::GoOn;
                } else if let Some(d) = flag.strip_prefix("drop sleeps ") {
                    drop_sleep = Some(d.parse().expect("drop sleeps D"));
                } else {
                    panic!("line {line:?}: unknown flag {flag:?}");
                }
            }
            assert_eq!(
                task_name,
                name(tasks.len()),
                "line {line:?}: tasks go main, t1, t2, ..."
            );
            let ops = body
                .split(';')
                .map(|op| parse_op(op.trim()))
                .collect::<Vec<Op>>();
            tasks.push(TaskSpec {
                ops,
                on_cancel,
                drop_sleep,
            });
        }
        let program = Program {
            tasks,
            ending,
            stack_kib,
        };
        if let Err(problem) = program.check() {
            panic!("not a well-formed program: {problem}\n{program}");
        }
        program
    }

    /// Whether the program is well formed: every task ends with its only
    /// `return` or `panic`; every task but `main` is spawned exactly once, by
    /// a task before it; joins, cancels and done callbacks name tasks of the
    /// program other than `main`, and a task never joins itself.
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
                let spawns = match *op {
                    Op::Spawn(j) | Op::OnDone(_, Some(j)) => Some(j),
                    _ => None,
                };
                if let Some(j) = spawns {
                    if j <= k || j >= n {
                        return Err(format!("{who}: `{op}` spawns no task after {who}"));
                    }
                    if let Some(other) = spawned_by[j].replace(k) {
                        return Err(format!("{} is spawned twice ({})", name(j), name(other)));
                    }
                }
                match *op {
                    Op::Return(_) | Op::Panic => {
                        return Err(format!("{who}: `{op}` before the last op"));
                    }
                    Op::Join(j) | Op::TryJoin(j) | Op::Cancel(j) | Op::OnDone(j, _) => {
                        if j == 0 || j >= n {
                            return Err(format!("{who}: `{op}` names no task (or main)"));
                        }
                        if j == k && matches!(op, Op::Join(_) | Op::TryJoin(_)) {
                            return Err(format!("{who} joins itself"));
                        }
                    }
                    Op::Spawn(_) | Op::Sleep(_) | Op::Yield => {}
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
    match text.split(' ').collect::<Vec<_>>()[..] {
        ["yield"] => Op::Yield,
        ["panic"] => Op::Panic,
        ["spawn", arg] => Op::Spawn(task(arg)),
        ["sleep", arg] => Op::Sleep(number(arg)),
        ["join", arg] => Op::Join(task(arg)),
        ["join?", arg] => Op::TryJoin(task(arg)),
        ["cancel", arg] => Op::Cancel(task(arg)),
        ["on_done", arg] => Op::OnDone(task(arg), None),
        ["on_done", arg, "spawn", child] => Op::OnDone(task(arg), Some(task(child))),
        ["return", arg] => Op::Return(number(arg)),
        _ => panic!("unknown op {text:?}"),
    }
}

// ---------------------------------------------------------------------------
// The generator.
//
// It draws "raw" tasks whose task references are plain numbers, and `build`
// turns them into a well-formed program, resolving each number modulo the
// tasks there are. Whatever proptest shrinks (a task removed, an op removed,
// a number made smaller, a flag turned off) still builds a well-formed
// program, so shrinking needs no filter.

/// An op before its task reference is resolved.
#[derive(Debug, Clone)]
enum RawOp {
    Sleep(u32),
    Yield,
    Join(u8),
    TryJoin(u8),
    Cancel(u8),
    OnDone(u8),
}

/// A task before its references are resolved.
#[derive(Debug, Clone)]
struct RawTask {
    ops: Vec<RawOp>,
    /// `None` for `panic`.
    end: Option<u32>,
    goes_on: bool,
    drop_sleep: Option<u32>,
    /// Which earlier task spawns this one (modulo its index).
    parent: u8,
    /// Where among the parent's ops the spawn goes (modulo their count + 1).
    position: u8,
    /// Spawned by a done callback of the parent's, if it adds one.
    by_callback: bool,
    /// Cancelled by its spawner right after its spawn (so before it starts).
    cancelled_at_once: bool,
}

fn duration() -> impl Strategy<Value = u32> {
    // Small durations, zero included; with so few values, equal deadlines
    // (ties) are common.
    prop_oneof![2 => Just(0u32), 3 => Just(1), 2 => Just(2), 1 => Just(3)]
}

fn raw_op() -> impl Strategy<Value = RawOp> {
    prop_oneof![
        3 => duration().prop_map(RawOp::Sleep),
        1 => Just(RawOp::Yield),
        3 => any::<u8>().prop_map(RawOp::Join),
        1 => any::<u8>().prop_map(RawOp::TryJoin),
        2 => any::<u8>().prop_map(RawOp::Cancel),
        1 => any::<u8>().prop_map(RawOp::OnDone),
    ]
}

fn raw_task() -> impl Strategy<Value = RawTask> {
    (
        proptest::collection::vec(raw_op(), 0..=5),
        prop_oneof![4 => (0u32..100).prop_map(Some), 1 => Just(None)],
        any::<bool>(),
        prop_oneof![5 => Just(None), 1 => duration().prop_map(Some)],
        any::<u8>(),
        // Spawns early in the spawner's ops, half the time: joins and
        // cancels then more often find their task alive, and join cycles
        // (deadlocks) come up.
        prop_oneof![1 => Just(0u8), 1 => any::<u8>()],
        prop_oneof![3 => Just(false), 1 => Just(true)],
        prop_oneof![7 => Just(false), 1 => Just(true)],
    )
        .prop_map(
            |(ops, end, goes_on, drop_sleep, parent, position, by_callback, cancelled_at_once)| {
                RawTask {
                    ops,
                    end,
                    goes_on,
                    drop_sleep,
                    parent,
                    position,
                    by_callback,
                    cancelled_at_once,
                }
            },
        )
}

/// Random programs: `main` and up to six more tasks; a quarter of them end
/// as `asyncio.run` does, an eighth run on 16 KiB stacks.
pub fn programs() -> impl Strategy<Value = Program> {
    (
        proptest::collection::vec(raw_task(), 1..=7),
        prop_oneof![3 => Just(Ending::Loop), 1 => Just(Ending::Run)],
        prop_oneof![7 => Just(None), 1 => Just(Some(16usize))],
    )
        .prop_map(|(raw, ending, stack_kib)| build(&raw, ending, stack_kib))
}

fn build(raw: &[RawTask], ending: Ending, stack_kib: Option<usize>) -> Program {
    let n = raw.len();
    let mut bodies: Vec<Vec<Op>> = raw
        .iter()
        .enumerate()
        .map(|(k, task)| {
            // Joins name another task than `main` and the task itself;
            // cancels and done callbacks may name the task itself.
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
                    RawOp::TryJoin(r) if !others.is_empty() => {
                        Op::TryJoin(others[usize::from(r) % others.len()])
                    }
                    RawOp::Cancel(r) if !all.is_empty() => {
                        Op::Cancel(all[usize::from(r) % all.len()])
                    }
                    RawOp::OnDone(r) if !all.is_empty() => {
                        Op::OnDone(all[usize::from(r) % all.len()], None)
                    }
                    RawOp::Join(_) | RawOp::TryJoin(_) | RawOp::Cancel(_) | RawOp::OnDone(_) => {
                        Op::Yield
                    }
                })
                .collect()
        })
        .collect();
    for (k, task) in raw.iter().enumerate().skip(1) {
        let parent = usize::from(task.parent) % k;
        let ops = &mut bodies[parent];
        // A done callback of the parent's without a spawn yet spawns it, if
        // asked and there is one.
        if task.by_callback
            && let Some(Op::OnDone(_, spawn)) =
                ops.iter_mut().find(|op| matches!(op, Op::OnDone(_, None)))
        {
            *spawn = Some(k);
            continue;
        }
        let at = usize::from(task.position) % (ops.len() + 1);
        ops.insert(at, Op::Spawn(k));
        if task.cancelled_at_once {
            ops.insert(at + 1, Op::Cancel(k));
        }
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
                drop_sleep: task.drop_sleep,
            }
        })
        .collect();
    let program = Program {
        tasks,
        ending,
        stack_kib,
    };
    debug_assert_eq!(program.check(), Ok(()), "{program}");
    program
}
