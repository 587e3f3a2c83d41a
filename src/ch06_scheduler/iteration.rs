//! One iteration of the loop, and where a suspended task waits: the rules
//! of asyncio's `_run_once`, in Rust. (This file is the one chapter 6's
//! last exercise has you write again.)
//!
//! This file owns `run_once`, `file` and the timer hop. It relies on
//! `step.rs` to resume a task, on `clock.rs` for the timers and the idle
//! wait, and on `cancel.rs` for a deadlock's end.
//!
//! ```text
//!   run_once:
//!     nothing ready? ── wait until the earliest timer (or: deadlock)
//!     move every due timer to the back of the ready queue
//!     n = length of the ready queue
//!     n times: pop the front entry
//!         Step        ──▶ step the task: resume it, then file it
//!         TimerFired  ──▶ its sleep is over: queue its Step (one hop, as asyncio)
//!         Callback    ──▶ call it, on the scheduler's stack
//!
//!   file, by what the task yielded:
//!     Turn         ──▶ back of the ready queue
//!     Until(t)     ──▶ timer heap ─────────── fires ──▶ TimerFired ──▶ Step
//!     Task(other)  ──▶ other's list of joiners ── other ends ──▶ Step
//!     Park(t)      ──▶ nowhere: its Waker ──wake()──▶ Step (or its timer, at t)
//! ```

use super::error::SchedError;
use super::step::Ready;
use super::task::OnDone;
use super::trace::{Cause, EventKind};
use super::{Resume, Shared, Wait};
use crate::ch04_future_task::Status;

impl Shared {
    // ANCHOR: run_once
    /// One iteration of the loop, as asyncio's `_run_once`.
    pub(super) fn run_once(&self) -> Result<(), SchedError> {
        // Chapter 9: wakes of async tasks from other threads.
        self.take_outside_wakes();
        let mut core = self.core.borrow_mut();
        core.tidy_timers();
        if self.io_registered() {
            // Chapter 10: asyncio asks its selector on every iteration, with
            // no wait if something is ready, else until the earliest timer.
            let timeout = if core.ready.is_empty() {
                core.earliest_deadline()
                    .map(|deadline| deadline.saturating_sub(self.now()))
            } else {
                Some(std::time::Duration::ZERO)
            };
            drop(core);
            let timeout = match timeout {
                // Nothing ready, no timer, and no task waits on a socket:
                // only a promised wake can still come.
                None if !self.io_waiting() => {
                    if !self.wait_for_outside_wakes() {
                        let stuck = self.stuck_tasks();
                        self.cancel_all();
                        return Err(SchedError::Deadlock(stuck));
                    }
                    Some(std::time::Duration::ZERO)
                }
                timeout => timeout,
            };
            self.poll_io(timeout)?;
            self.take_outside_wakes();
            core = self.core.borrow_mut();
        } else if core.ready.is_empty() {
            let earliest = core.earliest_deadline();
            drop(core);
            match earliest {
                Some(deadline) => self.idle_until(deadline),
                // Chapter 9: a wake another thread promised may still come.
                None if self.wait_for_outside_wakes() => {}
                None => {
                    // Nothing is ready and nothing ever will be: report who
                    // is stuck on whom, then cancel them (their destructors
                    // run).
                    let stuck = self.stuck_tasks();
                    self.cancel_all();
                    return Err(SchedError::Deadlock(stuck));
                }
            }
            self.take_outside_wakes();
            core = self.core.borrow_mut();
        }
        if !core.timers.is_empty() {
            core.fire_due_timers(self.now());
        }
        let ntodo = core.ready.len();
        drop(core);
        self.run_ready(ntodo);
        Ok(())
    }
    // ANCHOR_END: run_once

    // ANCHOR: run_ready
    /// Runs the first `ntodo` entries of the ready queue, front first: the
    /// pass of `run_once`. (A function of its own, so that the compiler
    /// keeps this loop, the switch's hot path, small and fully inlined.)
    #[inline(never)]
    fn run_ready(&self, ntodo: usize) {
        for _ in 0..ntodo {
            let mut core = self.core.borrow_mut();
            match core.ready.pop_front() {
                // `step` goes on with this borrow, and lets it go before
                // the task runs.
                Some(Ready::Step { slot, token, why }) => self.step(core, slot, token, why),
                Some(Ready::TimerFired { slot, token }) => {
                    drop(core);
                    self.timer_hop(slot, token);
                }
                Some(Ready::Callback(callback)) => {
                    drop(core);
                    self.run_callback(&callback);
                }
                None => break,
            }
        }
    }
    // ANCHOR_END: run_ready

    // ANCHOR: file
    /// Puts the task in `slot`, just suspended with `token`, where it waits.
    pub(super) fn file(&self, slot: u32, token: u64, wait: Wait) {
        let mut core = self.core.borrow_mut();
        let super::Core {
            tasks,
            timers,
            ready,
        } = &mut *core;
        // Joining: find the joined task first, and join its list.
        let joined = match wait {
            Wait::Task(target) => tasks.by_id(target).is_some_and(|target| {
                let header = target.cell.header();
                let pending = header.status.get() == Status::Pending;
                if pending {
                    header
                        .on_done
                        .borrow_mut()
                        .push(OnDone::Wake { slot, token });
                }
                pending
            }),
            _ => false,
        };
        let Some(task) = tasks.by_token(slot, token) else {
            return;
        };
        let waits = match wait {
            Wait::Turn => false,
            Wait::Until(deadline) => {
                task.set_timer_pending(true);
                timers.set_wake(slot, token, deadline);
                true
            }
            // Its waker was called before it parked: nothing to wait for.
            Wait::Park(_) if task.take_notified() => false,
            Wait::Park(deadline) => {
                if let Some(deadline) = deadline {
                    task.set_timer_pending(true);
                    timers.set_wake(slot, token, deadline);
                }
                true
            }
            // The joined task is over (`join` looks first, so only a
            // misuse gets here): wake at once.
            Wait::Task(_) => joined,
        };
        task.waiting = waits.then_some(wait);
        let cancel_now = waits && task.must_cancel();
        if !waits {
            ready.push_back(Ready::Step {
                slot,
                token,
                why: Resume::Ready,
            });
        } else if cancel_now {
            // It asked for its own cancellation, then suspended: the wait it
            // just began is cancelled at once, as asyncio's task cancels the
            // future it yields when `_must_cancel` is set.
            drop(core);
            self.cancel_waiting(slot, token);
        }
    }
    // ANCHOR_END: file

    /// A [`Ready::TimerFired`] entry: the sleep (or the park's deadline) is
    /// over; the task's step goes to the back of the queue.
    fn timer_hop(&self, slot: u32, token: u64) {
        let id = {
            let mut core = self.core.borrow_mut();
            let tasks = &mut core.tasks;
            let Some(task) = tasks.by_token(slot, token) else {
                return; // woken some other way meanwhile
            };
            if task.waiting.is_none() {
                return; // already in the ready queue
            }
            task.waiting = None;
            task.id
        };
        self.record(Some(id), || EventKind::Woken(Cause::Timer));
        self.push_step(slot, token, Resume::TimedOut);
    }
}
