//! `to_thread` and its pool. A job that must still be running while
//! something else happens is held at a channel until then, so every order
//! asserted here is caused, not timed.

use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use yieldpoint::ch06_scheduler::{
    self as ch06, Clock, JoinHandle, Resume, SchedError, Scheduler, call_soon, spawn,
};
use yieldpoint::ch07_combinators::{gather, wait_for};
use yieldpoint::ch09_async_fn::spawn_async;
use yieldpoint::ch11_threads::{PoolStats, max_threads, pool_stats, to_thread, to_thread_async};

use super::{PATIENCE, child, example};

const SECOND: Duration = Duration::from_secs(1);

/// The name of the thread this runs on.
fn thread_name() -> String {
    thread::current().name().unwrap_or("unnamed").to_string()
}

/// Sends the name of the thread it is dropped on.
struct SaysWhereItIsDropped(mpsc::Sender<String>);

impl Drop for SaysWhereItIsDropped {
    fn drop(&mut self) {
        let _ = self.0.send(thread_name());
    }
}

/// Panics when it is dropped: a value whose destructor the pool's thread
/// must survive.
struct Grenade;

impl Drop for Grenade {
    fn drop(&mut self) {
        panic!("a destructor that panics");
    }
}

/// Whether the pool has work: a job queued, or a thread running one.
fn working() -> bool {
    let stats = pool_stats();
    stats.busy > 0 || stats.queued > 0
}

/// Waits (a while at most) until the pool has no work: no job queued, and
/// no thread running one (a thread that has handed its result over is back
/// in the queue's wait a moment later).
fn until_idle() -> PoolStats {
    let waited = std::time::Instant::now();
    while working() && waited.elapsed() < PATIENCE {
        thread::sleep(Duration::from_millis(1));
    }
    pool_stats()
}

// ---- results, and where they are made ----

#[test]
fn to_thread_returns_the_value_of_work_done_on_a_thread_of_the_pool() {
    let scheduler = Scheduler::new(Clock::Real);
    let (value, on) = scheduler
        .run_until_complete(|| to_thread(|| (6 * 7, thread_name())))
        .expect("main runs");
    assert_eq!(value, 42);
    assert!(on.starts_with("to_thread "), "{on}");
}

#[test]
fn to_thread_async_is_the_same_for_an_async_task() {
    let scheduler = Scheduler::new(Clock::Real);
    let (value, on) = scheduler
        .run_until_complete_async(async { to_thread_async(|| (6 * 7, thread_name())).await })
        .expect("main runs");
    assert_eq!(value, 42);
    assert!(on.starts_with("to_thread "), "{on}");
}

#[test]
fn other_tasks_run_while_the_job_blocks_its_thread() {
    // The job blocks until a ticker task has ticked three times: it could
    // not end if the scheduler were blocked with it.
    let scheduler = Scheduler::new(Clock::Real);
    let ticks = scheduler
        .run_until_complete(|| {
            let (tick, ticked) = mpsc::channel::<u32>();
            let waiter = spawn("waiter", move || {
                to_thread(move || ticked.iter().take(3).collect::<Vec<_>>())
            })?;
            spawn("ticker", move || {
                for n in 1..=3 {
                    ch06::sleep(Duration::from_millis(1))?;
                    let _ = tick.send(n);
                }
                Ok::<(), SchedError>(())
            })?;
            waiter.join()
        })
        .expect("the program runs");
    assert_eq!(ticks, [1, 2, 3]);
}

// ---- a panic in the job ----

// ANCHOR: job_panics
#[test]
fn a_panic_in_the_job_reaches_the_waiting_task_as_job_panicked_and_the_pool_goes_on() {
    let scheduler = Scheduler::new(Clock::Real);
    let (stackful, asynchronous, after) = scheduler
        .run_until_complete(|| {
            let stackful = to_thread(|| -> u32 { panic!("the disk is on fire") });
            let asynchronous = spawn_async("async", async {
                to_thread_async(|| -> u32 { panic!("so is the network") }).await
            })?
            .join();
            Ok::<_, SchedError>((stackful, asynchronous, to_thread(|| 7)?))
        })
        .expect("main runs");
    assert_eq!(
        stackful,
        Err(SchedError::JobPanicked {
            message: "the disk is on fire".to_string()
        })
    );
    assert_eq!(
        stackful.unwrap_err().to_string(),
        "the job handed to to_thread panicked on its thread: the disk is on fire"
    );
    let failure = asynchronous.expect_err("the async task failed with the job's panic");
    assert_eq!(
        failure
            .failure()
            .and_then(|f| f.downcast_ref::<SchedError>()),
        Some(&SchedError::JobPanicked {
            message: "so is the network".to_string()
        })
    );
    assert_eq!(after, 7, "the pool's threads survive a job's panic");
}
// ANCHOR_END: job_panics

// ---- cancelling the waiting task ----

// ANCHOR: cancelled
#[test]
fn cancelling_the_waiting_task_leaves_the_job_running_and_its_result_is_dropped_there() {
    let (began, has_begun) = mpsc::channel::<()>();
    let (release, released) = mpsc::channel::<()>();
    let (ended, job_ended) = mpsc::channel::<String>();
    let (dropped, result_dropped) = mpsc::channel::<String>();
    let scheduler = Scheduler::new(Clock::Real);
    let outcome = scheduler
        .run_until_complete(move || {
            let waiter = spawn("waiter", move || {
                to_thread(move || {
                    let _ = began.send(());
                    let _ = released.recv(); // held until main lets it go
                    let _ = ended.send(thread_name());
                    SaysWhereItIsDropped(dropped)
                })
                .map(drop)
            })?;
            ch06::yield_now()?; // the waiter hands its job over, and parks
            has_begun.recv_timeout(PATIENCE).expect("the job begins"); // a thread runs it
            waiter.cancel();
            let outcome = waiter.join();
            let _ = release.send(()); // only now may the job end
            Ok::<_, SchedError>(outcome)
        })
        .expect("main runs");
    assert_eq!(
        outcome,
        Err(SchedError::TaskCancelled {
            task: "waiter".to_string()
        })
    );
    // The job ran on to its end after its task was gone, and its result
    // was dropped on the job's own thread: nobody received it.
    let ran_on = job_ended.recv_timeout(PATIENCE).expect("the job ends");
    assert!(ran_on.starts_with("to_thread "), "{ran_on}");
    assert_eq!(result_dropped.recv_timeout(PATIENCE), Ok(ran_on));
}
// ANCHOR_END: cancelled

#[test]
#[ignore = "needs a pool that grows; started in a child process by the test below"]
fn child_waits_right_after_quick_jobs() {
    if child::is_child("offload::child_waits_right_after_quick_jobs") {
        // The real clock: a job held at the gate would stop the virtual
        // one, and with it the sleepers.
        let scheduler = Scheduler::new(Clock::Real);
        let outcome = scheduler.run_until_complete(|| {
            let gate = Arc::new(example::Gate::default());
            let mut holders = Vec::new();
            let mut early = 0;
            for _ in 0..max_threads() {
                // Every thread is busy, so this quick job gets a new one,
                // made while the task waits for `submit`: the job may well
                // be done before the task looks for its result.
                to_thread(|| ())?;
                let sleeper = spawn("sleeper", || ch06::sleep(Duration::from_millis(1)))?;
                if wait_for(&sleeper, 10 * SECOND) == Err(SchedError::TimedOut) {
                    early += 1;
                }
                // Keep that thread busy from now on.
                let gate = Arc::clone(&gate);
                holders.push(spawn("holder", move || to_thread(move || gate.pass()))?);
                while pool_stats().busy < holders.len() {
                    ch06::yield_now()?;
                }
            }
            gate.open();
            for holder in holders {
                holder.join()?;
            }
            Ok::<_, SchedError>(early)
        });
        println!("gave up early: {outcome:?}");
    }
}

// ANCHOR: no_stale_wake
#[test]
fn a_job_that_ends_before_its_task_parks_leaves_no_wake_behind_for_the_next_wait() {
    // Once, `to_thread` took a result that was already there without
    // parking, and the job's wake, still on its way, ended the task's next
    // park instead: here `wait_for`'s, which then gave up at once, a second
    // early. A quick job on a thread made for it makes that race likely
    // (about one child in eight lost a wake so), and twenty children near
    // certain.
    for _ in 0..20 {
        let output = child::run("offload::child_waits_right_after_quick_jobs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("gave up early: Ok(0)\n"), "{stdout}");
    }
}
// ANCHOR_END: no_stale_wake

#[test]
fn a_task_that_stops_waiting_is_not_woken_by_its_job_afterwards() {
    // On the virtual clock: the park below ends by its deadline (TimedOut)
    // unless something wakes the task first (Ready). The job, released
    // after the task was cancelled, must wake nobody.
    let scheduler = Scheduler::new(Clock::Virtual);
    let outcome = scheduler
        .run_until_complete(|| {
            let (began, has_begun) = mpsc::channel::<()>();
            let waiter = spawn("waiter", move || {
                let (release, released) = mpsc::channel::<()>();
                let cancelled = to_thread(move || {
                    let _ = began.send(());
                    let _ = released.recv();
                });
                assert_eq!(cancelled, Err(SchedError::Cancelled));
                let _ = release.send(()); // the job ends while we park
                let woken = ch06::park(Some(ch06::now()? + SECOND));
                Ok::<_, SchedError>(woken)
            })?;
            ch06::yield_now()?;
            has_begun.recv_timeout(PATIENCE).expect("the job begins");
            waiter.cancel();
            waiter.join()
        })
        .expect("the program runs");
    assert_eq!(outcome, Ok(Resume::TimedOut));
}

#[test]
fn an_async_task_cancelled_while_it_awaits_drops_the_future_and_the_job_runs_on() {
    let (began, has_begun) = mpsc::channel::<()>();
    let (release, released) = mpsc::channel::<()>();
    let (dropped, result_dropped) = mpsc::channel::<String>();
    let scheduler = Scheduler::new(Clock::Real);
    let outcome = scheduler
        .run_until_complete(move || {
            let waiter = spawn_async("waiter", async move {
                to_thread_async(move || {
                    let _ = began.send(());
                    let _ = released.recv();
                    SaysWhereItIsDropped(dropped)
                })
                .await
                .map(drop)
            })?;
            ch06::yield_now()?;
            has_begun.recv_timeout(PATIENCE).expect("the job begins");
            waiter.cancel();
            let outcome = waiter.join();
            let _ = release.send(());
            Ok::<_, SchedError>(outcome)
        })
        .expect("main runs");
    assert_eq!(
        outcome,
        Err(SchedError::TaskCancelled {
            task: "waiter".to_string()
        })
    );
    let dropped_on = result_dropped.recv_timeout(PATIENCE).expect("dropped");
    assert!(dropped_on.starts_with("to_thread "), "{dropped_on}");
}

// ---- the scheduler dropped with jobs in flight ----

// ANCHOR: detached
#[test]
fn dropping_the_scheduler_detaches_its_jobs_which_finish_and_wake_nobody() {
    let (began, has_begun) = mpsc::channel::<()>();
    let (release, released) = mpsc::channel::<()>();
    let (dropped, result_dropped) = mpsc::channel::<String>();
    let cleanup = Arc::new(Mutex::new(None));
    let seen = Arc::clone(&cleanup);
    let scheduler = Scheduler::new(Clock::Real);
    scheduler
        .run_until_complete(move || {
            spawn("waiter", move || {
                let outcome = to_thread(move || {
                    let _ = began.send(());
                    let _ = released.recv();
                    SaysWhereItIsDropped(dropped)
                });
                *seen.lock().unwrap() = Some(outcome.as_ref().map(drop).map_err(Clone::clone));
                outcome.map(drop)
            })?;
            ch06::yield_now()?; // the waiter hands its job over and parks
            has_begun.recv_timeout(PATIENCE).expect("the job begins");
            Ok::<_, SchedError>(()) // main ends
        })
        .expect("main runs");
    drop(scheduler); // cancels the waiter where it waits
    assert_eq!(*cleanup.lock().unwrap(), Some(Err(SchedError::Cancelled)));
    let _ = release.send(());
    // The job was not joined: it finishes now, on its thread, and its
    // result is dropped there.
    let dropped_on = result_dropped.recv_timeout(PATIENCE).expect("the job ends");
    assert!(dropped_on.starts_with("to_thread "), "{dropped_on}");
}
// ANCHOR_END: detached

// ---- a job in flight is pending work ----

// ANCHOR: pending_work
#[test]
fn a_job_in_flight_is_pending_work_on_the_virtual_clock_no_deadlock_and_no_time_passes() {
    let scheduler = Scheduler::new(Clock::Virtual);
    let (value, at) = scheduler
        .run_until_complete(|| {
            // Nothing else to do: without the job counted, this would be a
            // deadlock (nothing ready, no timer).
            let value = to_thread(|| {
                thread::sleep(Duration::from_millis(50)); // real time passes
                42
            })?;
            Ok::<_, SchedError>((value, ch06::now()?))
        })
        .expect("no deadlock");
    assert_eq!((value, at), (42, Duration::ZERO));
}

#[test]
fn the_virtual_clock_waits_for_a_job_before_it_jumps_to_the_next_timer() {
    let scheduler = Scheduler::new(Clock::Virtual);
    let order = scheduler
        .run_until_complete(|| {
            let log = Arc::new(Mutex::new(Vec::new()));
            let slept = Arc::clone(&log);
            let sleeper = spawn("sleeper", move || {
                ch06::sleep(SECOND)?;
                slept
                    .lock()
                    .unwrap()
                    .push(format!("sleeper at {:?}", ch06::now()?));
                Ok::<(), SchedError>(())
            })?;
            let value = to_thread(|| {
                thread::sleep(Duration::from_millis(50));
                42
            })?;
            log.lock()
                .unwrap()
                .push(format!("main got {value} at {:?}", ch06::now()?));
            sleeper.join()?;
            let order = log.lock().unwrap().clone();
            Ok::<_, SchedError>(order)
        })
        .expect("the program runs");
    assert_eq!(order, ["main got 42 at 0ns", "sleeper at 1s"]);
}
// ANCHOR_END: pending_work

#[test]
fn deadlock_detection_still_names_a_stuck_task_once_the_jobs_are_done() {
    let scheduler = Scheduler::new(Clock::Virtual);
    let error = scheduler
        .run_until_complete(|| {
            to_thread(|| ())?;
            let stuck = spawn("stuck", || ch06::park(None).map(drop))?;
            stuck.join()
        })
        .expect_err("nothing can wake the stuck task");
    assert!(
        error
            .to_string()
            .starts_with("deadlock: nothing is ready and no timer is pending"),
        "{error}"
    );
}

// ---- called from the wrong place: the job never runs ----

#[test]
fn to_thread_outside_a_task_or_in_a_callback_is_refused_and_the_work_never_runs() {
    let ran = Arc::new(Mutex::new(false));
    let flag = Arc::clone(&ran);
    let outside = to_thread(move || *flag.lock().unwrap() = true);
    assert_eq!(
        outside,
        Err(SchedError::NotInTask {
            operation: "to_thread"
        })
    );
    let scheduler = Scheduler::new(Clock::Virtual);
    let flag = Arc::clone(&ran);
    let in_callback = scheduler
        .run_until_complete(move || {
            let (send, outcome) = mpsc::channel();
            call_soon(move || {
                let _ = send.send(to_thread(move || *flag.lock().unwrap() = true));
            })?;
            ch06::yield_now()?;
            Ok::<_, SchedError>(outcome.try_recv().expect("the callback ran"))
        })
        .expect("main runs");
    assert_eq!(
        in_callback,
        Err(SchedError::InCallback {
            operation: "to_thread"
        })
    );
    // Given a moment, a job that had been handed over would have run.
    thread::sleep(Duration::from_millis(20));
    assert!(!*ran.lock().unwrap());
}

#[test]
fn the_stackful_to_thread_in_an_async_task_is_refused_before_the_work_is_handed_over() {
    // An async task has no stack to park: `to_thread` asks first, and says
    // to await `to_thread_async`; the work never runs.
    let (ran, job_ran) = mpsc::channel::<()>();
    let scheduler = Scheduler::new(Clock::Real);
    let outcome = scheduler
        .run_until_complete(move || {
            spawn_async("async", async move {
                to_thread(move || {
                    let _ = ran.send(());
                })
            })?
            .join()
        })
        .expect_err("the async task fails");
    let error = outcome
        .failure()
        .and_then(|failure| failure.downcast_ref::<SchedError>())
        .cloned();
    assert_eq!(
        error,
        Some(SchedError::InAsyncTask {
            operation: "to_thread"
        })
    );
    assert_eq!(
        error.expect("checked above").to_string(),
        "to_thread() was called from an async task, which has no stack of its own to suspend; \
         await to_thread_async(work) instead (the work was not handed over)"
    );
    // The work was dropped with its closure, unrun: its sender is gone.
    assert_eq!(
        job_ran.recv_timeout(PATIENCE),
        Err(mpsc::RecvTimeoutError::Disconnected)
    );
}

#[test]
fn to_thread_async_outside_a_scheduler_is_refused_at_its_first_poll() {
    let outcome = yieldpoint::ch09_async_fn::block_on(to_thread_async(|| 1));
    assert_eq!(
        outcome,
        Err(SchedError::NotInTask {
            operation: "to_thread_async"
        })
    );
}

#[test]
#[ignore = "a wrong to_thread panics in a destructor, which aborts; started in a child process"]
fn child_offloads_in_a_destructor_while_its_task_panics() {
    if child::is_child("offload::child_offloads_in_a_destructor_while_its_task_panics") {
        struct OffloadsOnDrop(mpsc::Sender<Result<(), SchedError>>);
        impl Drop for OffloadsOnDrop {
            fn drop(&mut self) {
                let _ = self.0.send(to_thread(|| ()));
            }
        }
        let (send, outcome) = mpsc::channel();
        let scheduler = Scheduler::new(Clock::Virtual);
        let _ = scheduler.run_until_complete(move || {
            let _guard = OffloadsOnDrop(send);
            panic!("a task that panics");
            #[allow(unreachable_code)]
            Ok::<(), SchedError>(())
        });
        println!("in the destructor: {:?}", outcome.recv());
    }
}

#[test]
fn to_thread_in_a_destructor_while_its_task_panics_is_refused() {
    let output = child::run("offload::child_offloads_in_a_destructor_while_its_task_panics");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("in the destructor: Ok(Err(Unwinding { operation: \"to_thread\" }))\n"),
        "{stdout}"
    );
}

// ---- the pool, on its own in a child process ----

#[test]
#[ignore = "fills the process's pool; started in a child process by the test below"]
fn child_fills_the_pool() {
    if child::is_child("offload::child_fills_the_pool") {
        let scheduler = Scheduler::new(Clock::Real);
        let (full, last_waited) = scheduler
            .run_until_complete(example::fill_the_pool)
            .expect("the pool fills up");
        println!("{full}");
        println!("the last job waited at the gate: {last_waited}");
        println!("afterwards: {:?}", until_idle());
    }
}

// ANCHOR: full_pool_test
#[test]
fn a_full_pool_queues_the_next_job_and_pool_stats_shows_it() {
    let output = child::run("offload::child_fills_the_pool");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let max = max_threads();
    assert!(
        stdout.contains(&format!(
            "1 job queued, waiting for one of the pool's {max} threads ({max} busy)\n"
        )),
        "{stdout}"
    );
    // It began after the gate opened: it had been waiting in the queue.
    assert!(
        stdout.contains("the last job waited at the gate: false\n"),
        "{stdout}"
    );
    let idle = PoolStats {
        threads: max,
        busy: 0,
        queued: 0,
    };
    assert!(
        stdout.contains(&format!("afterwards: {idle:?}")),
        "{stdout}"
    );
}
// ANCHOR_END: full_pool_test

#[test]
#[ignore = "fills the process's pool; started in a child process by the test below"]
fn child_cancels_the_waiter_of_a_queued_job() {
    if child::is_child("offload::child_cancels_the_waiter_of_a_queued_job") {
        let scheduler = Scheduler::new(Clock::Real);
        match scheduler.run_until_complete(example::cancel_a_queued_job) {
            Ok((told, ran)) => {
                println!(
                    "[main] the waiter of a queued job, cancelled: {}",
                    example::said(&told)
                );
                println!("[main] the job it waited for ran: {ran}");
            }
            Err(error) => println!("[error] {error}"),
        }
    }
}

/// Fills every thread of the pool with a job held at a gate, spawns the
/// task `waiter` makes (which hands the full pool one job more), and
/// cancels it while its job is queued; then opens the gate and waits until
/// the pool has no work (the waiter's job taken, and skipped). What joining
/// the waiter said. For a process of its own: the pool is the process's.
fn cancel_while_queued<T: Clone + 'static>(
    waiter: impl FnOnce() -> Result<JoinHandle<T>, SchedError>,
) -> Result<Result<T, SchedError>, SchedError> {
    let gate = Arc::new(example::Gate::default());
    let holders = example::hold_every_thread(&gate)?;
    let waiter = waiter()?;
    example::until("the waiter's job to be queued", || pool_stats().queued == 1)?;
    waiter.cancel();
    let joined = waiter.join();
    gate.open();
    gather(&holders)?;
    example::until("the pool to have no work", || !working())?;
    Ok(joined)
}

#[test]
#[ignore = "fills the process's pool; started in a child process by the test below"]
fn child_drops_the_future_of_a_queued_job() {
    if child::is_child("offload::child_drops_the_future_of_a_queued_job") {
        let scheduler = Scheduler::new(Clock::Real);
        let outcome = scheduler.run_until_complete(|| {
            let ran = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let flag = Arc::clone(&ran);
            // Cancelling it drops its future, which takes its waker back.
            let joined = cancel_while_queued(|| {
                spawn_async("waiter", async move {
                    to_thread_async(move || flag.store(true, std::sync::atomic::Ordering::Release))
                        .await
                })
            })?;
            Ok::<_, SchedError>((joined, ran.load(std::sync::atomic::Ordering::Acquire)))
        });
        println!("outcome: {outcome:?}");
    }
}

#[test]
fn a_queued_job_whose_future_is_dropped_never_runs() {
    let output = child::run("offload::child_drops_the_future_of_a_queued_job");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("outcome: Ok((Err(TaskCancelled { task: \"waiter\" }), false))\n"),
        "{stdout}"
    );
}

// ANCHOR: queued_cancel_test
#[test]
fn a_job_still_queued_when_its_waiter_is_cancelled_never_runs_as_in_asyncio() {
    let output = child::run("offload::child_cancels_the_waiter_of_a_queued_job");
    let ours = String::from_utf8_lossy(&output.stdout);
    assert!(
        ours.contains(
            "[main] the waiter of a queued job, cancelled: \
             the task \"waiter\" you waited for was cancelled\n"
        ),
        "{ours}"
    );
    let skipped = "[main] the job it waited for ran: false\n";
    assert!(ours.contains(skipped), "{ours}");

    // The same program on asyncio, with an executor of two threads.
    let Some(python) = super::interpreter::python_or_skip("only this crate's pool is checked")
    else {
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ch11_threads/queued_job.py");
    let output = Command::new(python)
        .arg(&script)
        .output()
        .expect("python3 runs");
    let theirs = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        theirs.contains("[main] the waiter of a queued job, cancelled: CancelledError\n"),
        "{theirs}"
    );
    assert!(theirs.contains(skipped), "CPython said:\n{theirs}");
}
// ANCHOR_END: queued_cancel_test

#[test]
#[ignore = "counts the process's pool as it fills; started in a child process by the test below"]
fn child_counts_the_pool_while_it_starts() {
    if child::is_child("offload::child_counts_the_pool_while_it_starts") {
        let scheduler = Scheduler::new(Clock::Real);
        let outcome = scheduler.run_until_complete(|| {
            let max = max_threads();
            let (open, gate) = mpsc::channel::<()>();
            let gate = Arc::new(Mutex::new(gate));
            let mut waiters = Vec::new();
            for index in 0..max {
                let gate = Arc::clone(&gate);
                waiters.push(spawn(format!("waiter {index}"), move || {
                    to_thread(move || gate.lock().unwrap().recv().is_ok())
                })?);
            }
            // Every waiter hands its job over in its first step; meanwhile
            // the new threads start, and take them one by one. At no
            // moment is a job both queued and run, or run by two threads.
            let mut samples = 0;
            let mut over = Vec::new();
            let since = Instant::now();
            loop {
                ch06::yield_now()?;
                let stats = pool_stats();
                samples += 1;
                if stats.busy + stats.queued > max {
                    over.push(stats);
                }
                if stats.busy == max || since.elapsed() > PATIENCE {
                    break;
                }
            }
            for _ in 0..max {
                let _ = open.send(());
            }
            for waiter in &waiters {
                waiter.join()?;
            }
            Ok::<_, SchedError>((samples > 0, over))
        });
        println!("outcome: {outcome:?}");
    }
}

#[test]
fn a_thread_counts_as_busy_only_once_it_runs_a_job() {
    // `busy` was `threads - idle`: a thread just made counted as busy before
    // it had taken its job, and a job still queued was counted twice.
    let output = child::run("offload::child_counts_the_pool_while_it_starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("outcome: Ok((true, []))\n"), "{stdout}");
}

#[test]
#[ignore = "needs a fresh pool; started in a child process by the test below"]
fn child_submits_two_jobs_beside_one_idle_thread() {
    if child::is_child("offload::child_submits_two_jobs_beside_one_idle_thread") {
        let scheduler = Scheduler::new(Clock::Real);
        let outcome = scheduler.run_until_complete(|| {
            to_thread(|| ())?; // the pool's first thread, idle once this returns
            while working() {
                ch06::sleep(Duration::from_millis(1))?;
            }
            println!("before: {:?}", pool_stats());
            // Two jobs in one pass: the first waits for the second.
            let (send, receive) = mpsc::channel::<()>();
            let first = spawn("first", move || to_thread(move || receive.recv().is_ok()))?;
            let second = spawn("second", move || to_thread(move || send.send(()).is_ok()))?;
            let first = wait_for(&first, 10 * SECOND)?;
            let second = second.join()?;
            Ok::<_, SchedError>((first, second))
        });
        println!("outcome: {outcome:?}");
        println!("after: {:?}", pool_stats());
    }
}

#[test]
fn a_second_job_beside_one_idle_thread_gets_a_thread_of_its_own() {
    // Once, the pool made a new thread only when no thread was idle, and
    // an idle thread woken for the first job still counted as idle: the
    // second job queued behind the first, which waited for it for ever.
    let output = child::run("offload::child_submits_two_jobs_beside_one_idle_thread");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("before: PoolStats { threads: 1, busy: 0, queued: 0 }\n"),
        "{stdout}"
    );
    assert!(stdout.contains("outcome: Ok((true, true))\n"), "{stdout}");
    assert!(
        stdout.contains("after: PoolStats { threads: 2,"),
        "{stdout}"
    );
}

#[test]
#[ignore = "keeps a thread of the pool for ever; started in a child process by the test below"]
fn child_gives_up_on_a_job_that_never_returns() {
    if child::is_child("offload::child_gives_up_on_a_job_that_never_returns") {
        let scheduler = Scheduler::new(Clock::Real);
        let outcome = scheduler.run_until_complete(|| {
            let (keep, never) = mpsc::channel::<()>();
            std::mem::forget(keep); // nothing will ever be sent
            let (began, has_begun) = mpsc::channel::<()>();
            let waiter = spawn("waiter", move || {
                to_thread(move || {
                    let _ = began.send(());
                    never.recv().is_ok()
                })
            })?;
            ch06::yield_now()?; // the waiter hands its job over
            has_begun.recv_timeout(PATIENCE).expect("the job begins");
            let given_up = wait_for(&waiter, Duration::from_millis(50));
            Ok::<_, SchedError>(given_up)
        });
        println!("outcome: {outcome:?}");
        thread::sleep(Duration::from_millis(50));
        println!("after: {:?}", pool_stats());
    }
}

// ANCHOR: never_returns
#[test]
fn a_job_that_never_returns_can_be_given_up_with_wait_for_but_its_thread_is_lost() {
    let output = child::run("offload::child_gives_up_on_a_job_that_never_returns");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("outcome: Ok(Err(TimedOut))\n"), "{stdout}");
    // The task gave up; the thread did not: it is still busy, for ever.
    assert!(
        stdout.contains("after: PoolStats { threads: 1, busy: 1, queued: 0 }\n"),
        "{stdout}"
    );
}
// ANCHOR_END: never_returns

#[test]
#[ignore = "lets a job's result panic on its thread; started in a child process by the test below"]
fn child_drops_a_result_that_panics() {
    if child::is_child("offload::child_drops_a_result_that_panics") {
        let scheduler = Scheduler::new(Clock::Real);
        let (began, has_begun) = mpsc::channel::<()>();
        let (release, released) = mpsc::channel::<()>();
        let outcome = scheduler.run_until_complete(move || {
            let waiter = spawn("waiter", move || {
                to_thread(move || {
                    let _ = began.send(());
                    let _ = released.recv();
                    Grenade
                })
                .map(drop)
            })?;
            ch06::yield_now()?;
            has_begun.recv_timeout(PATIENCE).expect("the job begins");
            waiter.cancel();
            let _ = waiter.join();
            let _ = release.send(()); // the result is dropped on the pool's thread
            let waited = std::time::Instant::now();
            while working() && waited.elapsed() < PATIENCE {
                ch06::sleep(Duration::from_millis(1))?;
            }
            to_thread(|| 7)
        });
        println!("outcome: {outcome:?}");
        println!("after: {:?}", until_idle());
    }
}

#[test]
#[ignore = "fills the pool, and lets a skipped job's work panic as it is dropped; started in a child process by the test below"]
fn child_skips_a_queued_job_whose_work_panics_when_dropped() {
    if child::is_child("offload::child_skips_a_queued_job_whose_work_panics_when_dropped") {
        let scheduler = Scheduler::new(Clock::Real);
        let outcome = scheduler.run_until_complete(|| {
            let grenade = Grenade;
            let joined = cancel_while_queued(|| {
                spawn("waiter", move || {
                    to_thread(move || {
                        let _held = &grenade;
                        1
                    })
                })
            })?;
            // The skipped job's work panics on a pool thread as it is
            // dropped: that thread must go on, and its promise be kept.
            Ok::<_, SchedError>((joined, to_thread(|| 7)?))
        });
        println!("outcome: {outcome:?}");
        println!("after: {:?}", until_idle());
    }
}

#[test]
fn a_skipped_job_whose_work_panics_as_it_is_dropped_does_not_kill_the_pool_thread() {
    let output = child::run("offload::child_skips_a_queued_job_whose_work_panics_when_dropped");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("outcome: Ok((Err(TaskCancelled { task: \"waiter\" }), 7))\n"),
        "{stdout}"
    );
    let idle = PoolStats {
        threads: max_threads(),
        busy: 0,
        queued: 0,
    };
    assert!(stdout.contains(&format!("after: {idle:?}\n")), "{stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("a destructor that panics"), "{stderr}");
}

#[test]
fn a_panic_after_the_job_does_not_kill_the_pool_thread() {
    // Once, a result whose destructor panicked, dropped on the pool's
    // thread after its task was cancelled, ended that thread while the pool
    // still counted it, busy for ever; the loop below never saw it idle.
    let output = child::run("offload::child_drops_a_result_that_panics");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("outcome: Ok(7)\n"), "{stdout}");
    assert!(
        stdout.contains("after: PoolStats { threads: 1, busy: 0, queued: 0 }\n"),
        "{stdout}"
    );
}

#[test]
#[ignore = "lowers its own address-space limit; started in a child process by the test below"]
fn child_has_no_room_for_a_thread() {
    if child::is_child("offload::child_has_no_room_for_a_thread") {
        let scheduler = Scheduler::new(Clock::Real);
        let outcome = scheduler.run_until_complete(|| {
            let size = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|status| {
                    let line = status.lines().find(|line| line.starts_with("VmSize:"))?;
                    line.split_whitespace().nth(1)?.parse::<u64>().ok()
                })
                .expect("/proc/self/status has VmSize");
            // Room for 1 MiB more: not for a thread's 2 MiB stack.
            let limit = (size + 1024) * 1024;
            let lowered = std::process::Command::new("prlimit")
                .args([
                    "--pid",
                    &std::process::id().to_string(),
                    &format!("--as={limit}:{limit}"),
                ])
                .status();
            if !lowered.is_ok_and(|status| status.success()) {
                println!("no prlimit");
                return Ok(());
            }
            println!("outcome: {:?}", to_thread(|| 1).map_err(|e| e.to_string()));
            Ok::<(), SchedError>(())
        });
        let _ = outcome;
    }
}

#[test]
fn the_os_refusing_the_pool_its_first_thread_is_an_error_not_a_job_that_waits_for_ever() {
    let output = child::run("offload::child_has_no_room_for_a_thread");
    let stdout = String::from_utf8_lossy(&output.stdout);
    if stdout.contains("no prlimit") {
        eprintln!("prlimit is not installed: the refusal is not provoked");
        return;
    }
    assert!(
        stdout.contains(
            "outcome: Err(\"to_thread() failed: the OS refused the pool a thread (Resource \
             temporarily unavailable (os error 11)), and the pool has none to run the job; see \
             ulimit -u and the kernel's threads-max\")"
        ),
        "{stdout}"
    );
}
