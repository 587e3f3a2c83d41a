//! The functions of chapter 1 that exercise 1.4 asks you to rebuild:
//! [`Request::new`], [`Request::poll`], [`run_blocking_with`] and
//! [`run_round_robin_with`].
//!
//! This file is the reference. With the feature `exercise-ch01`, the chapter's
//! module compiles `exercises/ch01_polled_lists/4_rebuild.rs` in its place,
//! and the chapter's tests judge that file instead:
//! `cargo test --features exercise-ch01 --test ch01_polled_lists -- --skip exercises::`.

use std::collections::VecDeque;

use super::{Completion, Poll, Request, RequestError};

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
    /// ```
    /// use yieldpoint::ch01_polled_lists::{Poll, Request, RequestError};
    ///
    /// assert!(Request::new(vec![Poll::Wait, Poll::Ready("done")]).is_ok());
    /// assert_eq!(
    ///     Request::new(vec![Poll::Ready("early"), Poll::Wait]).unwrap_err(),
    ///     RequestError::ReadyBeforeEnd { position: 0, len: 2 },
    /// );
    /// ```
    pub fn new(items: Vec<Poll<T>>) -> Result<Self, RequestError> {
        let len = items.len();
        match items.iter().position(Poll::is_ready) {
            None if len == 0 => Err(RequestError::Empty),
            None => Err(RequestError::NoReady { waits: len }),
            Some(position) if position + 1 < len => {
                Err(RequestError::ReadyBeforeEnd { position, len })
            }
            Some(_) => Ok(Request {
                items: items.into(),
                polls: 0,
            }),
        }
    }

    // ANCHOR: poll_method
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
        let Some(item) = self.items.pop_front() else {
            panic!(
                "polled a Request after it returned Ready (it was polled {} time(s) \
                 already); a finished request has nothing left to hand out, so stop \
                 polling it once it is ready",
                self.polls
            );
        };
        self.polls += 1;
        item
    }
    // ANCHOR_END: poll_method
}

// ANCHOR: run_blocking
/// [`run_blocking`](super::run_blocking), calling `on_poll(index, &answer)` after every poll, so
/// that a caller can watch (or print) the order of the polls.
pub fn run_blocking_with<T>(
    requests: Vec<Request<T>>,
    mut on_poll: impl FnMut(usize, &Poll<T>),
) -> Vec<Completion<T>> {
    let mut completions = Vec::with_capacity(requests.len());
    for (index, mut request) in requests.into_iter().enumerate() {
        loop {
            let answer = request.poll();
            on_poll(index, &answer);
            if let Poll::Ready(value) = answer {
                let polls = request.polls();
                completions.push(Completion {
                    index,
                    value,
                    polls,
                });
                break;
            }
        }
    }
    completions
}
// ANCHOR_END: run_blocking

// ANCHOR: run_round_robin
/// [`run_round_robin`](super::run_round_robin), calling `on_poll(index, &answer)` after every poll,
/// so that a caller can watch (or print) the order of the polls.
pub fn run_round_robin_with<T>(
    requests: Vec<Request<T>>,
    mut on_poll: impl FnMut(usize, &Poll<T>),
) -> Vec<Completion<T>> {
    let mut completions = Vec::with_capacity(requests.len());
    // The rotation: every request still waiting, each with its input index.
    let mut queue: VecDeque<(usize, Request<T>)> = requests.into_iter().enumerate().collect();
    while let Some((index, mut request)) = queue.pop_front() {
        let answer = request.poll();
        on_poll(index, &answer);
        match answer {
            // Not done: back to the end of the line.
            Poll::Wait => queue.push_back((index, request)),
            // Done: it is simply not put back. The next request is already
            // at the front of the queue, so nobody is skipped.
            Poll::Ready(value) => completions.push(Completion {
                index,
                value,
                polls: request.polls(),
            }),
        }
    }
    completions
}
// ANCHOR_END: run_round_robin
