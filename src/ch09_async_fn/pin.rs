//! Why a polled future must not move: a future that borrows from itself
//! across an `.await`, and one that logs where it is each time it is polled.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::Sleep;

// ANCHOR: first_half_sum
/// Sums the first half of a buffer, with a pause between taking the half
/// and reading it: `1 + 2 + 3 + 4`, so 10, after one pause.
///
/// `half` borrows `buffer`, and both are alive across the `.await`, so both
/// are kept in the future between polls: after the first poll, the future
/// holds a pointer into itself. Moving it would move `buffer` and leave
/// `half` pointing at where `buffer` used to be. That is why `poll` takes
/// `Pin<&mut Self>`, and why such a future is not `Unpin`: this does not
/// compile (the error is E0277, "cannot be unpinned"):
///
/// ```compile_fail,E0277
/// fn needs_unpin<T: Unpin>(_: &T) {}
/// needs_unpin(&yieldpoint::ch09_async_fn::first_half_sum());
/// ```
///
/// Once pinned, the future cannot be moved out from behind its `Pin`: no
/// safe code gets a `&mut` to it, so neither `mem::replace` nor `mem::swap`
/// can take it away (E0596, "cannot borrow data in dereference of `Pin<&mut
/// ...>` as mutable"):
///
/// ```compile_fail,E0596
/// use std::future::Future;
/// use std::pin::pin;
/// use std::task::{Context, Waker};
/// use yieldpoint::ch09_async_fn::first_half_sum;
///
/// let mut pinned = pin!(first_half_sum());
/// let mut cx = Context::from_waker(Waker::noop());
/// assert!(pinned.as_mut().poll(&mut cx).is_pending()); // `half` now points into it
/// let moved = std::mem::replace(&mut *pinned, first_half_sum()); // refused
/// ```
///
/// and the value `pin!` took is gone from its old name (E0382, "use of
/// moved value"):
///
/// ```compile_fail,E0382
/// use std::pin::pin;
/// use yieldpoint::ch09_async_fn::first_half_sum;
///
/// let future = first_half_sum();
/// let pinned = pin!(future);
/// let moved = future; // refused: `pin!` took it
/// ```
pub async fn first_half_sum() -> u32 {
    let buffer = [1u8, 2, 3, 4, 5, 6, 7, 8];
    let half = &buffer[..4]; // a pointer into the future's own state...
    Sleep(1).await; // ...kept across a pause
    half.iter().map(|&byte| u32::from(byte)).sum()
}
// ANCHOR_END: first_half_sum

// ANCHOR: address_log
/// A future that writes down its own address at every poll, pauses `pauses`
/// times, and returns the addresses it saw: a pinned future is polled where
/// it was pinned, however often the box that holds it moves.
///
/// [`PhantomPinned`] makes it `!Unpin`, as a compiled `async fn` is, so that
/// nothing can move it once it is pinned. Its fields are cells: `poll` reads
/// it through a shared reference (`Pin::get_ref`), and needs no `unsafe`.
#[derive(Debug)]
#[must_use = "a future does nothing until it is awaited or polled"]
pub struct AddressLog {
    pauses: Cell<u32>,
    addresses: RefCell<Vec<usize>>,
    _pinned: PhantomPinned,
}

impl AddressLog {
    /// A log that pauses `pauses` times before it is ready.
    pub fn new(pauses: u32) -> Self {
        AddressLog {
            pauses: Cell::new(pauses),
            addresses: RefCell::new(Vec::new()),
            _pinned: PhantomPinned,
        }
    }
}

impl Future for AddressLog {
    /// The address it was at, once per poll.
    type Output = Vec<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Vec<usize>> {
        let this: &AddressLog = self.into_ref().get_ref();
        let here = std::ptr::from_ref(this) as usize;
        this.addresses.borrow_mut().push(here);
        match this.pauses.get() {
            0 => Poll::Ready(this.addresses.take()),
            left => {
                this.pauses.set(left - 1);
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }
}
// ANCHOR_END: address_log
