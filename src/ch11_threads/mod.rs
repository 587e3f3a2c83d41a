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
//!
//! ```text
//!   blocking in a task:                 handing it to a thread:
//!   task A: ███ std::thread::sleep ███   task A: to_thread(work) ── parked ─────────── result
//!   task B:            waits ... late    pool:          work runs on its own thread ──┘
//!   task C:            waits ... late    task B, C: run on time meanwhile
//! ```
//!
//! | file | what it owns |
//! |---|---|
//! | `mod.rs` | this essay, and the public API |
//! | `pool.rs` | the pool, `to_thread` and its future |
//! | `../ch06_scheduler/debug.rs` | slow steps and the watchdog (chapter 6's folder, since the step is there) |

mod pool;

pub use pool::{PoolStats, ToThread, max_threads, pool_stats, to_thread, to_thread_async};
