//! Memory: every value on a task's stack is dropped exactly once, however the
//! task ends, and a panic while a task ends never takes the loop down.
//!
//! The values are [`Tracked`]: each writes its name in a [`Ledger`] when it
//! is dropped, so a value dropped twice shows up twice and a value never
//! dropped is missing. Every test ends by checking the ledger against every
//! value handed out: exactly once each.
//!
//! A task built by [`holding`] owns three values, one in each place a value
//! can live on a task's stack: captured by its closure, a local of its body,
//! and a local of a function the body calls (where the task waits). The
//! tests cover chapter 6's `Scheduler` (a task that returns, panics, is
//! cancelled at a sleep, a join or a park, is cancelled before it starts, is
//! stuck in a deadlock, or is still alive when the scheduler is dropped) and
//! chapter 5's `EventLoop` (a task that returns, is cancelled through its
//! future, is stopped by `stop`, or is pending when the loop is dropped).
//! Chapter 6's `stop`, like asyncio's `loop.stop()`, cancels nothing: the
//! run ends and the unfinished tasks wait, with their values, until the
//! scheduler runs again or is dropped; the tests follow the values both ways.
//!
//! The last sections are about what runs while a task ends: a done callback
//! and a destructor that runs because a task is cancelled or the scheduler
//! is dropped. A panic there reaches someone (the joiner, `take_unretrieved`,
//! or the caller of `run_until_complete` or of the drop), no other task is
//! lost, the process never aborts, and the same scheduler then runs another
//! program correctly. Code there that tries to suspend is refused, or
//! suspends the task it belongs to, never another.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::time::Duration;

use yieldpoint::ch02_coroutines::{Generator, GeneratorState};
use yieldpoint::ch04_future_task::{Future, Status, panic_message};
use yieldpoint::ch05_event_loop::{self as ch05, EventLoop, LoopError};
use yieldpoint::ch06_scheduler::{
    Clock, JoinHandle, SchedError, Scheduler, now, park, sleep, spawn, stop, waker, yield_now,
};
use yieldpoint::ch07_combinators::gather;

const SECOND: Duration = Duration::from_secs(1);
const HOUR: Duration = Duration::from_secs(3600);
/// Chapter 5's tick: its loop's clock advances by this after every round.
const TICK: Duration = Duration::from_millis(10);

// ---- the ledger ----

/// Hands out [`Tracked`] values and lists every drop of them, in order.
#[derive(Clone, Default)]
struct Ledger {
    /// The name of every value handed out.
    issued: Rc<RefCell<Vec<String>>>,
    /// The name of every drop, in the order they happened.
    dropped: Rc<RefCell<Vec<String>>>,
}

/// A value that writes its name in its ledger when it is dropped.
struct Tracked {
    name: String,
    dropped: Rc<RefCell<Vec<String>>>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.dropped.borrow_mut().push(self.name.clone());
    }
}

impl Ledger {
    /// A new value named `name`.
    fn value(&self, name: impl Into<String>) -> Tracked {
        let name = name.into();
        self.issued.borrow_mut().push(name.clone());
        Tracked {
            name,
            dropped: Rc::clone(&self.dropped),
        }
    }

    /// Every drop so far, in order.
    fn dropped(&self) -> Vec<String> {
        self.dropped.borrow().clone()
    }

    /// Asserts that every value handed out has been dropped exactly once.
    #[track_caller]
    fn assert_each_dropped_once(&self) {
        let mut issued = self.issued.borrow().clone();
        let mut dropped = self.dropped();
        issued.sort();
        dropped.sort();
        assert_eq!(dropped, issued, "every value dropped exactly once");
    }
}

/// The names of the three values a [`holding`] task owns, in the order they
/// are dropped when the task returns: innermost frame first.
fn three(task: &str) -> Vec<String> {
    ["frame", "local", "captured"]
        .map(|place| format!("{task}/{place}"))
        .to_vec()
}

/// A task body that owns three values: `{task}/captured`, captured by the
/// closure; `{task}/local`, a local of the body; and `{task}/frame`, a local
/// of a function the body calls, where it runs `wait` (and so where the task
/// waits).
fn holding<T: 'static>(
    ledger: &Ledger,
    task: &'static str,
    wait: impl FnOnce() -> T + 'static,
) -> impl FnOnce() -> T + 'static {
    let captured = ledger.value(format!("{task}/captured"));
    let ledger = ledger.clone();
    move || {
        let _captured = captured;
        let _local = ledger.value(format!("{task}/local"));
        in_a_frame(&ledger, task, wait)
    }
}

#[inline(never)]
fn in_a_frame<T>(ledger: &Ledger, task: &str, wait: impl FnOnce() -> T) -> T {
    let _frame = ledger.value(format!("{task}/frame"));
    wait()
}

/// Panics when it is dropped.
struct PanicsOnDrop(&'static str);

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("{} panicked in its destructor", self.0);
    }
}

fn virtual_scheduler() -> Scheduler {
    Scheduler::new(Clock::Virtual)
}

/// What joining a cancelled task called `name` gives.
fn cancelled(name: &str) -> SchedError {
    SchedError::TaskCancelled {
        task: name.to_string(),
    }
}

/// A join's outcome in words: `Ok(..)` as `Debug` shows it, `Err(..)` with
/// the error's message.
fn said<T: std::fmt::Debug>(outcome: Result<T, SchedError>) -> String {
    match outcome {
        Ok(value) => format!("Ok({value:?})"),
        Err(error) => format!("Err({error})"),
    }
}

/// Runs `f`, and returns the message of the panic it must raise.
#[track_caller]
fn panic_of<R>(f: impl FnOnce() -> R) -> String {
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic"),
        Err(payload) => panic_message(payload.as_ref()),
    }
}

// ---- chapter 6: how a task ends ----

#[test]
fn a_task_that_returns_drops_each_value_on_its_stack_once_innermost_first() {
    let ledger = Ledger::default();
    let scheduler = virtual_scheduler();
    let book = ledger.clone();
    let outcome = scheduler.run_until_complete(move || {
        let worker = spawn("worker", holding(&book, "worker", || sleep(SECOND)))?;
        sleep(SECOND / 2)?;
        let while_it_sleeps = book.dropped();
        worker.join()?;
        Ok::<_, SchedError>((while_it_sleeps, book.dropped()))
    });
    assert_eq!(outcome, Ok((vec![], three("worker"))));
    drop(scheduler);
    ledger.assert_each_dropped_once();
}

#[test]
fn a_task_that_panics_drops_each_value_on_its_stack_once_as_the_panic_unwinds() {
    let ledger = Ledger::default();
    let book = ledger.clone();
    let outcome = virtual_scheduler().run_until_complete(move || {
        let fragile = spawn(
            "fragile",
            holding(&book, "fragile", || -> Result<(), SchedError> {
                sleep(SECOND)?;
                panic!("fragile broke");
            }),
        )?;
        let joined = said(fragile.join());
        Ok::<_, SchedError>((joined, book.dropped()))
    });
    assert_eq!(
        outcome,
        Ok((
            "Err(task \"fragile\" (T1) panicked: fragile broke)".to_string(),
            three("fragile")
        ))
    );
    ledger.assert_each_dropped_once();
}

#[test]
fn a_task_cancelled_at_a_sleep_drops_each_value_once_before_its_joiner_wakes() {
    let ledger = Ledger::default();
    let book = ledger.clone();
    let outcome = virtual_scheduler().run_until_complete(move || {
        let victim = spawn("victim", holding(&book, "victim", || sleep(HOUR)))?;
        sleep(SECOND)?;
        let before = book.dropped();
        assert!(victim.cancel());
        let joined = victim.join();
        Ok::<_, SchedError>((before, joined, book.dropped()))
    });
    assert_eq!(
        outcome,
        Ok((vec![], Err(cancelled("victim")), three("victim")))
    );
    ledger.assert_each_dropped_once();
}

#[test]
fn a_task_cancelled_at_a_join_passes_it_on_and_both_tasks_drop_their_values_once() {
    let ledger = Ledger::default();
    let book = ledger.clone();
    let outcome = virtual_scheduler().run_until_complete(move || {
        let target = spawn(
            "target",
            holding(&book, "target", || {
                sleep(10 * SECOND)?;
                Ok::<_, SchedError>("target done")
            }),
        )?;
        let joined = target.clone();
        let joiner = spawn("joiner", holding(&book, "joiner", move || joined.join()))?;
        sleep(SECOND)?;
        assert!(joiner.cancel());
        let cancelled_join = joiner.join();
        let after_cancel = book.dropped();
        Ok::<_, SchedError>((cancelled_join, after_cancel, target.cancelled()))
    });
    let Ok((cancelled_join, after_cancel, target_cancelled)) = outcome else {
        panic!("the program failed: {outcome:?}");
    };
    // asyncio's rule: cancelling a task that awaits another cancels the
    // other; the joiner wakes when it has ended, and ends cancelled too.
    assert_eq!(cancelled_join, Err(cancelled("joiner")));
    assert!(target_cancelled);
    assert_eq!(after_cancel, [three("target"), three("joiner")].concat());
    ledger.assert_each_dropped_once();
}

#[test]
fn a_task_cancelled_while_parked_drops_each_value_once() {
    let ledger = Ledger::default();
    let book = ledger.clone();
    let outcome = virtual_scheduler().run_until_complete(move || {
        let parked = spawn(
            "parked",
            holding(&book, "parked", || {
                let _nobody_calls_it = waker()?;
                park(None)
            }),
        )?;
        sleep(SECOND)?;
        let before = book.dropped();
        assert!(parked.cancel());
        let joined = parked.join();
        Ok::<_, SchedError>((before, joined, book.dropped()))
    });
    assert_eq!(
        outcome,
        Ok((vec![], Err(cancelled("parked")), three("parked")))
    );
    ledger.assert_each_dropped_once();
}

#[test]
fn a_task_cancelled_before_it_starts_drops_what_its_closure_captured_once_at_its_first_step() {
    let ledger = Ledger::default();
    let book = ledger.clone();
    let outcome = virtual_scheduler().run_until_complete(move || {
        let never = spawn(
            "never",
            holding(&book, "never", || Ok::<(), SchedError>(())),
        )?;
        let before = book.dropped();
        assert!(never.cancel());
        let right_after = book.dropped();
        let joined = never.join();
        let after_its_step = book.dropped();
        yield_now()?; // a pass later: nothing more was dropped
        Ok::<_, SchedError>((before, right_after, joined, after_its_step, book.dropped()))
    });
    let only_captured = vec!["never/captured".to_string()];
    assert_eq!(
        outcome,
        Ok((
            vec![],
            vec![],
            Err(cancelled("never")),
            only_captured.clone(),
            only_captured
        ))
    );
    ledger.assert_each_dropped_once();
}

#[test]
fn a_cancelled_task_whose_cleanup_waits_drops_its_values_once_when_the_cleanup_ends() {
    let ledger = Ledger::default();
    let book = ledger.clone();
    let outcome = virtual_scheduler().run_until_complete(move || {
        let tidy = spawn(
            "tidy",
            holding(&book, "tidy", || {
                if let Err(error) = sleep(HOUR) {
                    let _ = sleep(SECOND); // the cleanup takes a second
                    return Err(error);
                }
                Ok(())
            }),
        )?;
        sleep(SECOND)?;
        tidy.cancel();
        sleep(SECOND / 2)?;
        let mid_cleanup = book.dropped();
        let joined = tidy.join();
        Ok::<_, SchedError>((mid_cleanup, joined, book.dropped()))
    });
    assert_eq!(outcome, Ok((vec![], Err(cancelled("tidy")), three("tidy"))));
    ledger.assert_each_dropped_once();
}

#[test]
fn the_tasks_of_a_deadlock_drop_each_value_once_before_the_error_returns() {
    let ledger = Ledger::default();
    let scheduler = virtual_scheduler();
    let book = ledger.clone();
    let outcome = scheduler.run_until_complete(holding(&ledger, "main", move || {
        let a_handle: Rc<RefCell<Option<JoinHandle<()>>>> = Rc::default();
        let for_b = Rc::clone(&a_handle);
        let b = spawn(
            "B",
            holding(&book, "B", move || {
                let a = for_b.borrow().clone().expect("A was spawned");
                a.join()
            }),
        )?;
        let a = spawn("A", holding(&book, "A", move || b.join()))?;
        *a_handle.borrow_mut() = Some(a.clone());
        a.join()
    }));
    assert!(
        matches!(outcome, Err(SchedError::Deadlock(_))),
        "{outcome:?}"
    );
    assert_eq!(scheduler.live_tasks(), 0);
    ledger.assert_each_dropped_once();
    drop(scheduler);
    ledger.assert_each_dropped_once();
}

// ---- chapter 6: dropping the scheduler, and shutting it down ----

#[test]
fn dropping_the_scheduler_drops_each_value_of_every_pending_task_once() {
    let ledger = Ledger::default();
    let scheduler = virtual_scheduler();
    let book = ledger.clone();
    let handles = scheduler
        .run_until_complete(move || {
            let sleeper = spawn("sleeper", holding(&book, "sleeper", || sleep(HOUR)))?;
            let target = sleeper.clone();
            let joiner = spawn("joiner", holding(&book, "joiner", move || target.join()))?;
            let parked = spawn(
                "parked",
                holding(&book, "parked", || {
                    let _nobody_calls_it = waker()?;
                    park(None).map(drop)
                }),
            )?;
            sleep(SECOND)?; // all three are waiting now
            Ok::<_, SchedError>((sleeper, joiner, parked))
        })
        .unwrap();
    // Spawned from outside after the run: it never starts.
    let never = scheduler
        .spawn(
            "never",
            holding(&ledger, "never", || Ok::<(), SchedError>(())),
        )
        .unwrap();
    assert_eq!(scheduler.live_tasks(), 4);
    assert_eq!(ledger.dropped(), Vec::<String>::new());

    drop(scheduler);
    ledger.assert_each_dropped_once();
    let (sleeper, joiner, parked) = handles;
    assert_eq!(sleeper.join(), Err(cancelled("sleeper")));
    assert_eq!(joiner.join(), Err(cancelled("joiner")));
    assert_eq!(parked.join(), Err(cancelled("parked")));
    assert_eq!(never.join(), Err(cancelled("never")));
}

#[test]
fn shutdown_lets_each_pending_task_clean_up_on_the_clock_as_asyncio_run_does() {
    let ledger = Ledger::default();
    let scheduler = virtual_scheduler();
    let book = ledger.clone();
    let seen: Rc<RefCell<Vec<String>>> = Rc::default();
    let log = Rc::clone(&seen);
    scheduler
        .run_until_complete(move || {
            spawn(
                "careful",
                holding(&book, "careful", move || {
                    let why = sleep(HOUR);
                    log.borrow_mut().push(format!("careful woke: {why:?}"));
                    let again = sleep(SECOND); // on the clock: it completes
                    log.borrow_mut()
                        .push(format!("cleanup sleep: {again:?} at {:?}", now()?));
                    why
                }),
            )?;
            sleep(SECOND)
        })
        .unwrap();
    assert_eq!(scheduler.shutdown(), Ok(()));
    assert_eq!(
        *seen.borrow(),
        [
            "careful woke: Err(Cancelled)",
            "cleanup sleep: Ok(()) at 2s"
        ]
    );
    assert_eq!(scheduler.live_tasks(), 0);
    ledger.assert_each_dropped_once();
}

/// The handle of a task that waits and returns what its wait returned.
type Waiter = JoinHandle<()>;

/// Runs a `main` that spawns a sleeper and a joiner (each holding three
/// values), lets them reach their waits, and stops the scheduler while
/// holding values of its own. Returns the two handles.
fn stopped_with_pending_tasks(scheduler: &Scheduler, ledger: &Ledger) -> (Waiter, Waiter) {
    let book = ledger.clone();
    let handles = Rc::new(RefCell::new(None));
    let keep = Rc::clone(&handles);
    let outcome = scheduler.run_until_complete(holding(ledger, "main", move || {
        let sleeper = spawn("sleeper", holding(&book, "sleeper", || sleep(SECOND)))?;
        let target = sleeper.clone();
        let joiner = spawn("joiner", holding(&book, "joiner", move || target.join()))?;
        *keep.borrow_mut() = Some((sleeper, joiner));
        yield_now()?; // both are waiting now
        stop()?;
        yield_now()?; // main waits here when the run stops
        Ok::<_, SchedError>(())
    }));
    assert_eq!(outcome, Err(SchedError::Stopped));
    assert_eq!(scheduler.live_tasks(), 3);
    assert_eq!(
        ledger.dropped(),
        Vec::<String>::new(),
        "stop cancels nothing"
    );
    handles.take().expect("main ran")
}

#[test]
fn values_of_tasks_a_stop_left_waiting_are_dropped_once_when_they_finish_in_the_next_run() {
    let ledger = Ledger::default();
    let scheduler = virtual_scheduler();
    let (sleeper, joiner) = stopped_with_pending_tasks(&scheduler, &ledger);
    // The next run lets everyone finish: the stopped main, then the sleeper
    // (at 1 s), then the joiner.
    scheduler.run_until_complete(move || joiner.join()).unwrap();
    assert_eq!(sleeper.join(), Ok(()));
    let mut expected = three("main");
    expected.extend(three("sleeper"));
    expected.extend(three("joiner"));
    assert_eq!(ledger.dropped(), expected);
    ledger.assert_each_dropped_once();
    assert_eq!(scheduler.live_tasks(), 0);
}

#[test]
fn values_of_tasks_a_stop_left_waiting_are_dropped_once_when_the_scheduler_is_dropped() {
    let ledger = Ledger::default();
    let scheduler = virtual_scheduler();
    let (sleeper, joiner) = stopped_with_pending_tasks(&scheduler, &ledger);
    drop(scheduler);
    ledger.assert_each_dropped_once();
    assert_eq!(sleeper.join(), Err(cancelled("sleeper")));
    assert_eq!(joiner.join(), Err(cancelled("joiner")));
}

#[test]
fn dropping_the_scheduler_lets_each_pending_task_clean_up_and_cancels_its_waits_at_once() {
    let ledger = Ledger::default();
    let scheduler = virtual_scheduler();
    let book = ledger.clone();
    let seen: Rc<RefCell<Vec<String>>> = Rc::default();
    let log = Rc::clone(&seen);
    scheduler
        .run_until_complete(move || {
            spawn(
                "careful",
                holding(&book.clone(), "careful", move || {
                    let why = sleep(HOUR);
                    log.borrow_mut().push(format!("careful woke: {why:?}"));
                    // Cleanup may spawn (the new task never runs: it is
                    // cancelled at its first step) and may wait (every wait
                    // during the scheduler's drop is cancelled at once).
                    let orphan = spawn(
                        "orphan",
                        holding(&book, "orphan", || Ok::<(), SchedError>(())),
                    );
                    log.borrow_mut()
                        .push(format!("orphan spawned: {}", orphan.is_ok()));
                    let again = sleep(SECOND);
                    log.borrow_mut().push(format!("cleanup sleep: {again:?}"));
                    why
                }),
            )?;
            sleep(SECOND)
        })
        .unwrap();
    assert_eq!(*seen.borrow(), Vec::<String>::new());
    drop(scheduler);
    assert_eq!(
        *seen.borrow(),
        [
            "careful woke: Err(Cancelled)",
            "orphan spawned: true",
            "cleanup sleep: Err(Cancelled)",
        ]
    );
    ledger.assert_each_dropped_once();
}

#[test]
fn a_task_that_ignores_every_cancellation_is_dropped_by_force_and_its_values_once() {
    let ledger = Ledger::default();
    let scheduler = virtual_scheduler();
    let book = ledger.clone();
    let refusals = Rc::new(RefCell::new(0_u32));
    let counted = Rc::clone(&refusals);
    let deaf = scheduler
        .run_until_complete(move || {
            let deaf = spawn(
                "deaf",
                holding(&book, "deaf", move || -> Result<(), SchedError> {
                    loop {
                        if sleep(HOUR).is_err() {
                            *counted.borrow_mut() += 1;
                        }
                    }
                }),
            )?;
            sleep(SECOND)?;
            Ok::<_, SchedError>(deaf)
        })
        .unwrap();
    drop(scheduler);
    ledger.assert_each_dropped_once();
    assert!(*refusals.borrow() >= 1, "it was asked first");
    assert_eq!(deaf.join(), Err(cancelled("deaf")));
}

#[test]
fn a_panic_in_a_done_callback_of_a_task_dropped_by_force_comes_out_of_the_drop_not_an_abort() {
    let ledger = Ledger::default();
    let scheduler = virtual_scheduler();
    let book = ledger.clone();
    let deaf = scheduler
        .run_until_complete(move || {
            let deaf = spawn(
                "deaf",
                holding(&book, "deaf", || -> Result<(), SchedError> {
                    loop {
                        let _ = sleep(HOUR);
                    }
                }),
            )?;
            deaf.add_done_callback(|_| panic!("deaf's done callback broke"));
            sleep(SECOND)?;
            Ok::<_, SchedError>(deaf)
        })
        .unwrap();
    // Dropping ends `deaf` by force; its callback runs in a pass of the
    // cleanup, and its panic comes out of the drop once every task is gone.
    let message = panic_of(move || drop(scheduler));
    assert_eq!(message, "deaf's done callback broke");
    assert_eq!(deaf.join(), Err(cancelled("deaf")));
    ledger.assert_each_dropped_once();
}

// ---- chapter 5: the event loop ----

fn ticking_loop() -> EventLoop {
    EventLoop::with_clock(ch05::Clock::Ticks(TICK))
}

#[test]
fn chapter_5_a_task_that_returns_drops_each_value_once() {
    let ledger = Ledger::default();
    let event_loop = ticking_loop();
    let book = ledger.clone();
    let outcome = event_loop.run_until_complete(move || {
        let worker = ch05::current_loop()?
            .create_task("worker", holding(&book, "worker", || ch05::sleep(3 * TICK)))?;
        ch05::yield_now()?;
        let while_it_sleeps = book.dropped();
        ch05::await_future(&worker)??;
        Ok::<_, LoopError>((while_it_sleeps, book.dropped()))
    });
    assert_eq!(outcome, Ok(Ok((vec![], three("worker")))));
    drop(event_loop);
    ledger.assert_each_dropped_once();
}

#[test]
fn chapter_5_a_task_cancelled_through_its_future_at_a_sleep_or_an_await_drops_each_value_once() {
    let ledger = Ledger::default();
    let event_loop = ticking_loop();
    let book = ledger.clone();
    let outcome = event_loop.run_until_complete(move || {
        let handle = ch05::current_loop()?;
        let sleeper =
            handle.create_task("sleeper", holding(&book, "sleeper", || ch05::sleep(HOUR)))?;
        let nothing: Future<u32> = Future::new();
        let waiter = handle.create_task(
            "waiter",
            holding(&book, "waiter", move || ch05::await_future(&nothing)),
        )?;
        ch05::yield_now()?; // both start waiting
        ch05::yield_now()?;
        let before = book.dropped();
        sleeper.cancel();
        waiter.cancel();
        ch05::yield_now()?; // at their next turn, the loop drops them
        ch05::yield_now()?;
        let mut after = book.dropped();
        after.sort();
        Ok::<_, LoopError>((before, after))
    });
    let mut both = [three("sleeper"), three("waiter")].concat();
    both.sort();
    assert_eq!(outcome, Ok(Ok((vec![], both))));
    ledger.assert_each_dropped_once();
}

#[test]
fn chapter_5_a_task_cancelled_before_it_starts_drops_what_its_closure_captured_once() {
    let ledger = Ledger::default();
    let event_loop = ticking_loop();
    let never = event_loop.create_task("never", holding(&ledger, "never", || ()));
    never.cancel();
    assert_eq!(event_loop.run_until_complete(ch05::yield_now), Ok(Ok(())));
    assert_eq!(ledger.dropped(), ["never/captured"]);
    assert_eq!(never.status(), Status::Cancelled);
    drop(event_loop);
    ledger.assert_each_dropped_once();
}

#[test]
fn chapter_5_stop_from_a_task_drops_each_value_of_every_task_once() {
    let ledger = Ledger::default();
    let event_loop = ticking_loop();
    let sleeper =
        event_loop.create_task("sleeper", holding(&ledger, "sleeper", || ch05::sleep(HOUR)));
    let book = ledger.clone();
    let outcome = event_loop.run_until_complete(holding(&ledger, "main", move || {
        let handle = ch05::current_loop()?;
        let nothing: Future<u32> = Future::new();
        handle.create_task(
            "waiter",
            holding(&book, "waiter", move || ch05::await_future(&nothing)),
        )?;
        ch05::yield_now()?; // the waiter starts waiting
        // Created in the same step as the stop: it never starts.
        handle.create_task("never", holding(&book, "never", || ()))?;
        handle.stop()?;
        handle.stop()?; // twice: still once each
        ch05::yield_now()
    }));
    assert_eq!(outcome, Err(LoopError::Stopped));
    assert_eq!(sleeper.status(), Status::Cancelled);
    assert_eq!(event_loop.pending_tasks(), 0);
    ledger.assert_each_dropped_once();
    event_loop.stop();
    drop(event_loop);
    ledger.assert_each_dropped_once();
}

#[test]
fn chapter_5_stop_from_outside_and_dropping_the_loop_drop_each_value_of_the_pending_tasks_once() {
    for how in ["stop", "drop"] {
        let ledger = Ledger::default();
        let event_loop = ticking_loop();
        let book = ledger.clone();
        let outcome = event_loop.run_until_complete(move || {
            let handle = ch05::current_loop()?;
            handle.create_task("sleeper", holding(&book, "sleeper", || ch05::sleep(HOUR)))?;
            let nothing: Future<u32> = Future::new();
            handle.create_task(
                "waiter",
                holding(&book, "waiter", move || ch05::await_future(&nothing)),
            )?;
            ch05::yield_now()
        });
        assert_eq!(outcome, Ok(Ok(())));
        event_loop.create_task("never", holding(&ledger, "never", || ()));
        assert_eq!(event_loop.pending_tasks(), 3);
        assert_eq!(ledger.dropped(), Vec::<String>::new(), "{how}");
        if how == "stop" {
            event_loop.stop();
            ledger.assert_each_dropped_once();
            event_loop.stop();
        }
        drop(event_loop);
        ledger.assert_each_dropped_once();
    }
}

// ---- panics while a task ends ----

#[test]
fn a_panic_in_a_done_callback_comes_out_of_run_until_complete_once_the_pass_is_over() {
    let scheduler = virtual_scheduler();
    let seen: Rc<RefCell<Vec<String>>> = Rc::default();
    let log = Rc::clone(&seen);
    let message = panic_of(|| {
        scheduler.run_until_complete(move || {
            let quick = spawn("quick", || Ok::<u32, SchedError>(7))?;
            quick.add_done_callback(|_| panic!("quick's done callback broke"));
            let slow = spawn("slow", || {
                sleep(SECOND)?;
                Ok::<_, SchedError>(8)
            })?;
            let first = quick.join();
            log.borrow_mut().push(format!("main got {first:?}"));
            let second = slow.join();
            log.borrow_mut().push(format!("main got {second:?}"));
            Ok::<_, SchedError>(())
        })
    });
    assert_eq!(message, "quick's done callback broke");
    // The callback ran first (it was added before main joined), then main's
    // step in the same pass; the panic came out when the pass was over.
    // main now waits for slow, and neither is lost.
    assert_eq!(scheduler.live_tasks(), 2);
    assert_eq!(*seen.borrow(), ["main got Ok(7)"]);

    // The same scheduler runs the next program, and the first one's tasks
    // carry on in it.
    let next = scheduler.run_until_complete(|| {
        sleep(2 * SECOND)?;
        Ok::<_, SchedError>("next program")
    });
    assert_eq!(next, Ok("next program"));
    assert_eq!(*seen.borrow(), ["main got Ok(7)", "main got Ok(8)"]);
    assert_eq!(scheduler.live_tasks(), 0);
    assert_eq!(scheduler.take_unretrieved(), []);
}

#[test]
fn a_panic_in_a_done_callback_does_not_stop_gather_from_hearing_about_the_task() {
    let scheduler = virtual_scheduler();
    let seen: Rc<RefCell<Vec<String>>> = Rc::default();
    let log = Rc::clone(&seen);
    let message = panic_of(|| {
        scheduler.run_until_complete(move || {
            let a = spawn("a", || {
                sleep(SECOND)?;
                Ok::<_, SchedError>(1)
            })?;
            let b = spawn("b", || {
                sleep(2 * SECOND)?;
                Ok::<_, SchedError>(2)
            })?;
            a.add_done_callback(|_| panic!("a's done callback broke"));
            let all = gather(&[a, b]);
            log.borrow_mut().push(format!("gather: {all:?}"));
            Ok::<_, SchedError>(())
        })
    });
    assert_eq!(message, "a's done callback broke");
    assert_eq!(scheduler.now(), SECOND);
    let next = scheduler.run_until_complete(|| sleep(5 * SECOND));
    assert_eq!(next, Ok(()));
    assert_eq!(*seen.borrow(), ["gather: Ok([1, 2])"]);
    assert_eq!(scheduler.live_tasks(), 0);
}

#[test]
fn a_destructor_that_panics_while_its_task_is_cancelled_reaches_the_joiner() {
    let ledger = Ledger::default();
    let scheduler = virtual_scheduler();
    let book = ledger.clone();
    let outcome = scheduler.run_until_complete(move || {
        let brittle = spawn("brittle", || {
            let _guard = PanicsOnDrop("brittle's guard");
            sleep(HOUR)
        })?;
        let steady = spawn(
            "steady",
            holding(&book, "steady", || {
                sleep(2 * SECOND)?;
                Ok::<_, SchedError>("steady done")
            }),
        )?;
        sleep(SECOND)?;
        brittle.cancel();
        let broken = said(brittle.join());
        let fine = steady.join();
        Ok::<_, SchedError>((broken, fine))
    });
    assert_eq!(
        outcome,
        Ok((
            "Err(task \"brittle\" (T1) panicked: brittle's guard panicked in its destructor)"
                .to_string(),
            Ok("steady done")
        ))
    );
    assert_eq!(scheduler.take_unretrieved(), []);
    ledger.assert_each_dropped_once();
    assert_eq!(
        scheduler.run_until_complete(|| Ok::<u32, SchedError>(5)),
        Ok(5)
    );
}

#[test]
fn a_destructor_that_panics_while_an_unjoined_task_is_cancelled_is_reported_as_unretrieved() {
    let scheduler = virtual_scheduler();
    let outcome = scheduler.run_until_complete(|| {
        let brittle = spawn("brittle", || {
            let _guard = PanicsOnDrop("brittle's guard");
            sleep(HOUR)
        })?;
        sleep(SECOND)?;
        brittle.cancel();
        sleep(SECOND)
    });
    assert_eq!(outcome, Ok(()));
    let unretrieved: Vec<String> = scheduler
        .take_unretrieved()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        unretrieved,
        [
            "task \"brittle\" (T1) panicked: brittle's guard panicked in its destructor, and \
          nobody joined it"
        ]
    );
    assert_eq!(
        scheduler.run_until_complete(|| Ok::<u32, SchedError>(5)),
        Ok(5)
    );
}

#[test]
fn a_destructor_that_panics_in_a_deadlocked_task_is_reported_and_the_scheduler_goes_on() {
    let scheduler = virtual_scheduler();
    let outcome = scheduler.run_until_complete(|| {
        let a_handle: Rc<RefCell<Option<JoinHandle<()>>>> = Rc::default();
        let for_b = Rc::clone(&a_handle);
        let b = spawn("B", move || {
            let a = for_b.borrow().clone().expect("A was spawned");
            a.join()
        })?;
        let a = spawn("A", move || {
            let _guard = PanicsOnDrop("A's guard");
            b.join()
        })?;
        *a_handle.borrow_mut() = Some(a.clone());
        a.join()
    });
    assert!(
        matches!(outcome, Err(SchedError::Deadlock(_))),
        "{outcome:?}"
    );
    assert_eq!(scheduler.live_tasks(), 0);
    let unretrieved = scheduler.take_unretrieved();
    assert_eq!(unretrieved.len(), 1, "{unretrieved:?}");
    assert_eq!(unretrieved[0].task, "A");
    assert_eq!(
        unretrieved[0].failure.message(),
        "A's guard panicked in its destructor"
    );
    assert_eq!(
        scheduler.run_until_complete(|| Ok::<u32, SchedError>(5)),
        Ok(5)
    );
}

#[test]
fn a_destructor_that_panics_while_the_scheduler_is_dropped_does_not_abort() {
    let ledger = Ledger::default();
    let scheduler = virtual_scheduler();
    let book = ledger.clone();
    let (brittle, calm) = scheduler
        .run_until_complete(move || {
            let brittle = spawn("brittle", || {
                let _guard = PanicsOnDrop("brittle's guard");
                sleep(HOUR)
            })?;
            let calm = spawn("calm", holding(&book, "calm", || sleep(HOUR)))?;
            sleep(SECOND)?;
            Ok::<_, SchedError>((brittle, calm))
        })
        .unwrap();
    drop(scheduler); // the panic is printed on stderr, as an unjoined one
    assert_eq!(
        said(brittle.join()),
        "Err(task \"brittle\" (T1) panicked: brittle's guard panicked in its destructor)"
    );
    assert_eq!(calm.join(), Err(cancelled("calm")));
    ledger.assert_each_dropped_once();
}

#[test]
fn a_destructor_that_panics_in_a_body_that_never_ran_is_that_tasks_failure() {
    let ledger = Ledger::default();
    let scheduler = virtual_scheduler();
    let book = ledger.clone();
    scheduler
        .run_until_complete(move || {
            spawn("sleeper", holding(&book, "sleeper", || sleep(HOUR)))?;
            sleep(SECOND)
        })
        .unwrap();
    let guard = PanicsOnDrop("never's captured guard");
    let never = scheduler
        .spawn("never", move || {
            drop(guard);
            Ok::<(), SchedError>(())
        })
        .unwrap();
    let late = scheduler
        .spawn(
            "late",
            holding(&ledger, "late", || Ok::<(), SchedError>(())),
        )
        .unwrap();
    // The body of `never` is dropped on its own stack, at its first step:
    // the destructor's panic is that task's failure, reported as such.
    drop(scheduler);
    ledger.assert_each_dropped_once();
    assert_eq!(
        said(never.join()),
        "Err(task \"never\" (T2) panicked: never's captured guard panicked in its destructor)"
    );
    assert_eq!(late.join(), Err(cancelled("late")));

    // Tasks on this thread still own their panics afterwards.
    let next = virtual_scheduler().run_until_complete(|| {
        let fragile = spawn("fragile", || -> Result<(), SchedError> {
            panic!("fragile broke")
        })?;
        Ok::<_, SchedError>(said(fragile.join()))
    });
    assert_eq!(
        next,
        Ok("Err(task \"fragile\" (T1) panicked: fragile broke)".to_string())
    );
}

#[test]
fn a_panic_in_a_done_callback_of_a_task_cancelled_by_dropping_the_scheduler_comes_out_of_the_drop()
{
    let ledger = Ledger::default();
    let scheduler = virtual_scheduler();
    let book = ledger.clone();
    let sleeper = scheduler
        .run_until_complete(move || {
            let sleeper = spawn("sleeper", holding(&book, "sleeper", || sleep(HOUR)))?;
            sleeper.add_done_callback(|_| panic!("sleeper's done callback broke"));
            spawn("other", holding(&book, "other", || sleep(HOUR)))?;
            sleep(SECOND)?;
            Ok::<_, SchedError>(sleeper)
        })
        .unwrap();
    let message = panic_of(move || drop(scheduler));
    assert_eq!(message, "sleeper's done callback broke");
    assert_eq!(sleeper.join(), Err(cancelled("sleeper")));
    ledger.assert_each_dropped_once();
}

#[test]
fn a_scheduler_dropped_while_a_panic_unwinds_cleans_up_without_aborting() {
    let ledger = Ledger::default();
    let book = ledger.clone();
    let message = panic_of(move || {
        let scheduler = virtual_scheduler();
        scheduler
            .run_until_complete(move || {
                spawn("brittle", || {
                    let _guard = PanicsOnDrop("brittle's guard");
                    sleep(HOUR)
                })?;
                spawn("calm", holding(&book, "calm", || sleep(HOUR)))?;
                sleep(SECOND)
            })
            .unwrap();
        let never = PanicsOnDrop("never's captured guard");
        scheduler
            .spawn("never", move || {
                drop(never);
                Ok::<(), SchedError>(())
            })
            .unwrap();
        scheduler
            .spawn("loud", || Ok::<(), SchedError>(()))
            .unwrap()
            .add_done_callback(|_| panic!("loud's done callback broke"));
        // The scheduler is dropped while this panic unwinds: a second panic
        // escaping its drop would abort the process.
        panic!("the program's own panic");
    });
    assert_eq!(message, "the program's own panic");
    ledger.assert_each_dropped_once();
}

// ---- code that suspends while a task ends (issue: Reliability 2) ----

/// Sleeps when it is dropped, and writes what `sleep` said in `log`.
struct SleepsOnDrop {
    name: &'static str,
    log: Rc<RefCell<Vec<String>>>,
}

impl Drop for SleepsOnDrop {
    fn drop(&mut self) {
        let slept = sleep(SECOND);
        let at = now().map_or_else(|error| error.to_string(), |at| format!("{at:?}"));
        self.log
            .borrow_mut()
            .push(format!("{} slept: {slept:?} (now {at})", self.name));
    }
}

#[test]
fn a_destructor_in_the_body_of_a_never_started_task_runs_on_that_tasks_own_stack() {
    // The canceller is not suspended: the body is dropped at the cancelled
    // task's first step, on its own stack, where a destructor that sleeps
    // sleeps that task (its cleanup), and a task that panics meanwhile
    // still fails on its own.
    let log: Rc<RefCell<Vec<String>>> = Rc::default();
    let seen = Rc::clone(&log);
    let outcome = virtual_scheduler().run_until_complete(move || {
        let captured = SleepsOnDrop {
            name: "never's captured value",
            log: Rc::clone(&seen),
        };
        let never = spawn("never", move || {
            drop(captured);
            Ok::<(), SchedError>(())
        })?;
        assert!(never.cancel());
        seen.borrow_mut().push("cancel returned".to_string());
        let fragile = spawn("fragile", || -> Result<(), SchedError> {
            panic!("fragile broke")
        })?;
        let fragile_ended = said(fragile.join());
        let never_ended = never.join();
        seen.borrow_mut()
            .push(format!("fragile: {fragile_ended}; never: {never_ended:?}"));
        Ok::<_, SchedError>(())
    });
    assert_eq!(outcome, Ok(()));
    assert_eq!(
        *log.borrow(),
        [
            "cancel returned",
            "never's captured value slept: Ok(()) (now 1s)",
            "fragile: Err(task \"fragile\" (T2) panicked: fragile broke); never: \
             Err(TaskCancelled { task: \"never\" })",
        ]
    );
}

#[test]
fn a_destructor_that_sleeps_while_the_scheduler_drops_a_never_started_task_is_refused_or_cancelled()
{
    let log: Rc<RefCell<Vec<String>>> = Rc::default();
    let scheduler = virtual_scheduler();
    let captured = SleepsOnDrop {
        name: "never's captured value",
        log: Rc::clone(&log),
    };
    let never = scheduler
        .spawn("never", move || {
            drop(captured);
            Ok::<(), SchedError>(())
        })
        .unwrap();
    drop(scheduler);
    // Its first step drops the body: the sleep there is cleanup during a
    // drop, cancelled at once.
    assert_eq!(
        *log.borrow(),
        ["never's captured value slept: Err(Cancelled) (now 0ns)"]
    );
    assert_eq!(never.join(), Err(cancelled("never")));
    // The thread is clean: nothing names a task any more, a fresh scheduler
    // catches its tasks' panics, and a generator's suspension is refused
    // rather than reaching a yielder of a task that is gone.
    assert_eq!(
        sleep(SECOND),
        Err(SchedError::NotInTask { operation: "sleep" })
    );
    let mut generator = Generator::<(), Result<(), SchedError>, ()>::new(|yielder, ()| {
        yielder.suspend(yield_now());
    });
    assert_eq!(
        generator.resume(()),
        Ok(GeneratorState::Yielded(Err(SchedError::NotInTask {
            operation: "yield_now"
        })))
    );
    let next = virtual_scheduler().run_until_complete(|| {
        let fragile = spawn("fragile", || -> Result<(), SchedError> {
            panic!("fragile broke")
        })?;
        Ok::<_, SchedError>(said(fragile.join()))
    });
    assert_eq!(
        next,
        Ok("Err(task \"fragile\" (T1) panicked: fragile broke)".to_string())
    );
}

#[test]
fn a_done_callback_cannot_suspend_and_a_joiner_in_that_pass_retrieves_the_failure_once() {
    let scheduler = virtual_scheduler();
    let seen: Rc<RefCell<Vec<String>>> = Rc::default();
    let log = Rc::clone(&seen);
    let outcome = scheduler.run_until_complete(move || {
        let failing = spawn("failing", || -> Result<(), SchedError> { panic!("boom") })?;
        let callback_log = Rc::clone(&log);
        failing.add_done_callback(move |task| {
            callback_log
                .borrow_mut()
                .push(format!("callback: sleep says {:?}", sleep(SECOND)));
            callback_log.borrow_mut().push(format!(
                "callback: failure {:?}",
                task.failure().map(|f| f.message())
            ));
        });
        let joined = said(failing.join());
        log.borrow_mut().push(format!("main: {joined}"));
        yield_now()?;
        Ok::<_, SchedError>(())
    });
    assert_eq!(outcome, Ok(()));
    assert_eq!(
        *seen.borrow(),
        [
            "callback: sleep says Err(InCallback { operation: \"sleep\" })",
            "callback: failure Some(\"boom\")",
            "main: Err(task \"failing\" (T1) panicked: boom)",
        ]
    );
    assert_eq!(scheduler.take_unretrieved(), [], "retrieved, and only once");
}
