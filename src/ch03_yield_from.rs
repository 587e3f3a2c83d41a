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

use crate::ch02_coroutines::{Generator, Yielder};

// The functions the rebuild exercise (3.4) leaves to you live in one file;
// the feature `exercise-ch03` compiles your version in its place.
#[cfg_attr(
    feature = "exercise-ch03",
    path = "../exercises/ch03_yield_from/4_rebuild.rs"
)]
mod delegation;

pub use delegation::{wait_times, yield_from};

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
