//! What a waker of this chapter wakes ([`WakeTarget`]), and the waker that
//! `std::task::Wake` builds for it without any `unsafe`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::task::{Wake, Waker};
use std::thread::Thread;

// ANCHOR: wake_target
/// What this chapter's wakers wake: a count of the wakes, a flag that says
/// "woken since you last looked", and, optionally, a thread to unpark.
///
/// It is always shared through an `Arc`: each [`Waker`] made for it owns one
/// strong reference, so `Arc::strong_count` tells how many wakers (plus the
/// `Arc`s its owners keep) are alive. Everything in it is atomic, or a
/// [`Thread`] handle, so it is `Send` and `Sync`: a waker may be cloned,
/// woken and dropped on any thread, which is what `Waker` promises.
#[derive(Debug)]
pub struct WakeTarget {
    /// How many wakes arrived, ever.
    wakes: AtomicU32,
    /// Set by a wake, cleared by [`take_woken`](WakeTarget::take_woken).
    woken: AtomicBool,
    /// The thread a wake unparks, if any.
    thread: Option<Thread>,
}

impl WakeTarget {
    /// A target that only counts its wakes and raises its flag.
    pub fn counter() -> Arc<WakeTarget> {
        Arc::new(WakeTarget {
            wakes: AtomicU32::new(0),
            woken: AtomicBool::new(false),
            thread: None,
        })
    }

    /// A target that also unparks `thread` at every wake: what a thread
    /// parked until its future can go on needs.
    pub fn unparking(thread: Thread) -> Arc<WakeTarget> {
        Arc::new(WakeTarget {
            wakes: AtomicU32::new(0),
            woken: AtomicBool::new(false),
            thread: Some(thread),
        })
    }

    /// What every wake does, whichever waker it comes through: count it,
    /// raise the flag, and unpark the thread. The flag is raised before the
    /// unpark, so the parked thread finds it up when it wakes.
    pub fn signal(&self) {
        self.wakes.fetch_add(1, Ordering::Relaxed);
        self.woken.store(true, Ordering::Release);
        if let Some(thread) = &self.thread {
            thread.unpark();
        }
    }

    /// How many wakes have arrived so far.
    pub fn wakes(&self) -> u32 {
        self.wakes.load(Ordering::Relaxed)
    }

    /// Whether a wake arrived since the last call; lowers the flag.
    pub fn take_woken(&self) -> bool {
        self.woken.swap(false, Ordering::Acquire)
    }
}

// A `Waker` is `Send` and `Sync` whatever it points to: the vtable erases
// the type, so the compiler cannot hold `waker_by_hand` to that promise.
// This does: it stops compiling if `WakeTarget` ever loses either.
const _: () = {
    const fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<WakeTarget>();
};
// ANCHOR_END: wake_target

// ANCHOR: wake_trait
impl Wake for WakeTarget {
    /// Consumes one strong reference: the `Arc` is dropped on return.
    fn wake(self: Arc<Self>) {
        self.signal();
    }

    /// Borrows the reference: no count changes.
    fn wake_by_ref(self: &Arc<Self>) {
        self.signal();
    }
}

/// A waker for `target`, made by the standard library from the [`Wake`]
/// impl above: the same four operations as
/// [`waker_by_hand`](super::waker_by_hand), with the `unsafe` written once,
/// in `std`. `From<Arc<W>>` demands `W: Send + Sync`, so here the compiler
/// checks the promise itself.
pub fn waker_by_trait(target: Arc<WakeTarget>) -> Waker {
    Waker::from(target)
}
// ANCHOR_END: wake_trait
