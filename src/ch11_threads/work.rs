//! Work that holds a thread: the blocking calls of this chapter's programs.
//!
//! `std::thread::sleep` blocks by waiting; [`busy_for`] and [`crunch`]
//! block by computing, which no scheduler and no operating system can
//! interrupt on the task's behalf: the thread is simply busy.

use std::hint::black_box;
use std::time::{Duration, Instant};

// ANCHOR: busy_for
/// A CPU-bound loop that holds the thread for `duration`: it computes
/// (a xorshift generator, so that the compiler cannot skip the work) and
/// looks at the clock every thousand rounds. Returns how many rounds it
/// did, which says how fast this thread ran meanwhile.
pub fn busy_for(duration: Duration) -> u64 {
    let start = Instant::now();
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut rounds = 0;
    while start.elapsed() < duration {
        for _ in 0..1000 {
            state = xorshift(state);
        }
        rounds += 1000;
    }
    black_box(state);
    rounds
}
// ANCHOR_END: busy_for

// ANCHOR: crunch
/// A fixed amount of CPU-bound work: `rounds` steps of a xorshift
/// generator. Returns the last value, so that the work cannot be skipped.
/// Two threads each crunching `n` rounds do twice the work of one: on two
/// free cores, in the time of one.
pub fn crunch(rounds: u64) -> u64 {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    for _ in 0..rounds {
        state = xorshift(black_box(state));
    }
    state
}
// ANCHOR_END: crunch

/// One step of Marsaglia's xorshift64.
fn xorshift(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}
