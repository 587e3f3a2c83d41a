//! Exercise 9.3: a flag whose future keeps the right waker.
//!
//! `flag()` makes a flag, down, as two halves: a `Raiser`, which may go to
//! any thread, and `Raised`, a future that is ready once the flag is up.
//! Write `Raiser::raise` and `Raised::poll`:
//!
//! - `raise` raises the flag and wakes whoever waits, if anyone does;
//! - `poll` is `Ready` once the flag is up; else it keeps a waker, so that
//!   `raise` can wake it, and returns `Pending`;
//! - a poll may come with a different waker than the one before: the kept
//!   one must then give way, or `raise` would wake a stale waker;
//! - however often it is polled, it keeps one clone, not one per poll (the
//!   tests count the references); and a poll with the same waker as before
//!   need not clone it at all.
//!
//! `cargo run -- check 9.3` checks your work. Stuck? `cargo run -- hint 9.3`

#![allow(unused_imports, unused_variables, dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

/// What a [`Raiser`] and its [`Raised`] future share.
#[derive(Debug, Default)]
struct FlagState {
    raised: bool,
    waker: Option<Waker>,
}

/// Raises the flag, once, from any thread.
#[derive(Debug)]
pub struct Raiser {
    shared: Arc<Mutex<FlagState>>,
}

/// A future that is ready once the flag is raised.
#[derive(Debug)]
pub struct Raised {
    shared: Arc<Mutex<FlagState>>,
}

/// A flag, down: the raiser, and the future of its raising.
pub fn flag() -> (Raiser, Raised) {
    let shared = Arc::new(Mutex::new(FlagState::default()));
    (
        Raiser {
            shared: Arc::clone(&shared),
        },
        Raised { shared },
    )
}

impl Raiser {
    /// Raises the flag and wakes the waker the future kept, if any.
    pub fn raise(self) {
        todo!("raise the flag; wake the kept waker, if there is one")
    }
}

impl Future for Raised {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        todo!("ready if raised; else keep the newest waker, cloning only if you must")
    }
}
