//! The two pieces chapter 9's last exercise has you write again: a `Waker`
//! built by hand from a `RawWakerVTable`, and `block_on`, the executor that
//! parks its thread until that waker wakes it.
//!
//! This file is the reference. With the feature `exercise-ch09`, the
//! chapter's module compiles `exercises/ch09_async_fn/5_rebuild.rs` in its
//! place, and the chapter's tests judge that file instead:
//! `cargo test --features exercise-ch09 --test ch09_async_fn -- --skip exercises::`.
//!
//! It holds all of the chapter's `unsafe` code: four `unsafe fn`s, the
//! vtable's, and five `unsafe` blocks, one in each of them and one in
//! [`waker_by_hand`]. Each argues from one invariant:
//!
//! > The data pointer of a waker made here is an `Arc<WakeTarget>` turned
//! > into a raw pointer with `Arc::into_raw`, and every such waker owns
//! > exactly one strong reference of that `Arc`.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{Ordering, fence};
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
use std::thread;

use super::WakeTarget;

// ANCHOR: waker_by_hand
/// The four functions behind every waker [`waker_by_hand`] makes, one for
/// each thing a waker can be asked to do. A `static`, so that it has one
/// address: `Waker::will_wake` compares vtable addresses.
static VTABLE: RawWakerVTable = RawWakerVTable::new(clone_raw, wake_raw, wake_by_ref_raw, drop_raw);

/// A waker for `target`, built by hand: a data pointer and `VTABLE`.
///
/// The data pointer is `target` itself, turned into a raw pointer: the one
/// strong reference the caller gave is now the waker's, and comes back when
/// the waker is woken (`wake`) or dropped.
pub fn waker_by_hand(target: Arc<WakeTarget>) -> Waker {
    let data = Arc::into_raw(target).cast::<()>();
    // SAFETY: `data` comes from `Arc::into_raw` and carries one strong
    // reference, which the new waker owns: the invariant each function of
    // VTABLE relies on. WakeTarget is Send + Sync (wake.rs checks it when it
    // compiles), so the waker may be cloned, woken and dropped on any
    // thread, as `Waker` promises.
    unsafe { Waker::from_raw(RawWaker::new(data, &VTABLE)) }
}

/// `waker.clone()`: one more waker, so one more strong reference.
///
/// # Safety
///
/// `data` is the data pointer of a live waker made by this file, which
/// owns a strong reference to its `WakeTarget`.
unsafe fn clone_raw(data: *const ()) -> RawWaker {
    // SAFETY: the waker being cloned is alive and owns a strong reference,
    // so the count is at least 1 and the target cannot be freed under us.
    // The new RawWaker owns the reference this adds.
    unsafe { Arc::increment_strong_count(data.cast::<WakeTarget>()) };
    RawWaker::new(data, &VTABLE)
}

/// `waker.wake()`: wakes, and consumes the waker, whose reference goes with
/// it.
///
/// # Safety
///
/// As for [`clone_raw`]; and the waker is used up: this call takes over the
/// strong reference it owned, and nothing uses `data` through it again.
unsafe fn wake_raw(data: *const ()) {
    // SAFETY: the consumed waker's strong reference is ours to take back:
    // `from_raw` rebuilds the Arc that `into_raw` (or `clone_raw`) gave the
    // waker, and dropping it at the end of this function gives the
    // reference back, once. The target is signalled while we still hold it.
    let target = unsafe { Arc::from_raw(data.cast::<WakeTarget>()) };
    target.signal();
}

/// `waker.wake_by_ref()`: wakes, and leaves the waker as it was.
///
/// # Safety
///
/// As for [`clone_raw`].
unsafe fn wake_by_ref_raw(data: *const ()) {
    // SAFETY: the waker is only borrowed, and it owns a strong reference
    // for as long as it lives, so the target outlives this shared borrow.
    // No Arc is rebuilt, so no count changes.
    let target = unsafe { &*data.cast::<WakeTarget>() };
    target.signal();
}

/// `drop(waker)`: the waker's strong reference goes back.
///
/// # Safety
///
/// As for [`clone_raw`]; and the waker is being dropped, so its reference
/// is given back here, once, and `data` is not used through it again.
unsafe fn drop_raw(data: *const ()) {
    // SAFETY: the dropped waker owned one strong reference; this gives it
    // back exactly once. If it was the last, the target is freed.
    unsafe { Arc::decrement_strong_count(data.cast::<WakeTarget>()) };
}
// ANCHOR_END: waker_by_hand

// ANCHOR: block_on
/// Runs `future` to completion on this thread and returns its output,
/// parking the thread whenever the future waits: no CPU is used until a
/// waker wakes it, from this thread or any other.
///
/// It polls, and after each `Pending` looks at its [`WakeTarget`]. If the
/// future woke its waker already (as [`Sleep`](super::Sleep) does), it
/// polls again at once; otherwise it parks until a wake arrives.
///
/// # Panics
///
/// If a poll returns `Pending` without waking the waker and without
/// keeping a clone of it: then nothing in the world can wake the future,
/// and the thread would park forever. `std::future::pending()` is such a
/// future; a hand-written one that forgets to store `cx.waker()` is the
/// usual one. Chapter 8's `block_on` refuses every future that does not
/// wake itself; this one waits for those that keep their waker, and
/// refuses only those that lost it.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let target = WakeTarget::unparking(thread::current());
    let waker = waker_by_hand(Arc::clone(&target));
    let mut cx = Context::from_waker(&waker);
    // Our own references: `target`, and the one `waker` owns. Any more
    // belong to clones the future kept.
    let ours = Arc::strong_count(&target);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        // Count the clones before reading the flag. A clone that wakes and
        // drops itself on another thread raises the flag before its
        // reference goes (see `wake_raw`), and the fence makes the flag
        // visible once the count shows the reference gone.
        let wakers = Arc::strong_count(&target);
        fence(Ordering::Acquire);
        if target.take_woken() {
            continue;
        }
        if wakers == ours {
            panic!(
                "block_on: the future returned Pending without waking its waker or keeping a \
                 clone of it, so nothing can ever wake it and this thread would park forever; \
                 before it returns Pending, a future must store cx.waker().clone() where the \
                 event it waits for will find it (or wake it at once)"
            );
        }
        // `park` may also return for no reason: only a wake lets us go on.
        while !target.take_woken() {
            thread::park();
        }
    }
}
// ANCHOR_END: block_on
