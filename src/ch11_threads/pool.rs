//! The thread pool behind [`to_thread`]: a bounded set of threads that run
//! jobs handed over by tasks, asyncio's default executor.
//!
//! The pool is the process's, shared by every scheduler: up to
//! [`max_threads`] threads (asyncio's `min(32, os.cpu_count() + 4)`), made
//! as jobs arrive and kept for the next ones. A job that finds every thread
//! busy waits in the queue, first in, first out; [`pool_stats`] shows how
//! many wait.
//!
//! ```text
//!   task: to_thread(job) ── promise a wake (ExpectedWake) ── queue the job ── park
//!   pool thread: run the job (a panic is caught) ── store the result ── wake the task
//!                ── keep the promise (drop the ExpectedWake)
//!   scheduler: the wake arrives in its inbox ── the task's step to the back of the ready queue
//!   task: takes the result
//! ```

use std::collections::VecDeque;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread;

use crate::ch06_scheduler::{self as ch06, ExpectedWake, SchedError};

/// A job, ready to run on a pool thread.
type Job = Box<dyn FnOnce() + Send>;

/// The pool's state, behind one lock.
#[derive(Default)]
struct Queue {
    /// Jobs waiting for a thread, oldest first.
    jobs: VecDeque<Job>,
    /// Threads made so far.
    threads: usize,
    /// Threads waiting for a job now.
    idle: usize,
}

/// The pool: its queue, and the condition its idle threads wait on.
struct Pool {
    queue: Mutex<Queue>,
    work: Condvar,
    max: usize,
}

/// How many threads the pool may make: asyncio's default executor's size,
/// `min(32, cpus + 4)`.
pub fn max_threads() -> usize {
    let cpus = thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    (cpus + 4).min(32)
}

/// The process's pool, made on first use.
fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool {
        queue: Mutex::new(Queue::default()),
        work: Condvar::new(),
        max: max_threads(),
    })
}

/// Locks `mutex`. A panic while it was held leaves nothing half-done in
/// what these locks guard (jobs run outside them), so a poisoned lock is
/// taken over.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Pool {
    /// Queues `job`, and wakes an idle thread or makes a new one if the
    /// pool may still grow.
    fn submit(&'static self, job: Job) {
        let mut queue = lock(&self.queue);
        queue.jobs.push_back(job);
        if queue.idle > 0 {
            drop(queue);
            self.work.notify_one();
        } else if queue.threads < self.max {
            queue.threads += 1;
            let number = queue.threads;
            drop(queue);
            let made = thread::Builder::new()
                .name(format!("to_thread {number}"))
                .spawn(move || self.work_forever());
            if made.is_err() {
                // No thread: the job waits for one of the others (if there
                // are none, pool_stats shows it queued).
                lock(&self.queue).threads -= 1;
            }
        }
    }

    /// A pool thread's life: take the oldest job, run it, again.
    fn work_forever(&self) {
        loop {
            let job = {
                let mut queue = lock(&self.queue);
                loop {
                    if let Some(job) = queue.jobs.pop_front() {
                        break job;
                    }
                    queue.idle += 1;
                    queue = self
                        .work
                        .wait(queue)
                        .unwrap_or_else(PoisonError::into_inner);
                    queue.idle -= 1;
                }
            };
            job();
        }
    }
}

/// What the pool is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Threads made so far (never more than [`max_threads`]).
    pub threads: usize,
    /// Threads running a job now.
    pub busy: usize,
    /// Jobs waiting for a thread.
    pub queued: usize,
}

/// What the pool is doing now.
pub fn pool_stats() -> PoolStats {
    let queue = lock(&pool().queue);
    PoolStats {
        threads: queue.threads,
        busy: queue.threads - queue.idle,
        queued: queue.jobs.len(),
    }
}

/// What a job and the task waiting for it share.
struct Handoff<T> {
    /// The job's outcome, once it has run (a panic's message on `Err`).
    result: Option<Result<T, String>>,
    /// Who to wake when it is there.
    waker: Option<Waker>,
}

/// Wraps `work` into a job that stores its outcome in `handoff`, wakes the
/// waiting task, and then keeps the promise of a wake.
fn job<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
    handoff: Arc<Mutex<Handoff<T>>>,
    promise: ExpectedWake,
) -> Job {
    Box::new(move || {
        let outcome = panic::catch_unwind(AssertUnwindSafe(work))
            .map_err(|payload| ch06::panic_text(payload.as_ref()));
        let waker = {
            let mut handoff = lock(&handoff);
            handoff.result = Some(outcome);
            handoff.waker.take()
        };
        // After the lock is let go: a waker may do anything.
        if let Some(waker) = waker {
            waker.wake();
        }
        drop(promise);
    })
}

/// A job's outcome as the waiting task receives it.
fn received<T>(outcome: Result<T, String>) -> Result<T, SchedError> {
    outcome.map_err(|message| SchedError::JobPanicked { message })
}

// ANCHOR: to_thread
/// Runs `work` on a thread of the pool and waits for its result, in a
/// stackful task: asyncio's `to_thread`, tokio's `spawn_blocking`. While the
/// work runs, the task is parked and every other task runs; the scheduler
/// counts the job as pending work, so it waits for it rather than calling a
/// deadlock, and the virtual clock does not move past it.
///
/// # Errors
///
/// - [`SchedError::JobPanicked`] if `work` panics, with its message.
/// - [`SchedError::Cancelled`] if the task is cancelled while it waits: the
///   work goes on, on its thread (a thread cannot be stopped from outside),
///   and its result is dropped when it ends.
/// - [`SchedError::NotInTask`] outside a task (a job must have a task to
///   hand its result to), and those of `park` from the wrong place.
pub fn to_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, SchedError> {
    let waker = ch06::task_waker()?;
    let promise = ch06::expect_wake()?;
    let handoff = Arc::new(Mutex::new(Handoff {
        result: None,
        waker: Some(waker),
    }));
    pool().submit(job(work, Arc::clone(&handoff), promise));
    loop {
        if let Some(outcome) = lock(&handoff).result.take() {
            return received(outcome);
        }
        ch06::park(None)?;
    }
}
// ANCHOR_END: to_thread

/// [`to_thread`] for an async task: a future of the work's result.
/// Dropping it before the result is there (its task cancelled) leaves the
/// work running, and its result is dropped when it ends.
pub fn to_thread_async<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> ToThread<T> {
    ToThread {
        work: Some(Box::new(work)),
        handoff: None,
    }
}

/// The future [`to_thread_async`] returns.
pub struct ToThread<T> {
    /// The work, until the first poll hands it to the pool.
    work: Option<Box<dyn FnOnce() -> T + Send>>,
    /// What the job and this future share, once it is handed over.
    handoff: Option<Arc<Mutex<Handoff<T>>>>,
}

impl<T> std::fmt::Debug for ToThread<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToThread")
            .field("handed_over", &self.handoff.is_some())
            .finish()
    }
}

impl<T: Send + 'static> Future for ToThread<T> {
    type Output = Result<T, SchedError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(work) = self.work.take() {
            let promise = match ch06::expect_wake() {
                Ok(promise) => promise,
                Err(error) => return Poll::Ready(Err(error)),
            };
            let handoff = Arc::new(Mutex::new(Handoff {
                result: None,
                waker: Some(cx.waker().clone()),
            }));
            pool().submit(job(work, Arc::clone(&handoff), promise));
            self.handoff = Some(handoff);
            return Poll::Pending;
        }
        let Some(handoff) = &self.handoff else {
            // Polled again after it was ready.
            return Poll::Pending;
        };
        let mut shared = lock(handoff);
        match shared.result.take() {
            Some(outcome) => {
                drop(shared);
                self.handoff = None;
                Poll::Ready(received(outcome))
            }
            None => {
                // Keep the latest waker.
                if !shared
                    .waker
                    .as_ref()
                    .is_some_and(|waker| waker.will_wake(cx.waker()))
                {
                    shared.waker = Some(cx.waker().clone());
                }
                Poll::Pending
            }
        }
    }
}
