//! # Chapter 3: delegation, from any depth
//!
//! A generator rarely does all its work in one body. It hands part of the job
//! to someone else, and that someone may need to pause too. This chapter shows
//! the two ways to let a helper pause on behalf of a generator:
//!
//! - **stackful**: the helper is a plain function that takes the generator's
//!   [`Yielder`]. Called from the body (or from a function the body called, at
//!   any depth), its `suspend` pauses the whole generator. Nothing special marks
//!   the call: the frames in between simply stay where they are, on the
//!   generator's own stack, until the next resume.
//! - **`yield from`**: the helper is a generator of its own. The outer body
//!   drives it with [`yield_from`], which passes each value the helper yields
//!   up to the outer generator's resumer, passes each input the outer
//!   generator receives back down, and returns the helper's completion value.
//!   This is Python's `yield from`, and how Python's `await` works underneath.
//!
//! The core operations are:
//! - [`yield_from`] drives an inner generator to completion from inside an
//!   outer generator's body, forwarding values up and inputs down.
//! - [`wait_times`] is the stackful way: a plain function that pauses the
//!   generator whose yielder it is given, `n` times.
//! - [`stackful_chain`] and [`yield_from_chain`] build the same sequence
//!   behind `depth` levels of delegation, one way each, so their costs can be
//!   compared (`cargo bench`).
//!
//! One value yielded at the bottom of a chain of depth 2, both ways:
//!
//! ```text
//!   (a) stackful: one generator, plain calls
//!
//!   resumer              the generator's stack
//!   ───────              ─────────────────────
//!   resume(()) ─switch─▶ body
//!                         └─ call helper(yielder)            frames stay put
//!                             └─ call leaf(yielder)          on this stack
//!   Yielded(v) ◀─switch─────────── yielder.suspend(v)
//!                        1 switch out, 1 back in, at any depth
//!
//!   (b) yield_from: one generator per level
//!
//!   resumer              outer's stack         middle's stack        leaf's stack
//!   ───────              ─────────────         ──────────────        ────────────
//!   resume(()) ─switch─▶ yield_from ─switch─▶  yield_from ─switch─▶  body
//!   Yielded(v) ◀─switch─ suspend(v) ◀─switch─  suspend(v) ◀─switch─  suspend(v)
//!                        every level passes v on: 2 switches per level
//! ```
//!
//! Depth means the same thing in both: the number of delegations between the
//! outermost body (level 0) and the leaf that yields (level `depth`). A chain
//! of depth `d` has `d + 1` levels: `d + 1` frames on one stack when stackful,
//! `d + 1` generators (each with a stack of its own) with `yield_from`.

use std::hint::black_box;

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

/// A generator whose body reaches a leaf `depth` plain function calls down;
/// the leaf yields `0, 1, ..., values - 1` and returns `values`; every level
/// returns what the level below returned.
///
/// Level 0 is the body's first call, and each level calls the next, so the leaf
/// (level `depth`) sits under `depth` live frames that wait for it on the one
/// generator stack. Depth 0: the first level is the leaf. Depth 1: it calls
/// the leaf once. Each suspend at the leaf is still one switch to the resumer.
///
/// The levels are real frames at runtime: the function is never inlined, and
/// each level passes the result up through [`black_box`], so the compiler
/// cannot turn the recursion into a loop.
// ANCHOR: stackful_chain
pub fn stackful_chain(depth: usize, values: u64) -> Generator<(), u64, u64> {
    Generator::new(move |yielder, ()| call_down(yielder, depth, values))
}

/// One level of [`stackful_chain`]: `below` more calls to make before the leaf.
#[inline(never)]
fn call_down(yielder: &Yielder<(), u64>, below: usize, values: u64) -> u64 {
    if below == 0 {
        return count_up(yielder, values);
    }
    // Using the result after the call keeps this frame alive until the level
    // below returns: a real call, not a jump.
    black_box(call_down(yielder, below - 1, values))
}
// ANCHOR_END: stackful_chain

/// The same values and return as [`stackful_chain`], with `depth` generators
/// each [`yield_from`]-ing the next one.
///
/// Level 0 is the returned generator; each level's body creates the next
/// level's generator and delegates to it; the leaf (level `depth`) yields.
/// Depth 0: the returned generator is the leaf. Depth 1: it delegates once to
/// the leaf, so two generators are alive. In general `depth + 1` generators
/// (and `depth + 1` stacks) are alive while the leaf runs, and each value the
/// leaf yields passes through every one of them on its way out.
// ANCHOR: yield_from_chain
pub fn yield_from_chain(depth: usize, values: u64) -> Generator<(), u64, u64> {
    Generator::new(move |yielder, ()| {
        if depth == 0 {
            count_up(yielder, values)
        } else {
            yield_from(yielder, yield_from_chain(depth - 1, values), ())
        }
    })
}
// ANCHOR_END: yield_from_chain

/// The leaf of both chains: yields `0..values`, then returns `values`.
fn count_up(yielder: &Yielder<(), u64>, values: u64) -> u64 {
    for value in 0..values {
        yielder.suspend(value);
    }
    values
}
