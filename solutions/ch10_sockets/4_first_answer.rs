//! Exercise 10.4's reference solution: the first answer wins (the task is
//! in `exercises/ch10_sockets/4_first_answer.rs`).

use std::net::SocketAddr;

use yieldpoint::ch06_scheduler::{SchedError, spawn};
use yieldpoint::ch07_combinators::as_completed;
use yieldpoint::ch10_sockets::fetch;

/// Asks the server at `address` for every one of `paths` at once; the
/// first answer to arrive.
pub fn first_answer(address: SocketAddr, paths: &[&str]) -> Result<String, SchedError> {
    let requests = paths
        .iter()
        .map(|path| {
            let path = path.to_string();
            spawn("request", move || fetch(address, &path))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let first = as_completed(requests.clone())
        .next()
        .expect("at least one path")?;
    let (winner, answer) = first;
    // Cancelling asks; joining waits until each has ended, its socket
    // closed. A cancelled request's join says so: that is expected here.
    for (i, request) in requests.iter().enumerate() {
        if i != winner {
            request.cancel();
        }
    }
    for (i, request) in requests.iter().enumerate() {
        if i != winner {
            let _ = request.join();
        }
    }
    answer
}
