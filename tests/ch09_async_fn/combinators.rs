//! Chapter 7's combinators awaited by async tasks: `gather_async`,
//! `wait_for_async` and `as_completed_async` give what the stackful
//! `gather`, `wait_for` and `as_completed` give, at the same virtual times,
//! and the stackful ones refuse an async task before they touch anything.
//! All on the virtual clock: orders and times are exact.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use yieldpoint::ch04_future_task::Status;
use yieldpoint::ch06_scheduler::{
    self as ch06, BoxError, Clock, JoinHandle, SchedError, Scheduler,
};
use yieldpoint::ch07_combinators::{as_completed, gather, wait_for};
use yieldpoint::ch09_async_fn::{
    as_completed_async, gather_async, sleep, spawn_async, wait_for_async,
};

const SECOND: Duration = Duration::from_secs(1);

/// The time on the running scheduler, in seconds.
fn at() -> f64 {
    ch06::now().expect("inside a task").as_secs_f64()
}

/// A stackful task that sleeps `seconds`, then returns `value`.
fn after(seconds: u64, value: u32) -> Result<JoinHandle<u32>, SchedError> {
    ch06::spawn(format!("after {seconds}"), move || {
        ch06::sleep(Duration::from_secs(seconds))?;
        Ok::<_, SchedError>(value)
    })
}

/// A stackful task that sleeps `seconds`, then fails with `message`.
fn failing_after(seconds: u64, message: &'static str) -> Result<JoinHandle<u32>, SchedError> {
    ch06::spawn(
        format!("fails after {seconds}"),
        move || -> Result<u32, BoxError> {
            ch06::sleep(Duration::from_secs(seconds))?;
            Err(message.into())
        },
    )
}

/// Runs an async `main` on a new virtual scheduler.
fn run_async<T: 'static>(
    main: impl std::future::Future<Output = Result<T, SchedError>> + 'static,
) -> (Result<T, SchedError>, Scheduler) {
    let scheduler = Scheduler::new(Clock::Virtual);
    let outcome = scheduler.run_until_complete_async(main);
    (outcome, scheduler)
}

/// Runs a stackful `main` on a new virtual scheduler.
fn run<T: 'static>(
    main: impl FnOnce() -> Result<T, SchedError> + 'static,
) -> (Result<T, SchedError>, Scheduler) {
    let scheduler = Scheduler::new(Clock::Virtual);
    let outcome = scheduler.run_until_complete(main);
    (outcome, scheduler)
}

// ---- gather_async ----

// ANCHOR: gather_async_test
#[test]
fn gather_async_gives_the_values_in_argument_order_at_the_time_the_stackful_gather_does() {
    let (awaited, _) = run_async(async {
        let tasks = [after(3, 30)?, after(1, 10)?, after(2, 20)?];
        let values = gather_async(&tasks).await?;
        Ok::<_, SchedError>((values, at()))
    });
    let (parked, _) = run(|| {
        let tasks = [after(3, 30)?, after(1, 10)?, after(2, 20)?];
        let values = gather(&tasks)?;
        Ok::<_, SchedError>((values, at()))
    });
    assert_eq!(awaited, Ok((vec![30, 10, 20], 3.0)));
    assert_eq!(awaited, parked);
}
// ANCHOR_END: gather_async_test

#[test]
fn gather_async_of_no_tasks_is_ready_at_once() {
    let (outcome, scheduler) = run_async(async { gather_async::<u32>(&[]).await });
    assert_eq!(outcome, Ok(vec![]));
    assert_eq!(scheduler.now(), Duration::ZERO);
}

#[test]
fn gather_async_fails_with_the_first_failure_to_happen_and_the_others_run_on() {
    let (outcome, _) = run_async(async {
        let late = failing_after(3, "the late failure")?;
        let slow = after(5, 50)?;
        let early = failing_after(2, "the early failure")?;
        let tasks = [late.clone(), slow.clone(), early];
        let failed = gather_async(&tasks).await;
        let when = at();
        // The others were not cancelled: the slow one still ends well.
        let slow_value = slow.clone().await;
        Ok::<_, SchedError>((failed.map_err(|e| e.to_string()), when, slow_value))
    });
    let (failed, when, slow_value) = outcome.expect("main runs");
    assert_eq!(
        failed,
        Err("task \"fails after 2\" (T3) failed: the early failure".to_string())
    );
    assert_eq!(when, 2.0);
    assert_eq!(slow_value, Ok(50));
}

#[test]
fn gather_async_gives_a_cancelled_child_as_task_cancelled() {
    let (outcome, _) = run_async(async {
        let doomed = after(5, 1)?;
        let tasks = [after(1, 10)?, doomed.clone()];
        ch06::call_later(2 * SECOND, move || {
            doomed.cancel();
        })?;
        // Kept as a value: passed on with `?`, it would end main cancelled.
        Ok::<_, SchedError>((gather_async(&tasks).await, at()))
    });
    assert_eq!(
        outcome,
        Ok((
            Err(SchedError::TaskCancelled {
                task: "after 5".to_string()
            }),
            2.0
        ))
    );
}

#[test]
fn cancelling_the_task_that_awaits_gather_async_cancels_every_task_it_waits_for() {
    let (outcome, _) = run(|| {
        let children = Rc::new(RefCell::new(Vec::new()));
        let kept = Rc::clone(&children);
        let gatherer = spawn_async("gatherer", async move {
            let tasks = [after(5, 1)?, after(6, 2)?];
            kept.borrow_mut().extend(tasks.iter().cloned());
            gather_async(&tasks).await
        })?;
        ch06::sleep(SECOND)?;
        gatherer.cancel();
        let joined = gatherer.join();
        ch06::sleep(SECOND)?; // the children's cancellations are delivered
        let statuses: Vec<Status> = children.borrow().iter().map(JoinHandle::status).collect();
        Ok::<_, SchedError>((joined, statuses, at()))
    });
    let (joined, statuses, when) = outcome.expect("main runs");
    assert_eq!(
        joined,
        Err(SchedError::TaskCancelled {
            task: "gatherer".to_string()
        })
    );
    assert_eq!(statuses, [Status::Cancelled, Status::Cancelled]);
    assert_eq!(when, 2.0);
}

#[test]
fn gather_async_refuses_a_task_of_another_scheduler_before_watching_anything() {
    let elsewhere = Scheduler::new(Clock::Virtual);
    let foreign = elsewhere
        .spawn("stranger", || Ok::<u32, SchedError>(1))
        .expect("spawned, and never run");
    let (outcome, _) = run_async(async move {
        let refused = gather_async(std::slice::from_ref(&foreign)).await;
        let cut = wait_for_async(&foreign, SECOND).await;
        let listed = as_completed_async(vec![foreign]).next().await;
        Ok::<_, SchedError>((refused, cut, listed.map(|next| next.map(drop))))
    });
    let refused = SchedError::ForeignTask {
        task: "stranger".to_string(),
    };
    assert_eq!(
        outcome,
        Ok((
            Err(refused.clone()),
            Err(refused.clone()),
            Some(Err(refused))
        ))
    );
}

// ---- wait_for_async ----

// ANCHOR: wait_for_async_test
#[test]
fn wait_for_async_gives_the_value_in_time_and_times_out_after_the_cleanup_as_wait_for_does() {
    /// A task that needs `seconds`, and whose cleanup, when cancelled,
    /// takes one second more.
    fn slow(seconds: u64) -> Result<JoinHandle<u32>, SchedError> {
        ch06::spawn("slow", move || {
            match ch06::sleep(Duration::from_secs(seconds)) {
                Ok(()) => Ok(7),
                Err(cancelled) => {
                    ch06::sleep(SECOND)?; // cleanup that awaits
                    Err(cancelled)
                }
            }
        })
    }
    let (awaited, _) = run_async(async {
        let in_time = wait_for_async(&slow(1)?, 2 * SECOND).await;
        let first = at();
        let late = wait_for_async(&slow(5)?, 2 * SECOND).await;
        Ok::<_, SchedError>((in_time, first, late, at()))
    });
    let (parked, _) = run(|| {
        let in_time = wait_for(&slow(1)?, 2 * SECOND);
        let first = at();
        let late = wait_for(&slow(5)?, 2 * SECOND);
        Ok::<_, SchedError>((in_time, first, late, at()))
    });
    // In time after 1 s; then timed out at 1 + 2 s, and back once the
    // cleanup's second is over.
    assert_eq!(awaited, Ok((Ok(7), 1.0, Err(SchedError::TimedOut), 4.0)));
    assert_eq!(awaited, parked);
}
// ANCHOR_END: wait_for_async_test

#[test]
fn wait_for_async_with_no_time_gives_an_ended_task_and_cancels_a_pending_one() {
    let (outcome, _) = run_async(async {
        let done = after(0, 1)?;
        let _ = done.clone().await;
        let ended = wait_for_async(&done, Duration::ZERO).await;
        let pending = after(9, 2)?;
        let cut = wait_for_async(&pending, Duration::ZERO).await;
        Ok::<_, SchedError>((ended, cut, pending.status(), at()))
    });
    assert_eq!(
        outcome,
        Ok((Ok(1), Err(SchedError::TimedOut), Status::Cancelled, 0.0))
    );
}

#[test]
fn wait_for_async_with_no_time_on_a_task_that_ended_cancelled_says_so_as_wait_for_does() {
    async fn program_async() -> Result<Vec<String>, SchedError> {
        let gone = after(9, 1)?;
        gone.cancel();
        let _ = gone.clone().await;
        let zero = wait_for_async(&gone, Duration::ZERO).await;
        let some = wait_for_async(&gone, SECOND).await;
        Ok(vec![format!("{zero:?}"), format!("{some:?}")])
    }
    let (awaited, _) = run_async(program_async());
    let (parked, _) = run(|| {
        let gone = after(9, 1)?;
        gone.cancel();
        let _ = gone.join();
        let zero = wait_for(&gone, Duration::ZERO);
        let some = wait_for(&gone, SECOND);
        Ok::<_, SchedError>(vec![format!("{zero:?}"), format!("{some:?}")])
    });
    let cancelled = "Err(TaskCancelled { task: \"after 9\" })".to_string();
    assert_eq!(awaited, Ok(vec![cancelled.clone(), cancelled]));
    assert_eq!(awaited, parked);
}

#[test]
fn wait_for_async_passes_on_the_task_failure() {
    let (outcome, _) = run_async(async {
        let failing = failing_after(1, "no")?;
        let waited = wait_for_async(&failing, 5 * SECOND).await;
        Ok::<_, SchedError>(waited.map_err(|e| e.to_string()))
    });
    assert_eq!(
        outcome,
        Ok(Err("task \"fails after 1\" (T1) failed: no".to_string()))
    );
}

#[test]
fn cancelling_the_task_that_awaits_wait_for_async_cancels_the_task_it_waits_for() {
    let (outcome, _) = run(|| {
        let inner = after(5, 1)?;
        let waited = inner.clone();
        let waiter = spawn_async("waiter", async move {
            wait_for_async(&waited, 10 * SECOND).await
        })?;
        ch06::sleep(SECOND)?;
        waiter.cancel();
        let _ = waiter.join();
        let inner_ended = inner.join();
        Ok::<_, SchedError>((inner_ended, at()))
    });
    assert_eq!(
        outcome,
        Ok((
            Err(SchedError::TaskCancelled {
                task: "after 5".to_string()
            }),
            1.0
        ))
    );
}

// ---- as_completed_async ----

#[test]
fn as_completed_async_hands_out_the_tasks_in_the_order_they_end_as_as_completed_does() {
    let (awaited, _) = run_async(async {
        let tasks = vec![after(3, 30)?, after(1, 10)?, failing_after(2, "no")?];
        let mut done = as_completed_async(tasks);
        let mut seen = Vec::new();
        while let Some(next) = done.next().await {
            let (index, outcome) = next?;
            seen.push((index, outcome.map_err(|e| e.to_string()), at()));
        }
        Ok::<_, SchedError>(seen)
    });
    let (parked, _) = run(|| {
        let tasks = vec![after(3, 30)?, after(1, 10)?, failing_after(2, "no")?];
        let mut seen = Vec::new();
        for next in as_completed(tasks) {
            let (index, outcome) = next?;
            seen.push((index, outcome.map_err(|e| e.to_string()), at()));
        }
        Ok::<_, SchedError>(seen)
    });
    assert_eq!(
        awaited,
        Ok(vec![
            (1, Ok(10), 1.0),
            (
                2,
                Err("task \"fails after 2\" (T3) failed: no".to_string()),
                2.0
            ),
            (0, Ok(30), 3.0),
        ])
    );
    assert_eq!(awaited, parked);
}

#[test]
fn as_completed_async_of_no_tasks_ends_at_once() {
    let (outcome, _) = run_async(async {
        let mut done = as_completed_async::<u32>(Vec::new());
        Ok::<_, SchedError>(done.next().await.is_none())
    });
    assert_eq!(outcome, Ok(true));
}

// ---- the stackful ones, refused before they touch anything ----

#[test]
fn the_stackful_combinators_refuse_an_async_task_and_name_the_async_twins() {
    let (outcome, _) = run_async(async {
        let task = after(1, 1)?;
        let gathered = gather(std::slice::from_ref(&task)).map_err(|e| e.to_string());
        // A zero timeout would cancel the task before anything waits: it
        // must be refused first, and the task left alone.
        let waited = wait_for(&task, Duration::ZERO).map_err(|e| e.to_string());
        let listed = as_completed(vec![task.clone()])
            .next()
            .map(|next| next.map(|_| ()).map_err(|e| e.to_string()));
        let value = task.await?;
        Ok::<_, SchedError>((gathered, waited, listed, value, at()))
    });
    let (gathered, waited, listed, value, when) = outcome.expect("main runs");
    let refused = |operation: &str| {
        format!(
            "{operation}() was called from an async task, which has no stack of its own to \
             suspend; await chapter 9's twins of chapter 7's combinators instead (gather_async, \
             wait_for_async, as_completed_async), or each JoinHandle in turn (nothing was \
             waited for or cancelled)"
        )
    };
    assert_eq!(gathered, Err(refused("gather")));
    assert_eq!(waited, Err(refused("wait_for")));
    assert_eq!(listed, Some(Err(refused("as_completed"))));
    // The task was neither cancelled nor disturbed.
    assert_eq!((value, when), (1, 1.0));
}

#[test]
fn an_async_task_can_sleep_between_awaits_of_the_combinators() {
    // gather_async, then a sleep, then wait_for_async, in one async task:
    // each future leaves nothing behind that wakes the task later.
    let (outcome, scheduler) = run_async(async {
        let tasks = [after(1, 1)?, after(2, 2)?];
        let values = gather_async(&tasks).await?;
        sleep(SECOND).await?;
        let more = wait_for_async(&after(1, 3)?, SECOND * 5).await?;
        Ok::<_, SchedError>((values, more, at()))
    });
    assert_eq!(outcome, Ok((vec![1, 2], 3, 4.0)));
    assert_eq!(scheduler.live_tasks(), 0);
}

#[test]
fn the_async_combinators_take_the_longest_timeout_ten_thousand_tasks_and_a_task_given_twice() {
    // Found by a program that tried to break them: Duration::MAX must not
    // overflow the deadline, a large group must not be slow to watch, and
    // the same task twice is handed out twice.
    let (outcome, scheduler) = run_async(async {
        let quick = after(1, 1)?;
        let longest = wait_for_async(&quick, Duration::MAX).await;
        let never = ch06::spawn("never", || {
            ch06::sleep(Duration::MAX)?;
            Ok::<u32, SchedError>(2)
        })?;
        let cut = wait_for_async(&never, SECOND).await;
        let many = (0..10_000u32)
            .map(|i| {
                spawn_async("many", async move {
                    sleep(Duration::from_millis(u64::from(i % 7))).await?;
                    Ok::<_, SchedError>(i)
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let gathered = gather_async(&many).await?;
        let in_order = gathered.iter().copied().eq(0..10_000);
        let mut twice = as_completed_async(vec![quick.clone(), quick]);
        let mut handed = Vec::new();
        while let Some(next) = twice.next().await {
            handed.push(next?);
        }
        let after_the_last = twice.next().await.is_none();
        Ok::<_, SchedError>((longest, cut, in_order, handed, after_the_last))
    });
    assert_eq!(
        outcome,
        Ok((
            Ok(1),
            Err(SchedError::TimedOut),
            true,
            vec![(0, Ok(1)), (1, Ok(1))],
            true
        ))
    );
    assert_eq!(scheduler.live_tasks(), 0);
}
