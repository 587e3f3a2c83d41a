//! The thread pool behind [`to_thread`](super::to_thread): a bounded set of
//! threads that run jobs handed over by tasks, asyncio's default executor.
//!
//! The pool is the process's, shared by every scheduler: up to
//! [`max_threads`] threads (asyncio's `min(32, os.cpu_count() + 4)`), made
//! as jobs arrive and kept for the next ones. A job that finds every thread
//! busy waits in the queue, first in, first out; [`pool_stats`] shows how
//! many wait.
//!
//! ```text
//!   submit(job): queue it ── more jobs queued than threads idle? and fewer than max threads? make one
//!                         └─ else: wake an idle thread (if any), or leave the job for the next free one
//!   a pool thread: take the oldest job ── run it ── again; nothing queued: wait (idle)
//! ```
//!
//! This file also holds what a job and its task share ([`Handoff`]) and the
//! future [`to_thread_async`] returns; `offload.rs` is the code that hands a
//! job over and waits for it.

use std::collections::VecDeque;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::Waker;
use std::thread;

use crate::ch06_scheduler::{self as ch06, SchedError};

/// A job, ready to run on a pool thread.
pub(super) type Job = Box<dyn FnOnce() + Send>;

/// The pool's state, behind one lock.
#[derive(Default)]
struct Queue {
    /// Jobs waiting for a thread, oldest first.
    jobs: VecDeque<Job>,
    /// Threads made so far: never more than the pool's `max`, and never
    /// fewer, once made, since a pool thread never ends.
    threads: usize,
    /// Threads waiting for a job now. A thread woken for a job still counts
    /// until it has the lock again, so `submit` compares this with the jobs
    /// queued, not with zero.
    idle: usize,
    /// Threads running a job now. Not `threads - idle`: a thread just made,
    /// or just woken, is neither until it has the lock and a job.
    running: usize,
}

/// The pool: its queue, and the condition its idle threads wait on.
struct Pool {
    queue: Mutex<Queue>,
    work: Condvar,
    max: usize,
}

/// How many threads the pool may make: asyncio's default executor's size,
/// `min(32, cpus + 4)`. (The four are for jobs that wait, on a disk or a
/// socket, rather than compute.)
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
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

// ANCHOR: submit
/// Queues `job` on the process's pool, and makes sure a thread will take
/// it: an idle one, or a new one while the pool may still grow. If every
/// thread is busy and the pool is full, the job waits for the first thread
/// to come free.
///
/// # Errors
///
/// [`SchedError::Io`] if the pool has no thread at all and the OS refuses
/// to make one: the job would wait for ever, so it is not queued.
pub(super) fn submit(job: Job) -> Result<(), SchedError> {
    let pool = pool();
    let mut queue = lock(&pool.queue);
    queue.jobs.push_back(job);
    // Each idle thread will take one job; any more need a thread of their
    // own. (Comparing with zero instead would leave a second job behind a
    // first that waits for it, on a pool that could still grow.)
    if queue.jobs.len() <= queue.idle || queue.threads == pool.max {
        drop(queue);
        pool.work.notify_one();
        return Ok(());
    }
    queue.threads += 1;
    let number = queue.threads;
    drop(queue);
    let made = thread::Builder::new()
        .name(format!("to_thread {number}"))
        .spawn(move || pool.work_forever());
    match made {
        Ok(_) => Ok(()),
        Err(error) => {
            let mut queue = lock(&pool.queue);
            queue.threads -= 1;
            if queue.threads > 0 {
                // A busy thread will take it when it is free.
                return Ok(());
            }
            queue.jobs.pop_back();
            Err(SchedError::Io {
                operation: "to_thread",
                kind: error.kind(),
                message: format!(
                    "the OS refused the pool a thread ({error}), and the pool has none to run \
                     the job; see ulimit -u and the kernel's threads-max"
                ),
            })
        }
    }
}
// ANCHOR_END: submit

impl Pool {
    /// A pool thread's life: take the oldest job, run it, again. It never
    /// ends: the pool keeps its threads for the next jobs, as asyncio's
    /// executor does until it is shut down. A panic that escapes a job (its
    /// result's destructor, when nobody waits for it any more) is caught
    /// here: a thread that died would still be counted, busy for ever.
    fn work_forever(&self) {
        loop {
            let job = {
                let mut queue = lock(&self.queue);
                loop {
                    if let Some(job) = queue.jobs.pop_front() {
                        queue.running += 1;
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
            // The panic hook has printed it; the thread goes on.
            let _ = panic::catch_unwind(AssertUnwindSafe(job));
            lock(&self.queue).running -= 1;
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

impl fmt::Display for PoolStats {
    /// `1 job queued, waiting for one of the pool's 6 threads (6 busy)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let jobs = if self.queued == 1 { "job" } else { "jobs" };
        write!(
            f,
            "{} {jobs} queued, waiting for one of the pool's {} threads ({} busy)",
            self.queued, self.threads, self.busy
        )
    }
}

/// What the pool is doing now: how many threads it has, how many of them
/// run a job, and how many jobs wait for one.
pub fn pool_stats() -> PoolStats {
    let queue = lock(&pool().queue);
    PoolStats {
        threads: queue.threads,
        busy: queue.running,
        queued: queue.jobs.len(),
    }
}

// ANCHOR: handoff
/// What a job and the task waiting for it share, behind a lock: the job
/// writes its outcome and takes the waker; the task reads the outcome.
pub(super) struct Handoff<T> {
    /// The job's outcome, once it has run: its value, or its panic's
    /// payload.
    pub(super) result: Option<thread::Result<T>>,
    /// Who to wake when it is there. The task takes it back if it stops
    /// waiting first (cancelled), so that the job then wakes nobody, and
    /// skips its work if it has not begun.
    pub(super) waker: Option<Waker>,
}
// ANCHOR_END: handoff

impl<T> Handoff<T> {
    /// A handoff that will wake `waker`, shared.
    pub(super) fn new(waker: Waker) -> Arc<Mutex<Handoff<T>>> {
        Arc::new(Mutex::new(Handoff {
            result: None,
            waker: Some(waker),
        }))
    }
}

/// A job's outcome as the waiting task receives it: a panic becomes
/// [`SchedError::JobPanicked`], with the panic's message.
pub(super) fn received<T>(outcome: thread::Result<T>) -> Result<T, SchedError> {
    outcome.map_err(|payload| SchedError::JobPanicked {
        message: ch06::panic_text(payload.as_ref()),
    })
}

/// [`to_thread`](super::to_thread) for an async task: a future of the
/// work's result. The work is handed to the pool at the first poll.
/// Dropping the future before the result is there (its task cancelled)
/// keeps a job still in the pool's queue from running; work that has
/// begun runs on, and its result is dropped when it ends.
///
/// # Errors (its output)
///
/// As [`to_thread`](super::to_thread), less the cancellation: an async task
/// is cancelled by dropping this future.
pub fn to_thread_async<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> ToThread<T> {
    ToThread {
        work: Some(Box::new(work)),
        handoff: None,
    }
}

/// The future [`to_thread_async`] returns.
#[must_use = "a future does nothing until it is awaited or polled"]
pub struct ToThread<T> {
    /// The work, until the first poll hands it to the pool.
    pub(super) work: Option<Box<dyn FnOnce() -> T + Send>>,
    /// What the job and this future share, once it is handed over, until
    /// the result is taken.
    pub(super) handoff: Option<Arc<Mutex<Handoff<T>>>>,
}

impl<T> Drop for ToThread<T> {
    /// Dropped while the job runs (its task cancelled): take the waker
    /// back, so that the job, when it ends, wakes nobody.
    fn drop(&mut self) {
        if let Some(handoff) = &self.handoff {
            lock(handoff).waker = None;
        }
    }
}

impl<T> fmt::Debug for ToThread<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToThread")
            .field("handed_over", &self.handoff.is_some())
            .finish()
    }
}
