//! Exercise 5.3: predict the bill of busy sleeping.
//!
//! Chapter 5 says that `N` tasks each sleeping 10 ticks, while main waits
//! for them, cost exactly `11 × N + 12` resumes in 12 rounds. Work out the
//! rule for sleeps of any lengths, and write it down as two functions that
//! compute it without running anything.
//!
//! The program (the tests run it on a loop of `Clock::Ticks` for many inputs
//! and compare): `main` creates one task per entry of `sleeps`, in order,
//! each doing `sleep(ticks × TICK)` and nothing else, then awaits them one
//! after the other with `await_future`, and returns.
//!
//! - `predicted_resumes(sleeps)`: how many times the loop resumes a task in
//!   the whole run (`EventLoop::resumes`);
//! - `predicted_rounds(sleeps)`: how many rounds it completes
//!   (`EventLoop::rounds`).
//!
//! `cargo run -- check 5.3` checks your work. Stuck? `cargo run -- hint 5.3`

#![allow(unused_variables)]

/// How many resumes the program makes, for tasks sleeping `sleeps` ticks.
pub fn predicted_resumes(sleeps: &[u64]) -> u64 {
    todo!("count the resumes of each sleeper, and of main")
}

/// How many rounds the program takes, for tasks sleeping `sleeps` ticks.
pub fn predicted_rounds(sleeps: &[u64]) -> u64 {
    todo!("in which round does main find the last sleeper done?")
}
