//! # Chapter 11: threads against tasks
//!
//! A task can only be switched away from where it chooses to wait. Between
//! two waits it owns the thread, and so one blocking call (a synchronous
//! sleep, a long computation, a blocking system call) inside a task stalls
//! every other task on the thread. This chapter shows the stall, makes it
//! visible as asyncio's debug mode does, and hands blocking work to threads
//! where it can block in peace.
//!
//! The core operations are:
//! - [`Scheduler::with_slow_steps`](crate::ch06_scheduler::Scheduler::with_slow_steps):
//!   every step longer than a threshold is reported when it ends (asyncio's
//!   `Executing <Task ...> took 0.305 seconds`), and a watchdog thread
//!   reports one that is still running.
//! - [`to_thread`] (in a stackful task) and [`to_thread_async`] (in an
//!   async one): run a closure on a thread of a bounded pool and wait for
//!   its result without blocking the scheduler: asyncio's `to_thread`,
//!   tokio's `spawn_blocking`.
//! - [`pool_stats`]: the pool's threads, how many are busy, how many jobs
//!   wait.
//! - [`busy_for`] and [`crunch`]: CPU-bound work, the blocking call that
//!   no one can interrupt.
//!
//! ```text
//!   blocking in a task:                   handing it to a thread:
//!   task A: ███ std::thread::sleep ███     task A: to_thread(work) ── parked ───────── result
//!   task B:            waits ... late      pool:          work runs on its own thread ──┘
//!   task C:            waits ... late      task B, C: run on time meanwhile
//! ```
//!
//! What this pool decides, where asyncio and tokio decide the same or
//! differently:
//!
//! - **Cancelling the waiting task does not stop the job.** A thread cannot
//!   be stopped from outside; the job runs to its end, its result is dropped
//!   there, and it wakes nobody. (asyncio's `to_thread` and tokio's
//!   `spawn_blocking` behave the same.)
//! - **Dropping the scheduler leaves its jobs running** (they are
//!   detached): the pool is the process's, not the scheduler's.
//! - **A job is pending work.** While one is in flight, an idle scheduler
//!   waits for it instead of calling a deadlock, and the virtual clock does
//!   not move (chapter 9's `ExpectedWake`).
//! - **A job is never a slow step**: it does not run on the scheduler's
//!   thread.
//!
//! | file | what it owns |
//! |---|---|
//! | `mod.rs` | this essay, and the public API |
//! | `pool.rs` | the pool of threads, its stats, and what a job and its task share |
//! | `offload.rs` | `to_thread`, and the poll of `to_thread_async`'s future |
//! | `work.rs` | CPU-bound work for the programs |
//! | `../ch06_scheduler/debug.rs` | slow steps and the watchdog (chapter 6's folder, since the step is there) |

// The functions the rebuild exercise (11.5) leaves to you live in one file;
// the feature `exercise-ch11` compiles your version in its place.
#[cfg_attr(
    feature = "exercise-ch11",
    path = "../../exercises/ch11_threads/5_rebuild.rs"
)]
mod offload;
// With the stub in place of `offload.rs`, what only `offload.rs` uses is
// unused until the learner uses it: no warning for it then.
#[cfg_attr(feature = "exercise-ch11", allow(dead_code))]
mod pool;
mod work;

pub use offload::to_thread;
pub use pool::{PoolStats, ToThread, max_threads, pool_stats, to_thread_async};
pub use work::{busy_for, crunch};
