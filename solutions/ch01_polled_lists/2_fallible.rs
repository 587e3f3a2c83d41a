//! Exercise 1.2's reference solution: round robin until the first error
//! (the task is in `exercises/ch01_polled_lists/2_fallible.rs`).

use std::collections::VecDeque;

use yieldpoint::ch01_polled_lists::{Poll, Request};

/// Why [`round_robin_until_error`] stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure<E> {
    /// The position in the input of the request that failed.
    pub index: usize,
    /// Its error.
    pub error: E,
    /// The positions of the requests still waiting when it failed, in the
    /// order they would have been polled next.
    pub unfinished: Vec<usize>,
}

/// Chapter 1's round robin, stopping at the first request that fails.
pub fn round_robin_until_error<T, E>(
    requests: Vec<Request<Result<T, E>>>,
) -> Result<Vec<(usize, T)>, Failure<E>> {
    let mut done = Vec::new();
    let mut queue: VecDeque<(usize, Request<Result<T, E>>)> =
        requests.into_iter().enumerate().collect();
    while let Some((index, mut request)) = queue.pop_front() {
        match request.poll() {
            Poll::Wait => queue.push_back((index, request)),
            Poll::Ready(Ok(value)) => done.push((index, value)),
            Poll::Ready(Err(error)) => {
                return Err(Failure {
                    index,
                    error,
                    unfinished: queue.iter().map(|(index, _)| *index).collect(),
                });
            }
        }
    }
    Ok(done)
}
