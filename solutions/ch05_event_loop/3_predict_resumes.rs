//! Exercise 5.3's reference solution: the bill of busy sleeping, predicted
//! (the task is in `exercises/ch05_event_loop/3_predict_resumes.rs`).

/// How many resumes the program makes, for tasks sleeping `sleeps` ticks.
pub fn predicted_resumes(sleeps: &[u64]) -> u64 {
    // A sleeper created in round 0 first runs in round 1, at time 1 tick, so
    // its deadline is 1 + s: it is resumed in rounds 1 to 1 + s, s + 1 times.
    // (A sleep of 0 returns at once: 1 resume, which the same rule gives.)
    let sleepers: u64 = sleeps.iter().map(|s| s + 1).sum();
    // main is resumed once per round; it runs after the sleepers (it went to
    // the back of the queue after creating them), so it finds the last one
    // done in the round that one finishes.
    sleepers + predicted_rounds(sleeps)
}

/// How many rounds the program takes, for tasks sleeping `sleeps` ticks.
pub fn predicted_rounds(sleeps: &[u64]) -> u64 {
    match sleeps.iter().max() {
        // main has nothing to await: it returns in round 0.
        None => 1,
        // The longest sleeper finishes in round 1 + max; rounds 0 to 1 + max.
        Some(longest) => longest + 2,
    }
}
