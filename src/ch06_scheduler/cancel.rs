//! Cancellation, and shutting down: how a task is asked to stop, and what
//! happens to the tasks still alive when the scheduler ends.
//!
//! This file owns `Shared::cancel` and the two ways of ending every task:
//! `cancel_all` (a deadlock, or dropping the scheduler: bounded, then by
//! force) and the pieces of [`Scheduler::shutdown`](super::Scheduler::shutdown)
//! (asyncio.run's ending: cancel, then let the cleanup run to its end). It
//! touches the task table and the ready queue.
//!
//! Cancelling a task does what asyncio's `Task.cancel()` does, by where the
//! task is:
//!
//! ```text
//!   running (it cancels itself) ─▶ must_cancel: its next wait is cancelled as it begins,
//!                                  or, if it returns first, it ends cancelled
//!   in the ready queue ──────────▶ must_cancel: that step is handed Cancelled (a task
//!   (not started, yielded, woken)   that never started is dropped there, never running)
//!   sleeping, parked ────────────▶ woken now, at the back of the ready queue, with Cancelled
//!   parked with an on_cancel ────▶ on_cancel() passes it on (gather: to the gathered
//!                                  tasks); if it had nothing to pass it to, as above
//!   joining task X ──────────────▶ X is cancelled instead, and the joiner waits on:
//!                                  X's end wakes it, and join says X was cancelled
//! ```

use std::panic::{self, AssertUnwindSafe};

use super::current::{Current, CurrentGuard};
use super::error::StuckTask;
use super::task::{Body, Ending};
use super::trace::EventKind;
use super::{Resume, Shared, TaskId, Wait};
use crate::ch04_future_task::Status;

/// How many rounds dropping the scheduler (or a deadlock) cancels the tasks
/// still alive, before it unwinds the stacks of those that refuse to end by
/// force. See `Shared::cancel_all`.
const SHUTDOWN_ROUNDS: usize = 16;

/// How many passes each of those rounds runs, at most, so that cleanup that
/// yields, or joins a task that is cleaning up, gets to its end.
const PASSES_PER_ROUND: usize = 64;

/// What cancelling a suspended task turns into, once the table is let go.
enum Then {
    /// Nothing more: its next step is already queued, and will deliver it.
    Nothing,
    /// Wake it now, with the cancellation.
    Wake,
    /// Pass the cancellation on to the task it joins.
    Forward(TaskId),
    /// Let its `on_cancel` pass it on.
    Hook(Box<dyn FnMut() -> bool>),
}

impl Shared {
    // ANCHOR: cancel
    /// [`JoinHandle::cancel`](super::JoinHandle::cancel): see the module
    /// docs for what it does by where the task is. Returns `false` if the
    /// task has ended.
    pub(super) fn cancel(&self, id: TaskId) -> bool {
        let (token, started, running) = {
            let mut core = self.core.borrow_mut();
            let tasks = &mut core.tasks;
            let token = tasks.token(id.slot());
            let Some(task) = tasks.by_id_mut(id) else {
                return false;
            };
            let running = task.body.is_none();
            if running {
                task.set_must_cancel(true);
            }
            (token, task.started(), running)
        };
        self.record(Some(id), || EventKind::Cancelled { started });
        // A running task cancels itself: its `must_cancel` is set, so it
        // learns of it when it next waits, or ends cancelled if it returns
        // before that (`finish` looks).
        if !running {
            self.cancel_suspended(id, token);
        }
        true
    }
    // ANCHOR_END: cancel

    // ANCHOR: cancel_suspended
    /// Cancels the suspended task `id`, waiting with `token`, by what it
    /// waits for.
    fn cancel_suspended(&self, id: TaskId, token: u64) {
        let slot = id.slot();
        let then = {
            let mut core = self.core.borrow_mut();
            let tasks = &mut core.tasks;
            let Some(task) = tasks.by_token(slot, token) else {
                return;
            };
            match task.waiting {
                None => {
                    task.set_must_cancel(true);
                    Then::Nothing
                }
                Some(Wait::Task(target)) => Then::Forward(target),
                Some(Wait::Park(_)) if task.has_on_cancel() => {
                    Then::Hook(task.take_on_cancel().expect("it has one"))
                }
                Some(_) => Then::Wake,
            }
        };
        // An `on_cancel` that passed the cancellation on is kept for the
        // rest of the same wait: a second cancellation is passed on too, as
        // asyncio's gathering future passes on every `cancel()`. Declared
        // here, so that it is dropped with the table let go.
        let mut keep_hook = None;
        let passed_on = match then {
            Then::Nothing => return,
            Then::Wake => false,
            Then::Forward(target) => self.forward_cancel(id, target),
            Then::Hook(mut on_cancel) => {
                let passed = self.run_as_callback(&mut on_cancel).unwrap_or(false);
                if passed {
                    keep_hook = Some(on_cancel);
                }
                passed
            }
        };
        let wake = {
            let mut core = self.core.borrow_mut();
            let tasks = &mut core.tasks;
            let Some(task) = tasks.by_token(slot, token) else {
                return;
            };
            if task.waiting.is_none() {
                // Woken while the cancellation was being passed on: by the
                // end of the task it joined (then it learns of the
                // cancellation from `join`), or, in a cycle of joins, by
                // this very cancellation coming back round, which it keeps.
                // Either way its flags already say what its step delivers.
                return;
            }
            // Passed on: the cancellation now travels through what it
            // waits for, as asyncio clears `_must_cancel` then.
            task.set_must_cancel(!passed_on);
            if let Some(on_cancel) = keep_hook.take() {
                task.set_on_cancel(on_cancel);
            }
            !passed_on && task.waiting.take().is_some()
        };
        if wake {
            self.push_step(slot, token, Resume::Ready);
        }
    }
    // ANCHOR_END: cancel_suspended

    /// A task that `file` finds cancelled as it begins to wait: cancel that
    /// wait (see [`cancel_suspended`](Self::cancel_suspended)).
    pub(super) fn cancel_waiting(&self, slot: u32, token: u64) {
        let id = self
            .core
            .borrow_mut()
            .tasks
            .by_token(slot, token)
            .map(|task| task.id);
        if let Some(id) = id {
            self.cancel_suspended(id, token);
        }
    }

    // ANCHOR: forward_cancel
    /// Task `joiner` waits for `target`, and is being cancelled: cancel
    /// `target` instead. Returns whether that happened. A cycle of joins
    /// (A joins B, B joins A) would pass it on forever (asyncio's own
    /// recursion error); the task met a second time keeps it instead.
    fn forward_cancel(&self, joiner: TaskId, target: TaskId) -> bool {
        if self.cancelling.borrow().contains(&joiner) {
            return false;
        }
        self.cancelling.borrow_mut().push(joiner);
        let cancelled = self.cancel(target);
        self.cancelling.borrow_mut().retain(|id| *id != joiner);
        cancelled
    }
    // ANCHOR_END: forward_cancel

    /// Every live task, with what it waits for.
    pub(super) fn stuck_tasks(&self) -> Vec<StuckTask> {
        let core = self.core.borrow();
        let tasks = &core.tasks;
        let mut stuck: Vec<StuckTask> = tasks
            .iter()
            .map(|task| StuckTask {
                name: task.cell.header().name.to_string(),
                id: task.id,
                wakers_alive: match &task.body {
                    Some(Body::Async(body)) => Some(body.wakers_alive()),
                    _ => None,
                },
                waiting_for: match task.waiting {
                    Some(Wait::Task(target)) => Some((
                        target,
                        tasks.by_id(target).map_or_else(
                            || target.to_string(),
                            |t| t.cell.header().name.to_string(),
                        ),
                    )),
                    _ => None,
                },
            })
            .collect();
        stuck.sort_by_key(|task| task.id);
        stuck
    }

    // ANCHOR: cancel_all
    /// Ends every live task now, as dropping the scheduler and a deadlock
    /// must; each task ends exactly once, and the destructors of every value
    /// on its stack run.
    ///
    /// Each round hands every live task [`SchedError::Cancelled`] where it
    /// waits (directly: nothing is passed on to a joined task, since every
    /// task is being cancelled anyway), then runs the passes that makes
    /// ready, without waiting for any timer. A task that never started is
    /// dropped on its own stack at its first step, never running. Cleanup
    /// that waits is cancelled again in the next round.
    ///
    /// A task still alive after [`SHUTDOWN_ROUNDS`] rounds refuses to end:
    /// its coroutine is dropped by force, which unwinds its stack. (A
    /// destructor that panics during that unwinding aborts the process, as
    /// any panic during a panic does; only such a task ever gets there.)
    ///
    /// [`SchedError::Cancelled`]: super::SchedError::Cancelled
    pub(super) fn cancel_all(&self) {
        for _ in 0..SHUTDOWN_ROUNDS {
            let live = self.core.borrow().tasks.ids();
            if live.is_empty() {
                break;
            }
            for id in live {
                self.deliver_cancel(id);
            }
            for _ in 0..PASSES_PER_ROUND {
                if self.core.borrow().ready.is_empty() {
                    break;
                }
                self.run_ready_now();
            }
        }
        // Whatever is left is dropped by force. The done callbacks of the
        // tasks that ends still run (in passes of their own), and a task a
        // callback spawns is dropped in the next round.
        for _ in 0..SHUTDOWN_ROUNDS {
            self.drop_all_by_force();
            for _ in 0..PASSES_PER_ROUND {
                if self.core.borrow().ready.is_empty() {
                    break;
                }
                self.run_ready_now();
            }
            if self.core.borrow().tasks.live() == 0 {
                break;
            }
        }
        // What is left is dropped with the table let go: a callback that
        // never ran may own values whose destructors use the scheduler.
        let (ready, timers) = {
            let mut core = self.core.borrow_mut();
            let timers = std::mem::take(&mut core.timers);
            (std::mem::take(&mut core.ready), timers)
        };
        drop((ready, timers));
    }
    // ANCHOR_END: cancel_all

    /// Hands task `id` a cancellation at its next step, waking it now if it
    /// waits; whatever its `on_cancel` would have done is dropped.
    fn deliver_cancel(&self, id: TaskId) {
        let (wake, hook, started) = {
            let mut core = self.core.borrow_mut();
            let tasks = &mut core.tasks;
            let token = tasks.token(id.slot());
            let Some(task) = tasks.by_id_mut(id) else {
                return;
            };
            if task.body.is_none() {
                return; // it is running: it cannot be resumed again
            }
            task.set_must_cancel(true);
            let wake = task.waiting.take().is_some().then_some(token);
            (wake, task.take_on_cancel(), task.started())
        };
        drop(hook);
        self.record(Some(id), || EventKind::Cancelled { started });
        if let Some(token) = wake {
            self.push_step(id.slot(), token, Resume::Ready);
        }
    }

    /// Runs the entries in the ready queue now, as one pass of `run_once`
    /// without its timers.
    fn run_ready_now(&self) {
        let ntodo = self.core.borrow().ready.len();
        for _ in 0..ntodo {
            let mut core = self.core.borrow_mut();
            let next = core.ready.pop_front();
            match next {
                Some(super::Ready::Step { slot, token, why }) => self.step(core, slot, token, why),
                Some(super::Ready::TimerFired { .. }) => {} // no time passes here
                Some(super::Ready::Callback(callback)) => {
                    drop(core);
                    self.run_callback(&callback);
                }
                None => break,
            }
        }
    }

    /// Drops every task still in the table by force: its coroutine is
    /// dropped (which unwinds its stack, or drops the body of a task that
    /// never started), with no task in `CURRENT`, so nothing on the way can
    /// suspend; then it is settled as cancelled.
    fn drop_all_by_force(&self) {
        loop {
            // Take the whole table first: a destructor may spawn, and what
            // it spawns lands in the emptied table, dropped in the next pass.
            let tasks = self.core.borrow_mut().tasks.take_all();
            if tasks.is_empty() {
                break;
            }
            for mut task in tasks {
                let coroutine = task.body.take();
                let dropped = panic::catch_unwind(AssertUnwindSafe(|| {
                    let _nothing_runs = CurrentGuard::set(Current::NONE);
                    drop(coroutine);
                }));
                if let Err(payload) = dropped {
                    self.keep_panic(payload);
                }
                if task.cell.header().status.get() == Status::Pending {
                    self.settle(&task, Ending::Cancelled);
                }
                let rest = panic::catch_unwind(AssertUnwindSafe(move || drop(task)));
                if let Err(payload) = rest {
                    self.keep_panic(payload);
                }
            }
        }
    }

    /// Keeps `payload` to pass on once the pass is over; the first panic
    /// kept wins, and a later one is printed so that it is not lost.
    pub(super) fn keep_panic(&self, payload: Box<dyn std::any::Any + Send>) {
        let mut kept = self.kept_panic.borrow_mut();
        if kept.is_none() {
            *kept = Some(payload);
        } else {
            eprintln!(
                "[scheduler] another panic while one was already on its way out: {}",
                super::error::panic_text(payload.as_ref())
            );
        }
    }
}
