//! Exercise 8.3's reference solution: the sizes of `async fn` futures,
//! predicted (the task is in
//! `exercises/ch08_cost_of_a_switch/3_predict_sizes.rs`).

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
    match program {
        // A future holds what is alive at its pauses, plus a tag.
        Program::NoBuffer => Size::Small,
        Program::BufferAcrossAwait => Size::OneBuffer,
        // Gone before the pause: it lives on the stack of a `poll` call.
        Program::BufferBeforeAwait => Size::Small,
        // Arguments are held from the start, before anything runs.
        Program::BufferArgument => Size::OneBuffer,
        // The two inner futures are never alive together: they share a
        // place, as the variants of an enum do.
        Program::TwoInSequence => Size::OneBuffer,
        // Both exist across the first await.
        Program::TwoAtOnce => Size::TwoBuffers,
        // A caller holds its callee's future inside its own: a few bytes
        // more per level, not a copy.
        Program::ThreeDeep => Size::OneBuffer,
        // A box or a vector holds a pointer; the buffer is on the heap.
        Program::Boxed => Size::Small,
        Program::OnTheHeap => Size::Small,
    }
}
