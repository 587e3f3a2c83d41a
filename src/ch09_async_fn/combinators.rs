//! Chapter 7's combinators for an async task: [`gather_async`],
//! [`wait_for_async`] and [`as_completed_async`], futures with the same
//! meaning as [`gather`](crate::ch07_combinators::gather),
//! [`wait_for`](crate::ch07_combinators::wait_for) and
//! [`as_completed`](crate::ch07_combinators::as_completed), which park a
//! stackful task and so refuse an async one.
//!
//! They watch their tasks the way chapter 7 does, through done callbacks,
//! and differ only where an async task differs: it is cancelled by
//! dropping the future it awaits, and a destructor cannot wait.
//!
//! ```text
//!   gather_async(&tasks).await       first poll: a done callback on every task ─▶ Pending
//!                                    a callback: note which task ended, wake the awaiting task
//!                                    a poll: a failure among the ended? Ready(Err(it)), the rest run on
//!                                            all ended well? Ready(Ok(values, in argument order))
//!                                    dropped before that (its task cancelled): cancel every task
//!
//!   wait_for_async(&task, t).await   Waiting: the task's end, or a sleep of t, whichever comes first
//!                                    the sleep ends first: cancel the task ─▶ Cancelling:
//!                                    its end (its cleanup run) ─▶ Ready(Err(TimedOut))
//!                                    dropped while Waiting (its task cancelled): cancel the task
//!
//!   as_completed_async(tasks)        .next().await: the next task to end, with its index
//! ```

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use crate::ch04_future_task::Status;
use crate::ch06_scheduler::{JoinFuture, JoinHandle, SchedError, TaskHandle, check_in_task};

use super::tasks::{Delay, sleep};

/// What the done callbacks of a group of tasks tell the future that waits
/// for them: which tasks have ended, in the order they ended, and whom to
/// wake.
#[derive(Default)]
struct Ended {
    /// The indexes of the tasks that have ended and not been looked at.
    indexes: RefCell<VecDeque<usize>>,
    /// The waker of the latest poll; taken by the first callback after it.
    waker: RefCell<Option<Waker>>,
}

impl Ended {
    /// Checks that the code running now may wait for `tasks` (inside a
    /// task of their scheduler, none of them its own, even one that has
    /// ended: its callback would go to its own scheduler), then puts a done
    /// callback on each, which notes the task's index and wakes the poller.
    fn watch(tasks: &[TaskHandle], operation: &'static str) -> Result<Rc<Ended>, SchedError> {
        Ended::check(tasks, operation)?;
        let ended = Rc::new(Ended::default());
        for (index, task) in tasks.iter().enumerate() {
            let ended = Rc::clone(&ended);
            task.add_done_callback(move |_| {
                ended.indexes.borrow_mut().push_back(index);
                let waker = ended.waker.borrow_mut().take();
                if let Some(waker) = waker {
                    waker.wake();
                }
            });
        }
        Ok(ended)
    }

    /// Whether the code running now may wait for `tasks`: inside a task of
    /// their scheduler, none of them its own.
    fn check(tasks: &[TaskHandle], operation: &'static str) -> Result<(), SchedError> {
        check_in_task(operation)?;
        tasks
            .iter()
            .try_for_each(|task| task.check_awaitable(operation))
    }

    /// The index of the next task to have ended, if one has.
    fn next(&self) -> Option<usize> {
        self.indexes.borrow_mut().pop_front()
    }

    /// Keeps `cx`'s waker for the next callback (a clone only if the one
    /// kept would wake someone else).
    fn wake_me(&self, cx: &Context<'_>) {
        let mut waker = self.waker.borrow_mut();
        if !waker
            .as_ref()
            .is_some_and(|kept| kept.will_wake(cx.waker()))
        {
            *waker = Some(cx.waker().clone());
        }
    }

    /// Forgets the waker: the future is gone, and its task must not be
    /// woken for it any more.
    fn forget(&self) {
        self.waker.borrow_mut().take();
    }
}

// ANCHOR: gather_async
/// Waits for every task in `tasks`, in an async task: chapter 7's
/// [`gather`](crate::ch07_combinators::gather), awaited as
/// `gather_async(&tasks).await?`. The values come in the order of `tasks`,
/// whatever the order the tasks end in.
///
/// The first task to fail (or to be cancelled) ends the wait with its
/// error, and the other tasks run on, as in asyncio. Dropping the future
/// before it is ready (the awaiting task cancelled) cancels every task it
/// waits for, as cancelling asyncio's gather does; unlike the stackful
/// `gather`, it cannot wait for their cleanup, since a destructor cannot
/// wait.
///
/// # Errors (its output)
///
/// The first failure, as [`JoinHandle::join`] gives it
/// ([`SchedError::TaskFailed`] or [`SchedError::TaskCancelled`]);
/// [`SchedError::NotInTask`], [`SchedError::InCallback`],
/// [`SchedError::JoinSelf`] or [`SchedError::ForeignTask`] at its first poll,
/// before anything is watched.
pub fn gather_async<T: Clone + 'static>(tasks: &[JoinHandle<T>]) -> GatherAsync<T> {
    GatherAsync {
        tasks: tasks.to_vec(),
        ended: None,
        ended_well: 0,
        ready: false,
    }
}

/// The future [`gather_async`] returns.
#[must_use = "a future does nothing until it is awaited"]
pub struct GatherAsync<T: 'static> {
    /// The tasks, in argument order.
    tasks: Vec<JoinHandle<T>>,
    /// What their done callbacks say, from the first poll on.
    ended: Option<Rc<Ended>>,
    /// How many have ended well so far.
    ended_well: usize,
    /// Whether it has given its output.
    ready: bool,
}

impl<T: Clone + 'static> Future for GatherAsync<T> {
    type Output = Result<Vec<T>, SchedError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.ready {
            return Poll::Pending; // polled after its output: nothing more to give
        }
        let ended = match &this.ended {
            Some(ended) => Rc::clone(ended),
            None if this.tasks.is_empty() => return this.settle(Ok(Vec::new())),
            None => {
                let tasks: Vec<TaskHandle> = this.tasks.iter().map(JoinHandle::task).collect();
                match Ended::watch(&tasks, "gather_async") {
                    Ok(ended) => this.ended.insert(ended).clone(),
                    Err(error) => return this.settle(Err(error)),
                }
            }
        };
        while let Some(index) = ended.next() {
            let task = &this.tasks[index];
            if task.status() == Status::Done {
                this.ended_well += 1;
            } else {
                // Failed or cancelled: `join` says which, and returns at once.
                let failure = task.join().err().expect("a task that did not end well");
                return this.settle(Err(failure));
            }
        }
        if this.ended_well == this.tasks.len() {
            let values = this.tasks.iter().map(JoinHandle::join).collect();
            return this.settle(values);
        }
        ended.wake_me(cx);
        Poll::Pending
    }
}

impl<T: 'static> GatherAsync<T> {
    /// Gives `output`, once: the wait is over.
    fn settle(&mut self, output: Result<Vec<T>, SchedError>) -> Poll<Result<Vec<T>, SchedError>> {
        self.ready = true;
        if let Some(ended) = &self.ended {
            ended.forget();
        }
        Poll::Ready(output)
    }
}

impl<T: 'static> Drop for GatherAsync<T> {
    /// Dropped while it waits (its task cancelled): cancels every task it
    /// waits for, as cancelling asyncio's gather does.
    fn drop(&mut self) {
        if let Some(ended) = &self.ended
            && !self.ready
        {
            ended.forget();
            for task in &self.tasks {
                task.cancel();
            }
        }
    }
}
// ANCHOR_END: gather_async

impl<T: 'static> std::fmt::Debug for GatherAsync<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatherAsync")
            .field("tasks", &self.tasks.len())
            .field("ended_well", &self.ended_well)
            .field("ready", &self.ready)
            .finish()
    }
}

// ANCHOR: wait_for_async
/// Waits for `task`, but for at most `timeout`, in an async task: chapter
/// 7's [`wait_for`](crate::ch07_combinators::wait_for), awaited as
/// `wait_for_async(&task, timeout).await?`.
///
/// If the time runs out first, `task` is cancelled, and the future waits
/// for its cleanup to end before it gives [`SchedError::TimedOut`] (or the
/// task's value, if it ended well all the same). A zero timeout does not
/// wait: a task that has ended gives its outcome, any other is cancelled.
/// Dropping the future while it waits (the awaiting task cancelled)
/// cancels `task`, as asyncio's `wait_for` does; it cannot wait for the
/// cleanup, since a destructor cannot wait.
///
/// # Errors (its output)
///
/// [`SchedError::TimedOut`]; the task's own failure or cancellation, as
/// [`JoinHandle::join`] gives it; [`SchedError::NotInTask`],
/// [`SchedError::InCallback`], [`SchedError::JoinSelf`] or
/// [`SchedError::ForeignTask`] at its first poll.
pub fn wait_for_async<T: Clone + 'static>(
    task: &JoinHandle<T>,
    timeout: Duration,
) -> WaitForAsync<T> {
    WaitForAsync {
        task: task.clone(),
        end: task.clone().into_future(),
        timeout,
        state: WaitState::NotStarted,
    }
}

/// The future [`wait_for_async`] returns.
#[must_use = "a future does nothing until it is awaited"]
pub struct WaitForAsync<T: 'static> {
    /// The task waited for.
    task: JoinHandle<T>,
    /// Its end, as a future.
    end: JoinFuture<T>,
    /// The longest wait.
    timeout: Duration,
    /// Where the wait is.
    state: WaitState,
}

/// Where a [`WaitForAsync`] is.
enum WaitState {
    /// Not polled yet.
    NotStarted,
    /// Waiting for the task's end, or for the time to run out.
    Waiting(Delay),
    /// The time ran out and the task was cancelled: waiting for its end.
    Cancelling,
    /// The output has been given.
    Over,
}

impl<T: Clone + 'static> Future for WaitForAsync<T> {
    type Output = Result<T, SchedError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                WaitState::NotStarted => {
                    if let Err(error) = Ended::check(&[this.task.task()], "wait_for_async") {
                        this.state = WaitState::Over;
                        return Poll::Ready(Err(error));
                    }
                    if this.timeout.is_zero() && this.task.done() {
                        // No time, and nothing to wait for: its outcome, as
                        // it is (a task that ended cancelled says so).
                        this.state = WaitState::Over;
                        return Poll::Ready(this.task.join());
                    }
                    this.state = if this.timeout.is_zero() {
                        this.task.cancel();
                        WaitState::Cancelling
                    } else {
                        WaitState::Waiting(sleep(this.timeout))
                    };
                }
                WaitState::Waiting(timer) => {
                    // The task's end first: if both happened, the value wins.
                    if let Poll::Ready(outcome) = Pin::new(&mut this.end).poll(cx) {
                        this.state = WaitState::Over;
                        return Poll::Ready(outcome);
                    }
                    match Pin::new(timer).poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Err(error)) => {
                            this.state = WaitState::Over;
                            return Poll::Ready(Err(error));
                        }
                        Poll::Ready(Ok(())) => {
                            this.task.cancel();
                            this.state = WaitState::Cancelling;
                        }
                    }
                }
                WaitState::Cancelling => {
                    let outcome = std::task::ready!(Pin::new(&mut this.end).poll(cx));
                    this.state = WaitState::Over;
                    return Poll::Ready(match outcome {
                        Err(SchedError::TaskCancelled { .. }) => Err(SchedError::TimedOut),
                        other => other,
                    });
                }
                WaitState::Over => return Poll::Pending,
            }
        }
    }
}

impl<T: 'static> Drop for WaitForAsync<T> {
    /// Dropped while it waits (its task cancelled): cancels the task it
    /// waits for, as asyncio's `wait_for` does.
    fn drop(&mut self) {
        if matches!(self.state, WaitState::Waiting(_)) {
            self.task.cancel();
        }
    }
}
// ANCHOR_END: wait_for_async

impl<T: 'static> std::fmt::Debug for WaitForAsync<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            WaitState::NotStarted => "not started",
            WaitState::Waiting(_) => "waiting",
            WaitState::Cancelling => "cancelling",
            WaitState::Over => "over",
        };
        f.debug_struct("WaitForAsync")
            .field("task", &self.task.task())
            .field("timeout", &self.timeout)
            .field("state", &state)
            .finish()
    }
}

// ANCHOR: as_completed_async
/// The tasks of `tasks` in the order they end, in an async task: chapter
/// 7's [`as_completed`](crate::ch07_combinators::as_completed), as
/// `while let Some(next) = done.next().await { let (index, outcome) = next?; }`.
/// Each item is the task's index in `tasks` and its outcome; dropping the
/// `AsCompletedAsync` leaves the tasks running.
pub fn as_completed_async<T: Clone + 'static>(tasks: Vec<JoinHandle<T>>) -> AsCompletedAsync<T> {
    let left = tasks.len();
    AsCompletedAsync {
        tasks,
        ended: None,
        left,
    }
}

/// What [`as_completed_async`] returns: call [`next`](Self::next) and
/// await it for each task.
pub struct AsCompletedAsync<T: 'static> {
    /// The tasks, in argument order.
    tasks: Vec<JoinHandle<T>>,
    /// What their done callbacks say, from the first poll on.
    ended: Option<Rc<Ended>>,
    /// How many have not been handed out.
    left: usize,
}

/// One item of [`AsCompletedAsync`]: the index of a task that has ended,
/// and its outcome; or the error that ended the whole wait (the checks of
/// the first poll), after which nothing more comes.
pub type Completed<T> = Result<(usize, Result<T, SchedError>), SchedError>;

impl<T: Clone + 'static> AsCompletedAsync<T> {
    /// The next task to end: a future of `Some` item, or `None` once every
    /// task has been handed out.
    #[allow(clippy::should_implement_trait)] // `Iterator::next` cannot wait: this is awaited
    pub fn next(&mut self) -> NextCompleted<'_, T> {
        NextCompleted { of: self }
    }
}

impl<T: 'static> Drop for AsCompletedAsync<T> {
    fn drop(&mut self) {
        if let Some(ended) = &self.ended {
            ended.forget();
        }
    }
}

/// The future [`AsCompletedAsync::next`] returns.
#[must_use = "a future does nothing until it is awaited"]
pub struct NextCompleted<'a, T: 'static> {
    /// What it takes the next task from.
    of: &'a mut AsCompletedAsync<T>,
}

impl<T: Clone + 'static> Future for NextCompleted<'_, T> {
    type Output = Option<Completed<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let of = &mut *self.get_mut().of;
        if of.left == 0 {
            return Poll::Ready(None);
        }
        let ended = match &of.ended {
            Some(ended) => Rc::clone(ended),
            None => {
                let tasks: Vec<TaskHandle> = of.tasks.iter().map(JoinHandle::task).collect();
                match Ended::watch(&tasks, "as_completed_async") {
                    Ok(ended) => of.ended.insert(ended).clone(),
                    Err(error) => {
                        of.left = 0; // nothing more comes
                        return Poll::Ready(Some(Err(error)));
                    }
                }
            }
        };
        if let Some(index) = ended.next() {
            of.left -= 1;
            return Poll::Ready(Some(Ok((index, of.tasks[index].join()))));
        }
        ended.wake_me(cx);
        Poll::Pending
    }
}
// ANCHOR_END: as_completed_async

impl<T: 'static> std::fmt::Debug for AsCompletedAsync<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsCompletedAsync")
            .field("tasks", &self.tasks.len())
            .field("left", &self.left)
            .finish()
    }
}

impl<T: 'static> std::fmt::Debug for NextCompleted<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NextCompleted")
            .field("left", &self.of.left)
            .finish()
    }
}
