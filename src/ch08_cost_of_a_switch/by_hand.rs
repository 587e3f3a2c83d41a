//! The three pieces chapter 8's last exercise has you write again: a
//! stackless generator's `resume`, a poll of a future by hand, and the
//! smallest executor.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::{Counter, Stepper, WAKES};
use crate::ch02_coroutines::{Finished, GeneratorState};

impl Counter {
    // ANCHOR: counter_resume
    /// Runs the generator to its next pause. The first resume's input is
    /// ignored (nothing is paused at a `yield` yet to receive it), like the
    /// `None` of Python's first `send`; every later input is the value of the
    /// `yield` the generator is paused at.
    ///
    /// # Errors
    ///
    /// [`Finished`] once the generator has returned.
    pub fn resume(&mut self, input: u64) -> Result<GeneratorState<u64, u64>, Finished> {
        // Take the state out, leaving Done behind: a resume that panics
        // halfway cannot leave a half-updated state.
        let (next, step) = match std::mem::replace(self, Counter::Done) {
            Counter::Start { limit: 0 } => (Counter::Done, GeneratorState::Complete(0)),
            Counter::Start { limit } => (
                Counter::Suspended {
                    i: 0,
                    limit,
                    total: 0,
                },
                GeneratorState::Yielded(0),
            ),
            Counter::Suspended { i, limit, total } => {
                let total = total.wrapping_add(input);
                let i = i + 1;
                if i < limit {
                    (
                        Counter::Suspended { i, limit, total },
                        GeneratorState::Yielded(i),
                    )
                } else {
                    (Counter::Done, GeneratorState::Complete(total))
                }
            }
            Counter::Done => return Err(Finished),
        };
        *self = next;
        Ok(step)
    }
    // ANCHOR_END: counter_resume
}

// ANCHOR: stepper_step
impl<F: Future> Stepper<F> {
    /// Polls the future once, with a waker that does nothing.
    ///
    /// `Poll::Pending` means the future paused; `Poll::Ready` carries its
    /// output. A future that waits for something real (a socket, a timer)
    /// would return `Pending` again and again until that happens: this waker
    /// never tells anyone, so only futures that pause to yield, such as
    /// [`leaf`](super::leaf), make progress here.
    ///
    /// # Errors
    ///
    /// [`Finished`] if the future was already ready: polling a future after
    /// it returned `Ready` is a bug its own `poll` may panic on.
    pub fn step(&mut self) -> Result<Poll<F::Output>, Finished> {
        if self.finished {
            return Err(Finished);
        }
        let mut cx = Context::from_waker(Waker::noop());
        let poll = self.future.as_mut().poll(&mut cx);
        self.finished = poll.is_ready();
        Ok(poll)
    }
}
// ANCHOR_END: stepper_step

// ANCHOR: block_on
/// Polls `future` until it is ready and returns its output: the smallest
/// executor there is. It never waits; between two polls it only checks that
/// the future asked to be polled again.
///
/// That is the contract of `Poll::Pending`: a future that returns it has
/// arranged for its waker to be called once it can make progress. [`leaf`](super::leaf)
/// wakes it at once (through [`yield_now`](super::yield_now)), so `block_on` polls again at
/// once.
///
/// # Panics
///
/// If a poll returns `Pending` without waking the waker. Such a future waits
/// for something outside it (a socket, a timer, another thread), and this
/// executor has no way to wait: polling it again and again would spin
/// forever. Run such futures on a real runtime, such as tokio's
/// `Runtime::block_on`.
pub fn block_on<F: Future>(future: F) -> F::Output {
    // Pinned on this function's stack: the future stays here until it is done.
    let mut future = pin!(future);
    let wakes = WAKES.with(Arc::clone);
    let waker = Waker::from(Arc::clone(&wakes));
    let mut cx = Context::from_waker(&waker);
    loop {
        let before = wakes.count();
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        if wakes.count() == before {
            panic!(
                "block_on: the future returned Pending without waking its waker, so it waits \
                 for something (I/O, a timer, another thread) that block_on cannot wait for, \
                 and polling it again would spin forever; block_on only drives futures that \
                 pause and wake themselves, like leaf and yield_now: run this one on a real \
                 runtime, such as tokio's Runtime::block_on"
            );
        }
    }
}
// ANCHOR_END: block_on
