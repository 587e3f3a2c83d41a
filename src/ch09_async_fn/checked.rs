//! Polling a future after it returned `Ready`, or after one of its polls
//! panicked, as an error that says so.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

// ANCHOR: poll_error
/// A poll that must not happen, refused by [`Checked::try_poll`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollError {
    /// The future already returned `Ready`, at poll number `ready_at`.
    AfterReady {
        /// The poll (counted from 1) that returned `Ready`.
        ready_at: u32,
    },
    /// The future's poll number `panicked_at` panicked instead of returning.
    AfterPanic {
        /// The poll (counted from 1) that panicked.
        panicked_at: u32,
    },
}

impl fmt::Display for PollError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PollError::AfterReady { ready_at } => write!(
                f,
                "polled a future again after it returned Ready (at poll {ready_at}): its output \
                 was handed out then, and nothing is left to run; stop polling a future once it \
                 is ready (a compiled async fn would panic here)"
            ),
            PollError::AfterPanic { panicked_at } => write!(
                f,
                "polled a future again after its poll {panicked_at} panicked: it stopped \
                 half-way, in no state to go on; drop it (a compiled async fn would panic \
                 here too)"
            ),
        }
    }
}

impl Error for PollError {}
// ANCHOR_END: poll_error

// ANCHOR: checked
/// A future whose polls are checked: [`try_poll`](Checked::try_poll) polls
/// it while that is allowed, and answers a [`PollError`] instead once it is
/// not.
///
/// Polling a future after it returned `Ready` breaks `Future`'s contract,
/// and what happens then is up to the future: a compiled `async fn` panics,
/// a hand-written one may return `Ready` again, return `Pending` forever, or
/// panic in some other place. The same holds after a poll that panicked.
/// A `Checked` remembers both, so the mistake is found where it is made.
pub struct Checked<F: Future> {
    /// Pinned on the heap, so that the `Checked` itself can move freely.
    future: Pin<Box<F>>,
    /// How many polls reached the future.
    polls: u32,
    state: State,
}

/// Where a [`Checked`] future is between two calls of `try_poll`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Not ready yet: the next poll may go ahead.
    Pending,
    /// A poll began and has not come back: if `try_poll` finds this, that
    /// poll panicked.
    Polling,
    /// Returned `Ready` at poll `polls`.
    Ready,
}

impl<F: Future> Checked<F> {
    /// Wraps `future`, which has not been polled yet.
    pub fn new(future: F) -> Self {
        Checked {
            future: Box::pin(future),
            polls: 0,
            state: State::Pending,
        }
    }

    /// Polls the future once, if that is allowed.
    ///
    /// # Errors
    ///
    /// [`PollError::AfterReady`] if it already returned `Ready`, and
    /// [`PollError::AfterPanic`] if its last poll panicked (caught further
    /// up with `catch_unwind`). The future is not polled in either case.
    pub fn try_poll(&mut self, cx: &mut Context<'_>) -> Result<Poll<F::Output>, PollError> {
        match self.state {
            State::Ready => {
                return Err(PollError::AfterReady {
                    ready_at: self.polls,
                });
            }
            State::Polling => {
                return Err(PollError::AfterPanic {
                    panicked_at: self.polls,
                });
            }
            State::Pending => {}
        }
        self.polls += 1;
        // If the poll panics, the unwinding leaves this behind for the next call.
        self.state = State::Polling;
        let poll = self.future.as_mut().poll(cx);
        self.state = if poll.is_ready() {
            State::Ready
        } else {
            State::Pending
        };
        Ok(poll)
    }

    /// How many polls have reached the future (refused ones are not counted).
    pub fn polls(&self) -> u32 {
        self.polls
    }

    /// Whether the future has returned `Ready`.
    pub fn is_ready(&self) -> bool {
        self.state == State::Ready
    }
}
// ANCHOR_END: checked

impl<F: Future> fmt::Debug for Checked<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checked")
            .field("polls", &self.polls)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}
