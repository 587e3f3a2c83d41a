//! # Chapter 1 exercise: a request is a list of WAIT values
//!
//! Your turn. This file has the same public items as `src/ch01_polled_lists.rs`,
//! with the key bodies left as `todo!()` and a `// TODO:` hint inside each:
//! [`Request::new`], [`Request::poll`], [`run_blocking_with`] and
//! [`run_round_robin_with`] ([`run_blocking`] and [`run_round_robin`] call the
//! last two, so they work once those do). Start with `poll`: every other test
//! needs it.
//! Check your work with `cargo run -- check 1` (or
//! `cargo test --features exercise-ch01 --test ch01_polled_lists`), and read
//! `chapters/01-polled-lists.md` for the ideas. The reference solution is
//! `src/ch01_polled_lists.rs`: try not to peek.
//!
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

#![allow(dead_code, unused_variables)]

use std::collections::VecDeque;
use std::fmt;

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

impl<T> Request<T> {
    /// Checks that `items` is a request and wraps it.
    ///
    /// # Errors
    ///
    /// A request is zero or more [`Poll::Wait`] followed by exactly one
    /// [`Poll::Ready`], which comes last. Returns
    /// - [`RequestError::Empty`] for an empty list,
    /// - [`RequestError::NoReady`] for a list of only `Wait`s,
    /// - [`RequestError::ReadyBeforeEnd`] when a `Ready` comes before the end.
    ///
    /// ```no_run
    /// use yieldpoint::ch01_polled_lists::{Poll, Request, RequestError};
    ///
    /// assert!(Request::new(vec![Poll::Wait, Poll::Ready("done")]).is_ok());
    /// assert_eq!(
    ///     Request::new(vec![Poll::Ready("early"), Poll::Wait]).unwrap_err(),
    ///     RequestError::ReadyBeforeEnd { position: 0, len: 2 },
    /// );
    /// ```
    pub fn new(items: Vec<Poll<T>>) -> Result<Self, RequestError> {
        // TODO: find the first Ready (`items.iter().position(Poll::is_ready)`).
        // No Ready at all is `Empty` or `NoReady`; a Ready that is not the last
        // item is `ReadyBeforeEnd`. Otherwise wrap the list: `items.into()`
        // turns a Vec into a VecDeque, and no poll has happened yet.
        todo!("check the list, then build the Request")
    }

    /// A request that answers [`Poll::Wait`] `waits` times, then
    /// [`Poll::Ready`] with `value`.
    ///
    /// ```no_run
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

    /// Hands out the next answer: [`Poll::Wait`] while there are waits left,
    /// then [`Poll::Ready`] with the result.
    ///
    /// # Panics
    ///
    /// Panics if the request has already handed out its `Ready`. A finished
    /// request has no answer left; stop polling it once it is ready (check
    /// [`is_finished`](Self::is_finished) if you are not sure). Rust's own
    /// futures make the same rule: polling one again after it returned
    /// `Ready` may panic.
    #[inline]
    pub fn poll(&mut self) -> Poll<T> {
        // TODO: take the front item off `self.items` (`pop_front`) and count
        // the poll in `self.polls`. If there is no item left, the Ready has
        // already gone out: panic with a message that starts "polled a Request
        // after it returned Ready", says how many times the request was polled
        // ("polled 4 time(s)"), and ends "stop polling it once it is ready".
        todo!("hand out the next item")
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

/// [`run_blocking`], calling `on_poll(index, &answer)` after every poll, so
/// that a caller can watch (or print) the order of the polls.
pub fn run_blocking_with<T>(
    requests: Vec<Request<T>>,
    on_poll: impl FnMut(usize, &Poll<T>),
) -> Vec<Completion<T>> {
    // TODO: for each request, with its index (`enumerate`), poll it in a loop
    // until it answers Ready. Call `on_poll(index, &answer)` after every poll.
    // On Ready, record a Completion (`request.polls()` has the count) and move
    // on to the next request.
    todo!("poll each request to the end, one after the other")
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
/// ```no_run
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

/// [`run_round_robin`], calling `on_poll(index, &answer)` after every poll,
/// so that a caller can watch (or print) the order of the polls.
pub fn run_round_robin_with<T>(
    requests: Vec<Request<T>>,
    on_poll: impl FnMut(usize, &Poll<T>),
) -> Vec<Completion<T>> {
    // TODO: keep a queue (a VecDeque) of (index, request) pairs. Take the
    // front one out, poll it once, call `on_poll(index, &answer)`, and put it
    // back at the end only while it still answers Wait. On Ready, record a
    // Completion instead. Never remove from a collection you are iterating:
    // that is the Python bug the chapter describes.
    todo!("poll the requests in turn until every one is ready")
}
