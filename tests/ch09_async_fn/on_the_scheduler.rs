//! Async tasks on chapter 6's scheduler: `spawn_async`, the futures they
//! await (`sleep`, `yield_now`, a `JoinHandle`), stackful and async tasks
//! side by side, cancellation as dropping the future, and the misuses. All
//! on the virtual clock: the orders, times and counts are exact.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::rc::Rc;
use std::sync::mpsc;
use std::task::Poll;
use std::thread;
use std::time::Duration;

use yieldpoint::ch06_scheduler::{
    self as ch06, Clock, EventKind, JoinHandle, SchedError, Scheduler, StuckTask,
};
use yieldpoint::ch07_combinators::{gather, wait_for};
use yieldpoint::ch09_async_fn::{expect_wake, sleep, spawn_async, yield_now};
use yieldpoint::output::capture;
use yieldpoint::say;

const SECOND: Duration = Duration::from_secs(1);

fn virtual_scheduler() -> Scheduler {
    Scheduler::new(Clock::Virtual)
}

/// The time on the running scheduler, in seconds.
fn at() -> f64 {
    ch06::now().expect("inside a task").as_secs_f64()
}

/// Runs a stackful `main` on a new virtual scheduler; returns its outcome,
/// the lines it said, and the scheduler.
fn run<T: 'static>(
    main: impl FnOnce() -> Result<T, SchedError> + 'static,
) -> (Result<T, SchedError>, Vec<String>, Scheduler) {
    let scheduler = virtual_scheduler();
    let (outcome, lines) = capture(|| scheduler.run_until_complete(main));
    (outcome, lines, scheduler)
}

/// Counts its drops.
struct Dropped(Rc<Cell<u32>>);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn an_async_main_sleeps_on_the_virtual_clock_and_returns_its_value() {
    let scheduler = virtual_scheduler();
    let outcome = scheduler.run_until_complete_async(async {
        sleep(SECOND).await?;
        sleep(2 * SECOND).await?;
        Ok::<_, SchedError>(at())
    });
    assert_eq!(outcome, Ok(3.0));
    assert_eq!(scheduler.now(), 3 * SECOND);
    // The first poll, and one after each sleep.
    assert_eq!(scheduler.resumes(), 3);
}

#[test]
fn spawned_async_tasks_start_in_spawn_order_and_take_turns_with_stackful_ones() {
    let (outcome, lines, _) = run(|| {
        let a = spawn_async("A", async {
            for turn in 0..3 {
                say!("A", "async turn {turn}");
                yield_now().await?;
            }
            Ok::<(), SchedError>(())
        })?;
        let b = ch06::spawn("B", || {
            for turn in 0..3 {
                say!("B", "stackful turn {turn}");
                ch06::yield_now()?;
            }
            Ok::<(), SchedError>(())
        })?;
        say!("main", "spawned both");
        a.join()?;
        b.join()?;
        Ok(())
    });
    assert_eq!(outcome, Ok(()));
    assert_eq!(
        lines,
        [
            "[main] spawned both",
            "[A] async turn 0",
            "[B] stackful turn 0",
            "[A] async turn 1",
            "[B] stackful turn 1",
            "[A] async turn 2",
            "[B] stackful turn 2",
        ]
    );
}

#[test]
fn async_sleeps_wake_in_deadline_order_beside_stackful_sleeps() {
    let (outcome, lines, scheduler) = run(|| {
        let slow = spawn_async("slow", async {
            sleep(3 * SECOND).await?;
            say!("slow", "async, woke at {}", at());
            Ok::<(), SchedError>(())
        })?;
        let quick = ch06::spawn("quick", || {
            ch06::sleep(SECOND)?;
            say!("quick", "stackful, woke at {}", at());
            Ok::<(), SchedError>(())
        })?;
        let middle = spawn_async("middle", async {
            sleep(2 * SECOND).await?;
            say!("middle", "async, woke at {}", at());
            Ok::<(), SchedError>(())
        })?;
        slow.join()?;
        quick.join()?;
        middle.join()?;
        Ok(())
    });
    assert_eq!(outcome, Ok(()));
    assert_eq!(
        lines,
        [
            "[quick] stackful, woke at 1",
            "[middle] async, woke at 2",
            "[slow] async, woke at 3",
        ]
    );
    assert_eq!(scheduler.now(), 3 * SECOND);
}

#[test]
fn a_stackful_task_joins_an_async_one_and_an_async_task_awaits_a_stackful_one() {
    let (outcome, lines, _) = run(|| {
        let stackful = ch06::spawn("stackful", || {
            ch06::sleep(SECOND)?;
            Ok::<u32, SchedError>(40)
        })?;
        let awaiting = spawn_async("async", async move {
            let forty = stackful.await?;
            say!("async", "awaited the stackful task: {forty} at {}", at());
            Ok::<u32, SchedError>(forty + 2)
        })?;
        let answer = awaiting.join()?;
        say!("main", "joined the async task: {answer} at {}", at());
        Ok(answer)
    });
    assert_eq!(outcome, Ok(42));
    assert_eq!(
        lines,
        [
            "[async] awaited the stackful task: 40 at 1",
            "[main] joined the async task: 42 at 1",
        ]
    );
}

#[test]
fn awaiting_an_ended_task_returns_at_once_and_awaiting_a_failed_one_passes_the_failure_on() {
    let (outcome, _, scheduler) = run(|| {
        let failing = spawn_async("failing", async {
            Err::<u32, _>(SchedError::TimedOut) // any error: the task fails with it
        })?;
        let done = spawn_async("done", async { Ok::<u32, SchedError>(7) })?;
        ch06::yield_now()?; // both end
        let passing_on = spawn_async("passing on", async move {
            assert_eq!(done.await, Ok(7));
            failing.await?;
            Ok::<(), SchedError>(())
        })?;
        let outcome = passing_on.join();
        Ok(outcome)
    });
    let Ok(Err(SchedError::TaskFailed(failure))) = outcome else {
        panic!("expected the failure passed on, got {outcome:?}");
    };
    // The failure is the failing task's own, passed on unchanged.
    assert_eq!(failure.task(), "failing");
    assert_eq!(
        failure.downcast_ref::<SchedError>(),
        Some(&SchedError::TimedOut)
    );
    // Joined through the task that passed it on: nobody lost it.
    assert!(scheduler.take_unretrieved().is_empty());
}

#[test]
fn cancelling_an_async_task_drops_its_future_where_it_waits_and_its_joiner_hears_it() {
    let dropped = Rc::new(Cell::new(0));
    let held = Rc::clone(&dropped);
    let (outcome, lines, _) = run(move || {
        let sleeper = spawn_async("sleeper", async move {
            let _held = Dropped(held);
            sleep(3600 * SECOND).await?;
            say!("sleeper", "never");
            Ok::<(), SchedError>(())
        })?;
        ch06::sleep(SECOND)?;
        assert!(sleeper.cancel());
        let joined = sleeper.join();
        say!("main", "join returned {joined:?} at {}", at());
        assert!(sleeper.cancelled());
        Ok(())
    });
    assert_eq!(outcome, Ok(()));
    assert_eq!(
        lines,
        ["[main] join returned Err(TaskCancelled { task: \"sleeper\" }) at 1"]
    );
    // Dropped once, when the future was: its cleanup is its destructors.
    assert_eq!(dropped.get(), 1);
}

#[test]
fn an_async_task_cancelled_before_its_first_poll_is_dropped_without_running() {
    let captured = Rc::new(Cell::new(0));
    let held = Rc::clone(&captured);
    let (outcome, lines, _) = run(move || {
        let task = spawn_async("never polled", async move {
            held.set(held.get() + 1);
            say!("never polled", "ran");
            Ok::<(), SchedError>(())
        })?;
        assert!(task.cancel());
        assert_eq!(
            task.join(),
            Err(SchedError::TaskCancelled {
                task: "never polled".to_string()
            })
        );
        Ok(())
    });
    assert_eq!(outcome, Ok(()));
    assert!(lines.is_empty(), "{lines:?}");
    // Its body never ran, and what it captured has been dropped.
    assert_eq!(captured.get(), 0);
    assert_eq!(Rc::strong_count(&captured), 1);
}

#[test]
fn a_dropped_sleep_cancels_its_timer_so_a_thousand_cancelled_sleepers_leave_a_small_heap() {
    let scheduler = Rc::new(virtual_scheduler());
    let watched = Rc::clone(&scheduler);
    let outcome = scheduler.run_until_complete(move || {
        let mut largest = 0;
        for _ in 0..1_000 {
            let sleeper = spawn_async("sleeper", async {
                sleep(3600 * SECOND).await?;
                Ok::<(), SchedError>(())
            })?;
            ch06::yield_now()?; // it polls, and sets its timer
            sleeper.cancel();
            let _ = sleeper.join();
            largest = largest.max(watched.pending_timers());
        }
        Ok::<_, SchedError>(largest)
    });
    // Without the timers of dropped sleeps counted stale, the heap would
    // hold a thousand; as it is, it is rebuilt past a hundred.
    let largest = outcome.expect("main runs");
    assert!((1..=101).contains(&largest), "the heap grew to {largest}");
    assert_eq!(scheduler.now(), Duration::ZERO);
}

#[test]
fn a_stackful_gather_and_wait_for_work_on_async_tasks() {
    let (outcome, lines, _) = run(|| {
        let tasks = [3, 1, 2].map(|seconds| {
            spawn_async(format!("nap {seconds}"), async move {
                sleep(seconds * SECOND).await?;
                Ok::<u32, SchedError>(seconds)
            })
        });
        let tasks: Vec<JoinHandle<u32>> = tasks.into_iter().collect::<Result<_, _>>()?;
        let values = gather(&tasks)?;
        say!("main", "gathered {values:?} at {}", at());
        let slow = spawn_async("slow", async {
            sleep(10 * SECOND).await?;
            Ok::<u32, SchedError>(0)
        })?;
        let timed = wait_for(&slow, SECOND);
        say!(
            "main",
            "wait_for said {timed:?} at {}; cancelled: {}",
            at(),
            slow.cancelled()
        );
        Ok(())
    });
    assert_eq!(outcome, Ok(()));
    assert_eq!(
        lines,
        [
            "[main] gathered [3, 1, 2] at 3",
            "[main] wait_for said Err(TimedOut) at 4; cancelled: true",
        ]
    );
}

#[test]
fn a_stackful_operation_in_an_async_task_says_to_await_instead() {
    let (outcome, _, _) = run(|| {
        let task = spawn_async("async", async { ch06::sleep(SECOND) })?;
        Ok(task.join())
    });
    let Ok(Err(SchedError::TaskFailed(failure))) = outcome else {
        panic!("expected the async task to fail, got {outcome:?}");
    };
    assert_eq!(
        failure.message(),
        "sleep() was called from an async task, which has no stack of its own to suspend; \
         await chapter 9's futures instead (ch09_async_fn::sleep, ch09_async_fn::yield_now, \
         or a JoinHandle itself)"
    );
}

#[test]
fn a_task_that_returns_pending_and_keeps_no_waker_is_named_in_the_deadlock() {
    let (outcome, _, _) = run(|| {
        let lost = spawn_async("lost", async {
            // Pending, and the waker is dropped with the context: nobody can
            // ever wake this task.
            poll_fn(|_| Poll::<()>::Pending).await;
            Ok::<(), SchedError>(())
        })?;
        lost.join()
    });
    let Err(SchedError::Deadlock(stuck)) = outcome else {
        panic!("expected a deadlock, got {outcome:?}");
    };
    let described: Vec<String> = stuck.iter().map(StuckTask::to_string).collect();
    assert_eq!(
        described,
        [
            "main (T0) waits for lost (T1)",
            "task 'lost' (T1) returned Pending and dropped every waker it was given, so nothing \
             can wake it",
        ]
    );
}

#[test]
fn a_task_whose_waker_is_kept_but_never_called_is_named_with_how_many_are_alive() {
    let kept = Rc::new(RefCell::new(None));
    let keeper = Rc::clone(&kept);
    let (outcome, _, _) = run(move || {
        let waiting = spawn_async("waiting", async move {
            poll_fn(|cx| {
                *keeper.borrow_mut() = Some(cx.waker().clone());
                Poll::<()>::Pending
            })
            .await;
            Ok::<(), SchedError>(())
        })?;
        waiting.join()
    });
    let Err(SchedError::Deadlock(stuck)) = outcome else {
        panic!("expected a deadlock, got {outcome:?}");
    };
    assert_eq!(
        stuck[1].to_string(),
        "task 'waiting' (T1) waits for a wake from one of the 1 wakers it handed out, and \
         nothing in this scheduler will call them (a thread that will should hold an \
         ExpectedWake)"
    );
    drop(kept);
}

#[test]
fn a_wake_from_another_thread_that_was_promised_is_waited_for_even_on_the_virtual_clock() {
    let (outcome, lines, scheduler) = run(|| {
        let (to_thread, from_task) = mpsc::channel::<std::task::Waker>();
        let promise = expect_wake()?;
        let worker = thread::spawn(move || {
            let waker = from_task.recv().expect("the task sends its waker");
            thread::sleep(Duration::from_millis(5));
            waker.wake();
            drop(promise);
        });
        let woken = Rc::new(Cell::new(false));
        let flag = Rc::clone(&woken);
        let task = spawn_async("waits for the thread", async move {
            let mut sent = Some(to_thread);
            poll_fn(|cx| match sent.take() {
                Some(to_thread) => {
                    to_thread
                        .send(cx.waker().clone())
                        .expect("the thread waits");
                    Poll::Pending
                }
                None => Poll::Ready(()),
            })
            .await;
            flag.set(true);
            say!("waits for the thread", "woken at {}", at());
            Ok::<(), SchedError>(())
        })?;
        task.join()?;
        worker.join().expect("the thread ends");
        Ok(woken.get())
    });
    assert_eq!(outcome, Ok(true));
    // The thread's work took no virtual time.
    assert_eq!(lines, ["[waits for the thread] woken at 0"]);
    assert_eq!(scheduler.now(), Duration::ZERO);
}

#[test]
fn a_wake_after_the_task_ended_is_harmless() {
    let kept = Rc::new(RefCell::new(None));
    let keeper = Rc::clone(&kept);
    let (outcome, _, _) = run(move || {
        let task = spawn_async("short", async move {
            poll_fn(|cx| {
                *keeper.borrow_mut() = Some(cx.waker().clone());
                Poll::Ready(())
            })
            .await;
            Ok::<u32, SchedError>(1)
        })?;
        let value = task.join()?;
        let waker: std::task::Waker = kept.borrow_mut().take().expect("kept");
        waker.wake();
        ch06::yield_now()?;
        Ok(value)
    });
    assert_eq!(outcome, Ok(1));
}

#[test]
fn a_panic_in_an_async_task_is_its_failure_and_the_others_run_on() {
    let (outcome, lines, _) = run(|| {
        let panicking = spawn_async("panicking", async {
            yield_now().await?;
            if at() >= 0.0 {
                panic!("broken");
            }
            Ok::<(), SchedError>(())
        })?;
        let calm = spawn_async("calm", async {
            sleep(SECOND).await?;
            say!("calm", "still here at {}", at());
            Ok::<(), SchedError>(())
        })?;
        let failed = panicking.join();
        calm.join()?;
        Ok(failed.map_err(|error| error.to_string()))
    });
    assert_eq!(
        outcome,
        Ok(Err("task \"panicking\" (T1) panicked: broken".to_string()))
    );
    assert_eq!(lines, ["[calm] still here at 1"]);
}

#[test]
fn an_async_task_awaiting_itself_is_refused() {
    let (outcome, _, _) = run(|| {
        let me: Rc<RefCell<Option<JoinHandle<()>>>> = Rc::default();
        let mine = Rc::clone(&me);
        let task = spawn_async("narcissus", async move {
            let own = mine.borrow().clone().expect("set before its first poll");
            own.await
        })?;
        *me.borrow_mut() = Some(task.clone());
        Ok(task.join())
    });
    let Ok(Err(SchedError::TaskFailed(failure))) = outcome else {
        panic!("expected a failure, got {outcome:?}");
    };
    assert_eq!(
        failure.downcast_ref::<SchedError>(),
        Some(&SchedError::JoinSelf {
            task: "narcissus".to_string()
        })
    );
}

#[test]
fn the_trace_shows_an_async_task_parked_on_its_waker_and_woken_by_it() {
    let scheduler = virtual_scheduler().with_trace();
    let outcome = scheduler.run_until_complete(|| {
        let task = spawn_async("async", async {
            sleep(SECOND).await?;
            Ok::<(), SchedError>(())
        })?;
        task.join()
    });
    assert_eq!(outcome, Ok(()));
    let async_events: Vec<EventKind> = scheduler
        .trace()
        .events
        .iter()
        .filter(|event| event.task.is_some_and(|id| id.number() == 1))
        .map(|event| event.kind.clone())
        .collect();
    assert_eq!(
        async_events,
        [
            EventKind::Spawned {
                name: "async".to_string(),
                by: async_events_spawner(),
            },
            EventKind::Resumed,
            EventKind::Suspended(ch06::Wait::Park(None)),
            EventKind::Woken(ch06::Cause::Waker(None)),
            EventKind::Resumed,
            EventKind::Done { cancelled: false },
        ]
    );
}

/// The task that spawned the async task of the trace test: main, T0.
fn async_events_spawner() -> Option<ch06::TaskId> {
    let scheduler = virtual_scheduler();
    scheduler
        .run_until_complete(|| Ok::<_, SchedError>(ch06::current_task()?.id()))
        .ok()
}

#[test]
fn awaiting_a_sleep_outside_any_scheduler_says_not_in_task() {
    let outcome = yieldpoint::ch09_async_fn::block_on(sleep(SECOND));
    assert_eq!(outcome, Err(SchedError::NotInTask { operation: "now" }));
}
