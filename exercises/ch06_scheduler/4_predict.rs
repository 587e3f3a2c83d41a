//! Exercise 6.4: predict a schedule, then check it.
//!
//! The program is `program` in `tests/ch06_scheduler/exercises.rs` (module
//! `e4_predict`): main spawns two tasks, schedules a callback now, one for
//! when a task ends and one for a second later, and joins the tasks. The
//! chapter never prints its output. Read it, and without running it write:
//!
//! - `predicted_lines()`: every line it says, in order, exactly as `say!`
//!   prints them (`[role] text`); times print as `1` for one second;
//! - `predicted_resumes()`: how many times the scheduler resumes a task in
//!   the whole run (`Scheduler::resumes`). A callback is not a resume.
//!
//! Then run the check. If it fails, it shows your lines beside the real
//! ones: find the rule of the chapter that explains each difference before
//! you copy anything.
//!
//! `cargo run -- check 6.4` checks your work. Stuck? `cargo run -- hint 6.4`

/// The lines the program says, in order.
pub fn predicted_lines() -> Vec<&'static str> {
    todo!("write the lines you expect, in order")
}

/// How many times the scheduler resumes a task in the whole run.
pub fn predicted_resumes() -> u64 {
    todo!("count each task's steps")
}
