//! What can go wrong: [`SchedError`], and the [`Failure`] of a task.
//!
//! This file owns the error types and their messages, nothing else. The
//! rest of the scheduler creates them; the misuse catalogue in the README
//! quotes their messages, and `tests/misuse.rs` checks every one.
//!
//! A task ends in one of three ways, as an asyncio task does:
//!
//! ```text
//!   body returns Ok(value) ──────────────────────────▶ done       join() = Ok(value)
//!   body returns Err(e), e a cancellation ───────────▶ cancelled  join() = Err(TaskCancelled)
//!     (SchedError::Cancelled or ::TaskCancelled, passed on with `?`)
//!   body returns Err(e), any other error ────────────▶ failed     join() = Err(TaskFailed(f))
//!   body panics ─────────────────────────────────────▶ failed     f.is_panic()
//! ```
//!
//! The two cancellations read differently on purpose:
//! [`SchedError::Cancelled`] says "*this* task was cancelled, at the
//! suspension point that returned it"; [`SchedError::TaskCancelled`] says
//! "the task you waited for was cancelled". asyncio raises `CancelledError`
//! for both, and so a task that passes either on with `?` ends cancelled,
//! as it would in asyncio.

use std::any::Any;
use std::error::Error;
use std::fmt;
use std::sync::{Arc, Mutex};

use super::TaskId;

/// The error type a task's body may return: anything that converts into a
/// boxed error, which covers [`SchedError`] (so `?` works on every
/// scheduler operation), your own error types, `Box<dyn Error + Send +
/// Sync>` itself, and `String` or `&str` messages.
pub type BoxError = Box<dyn Error + Send + Sync + 'static>;

// ANCHOR: failure
/// Why a task failed: its body panicked, or returned an error. The error
/// value (or the panic's payload) is kept, so "which exception was it" has
/// an answer: [`downcast_ref`](Failure::downcast_ref) matches an error by
/// type, and [`panic_payload`](Failure::panic_payload) a payload given to
/// `std::panic::panic_any`.
///
/// A failure passed on with `?` stays the same failure: joining a task that
/// failed because the task *it* joined failed gives the first task's
/// failure, naming that task, as asyncio re-raises the same exception
/// object up the chain of awaits.
#[derive(Clone)]
pub struct Failure {
    /// What is known about it, shared: a failure is cloned for every task
    /// that joins the failed one, and stays one pointer wide, so that every
    /// `Result` carrying a [`SchedError`] stays small.
    inner: Arc<FailureInner>,
}
// ANCHOR_END: failure

/// The fields of a [`Failure`].
struct FailureInner {
    /// The name of the task that failed first.
    task: Box<str>,
    /// Its number.
    id: TaskId,
    /// What happened.
    cause: Cause,
}

/// A panic or an error, kept whole.
enum Cause {
    /// The body panicked. The payload is behind a mutex only so that a
    /// `Failure` can be sent between threads, as errors usually can.
    Panicked {
        message: String,
        payload: Mutex<Box<dyn Any + Send>>,
    },
    /// The body returned this error.
    Error(BoxError),
}

impl Failure {
    /// A failure of task `id`, called `task`, by a panic with `payload`.
    pub(super) fn panicked(task: &str, id: TaskId, payload: Box<dyn Any + Send>) -> Self {
        Failure {
            inner: Arc::new(FailureInner {
                task: Box::from(task),
                id,
                cause: Cause::Panicked {
                    message: panic_text(payload.as_ref()),
                    payload: Mutex::new(payload),
                },
            }),
        }
    }

    /// A failure of task `id`, called `task`, by an error its body returned.
    pub(super) fn from_error(task: &str, id: TaskId, error: BoxError) -> Self {
        Failure {
            inner: Arc::new(FailureInner {
                task: Box::from(task),
                id,
                cause: Cause::Error(error),
            }),
        }
    }

    /// The name of the task that failed.
    pub fn task(&self) -> &str {
        &self.inner.task
    }

    /// The number of the task that failed.
    pub fn id(&self) -> TaskId {
        self.inner.id
    }

    /// Whether the task panicked (rather than returning an error).
    pub fn is_panic(&self) -> bool {
        matches!(self.inner.cause, Cause::Panicked { .. })
    }

    /// What went wrong, in words: the panic's message, or the error's
    /// `Display`.
    pub fn message(&self) -> String {
        match &self.inner.cause {
            Cause::Panicked { message, .. } => message.clone(),
            Cause::Error(error) => error.to_string(),
        }
    }

    /// The error the task's body returned, if it returned one.
    pub fn error(&self) -> Option<&(dyn Error + Send + Sync + 'static)> {
        match &self.inner.cause {
            Cause::Error(error) => Some(error.as_ref()),
            Cause::Panicked { .. } => None,
        }
    }

    /// The error the body returned, if it is an `E`: Python's
    /// `except SomeError as e`.
    pub fn downcast_ref<E: Error + 'static>(&self) -> Option<&E> {
        self.error()?.downcast_ref::<E>()
    }

    /// A copy of the panic's payload, if the body panicked with a payload of
    /// type `P` (`std::panic::panic_any(value)`; `panic!("...")` gives a
    /// `&'static str` or a `String`).
    pub fn panic_payload<P: Any + Clone>(&self) -> Option<P> {
        match &self.inner.cause {
            Cause::Panicked { payload, .. } => {
                let payload = payload.lock().unwrap_or_else(|poison| poison.into_inner());
                payload.downcast_ref::<P>().cloned()
            }
            Cause::Error(_) => None,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (how, what) = match &self.inner.cause {
            Cause::Panicked { message, .. } => ("panicked", message.clone()),
            Cause::Error(error) => ("failed", error.to_string()),
        };
        write!(
            f,
            "task {:?} ({}) {how}: {what}",
            &*self.inner.task, self.inner.id
        )
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Failure")
            .field("task", &&*self.inner.task)
            .field("id", &self.inner.id)
            .field("panicked", &self.is_panic())
            .field("message", &self.message())
            .finish()
    }
}

/// Two failures are equal when they say the same thing about the same task:
/// the same task, the same kind (panic or error), the same message. The
/// values behind them are not compared.
impl PartialEq for Failure {
    fn eq(&self, other: &Self) -> bool {
        self.inner.task == other.inner.task
            && self.inner.id == other.inner.id
            && self.is_panic() == other.is_panic()
            && self.message() == other.message()
    }
}

impl Eq for Failure {}

/// The text of a panic payload: the message of `panic!("...")`, or a note
/// that the payload was something else.
pub(crate) fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_string()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic with a payload that is not a string (see Failure::panic_payload)".to_string()
    }
}

/// A task that failed and that nobody has heard about yet: asyncio's "Task
/// exception was never retrieved". See `Scheduler::take_unretrieved`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unretrieved {
    /// The name of the task nobody joined.
    pub task: String,
    /// Its number.
    pub id: TaskId,
    /// How it failed: its own failure, or one it passed on from a task it
    /// joined (which then names that task).
    pub failure: Failure,
}

impl fmt::Display for Unretrieved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.failure.id() == self.id {
            write!(f, "{}, and nobody joined it", self.failure)
        } else {
            write!(
                f,
                "task {:?} ({}) failed, and nobody joined it: {}",
                self.task, self.id, self.failure
            )
        }
    }
}

/// A task that can never go on, in a [`SchedError::Deadlock`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StuckTask {
    /// The task's name.
    pub name: String,
    /// Its number.
    pub id: TaskId,
    /// The task it waits for, with that task's name.
    pub waiting_for: Option<(TaskId, String)>,
    /// For an async task (chapter 9) that waits for its waker: how many
    /// clones of its waker are alive outside the scheduler. `Some(0)` is a
    /// lost waker: the task returned `Pending` and kept none, so nothing
    /// can ever wake it.
    pub wakers_alive: Option<usize>,
}

impl fmt::Display for StuckTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.waiting_for, self.wakers_alive) {
            (Some((id, name)), _) => {
                write!(f, "{} ({}) waits for {} ({})", self.name, self.id, name, id)
            }
            (None, Some(0)) => write!(
                f,
                "task '{}' ({}) returned Pending and dropped every waker it was given, so \
                 nothing can wake it",
                self.name, self.id
            ),
            (None, Some(alive)) => write!(
                f,
                "task '{}' ({}) waits for a wake from one of the {alive} wakers it handed out, \
                 and nothing in this scheduler will call them (a thread that will should hold \
                 an ExpectedWake)",
                self.name, self.id
            ),
            (None, None) => write!(
                f,
                "{} ({}) waits for nothing that can happen",
                self.name, self.id
            ),
        }
    }
}

// ANCHOR: error
/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchedError {
    /// A scheduler operation was called outside a task.
    NotInTask {
        /// The operation.
        operation: &'static str,
    },
    /// A scheduler operation was called from a coroutine nested inside a
    /// task, not from the task's own stack.
    NotOnTaskStack {
        /// The operation.
        operation: &'static str,
        /// The task it should have been called from.
        task: String,
    },
    /// An operation that suspends was called from a callback (a done
    /// callback, or one given to `call_soon`/`call_later`): callbacks run
    /// on the scheduler's own stack, to the end, between the steps of tasks.
    InCallback {
        /// The operation.
        operation: &'static str,
    },
    /// An operation that suspends a stackful task (`sleep`, `yield_now`,
    /// `join`, `park`, and chapter 7's combinators, which park) was called
    /// from an async task (chapter 9): an async task has no stack of its own
    /// to suspend, and waits by returning `Pending` from `poll`, so it must
    /// `.await` instead.
    InAsyncTask {
        /// The operation.
        operation: &'static str,
    },
    /// A socket (chapter 10) was used on a scheduler with the virtual clock,
    /// where time would jump while a reply is on its way.
    SocketsNeedRealClock {
        /// The operation.
        operation: &'static str,
    },
    /// An operation on a socket (chapter 10) failed: the OS's error, kept
    /// by kind and in words, with advice where there is some to give.
    Io {
        /// The operation.
        operation: &'static str,
        /// The kind of the OS's error.
        kind: std::io::ErrorKind,
        /// What went wrong, and what to do about it.
        message: String,
    },
    /// The job a task handed to another thread (chapter 11's `to_thread`)
    /// panicked there; the panic's message.
    JobPanicked {
        /// What the job's panic said.
        message: String,
    },
    /// `run_until_complete` was called while a scheduler is already running
    /// on this thread.
    NestedLoop,
    /// An operation that suspends was called while the task is unwinding (a
    /// destructor running during a panic or a forced shutdown); see chapter
    /// 5's `LoopError::Unwinding`.
    Unwinding {
        /// The operation.
        operation: &'static str,
    },
    /// A task tried to wait for itself (with `join`, `gather`, `wait_for`
    /// or `as_completed`).
    JoinSelf {
        /// The task.
        task: String,
    },
    /// A task waited for a task of another scheduler.
    ForeignTask {
        /// The task being waited for.
        task: String,
    },
    /// There is no stack for a new task: the OS refused to map it (out of
    /// memory, or of memory mappings: see `vm.max_map_count`), or the size
    /// asked for exceeds any address space.
    StackRefused {
        /// The stack size asked for.
        size: usize,
        /// Why, with the advice that fits: the OS's error, and what the
        /// process was using when it refused.
        reason: String,
    },
    /// The main task waits, nothing is ready, and no timer is pending: no
    /// task can ever go on. Each stuck task, with what it waits for; they
    /// have been cancelled by the time this error is returned.
    Deadlock(Vec<StuckTask>),
    /// *This* task was cancelled: the suspension point it was waiting at
    /// returns this error. Clean up (cleanup may suspend again) and pass it
    /// on with `?`: the task then ends cancelled. (Chapter 7.)
    Cancelled,
    /// The task you waited for (with `join`, `gather`, `wait_for` or
    /// `as_completed`) was cancelled. Passed on with `?`, it ends your task
    /// cancelled too, as asyncio's `CancelledError` would.
    TaskCancelled {
        /// The name of the task that was cancelled.
        task: String,
    },
    /// The task you waited for failed: it panicked, or its body returned an
    /// error. Passed on with `?`, it fails your task with the same failure.
    TaskFailed(Failure),
    /// A wait with a deadline ran out of time (chapter 7's `wait_for`).
    TimedOut,
    /// A task called `stop` before `main` finished: `run_until_complete`
    /// returned after the iteration it was called in.
    Stopped,
}
// ANCHOR_END: error

impl SchedError {
    /// The OS's error `error` in `operation`, with advice for the errors a
    /// learner meets: a refused connection, a reset, too many open files.
    pub(crate) fn io(operation: &'static str, error: &std::io::Error) -> SchedError {
        let advice = match error.raw_os_error() {
            Some(code) if code == libc::EMFILE || code == libc::ENFILE => {
                let limit = open_file_limit()
                    .map_or_else(String::new, |limit| format!(" (ulimit -n is {limit})"));
                format!(
                    "; the process has run out of file descriptors{limit}: every socket is one, \
                     so close sockets you no longer need, keep fewer open at once, or raise the \
                     limit with ulimit -n"
                )
            }
            _ => match error.kind() {
                std::io::ErrorKind::ConnectionRefused => {
                    "; nothing listens at that address: start the server first, or check the \
                     port"
                        .to_string()
                }
                std::io::ErrorKind::ConnectionReset => {
                    "; the peer closed the connection abruptly".to_string()
                }
                _ => String::new(),
            },
        };
        SchedError::Io {
            operation,
            kind: error.kind(),
            message: format!("{error}{advice}"),
        }
    }

    /// The kind of OS error, if this is one.
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        match self {
            SchedError::Io { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// Whether this is a cancellation, of this task or of one it waited
    /// for: a body that returns it ends its task cancelled.
    pub fn is_cancellation(&self) -> bool {
        matches!(
            self,
            SchedError::Cancelled | SchedError::TaskCancelled { .. }
        )
    }

    /// The failure, if this says that a task you waited for failed.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            SchedError::TaskFailed(failure) => Some(failure),
            _ => None,
        }
    }
}

impl fmt::Display for SchedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchedError::NotInTask { operation } => write!(
                f,
                "{operation}() was called outside a task: only code running inside a task of a \
                 running Scheduler can use it; start it with Scheduler::run_until_complete or spawn"
            ),
            SchedError::NotOnTaskStack { operation, task } => write!(
                f,
                "{operation}() was called from a coroutine nested inside task {task:?}; only the \
                 task itself can be suspended by the scheduler, so call it from the task's own code"
            ),
            SchedError::InCallback { operation } => write!(
                f,
                "{operation}() was called from a callback (a done callback, or one given to \
                 call_soon or call_later); a callback runs to its end on the scheduler's own \
                 stack and cannot wait, so spawn a task from the callback to do the waiting"
            ),
            SchedError::InAsyncTask {
                operation: operation @ ("accept" | "connect" | "read" | "write"),
            } => write!(
                f,
                "{operation}() was called from an async task, which has no stack of its own to \
                 suspend; await the socket's async twin instead (accept_async, connect_async, \
                 read_async, write_all_async)"
            ),
            SchedError::InAsyncTask {
                operation: operation @ ("gather" | "gather_results" | "wait_for" | "as_completed"),
            } => write!(
                f,
                "{operation}() was called from an async task, which has no stack of its own to \
                 suspend; await chapter 9's twins of chapter 7's combinators instead \
                 (gather_async, wait_for_async, as_completed_async), or each JoinHandle in turn \
                 (nothing was waited for or cancelled)"
            ),
            SchedError::InAsyncTask {
                operation: "to_thread",
            } => write!(
                f,
                "to_thread() was called from an async task, which has no stack of its own to \
                 suspend; await to_thread_async(work) instead (the work was not handed over)"
            ),
            SchedError::InAsyncTask { operation } => write!(
                f,
                "{operation}() was called from an async task, which has no stack of its own to \
                 suspend; await chapter 9's futures instead (ch09_async_fn::sleep, \
                 ch09_async_fn::yield_now, or a JoinHandle itself)"
            ),
            SchedError::SocketsNeedRealClock { operation } => write!(
                f,
                "{operation}() needs a scheduler on the real clock: on the virtual clock, time \
                 jumps to the next timer whenever nothing is ready, and a reply still on its \
                 way through the network is not ready yet, so every timeout would fire at \
                 once; use Scheduler::new(Clock::Real) for programs with sockets"
            ),
            SchedError::Io {
                operation, message, ..
            } => write!(f, "{operation}() failed: {message}"),
            SchedError::JobPanicked { message } => write!(
                f,
                "the job handed to to_thread panicked on its thread: {message}"
            ),
            SchedError::Unwinding { operation } => write!(
                f,
                "{operation}() was called while the task is unwinding (a destructor running \
                 during a panic or a forced shutdown); a task cannot suspend then, so do the \
                 waiting before the value is dropped"
            ),
            SchedError::NestedLoop => f.write_str(
                "run_until_complete() was called while a scheduler is already running on this \
                 thread; inside a task, spawn the work and join it instead",
            ),
            SchedError::JoinSelf { task } => write!(
                f,
                "task {task:?} tried to wait for itself, which would wait forever; wait for \
                 another task"
            ),
            SchedError::ForeignTask { task } => write!(
                f,
                "task {task:?} belongs to another scheduler; a task can only wait for tasks of \
                 the scheduler it runs on"
            ),
            SchedError::StackRefused { size, reason } => {
                write!(f, "no {size}-byte stack for a new task: {reason}")
            }
            SchedError::Deadlock(stuck) => {
                f.write_str(
                    "deadlock: nothing is ready and no timer is pending, so no task can go on: ",
                )?;
                for (i, task) in stuck.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{task}")?;
                }
                Ok(())
            }
            SchedError::Cancelled => f.write_str(
                "this task was cancelled while it waited; clean up, then pass this error on \
                 with ? so that the task ends cancelled",
            ),
            SchedError::TaskCancelled { task } => {
                write!(f, "the task {task:?} you waited for was cancelled")
            }
            SchedError::TaskFailed(failure) => write!(f, "{failure}"),
            SchedError::Stopped => f.write_str(
                "the scheduler was stopped (a task called stop()) before main finished; main \
                 and every other unfinished task still wait where they were: run the \
                 scheduler again to let them go on, or drop it to cancel them",
            ),
            SchedError::TimedOut => {
                f.write_str("the wait ran out of time before the work finished")
            }
        }
    }
}

impl Error for SchedError {}

// A scheduler's errors travel: a task's failure may be sent to another
// thread, and `?` into `Box<dyn Error + Send + Sync>` (or anyhow) must work.
const _: () = {
    const fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<SchedError>();
};

/// The process's soft limit on open file descriptors, if it can be read.
fn open_file_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct it is given, which is valid.
    let read = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    (read == 0).then_some(limit.rlim_cur)
}
