//! Chapter 9's tests. They also judge the rebuild exercise (9.5):
//! `cargo test --features exercise-ch09 --test ch09_async_fn -- --skip exercises::`.
//! The small exercises' tests are in `ch09_async_fn/exercises.rs`.
//!
//! No test here asserts a duration: the ones with threads check what was
//! woken, how often, and how many references are left, whatever the timing.

use std::cell::Cell;
use std::future::{Future, pending, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::Duration;

use yieldpoint::ch02_coroutines::GeneratorState;
use yieldpoint::ch04_future_task::panic_message;
use yieldpoint::ch09_async_fn::{
    AFuture, AddressLog, BFuture, Checked, PollError, SenderDropped, Sleep, WakeTarget, a,
    a_by_hand, b, b_by_hand, block_on, channel, drive, first_half_sum, sleep_on_thread,
    waker_by_hand, waker_by_trait,
};
use yieldpoint::output::{capture, mask_costs};

#[allow(dead_code)]
#[path = "../examples/ch09_async_fn.rs"]
mod example;

#[macro_use]
#[path = "support/example_command_line.rs"]
mod example_command_line;
#[path = "support/child.rs"]
mod child;

// Async tasks on chapter 6's scheduler.
#[path = "ch09_async_fn/on_the_scheduler.rs"]
mod on_the_scheduler;

// Chapter 7's combinators, awaited by async tasks.
#[path = "ch09_async_fn/combinators.rs"]
mod combinators;

// The small exercises' tests: `cargo test --test ch09_async_fn -- exercises::`.
#[path = "ch09_async_fn/exercises.rs"]
mod exercises;

/// A waker that counts its wakes, made through the `Wake` trait (so that
/// the tests of step 9 and of the state machines do not lean on the
/// hand-written vtable), and its target.
fn counting_waker() -> (Arc<WakeTarget>, Waker) {
    let target = WakeTarget::counter();
    let waker = waker_by_trait(Arc::clone(&target));
    (target, waker)
}

/// Every poll's outcome until the future is ready, and how many times it
/// woke its waker on the way.
fn polls_until_ready<F: Future>(future: F) -> (Vec<Poll<F::Output>>, u32) {
    let (target, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    let mut polls = Vec::new();
    loop {
        let poll = future.as_mut().poll(&mut cx);
        let ready = poll.is_ready();
        polls.push(poll);
        if ready {
            return (polls, target.wakes());
        }
    }
}

/// `n` Pendings, then `Ready(value)`.
fn pending_then<T>(n: usize, value: T) -> Vec<Poll<T>> {
    let mut polls: Vec<Poll<T>> = (0..n).map(|_| Poll::Pending).collect();
    polls.push(Poll::Ready(value));
    polls
}

/// The panic message of `f`, which must panic.
#[track_caller]
fn panic_of<R>(f: impl FnOnce() -> R) -> String {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic"),
        Err(payload) => panic_message(payload.as_ref()),
    }
}

/// Runs `f` on a thread of its own and returns its result, or fails the
/// test if it has not returned after a minute: a wrong `block_on` may park
/// forever, and a test should fail rather than hang.
fn within_a_minute<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> thread::Result<R> {
    let (done, result) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(catch_unwind(AssertUnwindSafe(f)));
    });
    result
        .recv_timeout(Duration::from_secs(60))
        .expect("still running after a minute: parked forever?")
}

// ---- step 9 ----------------------------------------------------------------

const STEP9: [&str; 2] = ["[main] Hello World", "[main] Waited for 15 cycles"];

#[test]
fn step_9_prints_hello_world_then_waited_for_15_cycles() {
    let (_, lines) = capture(example::step9_main);
    assert_eq!(lines, STEP9);
}

#[test]
fn drive_gives_each_futures_value_and_counts_its_pendings() {
    assert_eq!(drive(a()), ("Hello World", 15));
    assert_eq!(drive(b()), ("Hello World", 10));
    assert_eq!(drive(Sleep(0)), ((), 0));
    assert_eq!(drive(Sleep(3)), ((), 3));
    assert_eq!(drive(async { 7 }), (7, 0));
}

#[test]
fn sleep_n_is_pending_n_times_waking_its_waker_each_time_then_ready() {
    for n in [0, 1, 5] {
        let (polls, wakes) = polls_until_ready(Sleep(n));
        assert_eq!(polls, pending_then(n as usize, ()), "Sleep({n})");
        assert_eq!(wakes, n, "Sleep({n}) wakes once per Pending");
    }
}

#[test]
fn step_9_pauses_as_often_as_chapter_3s_step_8_waits_stackful() {
    // Chapter 3's generator, from chapter 3's own example.
    let mut step8 = example::ch03_yield_from::step8_stackful();
    let mut waits = 0;
    let result = loop {
        match step8.resume(()).expect("resumed until it completes") {
            GeneratorState::Yielded(()) => waits += 1,
            GeneratorState::Complete(result) => break result,
        }
    };
    assert_eq!(drive(a()), (result, waits));
}

#[test]
fn calling_an_async_fn_runs_none_of_its_body_until_the_first_poll() {
    let ran = Cell::new(0);
    let future = async {
        ran.set(ran.get() + 1);
        Sleep(1).await;
        ran.set(ran.get() + 1);
    };
    assert_eq!(ran.get(), 0, "made, not polled");
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    assert_eq!(future.as_mut().poll(&mut cx), Poll::Pending);
    assert_eq!(ran.get(), 1, "ran to the first .await");
    assert_eq!(future.as_mut().poll(&mut cx), Poll::Ready(()));
    assert_eq!(ran.get(), 2);
    assert_eq!(a_by_hand(), AFuture::Start);
    assert_eq!(b_by_hand(), BFuture::Start);
}

// ---- what .await compiles to -------------------------------------------------

#[test]
fn the_hand_written_b_polls_exactly_like_the_compiled_b() {
    let compiled = polls_until_ready(b());
    let by_hand = polls_until_ready(b_by_hand());
    assert_eq!(compiled, (pending_then(10, "Hello World"), 10));
    assert_eq!(by_hand, compiled);
}

#[test]
fn the_hand_written_a_polls_exactly_like_the_compiled_a() {
    let compiled = polls_until_ready(a());
    let by_hand = polls_until_ready(a_by_hand());
    assert_eq!(compiled, (pending_then(15, "Hello World"), 15));
    assert_eq!(by_hand, compiled);
    assert_eq!(drive(a_by_hand()), ("Hello World", 15));
}

#[test]
fn the_hand_written_a_holds_b_inside_it_once_past_the_first_await() {
    let mut future = a_by_hand();
    let mut cx = Context::from_waker(Waker::noop());
    let mut states = Vec::new();
    while Pin::new(&mut future).poll(&mut cx).is_pending() {
        states.push(future);
    }
    states.push(future);
    assert_eq!(states.len(), 16);
    assert_eq!(states[0], AFuture::Sleeping(Sleep(4)));
    assert_eq!(states[4], AFuture::Sleeping(Sleep(0)));
    // Poll 6 finishes Sleep(5), makes b's state machine and polls it once.
    assert_eq!(states[5], AFuture::AwaitingB(BFuture::Sleeping(Sleep(9))));
    assert_eq!(states[14], AFuture::AwaitingB(BFuture::Sleeping(Sleep(0))));
    assert_eq!(states[15], AFuture::Done);
}

#[test]
fn the_example_shows_the_compiled_and_the_hand_written_a_side_by_side() {
    let (_, lines) = capture(example::side_by_side);
    assert_eq!(lines.len(), 19);
    assert_eq!(
        lines[2],
        "[main]    1 | Pending              | Pending              | Sleeping(Sleep(4))"
    );
    assert_eq!(
        lines[17],
        "[main]   16 | Ready(\"Hello World\") | Ready(\"Hello World\") | Done"
    );
}

#[test]
fn polling_a_or_b_after_ready_panics_with_the_compilers_message_both_ways() {
    const MESSAGE: &str = "`async fn` resumed after completion";
    fn poll_twice_after_ready<F: Future>(future: F) -> String {
        let mut future = pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        while future.as_mut().poll(&mut cx).is_pending() {}
        panic_of(|| future.as_mut().poll(&mut cx))
    }
    assert_eq!(poll_twice_after_ready(a()), MESSAGE);
    assert_eq!(poll_twice_after_ready(b()), MESSAGE);
    assert_eq!(poll_twice_after_ready(a_by_hand()), MESSAGE);
    assert_eq!(poll_twice_after_ready(b_by_hand()), MESSAGE);
}

#[test]
fn the_hand_written_state_machines_are_unpin_and_the_compiled_ones_need_no_box() {
    fn unpin<T: Unpin>(_: &T) {}
    unpin(&a_by_hand());
    unpin(&b_by_hand());
    // The compiled ones are not Unpin (the compile_fail doc test of
    // first_half_sum shows it), but pinned on the stack they run the same.
    let mut compiled = pin!(a());
    let mut cx = Context::from_waker(Waker::noop());
    let mut polls = 1;
    while compiled.as_mut().poll(&mut cx).is_pending() {
        polls += 1;
    }
    assert_eq!(polls, 16);
}

// ---- Pin -----------------------------------------------------------------------

#[test]
fn first_half_sum_pauses_once_and_sums_the_first_half_of_its_buffer() {
    assert_eq!(drive(first_half_sum()), (10, 1));
    let (polls, wakes) = polls_until_ready(first_half_sum());
    assert_eq!((polls, wakes), (pending_then(1, 10), 1));
}

#[test]
fn a_pinned_future_is_polled_at_one_address_while_its_box_moves() {
    let mut boxed = Box::pin(AddressLog::new(3));
    let mut cx = Context::from_waker(Waker::noop());
    let mut shelf = Vec::new();
    let addresses = loop {
        if let Poll::Ready(addresses) = boxed.as_mut().poll(&mut cx) {
            break addresses;
        }
        shelf.push(boxed);
        shelf.push(Box::pin(AddressLog::new(0)));
        shelf.swap(0, 1);
        boxed = shelf.remove(1);
        shelf.clear();
    };
    assert_eq!(addresses.len(), 4);
    assert!(
        addresses.iter().all(|&at| at == addresses[0]),
        "{addresses:?}"
    );
}

#[test]
fn a_future_pinned_on_the_stack_stays_put_and_so_does_step_9_through_a_box() {
    let (addresses, cycles) = drive(AddressLog::new(2));
    assert_eq!(cycles, 2);
    assert_eq!(addresses.len(), 3);
    assert!(
        addresses.iter().all(|&at| at == addresses[0]),
        "{addresses:?}"
    );
    let (result, cycles) = drive(Box::pin(a()));
    assert_eq!((result, cycles), ("Hello World", 15));
}

#[test]
fn the_example_shows_one_address_for_a_future_whose_box_moved() {
    let (_, lines) = capture(example::pinning);
    assert_eq!(
        lines,
        [
            "[main] -- Pin: futures that must not move once polled --",
            "[main] first_half_sum() = 10, after 1 pause holding a pointer into itself",
            "[main] AddressLog polled 3 times, its box moved between polls: 1 address",
        ]
    );
}

// ---- polling after Ready ---------------------------------------------------------

const AFTER_READY_AT_2: &str = "polled a future again after it returned Ready (at poll 2): its \
     output was handed out then, and nothing is left to run; stop polling a future once it is \
     ready (a compiled async fn would panic here)";

#[test]
fn checked_refuses_a_poll_after_ready_with_an_error_naming_the_poll() {
    let mut sleep = Checked::new(Sleep(1));
    let mut cx = Context::from_waker(Waker::noop());
    assert_eq!(sleep.try_poll(&mut cx), Ok(Poll::Pending));
    assert!(!sleep.is_ready());
    assert_eq!(sleep.try_poll(&mut cx), Ok(Poll::Ready(())));
    assert!(sleep.is_ready());
    let error = sleep.try_poll(&mut cx).unwrap_err();
    assert_eq!(error, PollError::AfterReady { ready_at: 2 });
    assert_eq!(error.to_string(), AFTER_READY_AT_2);
    assert_eq!(
        sleep.try_poll(&mut cx),
        Err(PollError::AfterReady { ready_at: 2 })
    );
    assert_eq!(sleep.polls(), 2, "refused polls do not reach the future");
}

#[test]
fn checked_keeps_a_compiled_async_fn_from_its_panic_after_ready() {
    let mut future = Checked::new(a());
    let mut cx = Context::from_waker(Waker::noop());
    let mut outcomes = Vec::new();
    while !future.is_ready() {
        outcomes.push(future.try_poll(&mut cx).expect("polled only until ready"));
    }
    assert_eq!(outcomes, pending_then(15, "Hello World"));
    assert_eq!(
        future.try_poll(&mut cx),
        Err(PollError::AfterReady { ready_at: 16 })
    );
}

#[test]
fn checked_refuses_a_poll_after_a_poll_that_panicked() {
    let polls = Cell::new(0);
    let mut future = Checked::new(poll_fn(|_| {
        polls.set(polls.get() + 1);
        if polls.get() == 2 {
            panic!("boom");
        }
        Poll::<()>::Pending
    }));
    let mut cx = Context::from_waker(Waker::noop());
    assert_eq!(future.try_poll(&mut cx), Ok(Poll::Pending));
    assert_eq!(panic_of(|| future.try_poll(&mut cx)), "boom");
    let error = future.try_poll(&mut cx).unwrap_err();
    assert_eq!(error, PollError::AfterPanic { panicked_at: 2 });
    assert_eq!(
        error.to_string(),
        "polled a future again after its poll 2 panicked: it stopped half-way, in no state \
         to go on; drop it (a compiled async fn would panic here too)"
    );
    assert_eq!(polls.get(), 2, "the refused poll did not reach the future");
}

#[test]
fn the_example_shows_the_third_poll_of_sleep_1_refused() {
    let (_, lines) = capture(example::polling_after_ready);
    assert_eq!(
        lines,
        [
            "[main] -- polling after Ready --".to_string(),
            "[main] poll 1: Pending".to_string(),
            "[main] poll 2: Ready(())".to_string(),
            format!("[main] poll 3: refused: {AFTER_READY_AT_2}"),
        ]
    );
}

// ---- spurious polls and stale wakers ----------------------------------------------

#[test]
fn a_spurious_poll_of_a_waiting_receiver_is_pending_again_and_keeps_one_clone() {
    let (sender, receiver) = channel();
    let (target, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    let mut receiver = pin!(receiver);
    assert_eq!(receiver.as_mut().poll(&mut cx), Poll::Pending);
    assert_eq!(Arc::strong_count(&target), 3, "target, waker, kept clone");
    // Polled again with nothing sent and nothing woken.
    assert_eq!(receiver.as_mut().poll(&mut cx), Poll::Pending);
    assert_eq!(Arc::strong_count(&target), 3, "one kept clone, not two");
    assert_eq!(target.wakes(), 0);
    sender.send(42);
    assert_eq!(target.wakes(), 1);
    assert_eq!(Arc::strong_count(&target), 2, "the kept clone was consumed");
    assert_eq!(receiver.as_mut().poll(&mut cx), Poll::Ready(Ok(42)));
}

#[test]
fn a_receiver_polled_with_a_new_waker_drops_the_stale_one_and_wakes_the_new_one() {
    let (sender, receiver) = channel::<&str>();
    let (old, old_waker) = counting_waker();
    let (new, new_waker) = counting_waker();
    let mut receiver = pin!(receiver);
    assert_eq!(
        receiver.as_mut().poll(&mut Context::from_waker(&old_waker)),
        Poll::Pending
    );
    assert_eq!(Arc::strong_count(&old), 3);
    assert!(!new_waker.will_wake(&old_waker));
    assert_eq!(
        receiver.as_mut().poll(&mut Context::from_waker(&new_waker)),
        Poll::Pending
    );
    assert_eq!(Arc::strong_count(&old), 2, "the stale clone was dropped");
    assert_eq!(Arc::strong_count(&new), 3);
    sender.send("hi");
    assert_eq!((old.wakes(), new.wakes()), (0, 1));
}

#[test]
fn a_receiver_whose_sender_is_dropped_unsent_is_woken_and_says_so() {
    let (sender, receiver) = channel::<u8>();
    let (target, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    let mut receiver = pin!(receiver);
    assert_eq!(receiver.as_mut().poll(&mut cx), Poll::Pending);
    drop(sender);
    assert_eq!(target.wakes(), 1);
    assert_eq!(
        receiver.as_mut().poll(&mut cx),
        Poll::Ready(Err(SenderDropped))
    );
    assert_eq!(
        SenderDropped.to_string(),
        "the sender was dropped without sending a value"
    );
    assert_eq!(Arc::strong_count(&target), 2);
}

#[test]
fn a_value_sent_before_the_first_poll_is_ready_at_once_and_nothing_is_woken() {
    let (sender, receiver) = channel();
    sender.send("early");
    let (polls, wakes) = polls_until_ready(receiver);
    assert_eq!((polls, wakes), (vec![Poll::Ready(Ok("early"))], 0));
}

// ---- a Waker by hand, and through Wake ------------------------------------------

/// How a test makes a waker for a target: by hand, or through `Wake`.
type MakeWaker = fn(Arc<WakeTarget>) -> Waker;

const BOTH: [(&str, MakeWaker); 2] = [("by hand", waker_by_hand), ("Wake", waker_by_trait)];

/// A target's wakes and strong count, noted after each step of a scenario.
type Seen = Vec<(u32, usize)>;

/// The steps of a scenario: what it does to a target's wakers, noting the
/// target's figures where it likes.
type Steps = fn(MakeWaker, &Arc<WakeTarget>, &mut Seen);

/// One scenario: what it does to a fresh target's wakers, and the target's
/// (wakes, strong count) after every step, from the start to the end.
fn scenario(make: MakeWaker, steps: Steps) -> Seen {
    let target = WakeTarget::counter();
    let mut seen = vec![(target.wakes(), Arc::strong_count(&target))];
    steps(make, &target, &mut seen);
    seen.push((target.wakes(), Arc::strong_count(&target)));
    seen
}

/// Notes the target's wakes and strong count.
fn note(target: &Arc<WakeTarget>, seen: &mut Seen) {
    seen.push((target.wakes(), Arc::strong_count(target)));
}

#[test]
fn wake_consumes_its_reference_and_wake_by_ref_does_not_both_ways() {
    for (how, make) in BOTH {
        let seen = scenario(make, |make, target, seen| {
            let waker = make(Arc::clone(target));
            note(target, seen);
            waker.wake_by_ref();
            waker.wake_by_ref();
            note(target, seen);
            waker.wake();
            note(target, seen);
        });
        assert_eq!(seen, [(0, 1), (0, 2), (2, 2), (3, 1), (3, 1)], "{how}");
    }
}

#[test]
fn clones_raise_the_count_and_each_drop_or_wake_lowers_it_both_ways() {
    for (how, make) in BOTH {
        let seen = scenario(make, |make, target, seen| {
            let waker = make(Arc::clone(target));
            let clones: Vec<Waker> = (0..10).map(|_| waker.clone()).collect();
            note(target, seen);
            let mut clones = clones.into_iter();
            clones.next().expect("ten clones").wake();
            note(target, seen);
            drop(clones);
            note(target, seen);
            drop(waker);
        });
        assert_eq!(seen, [(0, 1), (0, 12), (1, 11), (1, 2), (1, 1)], "{how}");
    }
}

#[test]
fn a_waker_made_and_dropped_unwoken_leaves_the_count_where_it_began_both_ways() {
    for (how, make) in BOTH {
        let seen = scenario(make, |make, target, _| drop(make(Arc::clone(target))));
        assert_eq!(seen, [(0, 1), (0, 1)], "{how}");
    }
}

#[test]
fn a_waker_sent_to_another_thread_is_woken_there_both_ways() {
    fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<Waker>();
    send_and_sync::<WakeTarget>();
    for (how, make) in BOTH {
        let seen = scenario(make, |make, target, seen| {
            let waker = make(Arc::clone(target));
            let by_ref = waker.clone();
            note(target, seen);
            thread::spawn(move || {
                by_ref.wake_by_ref();
                waker.wake();
            })
            .join()
            .expect("the other thread does not panic");
        });
        assert_eq!(seen, [(0, 1), (0, 3), (2, 1)], "{how}");
    }
}

#[test]
fn many_threads_waking_clones_at_once_lose_no_wake_and_no_reference_both_ways() {
    for (how, make) in BOTH {
        let seen = scenario(make, |make, target, _| {
            let waker = make(Arc::clone(target));
            let start = Arc::new(Barrier::new(4));
            let threads: Vec<_> = (0..4)
                .map(|_| {
                    let waker = waker.clone();
                    let start = Arc::clone(&start);
                    thread::spawn(move || {
                        start.wait();
                        for _ in 0..1000 {
                            // A clone made, then used up by its wake.
                            let clone = waker.clone();
                            clone.wake();
                            waker.wake_by_ref();
                        }
                    })
                })
                .collect();
            for thread in threads {
                thread.join().expect("a waking thread does not panic");
            }
        });
        assert_eq!(seen, [(0, 1), (8000, 1)], "{how}");
    }
}

#[test]
fn the_target_is_freed_with_its_last_waker_both_ways() {
    for (how, make) in BOTH {
        let target = WakeTarget::counter();
        let weak = Arc::downgrade(&target);
        let waker = make(target);
        let clone = waker.clone();
        drop(waker);
        assert!(weak.upgrade().is_some(), "{how}: the clone keeps it");
        clone.wake();
        assert!(weak.upgrade().is_none(), "{how}: freed with the last waker");
    }
}

#[test]
fn will_wake_knows_a_clone_and_tells_apart_other_targets_and_other_vtables() {
    for (how, make) in BOTH {
        let target = WakeTarget::counter();
        let waker = make(Arc::clone(&target));
        let clone = waker.clone();
        // A static vtable has one address, so a clone is always known. std's
        // Wake waker builds its vtable as a constant in two places and
        // relies on the compiler merging them: true in compiled code, false
        // under Miri, which gives each constant an address of its own.
        if how == "by hand" || !cfg!(miri) {
            assert!(clone.will_wake(&waker), "{how}");
            assert!(waker.will_wake(&clone), "{how}");
        }
        assert!(!make(WakeTarget::counter()).will_wake(&waker), "{how}");
    }
    // One target, two vtables: will_wake compares both pointers.
    let target = WakeTarget::counter();
    let by_hand = waker_by_hand(Arc::clone(&target));
    let by_trait = waker_by_trait(Arc::clone(&target));
    assert!(!by_hand.will_wake(&by_trait));
    by_hand.wake_by_ref();
    by_trait.wake_by_ref();
    assert_eq!(target.wakes(), 2, "yet both wake the same target");
}

#[test]
fn a_wake_after_the_future_finished_is_harmless() {
    // The future hands its waker out with its value; block_on is done by
    // the time it is woken.
    let outcome = within_a_minute(|| {
        let waker = block_on(poll_fn(|cx| Poll::Ready(cx.waker().clone())));
        waker.wake_by_ref();
        waker.wake();
        // The stray unpark it left on this thread costs the next block_on
        // nothing but a look at its flag.
        block_on(a())
    });
    assert_eq!(outcome.expect("block_on does not panic"), "Hello World");
    // With a counting target: the late wake is counted, and the count of
    // references still returns to one.
    for (how, make) in BOTH {
        let target = WakeTarget::counter();
        let kept = drive(poll_fn(|_| Poll::Ready(make(Arc::clone(&target))))).0;
        kept.wake();
        assert_eq!(
            (target.wakes(), Arc::strong_count(&target)),
            (1, 1),
            "{how}"
        );
    }
}

#[test]
fn the_example_shows_both_wakers_counting_the_same() {
    let (_, by_hand) = capture(|| example::waker_life("by hand", waker_by_hand));
    let (_, by_trait) = capture(|| example::waker_life("by hand", waker_by_trait));
    assert_eq!(by_hand, by_trait);
    assert_eq!(
        by_hand,
        [
            "[main] -- a Waker by hand --",
            "[waker] Arc<WakeTarget> alone:     wakes 0, strong count 1",
            "[waker] made a waker:              wakes 0, strong count 2",
            "[waker] cloned it:                 wakes 0, strong count 3",
            "[waker] wake_by_ref():             wakes 1, strong count 3",
            "[waker] the clone's wake():        wakes 2, strong count 2",
            "[waker] dropped the waker:         wakes 2, strong count 1",
        ]
    );
}

// ---- block_on -----------------------------------------------------------------------

#[test]
fn block_on_runs_step_9_and_its_hand_written_twin_to_hello_world() {
    let outcome = within_a_minute(|| {
        (
            block_on(a()),
            block_on(a_by_hand()),
            block_on(async { 1 + 1 }),
        )
    });
    assert_eq!(
        outcome.expect("block_on does not panic"),
        ("Hello World", "Hello World", 2)
    );
}

#[test]
fn block_on_polls_a_future_that_woke_itself_again_at_once() {
    let outcome = within_a_minute(|| {
        let mut polls = 0;
        let mut sleep = Sleep(5);
        block_on(poll_fn(|cx| {
            polls += 1;
            Pin::new(&mut sleep).poll(cx)
        }));
        polls
    });
    assert_eq!(outcome.expect("block_on does not panic"), 6);
}

#[test]
fn block_on_parks_until_another_thread_wakes_it_and_polls_no_more_than_it_must() {
    let outcome = within_a_minute(|| {
        let (sender, receiver) = channel();
        let sending = thread::spawn(move || {
            thread::sleep(Duration::from_millis(20));
            sender.send(42);
        });
        let mut polls = 0;
        let mut receiver = pin!(receiver);
        let value = block_on(poll_fn(|cx| {
            polls += 1;
            receiver.as_mut().poll(cx)
        }));
        sending.join().expect("the sender does not panic");
        (value, polls)
    });
    let (value, polls) = outcome.expect("block_on does not panic");
    assert_eq!(value, Ok(42));
    // One wake, so one poll before it and one after: a busy loop would
    // have polled again and again. (If the sender is done before the first
    // poll, that poll is the last.)
    assert!((1..=2).contains(&polls), "{polls} polls");
}

#[test]
fn block_on_of_sleep_on_thread_polls_twice_whatever_the_timing() {
    for millis in [0, 1, 20] {
        let outcome = within_a_minute(move || {
            let mut polls = Vec::new();
            let mut sleep = pin!(sleep_on_thread(Duration::from_millis(millis)));
            block_on(poll_fn(|cx| {
                let poll = sleep.as_mut().poll(cx);
                polls.push(poll);
                poll
            }));
            polls
        });
        assert_eq!(
            outcome.expect("block_on does not panic"),
            pending_then(1, ()),
            "{millis} ms"
        );
    }
}

#[test]
fn block_on_gives_sender_dropped_when_the_other_thread_drops_its_sender() {
    let outcome = within_a_minute(|| {
        let (sender, receiver) = channel::<u8>();
        let dropping = thread::spawn(move || drop(sender));
        let value = block_on(receiver);
        dropping.join().expect("the thread does not panic");
        value
    });
    assert_eq!(
        outcome.expect("block_on does not panic"),
        Err(SenderDropped)
    );
}

const LOST_WAKER: &str = "block_on: the future returned Pending without waking its waker or \
     keeping a clone of it, so nothing can ever wake it and this thread would park forever; \
     before it returns Pending, a future must store cx.waker().clone() where the event it \
     waits for will find it (or wake it at once)";

#[test]
fn block_on_of_a_future_that_keeps_no_waker_panics_instead_of_parking_forever() {
    let outcome = within_a_minute(|| block_on(pending::<()>()));
    let payload = outcome.expect_err("block_on refuses it");
    assert_eq!(panic_message(payload.as_ref()), LOST_WAKER);
    // A hand-written future that forgets to keep its waker, after a first
    // poll that did keep one: the second poll is the one that loses it.
    let outcome = within_a_minute(|| {
        let mut kept: Option<Waker> = None;
        block_on(poll_fn(move |cx| {
            match kept.take() {
                // The first poll keeps a clone, and wakes it at once.
                None => {
                    let waker = cx.waker().clone();
                    waker.wake_by_ref();
                    kept = Some(waker);
                }
                // The second drops it: nobody is left to wake the future.
                Some(waker) => drop(waker),
            }
            Poll::<()>::Pending
        }))
    });
    let payload = outcome.expect_err("block_on refuses it");
    assert_eq!(panic_message(payload.as_ref()), LOST_WAKER);
}

#[test]
fn block_on_waits_for_a_future_whose_waker_is_held_elsewhere() {
    // A clone held by another thread, which wakes it once the future has
    // asked twice: the count, not the timing, tells block_on to wait.
    let outcome = within_a_minute(|| {
        let (wakers, waiting) = mpsc::channel::<Waker>();
        let waking = thread::spawn(move || {
            for waker in waiting.iter() {
                waker.wake();
            }
        });
        let mut polls = 0;
        block_on(poll_fn(move |cx| {
            polls += 1;
            if polls == 3 {
                return Poll::Ready(polls);
            }
            wakers
                .send(cx.waker().clone())
                .expect("the waking thread listens");
            Poll::Pending
        }));
        waking.join().expect("the waking thread does not panic");
    });
    outcome.expect("block_on does not panic");
}

#[test]
fn the_example_shows_a_waker_woken_elsewhere_and_block_on_parked_until_then() {
    let lines =
        within_a_minute(|| capture(example::thread_wake).1).expect("the example does not panic");
    assert_eq!(
        lines,
        [
            "[main] -- wakes from another thread --",
            "[main] a waker sent to another thread and woken there: wakes 1, strong count 1",
            "[main] block_on(sleep_on_thread(20 ms)): Pending, then Ready(()); parked in \
             between, until the helper thread's wake",
        ]
    );
}

// ---- the example --------------------------------------------------------------------

#[test]
fn the_example_prints_every_part_in_order() {
    let lines =
        within_a_minute(|| capture(|| example::run(&[])).1).expect("the example does not panic");
    let lines: Vec<String> = lines.iter().map(|line| mask_costs(line)).collect();
    let headers: Vec<&str> = lines
        .iter()
        .filter(|line| line.contains(" -- "))
        .map(String::as_str)
        .collect();
    assert_eq!(
        headers,
        [
            "[main] -- step 9: async fn A awaits Sleep(5), then B, which awaits Sleep(10) --",
            "[main] -- step 8 (chapter 3): the same program, stackful --",
            "[main] -- what .await compiles to: a() and AFuture, polled side by side --",
            "[main] -- Pin: futures that must not move once polled --",
            "[main] -- polling after Ready --",
            "[main] -- a Waker by hand (RawWakerVTable) --",
            "[main] -- a Waker through std::task::Wake --",
            "[main] -- will_wake --",
            "[main] -- wakes from another thread --",
            "[main] -- step 10 with async fn tasks, on chapter 6's scheduler --",
            "[main] -- cancelled: a stackful task, and an async task --",
            "[main] -- a task that loses its waker --",
        ]
    );
    assert_eq!(lines[1..3], STEP9);
    assert_eq!(
        lines[4..6],
        ["[main] Hello World", "[main] Waited 15 times"]
    );
    assert!(lines.contains(&"[cost] size: async fn a() N bytes, AFuture N bytes".to_string()));
    let will_wake: Vec<&str> = lines
        .iter()
        .skip_while(|line| !line.ends_with("-- will_wake --"))
        .skip(1)
        .take(3)
        .map(String::as_str)
        .collect();
    assert_eq!(
        will_wake,
        [
            "[main] a clone will_wake the original: true",
            "[main] a waker of another target: false",
            "[main] the same target through the Wake trait: false",
        ]
    );
    let tail: Vec<&str> = lines
        .iter()
        .skip_while(|line| !line.contains("-- step 10 with async fn tasks"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        tail,
        [
            "[main] -- step 10 with async fn tasks, on chapter 6's scheduler --",
            "[countdown] 10",
            "[countdown] 9",
            "[main] Doing more stuff",
            "[countdown] 8",
            "[countdown] 7",
            "[main] Hello World",
            "[countdown] 6",
            "[countdown] 5",
            "[countdown] 4",
            "[countdown] 3",
            "[countdown] 2",
            "[countdown] 1",
            "[countdown] TAKE OFF!!!!!",
            "[main] Main is exiting",
            // The same 16 resumes as chapter 6's stackful step 10.
            "[scheduler] 16 resumes; the virtual clock reads 1.000 s",
            "[main] -- cancelled: a stackful task, and an async task --",
            "[stackful] handed Cancelled at its sleep; cleans up for 1 s",
            "[async] dropped where it waited: Drop runs, and cannot wait",
            "[stackful] cleanup done at 2 s",
            "[main] at 2 s: stackful Err(TaskCancelled { task: \"stackful\" }), async \
             Err(TaskCancelled { task: \"async\" })",
            "[main] -- a task that loses its waker --",
            "[scheduler] deadlock: nothing is ready and no timer is pending, so no task can go \
             on: main (T0) waits for forgetful (T1); task 'forgetful' (T1) returned Pending and \
             dropped every waker it was given, so nothing can wake it",
        ]
    );
    assert_eq!(lines.len(), 53 + 23);
}

example_command_line_tests!(no_options: "ch09_async_fn");
