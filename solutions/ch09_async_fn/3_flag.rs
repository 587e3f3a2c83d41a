//! Exercise 9.3's reference solution: a flag whose future keeps the newest
//! waker (the task is in `exercises/ch09_async_fn/3_flag.rs`).

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
        let waker = {
            let mut state = self.shared.lock().expect("no poll panics holding the lock");
            state.raised = true;
            state.waker.take()
        };
        // Woken outside the lock: the wake may poll the future at once.
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl Future for Raised {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self
            .shared
            .lock()
            .expect("no raise panics holding the lock");
        if state.raised {
            return Poll::Ready(());
        }
        match &mut state.waker {
            // The same waker as last time: keep it, no clone.
            Some(kept) if kept.will_wake(cx.waker()) => {}
            // None yet, or a stale one: this poll's waker replaces it.
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}
