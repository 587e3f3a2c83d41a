//! Exercise 12.5: hold tokio's paused clock while an answer is on its way.
//!
//! On a runtime whose clock is paused, `timeout(SECOND, fetch_over_tcp(..))`
//! gives up at once: with no task left to run, the runtime moves its clock
//! to the timeout's deadline while the answer is still on its way (chapter
//! 12, "Paused time while I/O is in flight"). Write
//! `fetch_holding_the_clock`, the same fetch, made so that on a paused
//! runtime it gets its answer under that timeout, and tokio's clock has not
//! moved when it does. The test runs, on a paused runtime,
//! `timeout(SECOND, fetch_holding_the_clock(server, "/50/news"))` and
//! expects exactly:
//!
//! ```text
//! [main] got "200 news after 50 ms" at 0 ms
//! ```
//!
//! and, once your fetch has returned, the clock must jump again as it did
//! before: a `sleep(SECOND)` after it must end at once, at `1000 ms` by
//! tokio's clock. The fetch itself is the chapter's `fetch_over_tcp`
//! (imported below): you only keep the clock still around it.
//!
//! `cargo run -- check 12.5` checks your work. Stuck?
//! `cargo run -- hint 12.5`

use std::io;
use std::net::SocketAddr;
use std::sync::mpsc;

use crate::example::on_tokio::fetch_over_tcp;

/// `fetch_over_tcp`, with tokio's paused clock held still until it is
/// done: a blocking task runs meanwhile (tokio does not advance a paused
/// clock while one does), and ends as soon as the fetch has.
pub async fn fetch_holding_the_clock(server: SocketAddr, path: &str) -> io::Result<String> {
    let (done, wait_for_done) = mpsc::channel::<()>();
    let brake = tokio::task::spawn_blocking(move || {
        let _ = wait_for_done.recv();
    });
    let answer = fetch_over_tcp(server, path).await;
    drop(done);
    brake.await.expect("the brake does not panic");
    answer
}
