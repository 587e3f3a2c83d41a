//! # Chapter 4: a Future is a box for a result that exists later
//!
//! A [`Future`] is shared between whoever will produce a value and whoever
//! waits for it. A [`Task`] is a future whose value is produced by running a
//! coroutine (chapter 2's [`Generator`]) step by step.
//!
//! The core operations are:
//! - [`Future::set_result`], [`Future::set_error`] and [`Future::cancel`]
//!   settle a pending future, once, and run its done callbacks in the order
//!   they were added.
//! - [`Future::result`] reads the settled value, or says why there is none.
//! - [`Future::add_done_callback`] asks to be told when the future settles
//!   (at once, if it already has).
//! - [`Task::step`] resumes the task's coroutine once; when the coroutine
//!   returns, the task's future is done with that value, and when it panics,
//!   the future holds the panic as its error.
//! - [`Task::cancel`] drops a task's coroutine (running the destructors on
//!   its stack) and cancels its future.
//! - [`await_future`], called inside a coroutine, yields "not ready" until a
//!   future settles, then hands back its result.
//!
//! A future's life:
//!
//! ```text
//!                  set_result(v) ──▶ Done      result() = Ok(v)
//!                 ╱
//!   Pending ─────┼─ set_error(e) ──▶ Failed    result() = Err(Failed(e))
//!                 ╲
//!                  cancel() ───────▶ Cancelled result() = Err(Cancelled)
//!
//!   Every arrow is taken at most once: a settled future never changes again.
//!   A second set_result or set_error is an error (AlreadySettled), and a
//!   second cancel() returns false.
//! ```
//!
//! A task drives its coroutine and settles its own future:
//!
//! ```text
//!   task.step() ──resume──▶ the body runs ... yielder.suspend(())
//!        ◀──── Step::Pending ─────────────────────┘
//!   task.step() ──resume──▶ ... the body returns v
//!        ◀──── Step::Settled ── task.future() is Done(v); its callbacks have run
//!   task.step() ──▶ Step::Settled                 (nothing is left to run)
//! ```
//!
//! Nothing here steps tasks on its own: whoever holds a task calls
//! [`Task::step`] (chapter 4's example does it by hand; chapter 5's event
//! loop does it in rounds). A function that takes the task's `&Yielder` and
//! suspends is not a task: called from a task's body, it runs inline, on the
//! task's stack, and its suspensions are the task's own steps.
//!
//! Everything here is single-threaded: a future is an `Rc` handle, so cloning
//! it gives a second handle to the same box, and it cannot leave its thread.
//!
//! ```compile_fail
//! fn needs_send<T: Send>(_: T) {}
//! needs_send(yieldpoint::ch04_future_task::Future::<u32>::new());
//! ```

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;

use crate::ch02_coroutines::{Generator, Yielder};

// The functions the rebuild exercise (4.4) leaves to you live in one file;
// the feature `exercise-ch04` compiles your version in its place.
#[cfg_attr(
    feature = "exercise-ch04",
    path = "../exercises/ch04_future_task/4_rebuild.rs"
)]
mod settling;

pub use settling::await_future;

// ANCHOR: status
/// Where a [`Future`] is in its life, without its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// No result yet.
    Pending,
    /// Settled by [`Future::cancel`]: there will never be a result.
    Cancelled,
    /// Settled by [`Future::set_result`]: it holds a value.
    Done,
    /// Settled by [`Future::set_error`] (a task's panic lands here too).
    Failed,
}
// ANCHOR_END: status

// ANCHOR: error
/// Why a future gives no value, or refuses a change.
///
/// Python raises a different exception for each case; here each is a variant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FutureError {
    /// The result was read while the future was still pending
    /// (Python's `InvalidStateError: Result is not set.`).
    NotReady,
    /// The future was cancelled (Python's `CancelledError`).
    Cancelled,
    /// The code producing the value failed with this message (Python
    /// re-raises the exception the future was completed with).
    Failed(String),
    /// The coroutine producing the value panicked with this message.
    Panicked(String),
    /// The value was already taken out with [`Future::take_result`].
    Taken,
    /// A second attempt to settle a future that is already settled; the status
    /// it already has (Python's `InvalidStateError`).
    AlreadySettled(Status),
}
// ANCHOR_END: error

impl fmt::Display for FutureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FutureError::NotReady => f.write_str(
                "the future is still pending: wait until it is done (await_future, or a done \
                 callback) before reading its result",
            ),
            FutureError::Taken => f.write_str(
                "the future's value was already taken out with take_result; use result() \
                 (with T: Clone) when more than one party reads it",
            ),
            FutureError::Cancelled => f.write_str("the future was cancelled, so it has no result"),
            FutureError::Failed(message) => write!(f, "the future failed: {message}"),
            FutureError::Panicked(message) => write!(f, "the task panicked: {message}"),
            FutureError::AlreadySettled(status) => write!(
                f,
                "the future is already settled ({status:?}); a future's result, error or \
                 cancellation can be set only once"
            ),
        }
    }
}

impl std::error::Error for FutureError {}

/// A done callback: called once with the settled future.
type Callback<T> = Box<dyn FnOnce(&Future<T>)>;

/// What the box holds.
enum Slot<T> {
    /// Nothing yet.
    Pending,
    /// The value; `None` once [`Future::take_result`] has taken it.
    Done(Option<T>),
    /// Why there is no value: only `Cancelled`, `Failed` or `Panicked`.
    Unfulfilled(FutureError),
}

/// The shared box behind every handle of one [`Future`].
struct Inner<T> {
    /// The outcome. Once it leaves `Pending` it never returns there.
    slot: Slot<T>,
    /// Callbacks waiting for the future to settle, in the order they were
    /// added. Always empty once the future has settled: settling takes them
    /// all out to run them, and later ones run at once instead of waiting here.
    callbacks: Vec<Callback<T>>,
}

// ANCHOR: future
/// A box for a result that exists later.
///
/// `Future` is a handle: [`Clone`] makes another handle to the same box, so a
/// producer can keep one and hand another to whoever waits.
///
/// ```
/// use yieldpoint::ch04_future_task::{Future, FutureError, Status};
///
/// let future: Future<&str> = Future::new();
/// assert_eq!(future.result(), Err(FutureError::NotReady));
/// future.set_result("pizza").unwrap();
/// assert_eq!(future.status(), Status::Done);
/// assert_eq!(future.result(), Ok("pizza"));
/// ```
pub struct Future<T> {
    inner: Rc<RefCell<Inner<T>>>,
}
// ANCHOR_END: future

impl<T> Clone for Future<T> {
    fn clone(&self) -> Self {
        Future {
            inner: Rc::clone(&self.inner),
        }
    }
}

impl<T> Default for Future<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Future<T> {
    /// A new, pending future.
    pub fn new() -> Self {
        Future {
            inner: Rc::new(RefCell::new(Inner {
                slot: Slot::Pending,
                callbacks: Vec::new(),
            })),
        }
    }

    /// Where the future is in its life.
    pub fn status(&self) -> Status {
        match &self.inner.borrow().slot {
            Slot::Pending => Status::Pending,
            Slot::Done(_) => Status::Done,
            Slot::Unfulfilled(FutureError::Cancelled) => Status::Cancelled,
            Slot::Unfulfilled(_) => Status::Failed,
        }
    }

    /// Whether the future has settled (done, failed or cancelled). Python's
    /// `done()` is true in all three cases too.
    pub fn is_settled(&self) -> bool {
        self.status() != Status::Pending
    }

    /// Whether `self` and `other` are handles to the same box.
    pub fn same_as(&self, other: &Future<T>) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }

    // ANCHOR: set_result
    /// Settles the future with `value` and runs its done callbacks.
    ///
    /// # Errors
    ///
    /// [`FutureError::AlreadySettled`] if the future was already settled; the
    /// value is dropped and nothing changes.
    ///
    /// # Panics
    ///
    /// If a done callback panics, the first such panic continues out of this
    /// call once every callback has run (see
    /// [`add_done_callback`](Self::add_done_callback)). The future is settled
    /// all the same.
    pub fn set_result(&self, value: T) -> Result<(), FutureError> {
        self.settle(Slot::Done(Some(value)))
    }
    // ANCHOR_END: set_result

    /// Settles the future as failed with `message` and runs its done callbacks.
    ///
    /// # Errors
    ///
    /// [`FutureError::AlreadySettled`] if the future was already settled.
    ///
    /// # Panics
    ///
    /// Passes on a done callback's panic, as [`set_result`](Self::set_result) does.
    pub fn set_error(&self, message: impl Into<String>) -> Result<(), FutureError> {
        self.settle(Slot::Unfulfilled(FutureError::Failed(message.into())))
    }

    /// Settles the future as failed by a panic with `message`, as
    /// [`Task::step`] does when its coroutine panics, and runs its done
    /// callbacks. An event loop that steps coroutines itself (chapter 6) uses
    /// this to report a task's panic.
    ///
    /// # Errors
    ///
    /// [`FutureError::AlreadySettled`] if the future was already settled.
    ///
    /// # Panics
    ///
    /// Passes on a done callback's panic, as [`set_result`](Self::set_result) does.
    pub fn set_panicked(&self, message: impl Into<String>) -> Result<(), FutureError> {
        self.settle(Slot::Unfulfilled(FutureError::Panicked(message.into())))
    }

    /// Cancels the future if it is still pending, and runs its done callbacks.
    ///
    /// Returns whether it was pending; cancelling a settled future returns
    /// `false` and changes nothing (as Python's `cancel()` does).
    ///
    /// # Panics
    ///
    /// Passes on a done callback's panic, as [`set_result`](Self::set_result) does.
    pub fn cancel(&self) -> bool {
        self.settle(Slot::Unfulfilled(FutureError::Cancelled))
            .is_ok()
    }
}

impl<T> fmt::Debug for Future<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let callbacks = self.inner.borrow().callbacks.len();
        f.debug_struct("Future")
            .field("status", &self.status())
            .field("callbacks", &callbacks)
            .finish_non_exhaustive()
    }
}

#[cfg_attr(feature = "exercise-ch04", allow(dead_code))] // used by the rebuild exercise
// ANCHOR: run_callbacks
/// Runs every callback, even when one panics, then continues the first panic.
fn run_callbacks<T>(future: &Future<T>, callbacks: Vec<Callback<T>>) {
    let mut first_panic: Option<Box<dyn Any + Send>> = None;
    for callback in callbacks {
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| callback(future))) {
            first_panic.get_or_insert(payload);
        }
    }
    if let Some(payload) = first_panic {
        panic::resume_unwind(payload);
    }
}
// ANCHOR_END: run_callbacks

/// The text of a panic payload: the message of `panic!("...")`, or a note
/// that the payload was something else.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_string()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic with a payload that is not a string".to_string()
    }
}

/// What one [`Task::step`] left behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// The coroutine suspended: step the task again later.
    Pending,
    /// The task's future has settled (done, failed or cancelled); stepping
    /// again does nothing.
    Settled,
}

// ANCHOR: task
/// A future whose value comes from running a coroutine.
///
/// The coroutine's body gets a [`Yielder`]: `yielder.suspend(())` means "not
/// finished, step me again later". When the body returns, the task's future
/// is done with the value; when it panics, the future fails with
/// [`FutureError::Panicked`].
///
/// ```
/// use yieldpoint::ch04_future_task::{Status, Step, Task};
///
/// let mut task = Task::new("answer", |yielder| {
///     yielder.suspend(()); // not finished: step me again
///     42
/// });
/// assert_eq!(task.step(), Step::Pending);
/// assert_eq!(task.future().status(), Status::Pending);
/// assert_eq!(task.step(), Step::Settled);
/// assert_eq!(task.future().result(), Ok(42));
/// ```
///
/// # Dropping
///
/// Dropping a task drops its coroutine, running the destructors of the
/// values on its stack, but does not settle its future: other handles to it
/// stay pending. Call [`cancel`](Self::cancel) first if anyone may be
/// waiting for the task.
///
/// Both drop the coroutine of a paused task by unwinding its stack (chapter
/// 2's `Generator` does that), so a destructor that panics then aborts the
/// process: `panic in a destructor during cleanup`. The body cannot be asked
/// to return instead: it pauses with a bare `yielder.suspend(())`, whose
/// answer is `()`, so nothing can tell it "you are cancelled". Chapter 5's
/// loop can, because its tasks pause only in the loop's own functions, which
/// return a `Result`.
pub struct Task<T> {
    /// A name for messages and traces.
    name: String,
    /// The task's own future: settled when the coroutine returns or panics,
    /// or when the task is cancelled.
    future: Future<T>,
    /// The coroutine, until it finishes or the task is cancelled; `None` after.
    /// It is `Some` only while `future` is pending, or for the moment between
    /// a cancellation from outside and the next step, which drops it.
    coroutine: Option<Generator<(), (), T>>,
}
// ANCHOR_END: task

impl<T: 'static> Task<T> {
    /// A task that will run `body`. Nothing runs until the first
    /// [`step`](Self::step).
    pub fn new(
        name: impl Into<String>,
        body: impl FnOnce(&Yielder<(), ()>) -> T + 'static,
    ) -> Self {
        let name = name.into();
        let coroutine = Generator::new(move |yielder, ()| body(yielder));
        // A stack overflow in it is reported as this task's.
        coroutine.name_task(&name);
        Task {
            name,
            future: Future::new(),
            coroutine: Some(coroutine),
        }
    }
}

impl<T> Task<T> {
    /// The task's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The addresses of the task's coroutine stack (see
    /// [`Generator::stack_range`]); empty once the coroutine is gone.
    pub fn stack_range(&self) -> Range<usize> {
        self.coroutine.as_ref().map_or(0..0, Generator::stack_range)
    }

    /// A handle to the task's future, to read its result or wait for it.
    /// Clone it to keep it after the task is gone.
    pub fn future(&self) -> &Future<T> {
        &self.future
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task")
            .field("name", &self.name)
            .field("status", &self.future.status())
            .finish_non_exhaustive()
    }
}
