//! # Chapter 12: from yieldpoint to tokio
//!
//! Where a learner goes next is tokio. This chapter runs the course's
//! programs on tokio's current-thread runtime beside the course's own
//! scheduler, and shows every place the two order things differently.
//!
//! tokio is a dev-dependency of this crate, so the library cannot use it:
//! this module holds the **course's side** only. The tokio side lives in
//! `examples/ch12_tokio/on_tokio.rs`, where the chapter's example and tests
//! can reach tokio, and the tests put the two side by side.
//!
//! The core operations are:
//! - The programs (`programs.rs`): step 10, T1/T3/T2 and chapter 7's
//!   requests, chapter 10's concurrent fetch over loopback ([`loopback`]),
//!   chapter 11's stalled fetch, its blocking call in a task or handed to
//!   a thread ([`stalled_fetch`]), `gather`, `wait_for` and cancellation,
//!   and the small programs that
//!   show a difference (the turns of [`turns`], a timer behind busy tasks in
//!   [`busy_timer`], [`drain`], the clock). Each runs on a scheduler of its
//!   own and returns the lines it said, as [`step10`] does.
//! - [`unbounded_channel`]: a channel with tokio's shape whose receiver
//!   never asks its task to give the thread up, where tokio's spends a
//!   budget.
//! - [`Script`]: tiny programs of tasks that wake themselves, yield, sleep,
//!   spawn and join, and [`course_order`], who is polled when on chapter 6's
//!   scheduler (asyncio's rules).
//! - [`tokio_order`]: tokio's current-thread loop as a model, which says who
//!   tokio polls when for a script, without tokio. The tests check it
//!   against tokio itself.
//!
//! Where the two runtimes part ways, by the rule behind each:
//!
//! ```text
//!                        asyncio, chapter 6              tokio, current thread
//!   main                 a task in the ready queue       the block_on future: polled only
//!                                                        between batches of tasks
//!   timers (and I/O)     looked at every iteration       every 61 polls (event_interval),
//!                                                        or when the queue is empty
//!   yield_now            back of the queue, in order     deferred until after the driver,
//!                                                        woken last first
//!   a ready resource     never makes a task yield        spends a budget of 128 a poll
//!   cancel               an error at the suspension      the future dropped at its .await
//!                        point (chapter 9's async
//!                        tasks: dropped, like tokio)
//!   virtual time         exact; waits for a promised     whole milliseconds; jumps to the
//!                        wake from another thread        next timer whenever it is idle
//!   sockets on           refused before the socket is    allowed; the clock jumps past an
//!   virtual time         made (chapter 10)               answer still on its way
//!   blocking work        the process's pool, min(32,     each runtime's pool, 512
//!   off the thread       cpus + 4) threads; a queued     threads; abort keeps a queued
//!   (chapter 11)         job runs though nobody waits    job from running; dropping the
//!                        for it; dropping the scheduler  runtime waits for the jobs that
//!                        leaves its jobs running         have started
//! ```
//!
//! (A blocking call inside a task stalls both runtimes alike, and both
//! pretend clocks stand still while a job runs on a thread: the stalled
//! fetch and [`job_clock`] print the same lines on both.)
//!
//! The files of this chapter, in the order to read them:
//!
//! | file | what it owns |
//! |---|---|
//! | `mod.rs` | this essay, and the public API |
//! | `programs.rs` | the course's side of every program, each returning its lines |
//! | `queue.rs` | an unbounded channel that never makes its receiver yield |
//! | `script.rs` | scripts of tasks, and their poll order on chapter 6's scheduler |
//! | `model.rs` | tokio's current-thread loop as a model of a script's poll order |
//!
//! One claim is about types, and the compiler checks it: `tokio::spawn`
//! wants a future that is `Send`, even on the current-thread runtime, so a
//! task that holds an `Rc` across an `.await`, as every task of this course
//! may, does not compile there (tokio's `LocalSet` and `spawn_local` are for
//! those):
//!
//! ```compile_fail,E0277
//! use std::rc::Rc;
//!
//! let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
//! runtime.block_on(async {
//!     let shared = Rc::new(1);
//!     tokio::spawn(async move {
//!         tokio::task::yield_now().await;
//!         println!("{shared}");
//!     });
//! });
//! ```
//!
//! The same task is fine on chapter 6's scheduler, where nothing leaves
//! the thread:
//!
//! ```
//! use std::rc::Rc;
//! use yieldpoint::ch06_scheduler::{Clock, SchedError, Scheduler};
//! use yieldpoint::ch09_async_fn::{spawn_async, yield_now};
//!
//! let scheduler = Scheduler::new(Clock::Virtual);
//! let outcome = scheduler.run_until_complete_async(async {
//!     let shared = Rc::new(1);
//!     let task = spawn_async("rc", async move {
//!         yield_now().await?;
//!         Ok::<i32, SchedError>(*shared)
//!     })?;
//!     task.await
//! });
//! assert_eq!(outcome, Ok(1));
//! ```

mod programs;
mod queue;
mod script;

// The function the rebuild exercise (12.6) leaves to you lives in one file;
// the feature `exercise-ch12` compiles your version in its place.
#[cfg_attr(
    feature = "exercise-ch12",
    path = "../../exercises/ch12_tokio/6_rebuild.rs"
)]
mod model;

pub use model::tokio_order;
pub use programs::{
    BLOCK, Blocking, Connection, Held, IN_FLIGHT, JOB_LIMIT, JOB_TAKES, PATIENCE, REQUESTS, SECOND,
    UNIT, busy_timer, busy_timer_main, clock, clock_main, countdown, do_more_stuff, do_stuff,
    drain, drain_main, failing_request, fetch, gather_failure, gather_failure_main, hold,
    in_flight, in_flight_main, job_clock, job_clock_main, loopback, loopback_main, loud_request,
    main_behind_busy, main_behind_busy_main, ms, napper, polls, request_path, requests,
    requests_main, slow_request, slow_request_async, stalled_fetch, stalled_fetch_main, step10,
    step10_main, t1_t3_t2, t1_t3_t2_main, turns, turns_main, wait_for_async, wait_for_main,
    wait_for_stackful, wake_from_thread, wake_from_thread_main,
};
pub use queue::{Recv, UnboundedReceiver, UnboundedSender, unbounded_channel};
pub use script::{Script, ScriptError, Step, TaskScript, compress, course_order};
