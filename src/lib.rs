//! # yieldpoint: async/await rebuilt from first principles
//!
//! Each module is one chapter of the course in `chapters/`. Read them in order:
//!
//! | chapter | module | what it builds |
//! |---|---|---|
//! | 1 | [`ch01_polled_lists`] | a request as a list of WAIT values, polled by a loop |
//! | 2 | [`ch02_coroutines`] | a [`Generator`](ch02_coroutines::Generator): a function that pauses, on its own stack |
//! | 3 | [`ch03_yield_from`] | delegation: suspending from any depth, and Python's `yield from` |
//! | 4 | [`ch04_future_task`] | a hand-written [`Future`](ch04_future_task::Future) and a [`Task`](ch04_future_task::Task) that drives a coroutine |
//! | 5 | [`ch05_event_loop`] | a round-robin [`EventLoop`](ch05_event_loop::EventLoop) with busy sleeps |
//! | 6 | [`ch06_scheduler`] | a [`Scheduler`](ch06_scheduler::Scheduler) with a ready queue, timers, a virtual clock and a trace |
//! | 7 | [`ch07_combinators`] | [`gather`](ch07_combinators::gather), [`as_completed`](ch07_combinators::as_completed), [`wait_for`](ch07_combinators::wait_for) and cancellation |
//! | 8 | [`ch08_cost_of_a_switch`] | what a switch costs: a stackless [`Counter`](ch08_cost_of_a_switch::Counter), `async fn`s polled by hand, and memory per paused unit |
//! | 9 | [`ch09_async_fn`] | Rust's own `async fn`: step 9, the state machine behind `.await`, `Pin`, a [`Waker`](std::task::Waker) by hand and a [`block_on`](ch09_async_fn::block_on) that parks |
//! | 10 | [`ch10_sockets`] | real sockets: a poller in chapter 6's loop, [`TcpStream`](ch10_sockets::TcpStream) for stackful and async tasks, a [`SlowServer`](ch10_sockets::SlowServer) and [`fetch`](ch10_sockets::fetch) |
//! | 11 | [`ch11_threads`] | threads against tasks: a blocking call stalls every task, [`with_slow_steps`](ch06_scheduler::Scheduler::with_slow_steps) sees it, [`to_thread`](ch11_threads::to_thread) hands it to a pool |
//! | 12 | [`ch12_tokio`] | the course's side of its programs run beside tokio, and tokio's current-thread loop as a [model](ch12_tokio::tokio_order) |
//!
//! One support module serves the chapters: [`output`] prints the role-tagged
//! lines the examples show (and lets tests read them back). The tools around
//! the course (the runner behind `cargo run`, the bench report) are the
//! workspace's `tools/` crate, not part of this library.
//!
//! ## Exercises
//!
//! Every chapter has exercises in `exercises/` (`exercises/README.md` is the
//! layout). The cargo features `exercise-chNN` and `learner` compile the
//! learner's files in place of the reference code, so the chapter's own
//! tests judge the learner's work:
//!
//! ```text
//! cargo run -- check 2          # every exercise of chapter 2, one verdict each
//! cargo run -- check 2.1        # the first one
//! cargo test --features learner --test ch02_coroutines -- exercises::e1_fibonacci::
//! cargo test --features exercise-ch02 --test ch02_coroutines -- --skip exercises::
//! ```
#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

pub mod output;

mod overflow;

// Every chapter is always its module in src/; the feature `exercise-chNN`
// swaps one file inside it (see exercises/README.md).
pub mod ch01_polled_lists;

pub mod ch02_coroutines;

pub mod ch03_yield_from;

pub mod ch04_future_task;

pub mod ch05_event_loop;

pub mod ch06_scheduler;

pub mod ch07_combinators;

pub mod ch08_cost_of_a_switch;

pub mod ch09_async_fn;

pub mod ch10_sockets;

pub mod ch11_threads;

pub mod ch12_tokio;
