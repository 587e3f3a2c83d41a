//! Run with: cargo run --example ch09_async_fn
//!
//! Rust's own `async fn`, opened up, in six parts:
//!
//! - Step 9 of the Python path: `async fn` A awaits `Sleep(5)`, then B, which
//!   awaits `Sleep(10)` and returns "Hello World"; the driver counts the
//!   cycles. Then chapter 3's step 8, the same program stackful, run from
//!   chapter 3's own example.
//! - What `.await` compiles to: the compiler's `a()` and the hand-written
//!   `AFuture`, polled side by side, with the hand-written state after every
//!   poll.
//! - `Pin`: a future that borrows from itself across a pause, and a pinned
//!   future whose box moves between polls while the future stays put.
//! - Polling after `Ready`: the third poll of `Sleep(1)`, refused.
//! - A `Waker` by hand, then the same through `std::task::Wake`: the wakes
//!   and the `Arc`'s strong count after every operation; `will_wake`.
//! - `block_on` parking this thread until a helper thread wakes it.
//! - Async tasks on chapter 6's scheduler: step 10 again, every task an
//!   `async fn`, on the virtual clock; a stackful and an async task
//!   cancelled side by side (an error to clean up after, against a future
//!   dropped where it waits); and a task that loses its waker, named by the
//!   deadlock it causes.
//!
//! Every line is the same on every run, save the `[cost]` line, whose sizes
//! the compiler chooses.
//!
//! It takes no options: `--help` prints its usage, and any other argument is
//! refused with a message and exit code 2.

use std::mem::size_of_val;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::Duration;

use yieldpoint::ch06_scheduler::{self as ch06, Clock, SchedError, Scheduler};
use yieldpoint::ch09_async_fn::{
    AddressLog, Checked, Sleep, WakeTarget, a, a_by_hand, block_on, drive, first_half_sum, sleep,
    sleep_on_thread, spawn_async, waker_by_hand, waker_by_trait,
};
use yieldpoint::say;

// Chapter 3's example, compiled in here: step 8 runs from its own code, not
// from a copy.
#[allow(dead_code)]
#[path = "ch03_yield_from.rs"]
pub mod ch03_yield_from;

// ANCHOR: step9_main
/// Step 9's main: drive A to the end, then say what it returned and how many
/// cycles it waited.
pub fn step9_main() {
    let (result, cycles) = drive(a());
    say!("main", "{result}");
    say!("main", "Waited for {cycles} cycles");
}
// ANCHOR_END: step9_main

/// Step 9, then chapter 3's step 8 beside it.
pub fn steps() {
    say!(
        "main",
        "-- step 9: async fn A awaits Sleep(5), then B, which awaits Sleep(10) --"
    );
    step9_main();
    say!(
        "main",
        "-- step 8 (chapter 3): the same program, stackful --"
    );
    ch03_yield_from::step8_main(ch03_yield_from::step8_stackful());
}

/// The compiler's `a()` and the hand-written `AFuture`, one poll each per
/// line, until both are ready.
pub fn side_by_side() {
    say!(
        "main",
        "-- what .await compiles to: a() and AFuture, polled side by side --"
    );
    let mut compiled = pin!(a());
    let mut by_hand = pin!(a_by_hand());
    let mut cx = Context::from_waker(Waker::noop());
    say!(
        "main",
        "poll | async fn a()         | AFuture              | AFuture after the poll"
    );
    for poll in 1.. {
        let theirs = compiled.as_mut().poll(&mut cx);
        let ours = by_hand.as_mut().poll(&mut cx);
        say!(
            "main",
            "{poll:>4} | {:<20} | {:<20} | {:?}",
            format!("{theirs:?}"),
            format!("{ours:?}"),
            *by_hand
        );
        if theirs.is_ready() && ours.is_ready() {
            break;
        }
    }
    say!(
        "cost",
        "size: async fn a() {} bytes, AFuture {} bytes",
        size_of_val(&a()),
        size_of_val(&a_by_hand())
    );
}

/// A future that borrows from itself, and one that logs where it is polled.
pub fn pinning() {
    say!("main", "-- Pin: futures that must not move once polled --");
    let (sum, cycles) = drive(first_half_sum());
    say!(
        "main",
        "first_half_sum() = {sum}, after {cycles} pause holding a pointer into itself"
    );
    let mut boxed = Box::pin(AddressLog::new(2));
    let mut cx = Context::from_waker(Waker::noop());
    let mut moves = Vec::new();
    let addresses = loop {
        if let Poll::Ready(addresses) = boxed.as_mut().poll(&mut cx) {
            break addresses;
        }
        // Move the box: into a Vec and out again. The future stays put.
        moves.push(boxed);
        boxed = moves.pop().expect("just pushed");
    };
    let mut distinct = addresses.clone();
    distinct.dedup();
    say!(
        "main",
        "AddressLog polled {} times, its box moved between polls: {} address",
        addresses.len(),
        distinct.len()
    );
}

/// `Sleep(1)` polled three times: the third poll is refused.
pub fn polling_after_ready() {
    say!("main", "-- polling after Ready --");
    let mut sleep = Checked::new(Sleep(1));
    let mut cx = Context::from_waker(Waker::noop());
    for poll in 1..=3 {
        match sleep.try_poll(&mut cx) {
            Ok(outcome) => say!("main", "poll {poll}: {outcome:?}"),
            Err(error) => say!("main", "poll {poll}: refused: {error}"),
        }
    }
}

/// One waker's life, with the wakes and the strong count after every step.
pub fn waker_life(how: &str, make: fn(Arc<WakeTarget>) -> Waker) {
    say!("main", "-- a Waker {how} --");
    let target = WakeTarget::counter();
    let report = |step: &str| {
        say!(
            "waker",
            "{step:<26} wakes {}, strong count {}",
            target.wakes(),
            Arc::strong_count(&target)
        );
    };
    report("Arc<WakeTarget> alone:");
    let waker = make(Arc::clone(&target));
    report("made a waker:");
    let clone = waker.clone();
    report("cloned it:");
    waker.wake_by_ref();
    report("wake_by_ref():");
    clone.wake();
    report("the clone's wake():");
    drop(waker);
    report("dropped the waker:");
}

/// `will_wake` on clones and strangers.
pub fn will_wake() {
    say!("main", "-- will_wake --");
    let target = WakeTarget::counter();
    let waker = waker_by_hand(Arc::clone(&target));
    let clone = waker.clone();
    let stranger = waker_by_hand(WakeTarget::counter());
    let same_target_by_trait = waker_by_trait(Arc::clone(&target));
    say!(
        "main",
        "a clone will_wake the original: {}",
        clone.will_wake(&waker)
    );
    say!(
        "main",
        "a waker of another target: {}",
        stranger.will_wake(&waker)
    );
    say!(
        "main",
        "the same target through the Wake trait: {}",
        same_target_by_trait.will_wake(&waker)
    );
}

// ANCHOR: thread_wake
/// A waker woken on another thread; then `block_on` parking this thread
/// until a helper thread wakes the future it runs.
pub fn thread_wake() {
    say!("main", "-- wakes from another thread --");
    let target = WakeTarget::counter();
    let waker = waker_by_hand(Arc::clone(&target));
    thread::spawn(move || waker.wake())
        .join()
        .expect("the waking thread does not panic");
    say!(
        "main",
        "a waker sent to another thread and woken there: wakes {}, strong count {}",
        target.wakes(),
        Arc::strong_count(&target)
    );
    let mut sleep = pin!(sleep_on_thread(Duration::from_millis(20)));
    let mut polls = Vec::new();
    block_on(std::future::poll_fn(|cx| {
        let poll = sleep.as_mut().poll(cx);
        polls.push(format!("{poll:?}"));
        poll
    }));
    say!(
        "main",
        "block_on(sleep_on_thread(20 ms)): {}; parked in between, until the helper thread's wake",
        polls.join(", then ")
    );
}
// ANCHOR_END: thread_wake

// ANCHOR: step10_async
/// Counts down from 10, one unit apart, then lifts off.
pub async fn countdown(unit: Duration) -> Result<(), SchedError> {
    for n in (1..=10).rev() {
        say!("countdown", "{n}");
        sleep(unit).await?;
    }
    say!("countdown", "TAKE OFF!!!!!");
    Ok(())
}

/// Awaited from `do_stuff`: runs inside whichever task awaits it.
pub async fn do_more_stuff(unit: Duration) -> Result<&'static str, SchedError> {
    sleep(2 * unit).await?;
    Ok("Hello World")
}

/// Awaited from `main`, so it speaks for `main`.
pub async fn do_stuff(unit: Duration) -> Result<(), SchedError> {
    sleep(unit).await?;
    say!("main", "Doing more stuff");
    let result = do_more_stuff(unit).await?;
    say!("main", "{result}");
    Ok(())
}

/// The main task.
pub async fn main_task(unit: Duration) -> Result<(), SchedError> {
    let task = spawn_async("countdown", countdown(unit))?;
    sleep(unit / 2).await?;
    do_stuff(unit).await?;
    task.await?;
    say!("main", "Main is exiting");
    Ok(())
}
// ANCHOR_END: step10_async

/// Step 10 with `async fn` tasks on chapter 6's scheduler, virtual clock.
pub fn step10_async() {
    say!(
        "main",
        "-- step 10 with async fn tasks, on chapter 6's scheduler --"
    );
    let scheduler = Scheduler::new(Clock::Virtual);
    if let Err(error) = scheduler.run_until_complete_async(main_task(Duration::from_millis(100))) {
        say!("error", "step 10 failed: {error}");
    }
    say!(
        "scheduler",
        "{} resumes; the virtual clock reads {:.3} s",
        scheduler.resumes(),
        scheduler.now().as_secs_f64()
    );
}

// ANCHOR: two_cancellations
/// A stackful task cancelled at its sleep is handed `Cancelled` there: its
/// cleanup is its own code, which may wait.
pub fn stackful_worker() -> Result<(), SchedError> {
    match ch06::sleep(Duration::from_secs(3600)) {
        Err(SchedError::Cancelled) => {
            say!(
                "stackful",
                "handed Cancelled at its sleep; cleans up for 1 s"
            );
            ch06::sleep(Duration::from_secs(1))?;
            say!("stackful", "cleanup done at {} s", ch06::now()?.as_secs());
            Err(SchedError::Cancelled)
        }
        other => other,
    }
}

/// What an async task owns across its `.await`: its `Drop` is the task's
/// only cleanup when it is cancelled.
pub struct Cleanup;

impl Drop for Cleanup {
    fn drop(&mut self) {
        say!(
            "async",
            "dropped where it waited: Drop runs, and cannot wait"
        );
    }
}

/// An async task cancelled at its sleep is dropped there, at its `.await`.
pub async fn async_worker() -> Result<(), SchedError> {
    let _cleanup = Cleanup;
    sleep(Duration::from_secs(3600)).await?;
    Ok(())
}

/// Cancels one of each kind after a second, and waits for both.
pub fn cancel_both() -> Result<(), SchedError> {
    let stackful = ch06::spawn("stackful", stackful_worker)?;
    let asynchronous = spawn_async("async", async_worker())?;
    ch06::sleep(Duration::from_secs(1))?;
    stackful.cancel();
    asynchronous.cancel();
    let (first, second) = (stackful.join(), asynchronous.join());
    say!(
        "main",
        "at {} s: stackful {first:?}, async {second:?}",
        ch06::now()?.as_secs()
    );
    Ok(())
}
// ANCHOR_END: two_cancellations

/// The two cancellations, side by side.
pub fn cancellations() {
    say!(
        "main",
        "-- cancelled: a stackful task, and an async task --"
    );
    let scheduler = Scheduler::new(Clock::Virtual);
    if let Err(error) = scheduler.run_until_complete(cancel_both) {
        say!("error", "the cancellations failed: {error}");
    }
}

// ANCHOR: lost_waker
/// A future that returns `Pending` and keeps no waker: nothing can ever
/// wake the task that awaits it.
pub async fn forgets_its_waker() -> Result<(), SchedError> {
    std::future::poll_fn(|_| Poll::<()>::Pending).await;
    Ok(())
}
// ANCHOR_END: lost_waker

/// Runs a task that loses its waker: the deadlock names it.
pub fn lost_waker() {
    say!("main", "-- a task that loses its waker --");
    let scheduler = Scheduler::new(Clock::Virtual);
    let outcome =
        scheduler.run_until_complete(|| spawn_async("forgetful", forgets_its_waker())?.join());
    match outcome {
        Err(error) => say!("scheduler", "{error}"),
        Ok(()) => say!("error", "the task was woken after all"),
    }
}

/// Every part, in order.
pub fn programs() {
    steps();
    side_by_side();
    pinning();
    polling_after_ready();
    waker_life("by hand (RawWakerVTable)", waker_by_hand);
    waker_life("through std::task::Wake", waker_by_trait);
    will_wake();
    thread_wake();
    step10_async();
    cancellations();
    lost_waker();
}

/// How to call the example: it takes no options.
pub const USAGE: &str = "cargo run --example ch09_async_fn (no options; --help prints this)";

/// Runs the example with the options in `args`: there are none, so
/// `--help` (or `-h`) prints the usage, and anything else is refused with a
/// message naming it, the usage, and exit code 2, as the other chapters'
/// examples do.
pub fn run(args: &[String]) {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        say!("usage", "{USAGE}");
        return;
    }
    if let Some(unknown) = args.first() {
        say!(
            "error",
            "unknown argument {unknown:?}: this example takes no options"
        );
        say!("usage", "{USAGE}");
        std::process::exit(2);
    }
    programs();
}

/// The entry point: `run` with the command line's arguments.
pub fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run(&args);
}
