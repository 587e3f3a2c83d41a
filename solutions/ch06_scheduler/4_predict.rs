//! Exercise 6.4's reference solution: the program's lines and resumes,
//! predicted (the task is in `exercises/ch06_scheduler/4_predict.rs`).

/// The lines the program says, in order.
pub fn predicted_lines() -> Vec<&'static str> {
    vec![
        // Pass 1: main runs until it joins `a`; nothing it queued runs yet.
        "[main] main spawned a and b",
        // Pass 2: the ready queue in the order main filled it: a, b, the
        // `call_soon` callback. `b`'s yield sends it to the back.
        "[a] a starts",
        "[b] b starts",
        "[callback] soon",
        // Pass 3: b ends; its done callback goes to the back of the queue.
        "[b] b again",
        // Pass 4.
        "[callback] b is done",
        // Nothing ready: the clock jumps to 1 s. Both timers are due; the
        // callback's was set first (by main, before `a` ran). A task's
        // timer only queues its step: `a` runs a pass after the callback.
        "[callback] later",
        "[a] a wakes at 1",
        // a's end wakes main; b is done, so `b.join()` does not suspend.
        "[main] total 3 at 1",
    ]
}

/// How many times the scheduler resumes a task in the whole run.
pub fn predicted_resumes() -> u64 {
    // main: its start, and after `a` ends. a: its start, after its sleep.
    // b: its start, after its yield. Callbacks are not resumes.
    6
}
