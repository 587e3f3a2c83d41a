//! # Chapter 1: a request is a list of WAIT values
//!
//! Before there are coroutines or futures, there is the idea they all rest
//! on: a piece of work that is asked "are you done yet?" over and over, and
//! answers either "not yet" ([`Poll::Wait`]) or "yes, here is the result"
//! ([`Poll::Ready`]). Here that piece of work is a [`Request`]: a list of
//! answers written out in advance, handed out one per question.
//!
//! The core operations are:
//! - [`Request::new`] checks that a list of answers is a request (zero or more
//!   `Wait`, then exactly one `Ready`, last); [`Request::after_waits`] builds
//!   one from a number of waits and a value.
//! - [`Request::poll`] hands out the next answer. Once it has handed out
//!   `Ready`, the request is finished and must not be polled again.
//! - [`run_blocking`] polls each request until it is ready before it touches
//!   the next one.
//! - [`run_round_robin`] polls the requests in turn, one answer each, and
//!   drops a request from the rotation when it answers `Ready`.
//!
//! A request, and what each poll does to it:
//!
//! ```text
//!   Request::after_waits(2, "hi")       front ─▶ [Wait, Wait, Ready("hi")]
//!   poll() ─▶ Wait                               [Wait, Ready("hi")]
//!   poll() ─▶ Wait                               [Ready("hi")]
//!   poll() ─▶ Ready("hi")                        []      is_finished() = true
//!   poll() ─▶ panic: "polled a Request after it returned Ready..."
//! ```
//!
//! The round-robin loop keeps a queue of unfinished requests. It takes the
//! front one out, polls it once, and puts it back at the end only if it
//! answered `Wait`:
//!
//! ```text
//!   queue: [A, B, C]    pop A, poll ─▶ Wait        push A back ─▶ [B, C, A]
//!   queue: [B, C, A]    pop B, poll ─▶ Ready(b)    B is done   ─▶ [C, A]
//!   queue: [C, A]       pop C, poll ─▶ ...         (C is next, nobody skipped)
//! ```
//!
//! Nothing here runs at the same time as anything else: one loop on one
//! thread decides whose turn it is. That is what every async executor does,
//! and this chapter's loop is the first of them in the course.

use std::collections::VecDeque;
use std::fmt;

// The functions the rebuild exercise (1.4) leaves to you live in one file;
// the feature `exercise-ch01` compiles your version in its place.
#[cfg_attr(
    feature = "exercise-ch01",
    path = "../exercises/ch01_polled_lists/4_rebuild.rs"
)]
mod polling;

pub use polling::{run_blocking_with, run_round_robin_with};

// ANCHOR: poll
/// One answer from a piece of work that is asked "are you done yet?".
///
/// Rust's own [`std::task::Poll`] has the same two variants, named `Pending`
/// and `Ready`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Poll<T> {
    /// Not done yet: ask again later.
    Wait,
    /// Done, and this is the result.
    Ready(T),
}
// ANCHOR_END: poll

impl<T> Poll<T> {
    /// Whether this answer is [`Poll::Ready`].
    pub fn is_ready(&self) -> bool {
        matches!(self, Poll::Ready(_))
    }

    /// Whether this answer is [`Poll::Wait`].
    pub fn is_wait(&self) -> bool {
        matches!(self, Poll::Wait)
    }
}

/// Why [`Request::new`] refused a list of answers.
///
/// A request must be zero or more [`Poll::Wait`] followed by exactly one
/// [`Poll::Ready`], which comes last. Anything else would either never
/// finish or hold answers nobody could ever receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestError {
    /// The list was empty, so the request has no result to hand out.
    Empty,
    /// The list holds only `Wait`s, so the request would never finish.
    NoReady {
        /// How many `Wait`s the list held.
        waits: usize,
    },
    /// A `Ready` comes before the end of the list, so the items after it
    /// could never be handed out.
    ReadyBeforeEnd {
        /// Where the first `Ready` is, counting from 0.
        position: usize,
        /// How many items the list held.
        len: usize,
    },
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::Empty => f.write_str(
                "a request cannot be empty: it needs a Ready(value) as its last item; \
                 add one, or build it with Request::after_waits(waits, value)",
            ),
            RequestError::NoReady { waits } => write!(
                f,
                "a request of {waits} Wait item(s) and no Ready would never finish; \
                 end the list with Ready(value), or build it with \
                 Request::after_waits({waits}, value)"
            ),
            RequestError::ReadyBeforeEnd { position, len } => write!(
                f,
                "a request finishes at its Ready, but this one has Ready at position \
                 {position} of {len}, so the {} item(s) after it could never be handed \
                 out; put exactly one Ready last and only Wait before it",
                len - position - 1
            ),
        }
    }
}

impl std::error::Error for RequestError {}

// ANCHOR: request
/// A piece of work whose answers are written out in advance: some
/// [`Poll::Wait`]s, then one [`Poll::Ready`]. Each [`poll`](Self::poll) hands
/// out the next answer.
///
/// Python's version is a plain list, `[WAIT, WAIT, "result"]`, consumed with
/// `request.pop(0)`. A [`VecDeque`] is the same list with a cheap
/// `pop_front`: Python's `pop(0)` shifts every remaining item down by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request<T> {
    /// The answers not handed out yet, front first.
    ///
    /// Invariant: zero or more `Wait`, then one `Ready`, last; or empty, which
    /// happens exactly when the `Ready` has been handed out.
    items: VecDeque<Poll<T>>,
    /// How many times [`poll`](Self::poll) has been called.
    polls: usize,
}
// ANCHOR_END: request

impl<T> Request<T> {
    /// A request that answers [`Poll::Wait`] `waits` times, then
    /// [`Poll::Ready`] with `value`.
    ///
    /// ```
    /// use yieldpoint::ch01_polled_lists::{Poll, Request};
    ///
    /// let mut request = Request::after_waits(1, "hi");
    /// assert_eq!(request.poll(), Poll::Wait);
    /// assert_eq!(request.poll(), Poll::Ready("hi"));
    /// ```
    pub fn after_waits(waits: usize, value: T) -> Self {
        let mut items = VecDeque::with_capacity(waits + 1);
        items.extend(std::iter::repeat_with(|| Poll::Wait).take(waits));
        items.push_back(Poll::Ready(value));
        Request { items, polls: 0 }
    }

    /// Whether the request has handed out its [`Poll::Ready`]. A finished
    /// request must not be polled again.
    pub fn is_finished(&self) -> bool {
        self.items.is_empty()
    }

    /// How many times [`poll`](Self::poll) has handed out an answer.
    pub fn polls(&self) -> usize {
        self.polls
    }

    /// How many answers are left to hand out, the `Ready` included.
    pub fn remaining(&self) -> usize {
        self.items.len()
    }
}

/// A request that finished, as reported by [`run_blocking`] and
/// [`run_round_robin`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Completion<T> {
    /// The request's position in the `Vec` the runner was given, from 0.
    pub index: usize,
    /// The value of the request's [`Poll::Ready`].
    pub value: T,
    /// How many times the request was polled, its final poll included.
    pub polls: usize,
}

/// Runs the requests one after the other: polls the first until it is ready,
/// then the second, and so on. Returns them in the order they finished, which
/// here is always the order they were given in.
///
/// This is the blocking way: a request that waits a long time holds up every
/// request behind it.
pub fn run_blocking<T>(requests: Vec<Request<T>>) -> Vec<Completion<T>> {
    run_blocking_with(requests, |_, _| {})
}

/// Runs the requests interleaved: polls each unfinished request once per
/// round, in the order given, and drops a request from the rotation as soon
/// as it answers [`Poll::Ready`]. Returns them in the order they finished.
///
/// A request that finishes never makes the loop skip the request after it
/// (the bug of the Python original, which removes from the list it iterates).
///
/// # Why the Python bug does not even compile
///
/// Python's loop removes a finished request from the list it is walking,
/// which shifts the next request into the slot the walk has just passed. The
/// same code in Rust is refused: the `for` loop holds a mutable borrow of
/// the list, so nothing else may change the list until the loop ends.
///
/// ```compile_fail,E0499
/// let mut requests = vec![vec!["WAIT", "one"], vec!["two"]];
/// for (i, request) in requests.iter_mut().enumerate() {
///     if request.remove(0) != "WAIT" {
///         requests.remove(i); // error: `requests` is already borrowed by the loop
///     }
/// }
/// ```
///
/// # Example
///
///
/// ```
/// use yieldpoint::ch01_polled_lists::{run_round_robin, Request};
///
/// let done = run_round_robin(vec![
///     Request::after_waits(3, "slow"),
///     Request::after_waits(1, "quick"),
/// ]);
/// let order: Vec<&str> = done.iter().map(|c| c.value).collect();
/// assert_eq!(order, ["quick", "slow"]);
/// ```
pub fn run_round_robin<T>(requests: Vec<Request<T>>) -> Vec<Completion<T>> {
    run_round_robin_with(requests, |_, _| {})
}
