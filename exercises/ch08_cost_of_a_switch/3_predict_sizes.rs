//! Exercise 8.3: predict how big an `async fn`'s future is.
//!
//! An `async fn` compiles to a state machine like chapter 8's `Counter`:
//! its future is a value, and its size is fixed when it is compiled. The
//! programs are the `async fn`s in `tests/ch08_cost_of_a_switch/exercises.rs`
//! (module `e3_predict_sizes`); each pauses once, and some hold a buffer of
//! `BUF` = 4096 bytes. Read them, and for each one predict, without running
//! anything, whether its future is
//!
//! - `Small`: under 64 bytes;
//! - `OneBuffer`: one buffer's worth, from 4096 to 4159 bytes;
//! - `TwoBuffers`: two buffers' worth, from 8192 to 8255 bytes.
//!
//! Write your answers in `predicted_size`. The check measures each future
//! with `std::mem::size_of_val` and says which prediction was wrong, with
//! the real size: find the rule that explains it before you change it.
//!
//! `cargo run -- check 8.3` checks your work. Stuck? `cargo run -- hint 8.3`

#![allow(unused_variables)]

/// The `async fn`s of `tests/ch08_cost_of_a_switch/exercises.rs` (module
/// `e3_predict_sizes`) whose futures' sizes are predicted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    /// `no_buffer`: pauses once, and keeps nothing.
    NoBuffer,
    /// `buffer_across_await`: a local buffer read after the pause.
    BufferAcrossAwait,
    /// `buffer_before_await`: a local buffer, in a block that ends before
    /// the pause.
    BufferBeforeAwait,
    /// `buffer_argument`: a buffer passed in, never read.
    BufferArgument,
    /// `two_in_sequence`: awaits `buffer_across_await` twice, one after the
    /// other.
    TwoInSequence,
    /// `two_at_once`: makes both futures first, then awaits them.
    TwoAtOnce,
    /// `three_deep`: awaits `two_in_sequence`.
    ThreeDeep,
    /// `boxed`: awaits `buffer_across_await` in a `Box`.
    Boxed,
    /// `on_the_heap`: a `Vec` buffer read after the pause.
    OnTheHeap,
}

/// How big a future is, to within a few bytes of bookkeeping: the tests
/// measure each one with `std::mem::size_of_val`. `BUF` is 4096.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// Under 64 bytes.
    Small,
    /// One buffer's worth: from `BUF` to `BUF + 63` bytes.
    OneBuffer,
    /// Two buffers' worth: from `2 × BUF` to `2 × BUF + 63` bytes.
    TwoBuffers,
}

/// The size of `program`'s future, predicted.
pub fn predicted_size(program: Program) -> Size {
    todo!("one prediction per program: what must the future keep while it is paused?")
}
