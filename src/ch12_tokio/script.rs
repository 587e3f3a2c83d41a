//! Scripts: tiny programs of tasks, small enough to run on three schedulers
//! and compare who was polled when.
//!
//! A [`Script`] is a list of tasks, each a list of [`Step`]s; task 0 is
//! `main`, and every other task is spawned by a [`Step::Spawn`] of the task
//! that owns its handle. The same script runs on chapter 6's scheduler
//! ([`course_order`], asyncio's rules), on tokio's current-thread runtime
//! (the chapter's tests and example, where tokio is), and through the model
//! of tokio's loop in `model.rs` ([`tokio_order`](super::tokio_order)).
//! Each says the **poll order**: the name of every task, once per poll, in
//! the order the tasks were polled.
//!
//! ```text
//!   main: Spawn(1) Spawn(2) Join(1) Join(2)       poll order, asyncio's rules:
//!   A:    Yield Yield                               main A B A B A B main
//!   B:    Yield Yield
//! ```

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::ch06_scheduler::{Clock, JoinHandle, SchedError, Scheduler};
use crate::ch09_async_fn::{self as ch09, spawn_async};

// ANCHOR: step
/// What a scripted task does next. A poll runs a task's steps from where it
/// is until one of them returns `Pending` (or the steps run out: the task
/// ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// Wakes its own waker and returns `Pending` once: straight to the back
    /// of the run queue (chapter 9's `yield_now` does exactly this).
    Wake,
    /// `tokio::task::yield_now().await` on tokio, where the waker is handed
    /// to the scheduler and woken only after the driver has been polled;
    /// `asyncio.sleep(0)` on ours, which is [`Step::Wake`].
    Yield,
    /// Sleeps this many milliseconds (at least one).
    Sleep(u64),
    /// Spawns the task with this index: it goes to the back of the run
    /// queue, and this task goes on.
    Spawn(usize),
    /// Waits for the task with this index, which this task spawned, to end.
    Join(usize),
}
// ANCHOR_END: step

/// One task of a [`Script`]: its name, for the poll order, and its steps.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaskScript {
    /// The name its polls are logged by.
    pub name: &'static str,
    /// What it does, in order.
    pub steps: Vec<Step>,
}

/// A program of scripted tasks. Task 0 is `main`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Script {
    /// The tasks: `tasks[0]` is main, the others are spawned by steps.
    pub tasks: Vec<TaskScript>,
}

/// Why a script cannot run (see [`Script::check`]), or why a model of a
/// runtime gave up on one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptError {
    /// The script breaks a rule of [`Script::check`]: what and where.
    Invalid(String),
    /// The runtime would wait forever: nothing is ready, no timer is set,
    /// and `main` has not ended. (A checked script never gets here; a
    /// half-written model may.) The polls made until then.
    WaitsForever(Vec<&'static str>),
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScriptError::Invalid(why) => write!(f, "the script cannot run: {why}"),
            ScriptError::WaitsForever(polls) => write!(
                f,
                "the runtime would wait forever after {} polls: nothing is ready and no \
                 timer is set",
                polls.len()
            ),
        }
    }
}

impl std::error::Error for ScriptError {}

impl Script {
    /// A script of these tasks, `main` first: `(name, steps)` each.
    pub fn new(tasks: &[(&'static str, &[Step])]) -> Script {
        Script {
            tasks: tasks
                .iter()
                .map(|&(name, steps)| TaskScript {
                    name,
                    steps: steps.to_vec(),
                })
                .collect(),
        }
    }

    /// Checks the rules that make a script run the same way everywhere:
    /// every task but `main` is spawned exactly once, by a task that comes
    /// before it; a task joins only a task it spawned, after spawning it,
    /// and at most once; a sleep lasts at least a millisecond (tokio's
    /// timers count whole milliseconds, and a sleep of zero is a yield
    /// elsewhere).
    ///
    /// # Errors
    ///
    /// [`ScriptError::Invalid`], saying which rule and where.
    pub fn check(&self) -> Result<(), ScriptError> {
        let invalid = |why: String| Err(ScriptError::Invalid(why));
        if self.tasks.is_empty() {
            return invalid("it has no main task".to_string());
        }
        let mut spawner = vec![None; self.tasks.len()];
        for (index, task) in self.tasks.iter().enumerate() {
            let mut spawned_here = Vec::new();
            let mut joined_here = Vec::new();
            for step in &task.steps {
                match *step {
                    Step::Spawn(child) => {
                        if child <= index || child >= self.tasks.len() {
                            return invalid(format!(
                                "{} spawns task {child}, which is not a task after it",
                                task.name
                            ));
                        }
                        if spawner[child].replace(index).is_some() {
                            return invalid(format!("{} is spawned twice", self.tasks[child].name));
                        }
                        spawned_here.push(child);
                    }
                    Step::Join(child) => {
                        if !spawned_here.contains(&child) || joined_here.contains(&child) {
                            return invalid(format!(
                                "{} joins task {child}, which it has not spawned before, or \
                                 joined already",
                                task.name
                            ));
                        }
                        joined_here.push(child);
                    }
                    Step::Sleep(0) => {
                        return invalid(format!("{} sleeps for zero milliseconds", task.name));
                    }
                    _ => {}
                }
            }
        }
        if let Some(orphan) = (1..self.tasks.len()).find(|&index| spawner[index].is_none()) {
            return invalid(format!("{} is never spawned", self.tasks[orphan].name));
        }
        Ok(())
    }
}

/// A poll order written short: a run of the same name becomes `name ×n`.
///
/// ```
/// use yieldpoint::ch12_tokio::compress;
///
/// assert_eq!(compress(&["main", "A", "A", "A", "main"]), "main A ×3 main");
/// ```
pub fn compress(polls: &[&str]) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut index = 0;
    while index < polls.len() {
        let run = polls[index..]
            .iter()
            .take_while(|&&name| name == polls[index])
            .count();
        if run == 1 {
            words.push(polls[index].to_string());
        } else {
            words.push(format!("{} ×{run}", polls[index]));
        }
        index += run;
    }
    words.join(" ")
}

/// The poll order of `script` on chapter 6's scheduler, on the virtual
/// clock, every task an async task (chapter 9): asyncio's rules.
/// `Step::Wake` and `Step::Yield` are both chapter 9's `yield_now`.
///
/// # Errors
///
/// [`ScriptError::Invalid`] if the script breaks a rule of
/// [`Script::check`].
///
/// # Panics
///
/// If the scheduler reports an error, which a checked script cannot cause.
pub fn course_order(script: &Script) -> Result<Vec<&'static str>, ScriptError> {
    script.check()?;
    let log = Rc::new(RefCell::new(Vec::new()));
    let run = Rc::new(Run {
        script: script.clone(),
        log: Rc::clone(&log),
        handles: RefCell::new((0..script.tasks.len()).map(|_| None).collect()),
    });
    let scheduler = Scheduler::new(Clock::Virtual);
    let main = Logged {
        name: script.tasks[0].name,
        log: Rc::clone(&log),
        inner: body(run, 0),
    };
    scheduler
        .run_until_complete_async(main)
        .expect("a checked script runs to its end");
    let polls = log.borrow().clone();
    Ok(polls)
}

/// What every task of one run of a script shares.
struct Run {
    script: Script,
    log: Rc<RefCell<Vec<&'static str>>>,
    /// The handle of each spawned task, until its spawner joins it.
    handles: RefCell<Vec<Option<JoinHandle<()>>>>,
}

/// The body of task `index`: its steps, on chapter 9's futures.
fn body(run: Rc<Run>, index: usize) -> Body {
    Box::pin(async move {
        for step in run.script.tasks[index].steps.clone() {
            match step {
                Step::Wake | Step::Yield => ch09::yield_now().await?,
                Step::Sleep(ms) => ch09::sleep(Duration::from_millis(ms)).await?,
                Step::Spawn(child) => {
                    let task = Logged {
                        name: run.script.tasks[child].name,
                        log: Rc::clone(&run.log),
                        inner: body(Rc::clone(&run), child),
                    };
                    let handle = spawn_async(run.script.tasks[child].name, task)?;
                    run.handles.borrow_mut()[child] = Some(handle);
                }
                Step::Join(child) => {
                    let handle = run.handles.borrow_mut()[child].take();
                    handle
                        .expect("a checked script joins what it spawned")
                        .await?;
                }
            }
        }
        Ok(())
    })
}

/// The future of a scripted task's body.
type Body = Pin<Box<dyn Future<Output = Result<(), SchedError>>>>;

/// A future that writes its task's name in the log each time it is polled.
struct Logged {
    name: &'static str,
    log: Rc<RefCell<Vec<&'static str>>>,
    inner: Body,
}

impl Future for Logged {
    type Output = Result<(), SchedError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.log.borrow_mut().push(self.name);
        self.inner.as_mut().poll(cx)
    }
}
