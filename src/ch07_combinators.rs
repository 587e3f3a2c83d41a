//! # Chapter 7: gather, as_completed, wait_for, and cancellation
//!
//! Chapter 6's scheduler runs tasks; this chapter waits for *groups* of
//! them, puts a time limit on waiting, and stops tasks that are no longer
//! wanted. Everything here is built from four pieces chapter 6 provides, as
//! asyncio's combinators are built from futures and callbacks: a task's
//! done callbacks ([`JoinHandle::add_done_callback`], which run through the
//! ready queue), a [`Waker`] with [`park`] to sleep until a callback calls
//! it, [`park_with_cancel`] to say what cancelling the sleeper does, and
//! [`JoinHandle::cancel`].
//!
//! The core operations are:
//! - [`gather`] waits for every task and returns their values in argument
//!   order; the first failure comes back at once, while the others keep
//!   running. [`gather_results`] waits for all and returns each outcome
//!   (asyncio's `return_exceptions=True`). Both take a slice of handles of
//!   one type, or a tuple of handles of different types;
//!   [`spawn_and_gather`] spawns the bodies it is given first, as asyncio's
//!   `gather` wraps coroutines in tasks.
//! - [`as_completed`] hands the outcomes out in the order the tasks end,
//!   each with the task's index.
//! - [`wait_for`] waits with a time limit; when it runs out, the task is
//!   cancelled and its cleanup has finished before `wait_for` returns.
//! - Cancelling a task that waits in [`gather`] or [`gather_results`]
//!   cancels the gathered tasks instead; cancelling one that waits in
//!   [`wait_for`] wakes it, and it cancels the task it waits for and waits
//!   for that cleanup. Both as in asyncio.
//!
//! How a combinator waits for any one of several tasks:
//!
//! ```text
//!   gather(&[a, b, c])                 a ends ──▶ its done callbacks go to the back
//!     a done callback on each                     of the ready queue
//!     park until the outcome is known             ▼ next pass: the callback runs:
//!        ▲                                        count it; all done, or a failure?
//!        └──────────── waker.wake() ◀─────────── then settle the outcome and wake
//!     return the values in argument order         (gather's caller runs a pass later)
//! ```
//!
//! Cancellation is chapter 6's: `handle.cancel()` makes the suspension point
//! the task waits at return [`SchedError::Cancelled`]. The task cleans up
//! (it may sleep or join while it does), passes the error on with `?`, and
//! ends cancelled:
//!
//! ```text
//!   pending ──cancel()──▶ must_cancel ──its next resume──▶ sleep()/join()/park()
//!      │  (never started: its                              returns Err(Cancelled)
//!      │   first step drops the                                   │
//!      │   body, which never runs)                     cleanup: destructors, and
//!      │                                                code that may sleep or join
//!      ▼                                                          ▼
//!   done / failed                               returns Err(Cancelled) ──▶ ends cancelled
//!   (cancel() now returns false)                returns Ok(v) (swallowed) ──▶ ends done
//! ```
//!
//! Where this is simpler than production code: each combinator waits for
//! spawned tasks of one scheduler (asyncio's also takes bare coroutines and
//! futures), and `wait_for` takes a task, not any awaitable.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

#[cfg_attr(
    feature = "exercise-ch07",
    path = "../exercises/ch07_combinators/5_rebuild.rs"
)]
mod waiting;
pub use waiting::{gather, wait_for};

use crate::ch06_scheduler::{
    BoxError, JoinHandle, SchedError, TaskHandle, Waker, check_stackful_task, park,
    park_with_cancel, spawn, waker,
};

// ANCHOR: outcome
/// What a group of tasks being waited for has come to, shared between the
/// done callbacks (which settle it) and the waiting task (which parks until
/// it is settled): the part of asyncio's `_GatheringFuture` that matters.
#[derive(Default)]
struct Outcome {
    /// How many of the tasks have ended.
    ended: Cell<usize>,
    /// `Some` once the wait is over: `Ok` if every task ended (with
    /// whatever outcome), or the error to return.
    settled: RefCell<Option<Result<(), SchedError>>>,
    /// Set when cancelling the waiting task cancelled the group instead.
    cancel_requested: Cell<bool>,
    /// The waiting task's waker, while it is parked.
    waiting: RefCell<Option<Waker>>,
}

impl Outcome {
    /// Settles the wait (once) and wakes the waiting task.
    fn settle(&self, outcome: Result<(), SchedError>) {
        let mut settled = self.settled.borrow_mut();
        if settled.is_none() {
            *settled = Some(outcome);
            drop(settled);
            if let Some(waker) = self.waiting.borrow_mut().take() {
                waker.wake();
            }
        }
    }

    /// Parks the calling task until the wait is settled. While it is
    /// parked, cancelling it cancels `group` instead (asyncio's
    /// `_GatheringFuture.cancel`), and the wait settles when the group has
    /// ended the way the done callbacks say.
    #[track_caller]
    fn wait(self: &Rc<Self>, group: Vec<TaskHandle>) -> Result<(), SchedError> {
        loop {
            if let Some(outcome) = self.settled.borrow().clone() {
                return outcome;
            }
            *self.waiting.borrow_mut() = Some(waker()?);
            let outcome = Rc::clone(self);
            let group = group.clone();
            park_with_cancel(None, move || {
                // `cancel` every task, not stopping at the first.
                let mut cancelled = false;
                for task in &group {
                    cancelled |= task.cancel();
                }
                if cancelled {
                    outcome.cancel_requested.set(true);
                }
                cancelled
            })?;
        }
    }
}
// ANCHOR_END: outcome

/// Refuses, before anything starts, to wait outside a task, in an async
/// task (which awaits chapter 9's `gather_async` and the rest instead), for
/// a task of another scheduler, or for the caller itself; an empty group
/// needs no check at all. A task of another scheduler is refused even if it
/// has ended, as asyncio's combinators refuse a future of another loop: its
/// done callback would be queued on that scheduler, which may never run
/// again.
fn check_all(tasks: &[TaskHandle], operation: &'static str) -> Result<(), SchedError> {
    if tasks.is_empty() {
        return Ok(());
    }
    check_stackful_task(operation)?;
    tasks
        .iter()
        .try_for_each(|task| task.check_awaitable(operation))
}

// ANCHOR: group
/// A group of tasks that [`gather`] and [`gather_results`] can wait for:
/// a slice (or `Vec`, or array) of handles of one value type, or a tuple
/// of handles of different value types.
pub trait Group {
    /// What [`gather`] returns: a `Vec` of the values, or a tuple.
    type Values;
    /// What [`gather_results`] returns: each task's outcome.
    type Outcomes;
    /// The tasks, in argument order.
    fn tasks(&self) -> Vec<TaskHandle>;
    /// The values, once every task is done (each `join` returns at once).
    fn values(&self) -> Result<Self::Values, SchedError>;
    /// The outcomes, once every task has ended.
    fn outcomes(&self) -> Self::Outcomes;
}
// ANCHOR_END: group

impl<T: Clone + 'static> Group for [JoinHandle<T>] {
    type Values = Vec<T>;
    type Outcomes = Vec<Result<T, SchedError>>;
    fn tasks(&self) -> Vec<TaskHandle> {
        self.iter().map(JoinHandle::task).collect()
    }
    fn values(&self) -> Result<Vec<T>, SchedError> {
        self.iter().map(JoinHandle::join).collect()
    }
    fn outcomes(&self) -> Vec<Result<T, SchedError>> {
        self.iter().map(JoinHandle::join).collect()
    }
}

impl<T: Clone + 'static> Group for Vec<JoinHandle<T>> {
    type Values = Vec<T>;
    type Outcomes = Vec<Result<T, SchedError>>;
    fn tasks(&self) -> Vec<TaskHandle> {
        self.as_slice().tasks()
    }
    fn values(&self) -> Result<Vec<T>, SchedError> {
        self.as_slice().values()
    }
    fn outcomes(&self) -> Vec<Result<T, SchedError>> {
        self.as_slice().outcomes()
    }
}

impl<T: Clone + 'static, const N: usize> Group for [JoinHandle<T>; N] {
    type Values = Vec<T>;
    type Outcomes = Vec<Result<T, SchedError>>;
    fn tasks(&self) -> Vec<TaskHandle> {
        self.as_slice().tasks()
    }
    fn values(&self) -> Result<Vec<T>, SchedError> {
        self.as_slice().values()
    }
    fn outcomes(&self) -> Vec<Result<T, SchedError>> {
        self.as_slice().outcomes()
    }
}

/// `Group` for tuples of handles: `gather(&(a, b))` gives `(A, B)`.
macro_rules! tuple_group {
    ($($name:ident: $value:ident),+) => {
        impl<$($value: Clone + 'static),+> Group for ($(JoinHandle<$value>,)+) {
            type Values = ($($value,)+);
            type Outcomes = ($(Result<$value, SchedError>,)+);
            fn tasks(&self) -> Vec<TaskHandle> {
                let ($($name,)+) = self;
                vec![$($name.task()),+]
            }
            fn values(&self) -> Result<Self::Values, SchedError> {
                let ($($name,)+) = self;
                Ok(($($name.join()?,)+))
            }
            fn outcomes(&self) -> Self::Outcomes {
                let ($($name,)+) = self;
                ($($name.join(),)+)
            }
        }
    };
}

tuple_group!(a: A);
tuple_group!(a: A, b: B);
tuple_group!(a: A, b: B, c: C);
tuple_group!(a: A, b: B, c: C, d: D);
tuple_group!(a: A, b: B, c: C, d: D, e: E);
tuple_group!(a: A, b: B, c: C, d: D, e: E, f: F);

// ANCHOR: gather_results
/// Waits for every task of `group` to end and returns each one's outcome,
/// in argument order: asyncio's `gather(..., return_exceptions=True)`. One
/// task's failure does not hide the others' values.
///
/// # Errors
///
/// [`SchedError::Cancelled`] if the task calling it is cancelled: the
/// gathered tasks are cancelled instead, and it returns once every one of
/// them has ended; and the misuses [`gather`] refuses.
#[track_caller]
pub fn gather_results<G: Group + ?Sized>(group: &G) -> Result<G::Outcomes, SchedError> {
    let tasks = group.tasks();
    check_all(&tasks, "gather_results")?;
    if tasks.is_empty() {
        return Ok(group.outcomes());
    }
    let outcome = Rc::new(Outcome::default());
    let count = tasks.len();
    for task in &tasks {
        let outcome = Rc::clone(&outcome);
        task.add_done_callback(move |_| {
            outcome.ended.set(outcome.ended.get() + 1);
            if outcome.ended.get() == count {
                if outcome.cancel_requested.get() {
                    outcome.settle(Err(SchedError::Cancelled));
                } else {
                    outcome.settle(Ok(()));
                }
            }
        });
    }
    outcome.wait(tasks)?;
    Ok(group.outcomes())
}
// ANCHOR_END: gather_results

// ANCHOR: spawn_and_gather
/// Bodies that [`spawn_and_gather`] can spawn: a `Vec` of closures of one
/// type, or a tuple of closures of different types.
pub trait Bodies {
    /// The handles of the tasks spawned.
    type Handles: Group;
    /// Spawns each body, in order, as a task named `gather[i]`.
    fn spawn_all(self) -> Result<Self::Handles, SchedError>;
}

impl<F, T, E> Bodies for Vec<F>
where
    F: FnOnce() -> Result<T, E> + 'static,
    T: Clone + 'static,
    E: Into<BoxError> + 'static,
{
    type Handles = Vec<JoinHandle<T>>;
    fn spawn_all(self) -> Result<Vec<JoinHandle<T>>, SchedError> {
        self.into_iter()
            .enumerate()
            .map(|(i, body)| spawn(format!("gather[{i}]"), body))
            .collect()
    }
}

/// `Bodies` for tuples of closures.
macro_rules! tuple_bodies {
    ($($index:tt: $body:ident -> $value:ident, $error:ident),+) => {
        impl<$($body, $value, $error),+> Bodies for ($($body,)+)
        where
            $(
                $body: FnOnce() -> Result<$value, $error> + 'static,
                $value: Clone + 'static,
                $error: Into<BoxError> + 'static,
            )+
        {
            type Handles = ($(JoinHandle<$value>,)+);
            fn spawn_all(self) -> Result<Self::Handles, SchedError> {
                Ok(($(spawn(concat!("gather[", stringify!($index), "]"), self.$index)?,)+))
            }
        }
    };
}

tuple_bodies!(0: F0 -> T0, E0);
tuple_bodies!(0: F0 -> T0, E0, 1: F1 -> T1, E1);
tuple_bodies!(0: F0 -> T0, E0, 1: F1 -> T1, E1, 2: F2 -> T2, E2);
tuple_bodies!(0: F0 -> T0, E0, 1: F1 -> T1, E1, 2: F2 -> T2, E2, 3: F3 -> T3, E3);

/// Spawns each body as a task, in argument order, then [`gather`]s them:
/// asyncio's `gather(coro_a(), coro_b())`, which wraps each coroutine in a
/// task first. `spawn_and_gather((fetch_a, fetch_b))` returns `(A, B)`.
///
/// # Errors
///
/// As [`gather`], and [`SchedError::StackRefused`] if a task cannot be
/// spawned (the ones spawned before it keep running).
#[track_caller]
pub fn spawn_and_gather<B: Bodies>(bodies: B) -> Result<<B::Handles as Group>::Values, SchedError> {
    let handles = bodies.spawn_all()?;
    gather(&handles)
}
// ANCHOR_END: spawn_and_gather

// ANCHOR: as_completed
/// The outcomes of a group of tasks in the order they end: asyncio's
/// `as_completed`. Each item is the task's index in the group with its
/// outcome (its value, or why it has none).
///
/// The done callbacks of tasks that had ended before `as_completed` was
/// called run first, in argument order. Cancelling the task that iterates
/// does not cancel the group (asyncio's `as_completed` does not either):
/// the next item is `Err(SchedError::Cancelled)`, and then the iterator
/// ends. An item is also `Err` if the group holds the caller itself, or a
/// task of another scheduler.
pub struct AsCompleted<T> {
    /// The group, in argument order.
    handles: Vec<JoinHandle<T>>,
    /// Indexes of tasks that have ended, in the order their callbacks ran.
    ended: Rc<RefCell<VecDeque<usize>>>,
    /// The iterating task's waker, while it is parked.
    waiting: Rc<RefCell<Option<Waker>>>,
    /// How many outcomes are still to be handed out.
    left: usize,
    /// Whether the group has been checked for misuse yet.
    checked: bool,
}

// ANCHOR: as_completed_watch
/// Hands out the tasks' outcomes as they end. See [`AsCompleted`].
pub fn as_completed<T: 'static>(handles: Vec<JoinHandle<T>>) -> AsCompleted<T> {
    let ended: Rc<RefCell<VecDeque<usize>>> = Rc::default();
    let waiting: Rc<RefCell<Option<Waker>>> = Rc::default();
    for (index, handle) in handles.iter().enumerate() {
        let ended = Rc::clone(&ended);
        let waiting = Rc::clone(&waiting);
        handle.add_done_callback(move |_| {
            ended.borrow_mut().push_back(index);
            if let Some(waker) = waiting.borrow_mut().take() {
                waker.wake();
            }
        });
    }
    let left = handles.len();
    AsCompleted {
        handles,
        ended,
        waiting,
        left,
        checked: false,
    }
}
// ANCHOR_END: as_completed_watch

// ANCHOR: as_completed_next
impl<T: Clone + 'static> AsCompleted<T> {
    /// The index of the next task to end: at once if one has, otherwise
    /// after parking until its done callback runs.
    #[track_caller]
    fn next_index(&mut self) -> Result<usize, SchedError> {
        if !self.checked {
            self.checked = true;
            let tasks: Vec<TaskHandle> = self.handles.iter().map(JoinHandle::task).collect();
            check_all(&tasks, "as_completed")?;
        }
        loop {
            if let Some(index) = self.ended.borrow_mut().pop_front() {
                return Ok(index);
            }
            *self.waiting.borrow_mut() = Some(waker()?);
            park(None)?;
        }
    }
}

impl<T: Clone + 'static> Iterator for AsCompleted<T> {
    type Item = Result<(usize, Result<T, SchedError>), SchedError>;

    /// Waits for the next task to end and returns its index and outcome.
    /// `None` once every task has been handed out.
    #[track_caller]
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        Some(match self.next_index() {
            Ok(index) => {
                self.left -= 1;
                Ok((index, self.handles[index].join()))
            }
            Err(error) => {
                // The caller was cancelled, or misused it: nothing more comes.
                self.left = 0;
                Err(error)
            }
        })
    }
}
// ANCHOR_END: as_completed_next
// ANCHOR_END: as_completed

impl<T> std::fmt::Debug for AsCompleted<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsCompleted")
            .field("tasks", &self.handles.len())
            .field("left", &self.left)
            .finish_non_exhaustive()
    }
}

// ANCHOR: cancel_and_wait
/// Cancels `task` and waits until it has ended: asyncio's
/// `_cancel_and_wait`. When it returns, the task's cleanup has run.
///
/// # Errors
///
/// [`SchedError::Cancelled`] if the caller is cancelled meanwhile.
#[cfg_attr(feature = "exercise-ch07", allow(dead_code))] // used by the rebuild exercise
#[track_caller]
fn cancel_and_wait<T: 'static>(task: &JoinHandle<T>) -> Result<(), SchedError> {
    task.cancel();
    while !task.done() {
        // A waker is good for one wait, and a park may end before the task
        // does (a chapter 9 waker, from elsewhere, wakes any park): a fresh
        // one each time round.
        let woken = waker()?;
        task.add_done_callback(move |_| {
            woken.wake();
        });
        park(None)?;
    }
    Ok(())
}
// ANCHOR_END: cancel_and_wait
