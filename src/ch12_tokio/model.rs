//! tokio's current-thread scheduler as a model: its loop, with the task
//! polls replaced by the steps of a [`Script`], so that it can say in what
//! order tokio will poll a script's tasks without running tokio.
//!
//! The loop is `CoreGuard::block_on` in tokio's
//! `src/runtime/scheduler/current_thread/mod.rs` (1.54.1), with what a
//! script cannot reach left out (other threads, the budget, metrics).
//! Five rules come from it:
//!
//! - The future given to `block_on` (`main` here) is **not a task**: it is
//!   polled only at the top of the outer loop, and only if it was woken.
//! - Tasks run **first in, first out**, at most `event_interval` (61) in a
//!   row; then the **driver** is polled without waiting (timers, I/O).
//! - When the run queue is empty, the driver is polled too, and the loop
//!   starts over at the top: waiting (**parking**) only if nothing at all
//!   is pending; with the clock paused, a park jumps to the next timer.
//! - `yield_now` **defers** its waker: deferred tasks are woken only after
//!   the driver was polled, and the last to yield is woken first.
//! - A due timer wakes its task only when the driver is polled.
//!
//! ```text
//!   loop {
//!       if main was woken: poll main; if it is ready, return
//!       up to event_interval times:
//!           pop the front task and poll it
//!           or, if the queue is empty: drive (park if nothing is pending),
//!              wake the deferred (last first), and go back to the top
//!       drive without waiting, wake the deferred (last first)
//!   }
//! ```
//!
//! The chapter's tests run every script through this model and through
//! tokio itself, and require the same poll order.

use std::collections::VecDeque;

use super::script::{Script, ScriptError, Step};

/// `main`'s index in a script: the future handed to `block_on`.
const MAIN: usize = 0;

// ANCHOR: state
/// What the model keeps: tokio's `Core` and `Context`, reduced to what a
/// script can touch.
struct Model<'s> {
    script: &'s Script,
    /// How many tasks run in a row before the driver is polled: tokio's
    /// `event_interval`, 61 unless the builder says otherwise.
    event_interval: u32,
    /// The run queue, front first. Never holds `main`.
    queue: VecDeque<usize>,
    /// Tasks that called `yield_now`, in the order they did: tokio's
    /// `Defer`, which wakes them last first, after the driver.
    deferred: Vec<usize>,
    /// Whether `main`'s waker was called since it was last polled (tokio's
    /// `woken` flag). Set at the start, so `main` is polled first.
    main_woken: bool,
    /// Sleeping tasks: (deadline in ms, order set, task).
    timers: Vec<(u64, u64, usize)>,
    /// Timers set so far: the tie-breaker for equal deadlines.
    timers_set: u64,
    /// The paused clock, in ms. It moves only when the loop parks.
    now: u64,
    /// Each task's next step.
    next_step: Vec<usize>,
    /// Whether each task has ended.
    ended: Vec<bool>,
    /// Who waits for each task: its spawner, once it has joined it.
    joiner: Vec<Option<usize>>,
    /// The poll order so far.
    polls: Vec<&'static str>,
}
// ANCHOR_END: state

// ANCHOR: tokio_order
/// The order in which tokio's current-thread runtime, with its clock
/// paused and `event_interval` as given (61 by default), polls the tasks of
/// `script`: each task's name once per poll.
///
/// # Errors
///
/// [`ScriptError::Invalid`] if the script breaks a rule of
/// [`Script::check`]; [`ScriptError::WaitsForever`] if the runtime would
/// park with nothing to wake it (a checked script never does).
///
/// # Panics
///
/// If `event_interval` is zero, as tokio's builder does.
pub fn tokio_order(script: &Script, event_interval: u32) -> Result<Vec<&'static str>, ScriptError> {
    assert!(event_interval > 0, "event_interval must be greater than 0");
    script.check()?;
    let count = script.tasks.len();
    let mut model = Model {
        script,
        event_interval,
        queue: VecDeque::new(),
        deferred: Vec::new(),
        main_woken: true,
        timers: Vec::new(),
        timers_set: 0,
        now: 0,
        next_step: vec![0; count],
        ended: vec![false; count],
        joiner: vec![None; count],
        polls: Vec::new(),
    };
    loop {
        if std::mem::take(&mut model.main_woken) && model.poll(MAIN) {
            return Ok(model.polls);
        }
        let mut batch_ran_out = false;
        for _ in 0..model.event_interval {
            match model.queue.pop_front() {
                Some(task) => {
                    model.poll(task);
                }
                None => {
                    // Nothing to run: park, unless something is pending
                    // (then only look at the driver), and start over.
                    let pending = !model.deferred.is_empty() || model.main_woken;
                    model.drive(!pending)?;
                    batch_ran_out = true;
                    break;
                }
            }
        }
        if !batch_ran_out {
            // `event_interval` tasks in a row: look at the driver.
            model.drive(false)?;
        }
    }
}
// ANCHOR_END: tokio_order

impl Model<'_> {
    // ANCHOR: poll
    /// Polls `task`: runs its steps until one returns `Pending`, or until
    /// they run out. Returns whether the task has ended.
    fn poll(&mut self, task: usize) -> bool {
        let script = &self.script.tasks[task];
        self.polls.push(script.name);
        loop {
            let Some(&step) = script.steps.get(self.next_step[task]) else {
                self.ended[task] = true;
                if let Some(joiner) = self.joiner[task].take() {
                    self.wake(joiner);
                }
                return true;
            };
            self.next_step[task] += 1;
            match step {
                // `tokio::spawn`: the new task goes to the back at once.
                Step::Spawn(child) => self.queue.push_back(child),
                // Awaiting a task that has ended is ready at once.
                Step::Join(child) if self.ended[child] => {}
                Step::Join(child) => {
                    self.joiner[child] = Some(task);
                    return false;
                }
                Step::Wake => {
                    self.wake(task);
                    return false;
                }
                Step::Yield => {
                    // tokio's `Defer` skips a waker that would wake the same
                    // task as the last one deferred.
                    if self.deferred.last() != Some(&task) {
                        self.deferred.push(task);
                    }
                    return false;
                }
                Step::Sleep(ms) => {
                    self.timers.push((self.now + ms, self.timers_set, task));
                    self.timers_set += 1;
                    return false;
                }
            }
        }
    }
    // ANCHOR_END: poll

    /// A waker's call: `main`'s sets the flag, a task's pushes it to the
    /// back of the run queue.
    fn wake(&mut self, task: usize) {
        if task == MAIN {
            self.main_woken = true;
        } else {
            self.queue.push_back(task);
        }
    }

    // ANCHOR: drive
    /// The driver, polled: with `park`, it waits, which on the paused
    /// clock is a jump to the earliest timer; then every due timer wakes
    /// its task, in deadline order; then the deferred tasks are woken, last
    /// first.
    fn drive(&mut self, park: bool) -> Result<(), ScriptError> {
        if park {
            let earliest = self.timers.iter().map(|&(deadline, ..)| deadline).min();
            match earliest {
                Some(deadline) => self.now = self.now.max(deadline),
                None => return Err(ScriptError::WaitsForever(self.polls.clone())),
            }
        }
        self.timers.sort_unstable();
        let due = self
            .timers
            .iter()
            .take_while(|&&(deadline, ..)| deadline <= self.now)
            .count();
        for (_, _, task) in self.timers.drain(..due).collect::<Vec<_>>() {
            self.wake(task);
        }
        while let Some(task) = self.deferred.pop() {
            self.wake(task);
        }
        Ok(())
    }
    // ANCHOR_END: drive
}
