//! Exercise 1.3's reference solution: round robin with priorities (the task
//! is in `exercises/ch01_polled_lists/3_priorities.rs`).

use std::collections::VecDeque;

use yieldpoint::ch01_polled_lists::{Completion, Poll, Request};

/// Round robin in which a request of weight `w` gets `w` polls per turn.
pub fn run_weighted<T>(
    requests: Vec<(u32, Request<T>)>,
    mut on_poll: impl FnMut(usize, &Poll<T>),
) -> Vec<Completion<T>> {
    if let Some(index) = requests.iter().position(|(weight, _)| *weight == 0) {
        panic!(
            "run_weighted: request {index} has weight 0, so it would never be polled; \
             give every request a weight of at least 1"
        );
    }
    let mut completions = Vec::with_capacity(requests.len());
    let mut queue: VecDeque<(usize, u32, Request<T>)> = requests
        .into_iter()
        .enumerate()
        .map(|(index, (weight, request))| (index, weight, request))
        .collect();
    'turns: while let Some((index, weight, mut request)) = queue.pop_front() {
        for _ in 0..weight {
            let answer = request.poll();
            on_poll(index, &answer);
            if let Poll::Ready(value) = answer {
                completions.push(Completion {
                    index,
                    value,
                    polls: request.polls(),
                });
                continue 'turns;
            }
        }
        queue.push_back((index, weight, request));
    }
    completions
}
