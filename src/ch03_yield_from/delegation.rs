//! The functions of chapter 3 that exercise 3.4 asks you to rebuild:
//! [`yield_from`] and [`wait_times`].
//!
//! This file is the reference. With the feature `exercise-ch03`, the chapter's
//! module compiles `exercises/ch03_yield_from/4_rebuild.rs` in its place,
//! and the chapter's tests judge that file instead:
//! `cargo test --features exercise-ch03 --test ch03_yield_from -- --skip exercises::`.

use crate::ch02_coroutines::{Finished, Generator, GeneratorState, Yielder};

/// Python's `yield from`: drive `inner` to completion from inside the
/// generator that owns `yielder`, forwarding each value `inner` yields up and
/// each input the outer generator receives back down.
///
/// `first` is the input for inner's first resume (Python sends `None`): the
/// outer body calls `yield_from` while it is running, so there is no input from
/// the outer resumer to hand down yet. Every later input comes from the outer
/// generator's resumer. When `inner` returns, its completion value is
/// `yield_from`'s return value, and the outer body carries on.
///
/// Call it only from inside the body that `yielder` belongs to: the outer
/// generator pauses once for every value `inner` yields.
///
/// ```
/// use yieldpoint::ch02_coroutines::{Generator, GeneratorState};
/// use yieldpoint::ch03_yield_from::yield_from;
///
/// let mut outer = Generator::new(|yielder, ()| {
///     let inner = Generator::new(|yielder, ()| {
///         yielder.suspend("from inner");
///         "inner's result"
///     });
///     let got = yield_from(yielder, inner, ());
///     format!("outer saw {got:?}")
/// });
/// assert_eq!(outer.resume(()), Ok(GeneratorState::Yielded("from inner")));
/// assert_eq!(
///     outer.resume(()),
///     Ok(GeneratorState::Complete(String::from("outer saw \"inner's result\"")))
/// );
/// ```
///
/// # Panics
///
/// Panics if `inner` has already finished (its body returned or panicked):
/// there is nothing left to delegate to, and its return value is gone. Pass a
/// new generator instead.
///
/// If `inner` panics, the panic passes through `yield_from` and the outer body
/// to whoever resumed the outer generator, as any panic in a body does.
// ANCHOR: yield_from
pub fn yield_from<I, Y, R>(yielder: &Yielder<I, Y>, mut inner: Generator<I, Y, R>, first: I) -> R {
    let mut input = first;
    loop {
        match inner.resume(input) {
            // Up: our resumer gets the value. Down: what they send back next
            // is the inner generator's next input.
            Ok(GeneratorState::Yielded(value)) => input = yielder.suspend(value),
            Ok(GeneratorState::Complete(result)) => return result,
            Err(Finished) => panic!(
                "yield_from was given a generator that has already finished (its body \
                 returned or panicked), so there is nothing to delegate to; \
                 pass a new Generator instead"
            ),
        }
    }
}
// ANCHOR_END: yield_from

// ANCHOR: wait_times
/// Pauses the generator that owns `yielder` `n` times, yielding `()` each time
/// (a "wait": the generator has nothing to hand out yet).
///
/// This is stackful delegation: `wait_times` is a plain function, not a
/// generator. Called from a body, or from any function a body calls, each
/// `suspend` switches straight from here to the generator's resumer, and the
/// next resume comes straight back here. `wait_times(yielder, 0)` returns at
/// once without pausing.
pub fn wait_times(yielder: &Yielder<(), ()>, n: usize) {
    for _ in 0..n {
        yielder.suspend(());
    }
}
// ANCHOR_END: wait_times
