//! Exercise 1.1: the Python bug, on purpose.
//!
//! Step 3 of the Python path walks the list of requests with a `for` loop
//! and removes a request from that list as soon as it is ready:
//!
//! ```python
//! while requests:
//!     for request in requests:        # walks index 0, 1, 2, ... of the list as it is now
//!         item = request.pop(0)
//!         if item is not WAIT:
//!             print(item)
//!             requests.remove(request)
//! ```
//!
//! Write `python_round_robin`, which does exactly what that loop does, bug
//! included, with chapter 1's [`Request`]s: a `Vec` walked by index, a
//! request removed from it the moment it answers `Ready`, and the index
//! moved on after every poll, whatever happened. Call `on_poll(index,
//! &answer)` after each poll, with the request's position in the *input*
//! (keep it beside the request), and return the requests in the order they
//! finished, as chapter 1's `run_round_robin_with` does.
//!
//! Then read the tests: they show which request gets skipped, and when.
//!
//! `cargo run -- check 1.1` checks your work. Stuck? `cargo run -- hint 1.1`

#![allow(unused_imports, unused_mut, unused_variables)]

use yieldpoint::ch01_polled_lists::{Completion, Poll, Request};

/// The Python loop of step 3, bug included.
pub fn python_round_robin<T>(
    requests: Vec<Request<T>>,
    on_poll: impl FnMut(usize, &Poll<T>),
) -> Vec<Completion<T>> {
    todo!("walk the list by index, and remove a request the moment it is ready")
}
