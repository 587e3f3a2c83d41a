//! Exercise 1.1's reference solution: the Python loop of step 3, bug
//! included (the task is in `exercises/ch01_polled_lists/1_python_bug.rs`).

use yieldpoint::ch01_polled_lists::{Completion, Poll, Request};

/// The Python loop of step 3, bug included.
pub fn python_round_robin<T>(
    requests: Vec<Request<T>>,
    mut on_poll: impl FnMut(usize, &Poll<T>),
) -> Vec<Completion<T>> {
    let mut completions = Vec::new();
    let mut requests: Vec<(usize, Request<T>)> = requests.into_iter().enumerate().collect();
    while !requests.is_empty() {
        // Python's list iterator: an index that moves on after every item,
        // checked against the list's length as it is now.
        let mut position = 0;
        while position < requests.len() {
            let (index, request) = &mut requests[position];
            let (index, answer) = (*index, request.poll());
            on_poll(index, &answer);
            if let Poll::Ready(value) = answer {
                let (_, request) = requests.remove(position);
                completions.push(Completion {
                    index,
                    value,
                    polls: request.polls(),
                });
                // Everything after it has moved one place to the left, and
                // the index moves on all the same: the next one is skipped.
            }
            position += 1;
        }
    }
    completions
}
