//! Exercise 12.3: predict who tokio polls when.
//!
//! The script is `script()` in `tests/ch12_tokio/exercises.rs` (module
//! `e3_predict`), a program the chapter never runs:
//!
//! ```text
//! main: Spawn(A) Spawn(B) Yield Join(A) Join(B)
//! A:    Wake Yield Wake
//! B:    Yield Sleep(1)
//! ```
//!
//! Without running it, write the order in which the tasks are polled, each
//! task's name once per poll: first on the course's scheduler (asyncio's
//! rules: every wake and yield goes to the back of the ready queue, and
//! `main` is a task like the others), then on tokio's current-thread
//! runtime (the rules of "tokio's loop, as a model"). Then run the check:
//! if it fails, it shows yours beside the real ones; find the rule that
//! explains each difference before you copy anything.
//!
//! `cargo run -- check 12.3` checks your work. Stuck? `cargo run -- hint 12.3`

/// The poll order on the course's scheduler.
pub fn predicted_on_the_course() -> Vec<&'static str> {
    todo!("one name per poll, in order")
}

/// The poll order on tokio's current-thread runtime.
pub fn predicted_on_tokio() -> Vec<&'static str> {
    todo!("one name per poll, in order")
}
