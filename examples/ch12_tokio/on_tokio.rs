//! tokio's side of chapter 12: the course's programs (`src/ch12_tokio/`)
//! written again on tokio's current-thread runtime, line for line, each
//! returning the lines it said, and the scripts of `ch12_tokio::Script`
//! run on tokio for their poll order.
//!
//! Every runtime here has its clock paused (`start_paused`), save the one
//! of the busy timer, where time has to pass while tasks are busy, and
//! those that talk to chapter 10's slow server over loopback, whose answers
//! take real time (chapter 10's fetch, and chapter 11's stalled fetch). A program prints its times in milliseconds from its own
//! start, as the course's side does.

use std::future::{Future, poll_fn};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::task::Poll;
use std::thread;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::runtime::{Builder, Runtime};
use tokio::task::{JoinHandle, JoinSet, spawn_blocking};
use tokio::time::{Instant, sleep, timeout};

use yieldpoint::ch12_tokio::{
    BLOCK, Blocking, Connection, IN_FLIGHT, JOB_LIMIT, JOB_TAKES, PATIENCE, REQUESTS, SECOND,
    Script, Step, UNIT, hold, ms, polls, request_path,
};
use yieldpoint::output::capture;
use yieldpoint::say;

/// A current-thread runtime with timers, its clock paused: time moves only
/// when every task waits, and then straight to the next timer.
pub fn paused_runtime() -> Runtime {
    Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a current-thread runtime builds")
}

/// A current-thread runtime with timers and sockets (`enable_io`), its
/// clock running, as a program that talks to the network needs.
pub fn io_runtime() -> Runtime {
    Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .expect("a current-thread runtime builds")
}

/// Runs `main` on `runtime` to its end, drops the runtime (and with it
/// every task still alive), and returns every line said meanwhile.
fn lines_of(runtime: Runtime, main: impl Future<Output = ()>) -> Vec<String> {
    capture(move || {
        runtime.block_on(main);
        drop(runtime);
    })
    .1
}

/// The time since `start`, as the lines print it.
fn since(start: Instant) -> String {
    ms(start.elapsed())
}

/// Wakes its own task, returns `Pending` once, and is ready at the next
/// poll: chapter 9's `yield_now`, written for tokio. The task goes to the
/// back of the run queue at once, where `tokio::task::yield_now` defers.
pub async fn wake_self() {
    let mut woken = false;
    poll_fn(|cx| {
        if woken {
            return Poll::Ready(());
        }
        woken = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await;
}

// ANCHOR: step10
/// Counts down from 10, a second apart, then lifts off.
pub async fn countdown() {
    for n in (1..=10).rev() {
        say!("countdown", "{n}");
        sleep(SECOND).await;
    }
    say!("countdown", "TAKE OFF!!!!!");
}

/// Sleeps two seconds and answers.
pub async fn do_more_stuff() -> &'static str {
    sleep(2 * SECOND).await;
    "Hello World"
}

/// Sleeps a second, then awaits `do_more_stuff` inline (no task).
pub async fn do_stuff() {
    sleep(SECOND).await;
    say!("main", "Doing more stuff");
    let result = do_more_stuff().await;
    say!("main", "{result}");
}

/// Step 10's main: the countdown as a task, the rest inline.
pub async fn step10_main() {
    let countdown = tokio::spawn(countdown());
    sleep(SECOND / 2).await;
    do_stuff().await;
    countdown.await.expect("the countdown does not panic");
    say!("main", "Main is exiting");
}
// ANCHOR_END: step10

/// Step 10 on paused time.
pub fn step10() -> Vec<String> {
    lines_of(paused_runtime(), step10_main())
}

// ANCHOR: t1_t3_t2
/// Starts, naps if `nap` is not zero, and ends.
pub async fn napper(name: &'static str, nap: Duration) {
    say!(name, "{name} start");
    if !nap.is_zero() {
        sleep(nap).await;
    }
    say!(name, "{name} end");
}

/// Spawns T1 (which naps a second), T3 and T2, in that order, and awaits
/// them.
pub async fn t1_t3_t2_main() {
    say!("main", "main start");
    let t1 = tokio::spawn(napper("T1", SECOND));
    let t3 = tokio::spawn(napper("T3", Duration::ZERO));
    let t2 = tokio::spawn(napper("T2", Duration::ZERO));
    say!("main", "main middle");
    for task in [t1, t2, t3] {
        task.await.expect("a napper does not panic");
    }
    say!("main", "main end");
}
// ANCHOR_END: t1_t3_t2

/// T1, T3, T2 on paused time.
pub fn t1_t3_t2() -> Vec<String> {
    lines_of(paused_runtime(), t1_t3_t2_main())
}

// ANCHOR: requests
/// A simulated request: waits its latency, then answers with its name and
/// how long it took.
pub async fn fetch(name: &'static str, latency: Duration) -> (&'static str, Duration) {
    let sent = Instant::now();
    sleep(latency).await;
    (name, sent.elapsed())
}

/// The four requests at once: each answer as it arrives (a `JoinSet`),
/// then all four again, in argument order (awaiting the handles in turn).
pub async fn requests_main() {
    let start = Instant::now();
    let mut set = JoinSet::new();
    for (name, units) in REQUESTS {
        set.spawn(fetch(name, units * UNIT));
    }
    while let Some(answer) = set.join_next().await {
        let (name, took) = answer.expect("a request does not panic");
        say!("main", "{name} took {}, done at {}", ms(took), since(start));
    }
    let again = Instant::now();
    let handles: Vec<JoinHandle<_>> = REQUESTS
        .iter()
        .map(|&(name, units)| tokio::spawn(fetch(name, units * UNIT)))
        .collect();
    let mut names = Vec::new();
    for handle in handles {
        names.push(handle.await.expect("a request does not panic").0);
    }
    say!(
        "main",
        "in argument order: {names:?}, after {}",
        ms(again.elapsed())
    );
}
// ANCHOR_END: requests

/// The requests on paused time.
pub fn requests() -> Vec<String> {
    lines_of(paused_runtime(), requests_main())
}

// ANCHOR: loopback
/// Chapter 10's `fetch_async` on `tokio::net`: connect, send the request
/// line, shut the writing side down (the server reads the end of the
/// request), read to the end of the stream; the answer line without its
/// line break.
pub async fn fetch_over_tcp(server: SocketAddr, path: &str) -> io::Result<String> {
    let mut stream = TcpStream::connect(server).await?;
    stream.write_all(format!("GET {path}\n").as_bytes()).await?;
    stream.shutdown().await?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await?;
    match answer.strip_suffix('\n') {
        Some(line) => Ok(line.to_string()),
        None => Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("the connection closed in the middle of the answer, after {answer:?}"),
        )),
    }
}

/// The four requests at once, a tokio task each; main awaits the handles
/// in request order.
pub async fn loopback_main(server: SocketAddr) {
    let tasks: Vec<_> = REQUESTS
        .iter()
        .map(|&(what, units)| {
            let path = request_path(what, units);
            let task = tokio::spawn(async move { fetch_over_tcp(server, &path).await });
            (what, task)
        })
        .collect();
    for (what, task) in tasks {
        match task.await.expect("a fetch does not panic") {
            Ok(answer) => say!("main", "{what}: {answer}"),
            Err(error) => {
                say!("error", "{what}: {error}");
                return;
            }
        }
    }
}
// ANCHOR_END: loopback

/// The fetch over loopback from the slow server at `server`, on a runtime
/// whose clock runs.
pub fn loopback(server: SocketAddr) -> Vec<String> {
    lines_of(io_runtime(), loopback_main(server))
}

// ANCHOR: join_all
/// `JoinSet::join_all`: every value, in the order the tasks ended.
pub async fn join_all_main() {
    let mut set = JoinSet::new();
    for (name, units) in REQUESTS {
        set.spawn(fetch(name, units * UNIT));
    }
    let names: Vec<&str> = set.join_all().await.iter().map(|(name, _)| *name).collect();
    say!("main", "join_all: {names:?}");
}
// ANCHOR_END: join_all

/// `join_all` on paused time.
pub fn join_all() -> Vec<String> {
    lines_of(paused_runtime(), join_all_main())
}

// ANCHOR: gather_failure
/// The first failure ends the wait: the `JoinSet` is dropped on the way
/// out, and dropping it aborts the request still running.
pub async fn gather_failure_main() {
    let start = Instant::now();
    let users_answered = Arc::new(AtomicBool::new(false));
    let mut set = JoinSet::new();
    let answered = Arc::clone(&users_answered);
    set.spawn(async move {
        sleep(4 * UNIT).await;
        say!("users", "users done at {}", since(start));
        answered.store(true, Ordering::Relaxed);
        Ok("users")
    });
    set.spawn(async move {
        sleep(UNIT).await;
        Err("prices: 503 Service Unavailable".to_string())
    });
    while let Some(joined) = set.join_next().await {
        if let Err(why) = joined.expect("no request panics") {
            say!("main", "the first failure, at {}: {why}", since(start));
            break;
        }
    }
    drop(set);
    sleep(5 * UNIT).await;
    let answered = users_answered.load(Ordering::Relaxed);
    say!("main", "at {}, users answered: {answered}", since(start));
}
// ANCHOR_END: gather_failure

/// The failure on paused time.
pub fn gather_failure() -> Vec<String> {
    lines_of(paused_runtime(), gather_failure_main())
}

// ANCHOR: timeout
/// The slow request, on tokio: dropped at its `.await` when it is
/// cancelled, with only its destructors to clean up.
pub async fn slow_request(start: Instant) -> &'static str {
    let connection = Connection::open();
    say!("slow", "request sent at {}", since(start));
    sleep(5 * UNIT).await;
    say!("slow", "answered at {}", since(start));
    connection.close();
    "slow"
}

/// `timeout` around the request's future: when the time is up, the future
/// is dropped then and there.
pub async fn timeout_main() {
    let start = Instant::now();
    sleep(UNIT).await;
    if timeout(2 * UNIT, slow_request(start)).await.is_err() {
        say!("main", "gave up at {}", since(start));
    }
}

/// `timeout` around a spawned task's `JoinHandle`: when the time is up,
/// the handle is dropped, which detaches the task. It runs on.
pub async fn timeout_handle_main() {
    let start = Instant::now();
    sleep(UNIT).await;
    let slow = tokio::spawn(slow_request(start));
    if timeout(2 * UNIT, slow).await.is_err() {
        say!("main", "gave up at {}", since(start));
    }
    sleep(5 * UNIT).await;
}
// ANCHOR_END: timeout

/// `timeout` on the future, on paused time.
pub fn timeout_future() -> Vec<String> {
    lines_of(paused_runtime(), timeout_main())
}

/// `timeout` on a `JoinHandle`, on paused time.
pub fn timeout_handle() -> Vec<String> {
    lines_of(paused_runtime(), timeout_handle_main())
}

// ANCHOR: turns
/// Three tasks take three turns each, giving the thread up with
/// `tokio::task::yield_now` after each: who goes when?
pub async fn turns_main() {
    let order = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for name in ["A", "B", "C"] {
        let order = Arc::clone(&order);
        tasks.push(tokio::spawn(async move {
            for turn in 0..3 {
                order.lock().unwrap().push(format!("{name}{turn}"));
                tokio::task::yield_now().await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("a turn does not panic");
    }
    say!("main", "turns: {}", order.lock().unwrap().join(" "));
}
// ANCHOR_END: turns

/// The turns, on paused time.
pub fn turns() -> Vec<String> {
    lines_of(paused_runtime(), turns_main())
}

// ANCHOR: busy_timer
/// A sleeper sets a timer of a millisecond while two tasks keep the thread
/// busy, waking themselves after every poll; the first busy poll blocks
/// the thread for 5 ms, so the timer is due when it ends.
pub async fn busy_timer_main() {
    let busy_polls = Arc::new(AtomicU32::new(0));
    let sleeper_done = Arc::new(AtomicBool::new(false));
    let sleeper = {
        let (busy_polls, sleeper_done) = (Arc::clone(&busy_polls), Arc::clone(&sleeper_done));
        tokio::spawn(async move {
            sleep(Duration::from_millis(1)).await;
            say!(
                "sleeper",
                "woke after {}",
                polls(busy_polls.load(Ordering::Relaxed))
            );
            sleeper_done.store(true, Ordering::Relaxed);
        })
    };
    let mut busy = Vec::new();
    for _ in ["A", "B"] {
        let (busy_polls, sleeper_done) = (Arc::clone(&busy_polls), Arc::clone(&sleeper_done));
        busy.push(tokio::spawn(async move {
            while !sleeper_done.load(Ordering::Relaxed) {
                if busy_polls.fetch_add(1, Ordering::Relaxed) == 0 {
                    thread::sleep(Duration::from_millis(5));
                }
                wake_self().await; // back of the queue, as chapter 9's yield_now
            }
        }));
    }
    sleeper.await.expect("the sleeper does not panic");
    for task in busy {
        task.await.expect("a busy task does not panic");
    }
}
// ANCHOR_END: busy_timer

/// The busy timer on a runtime whose clock runs (time must pass while the
/// tasks are busy), looking at its driver every `event_interval` polls.
/// The lines do not depend on how fast the machine is.
pub fn busy_timer(event_interval: u32) -> Vec<String> {
    let runtime = Builder::new_current_thread()
        .enable_time()
        .event_interval(event_interval)
        .build()
        .expect("a current-thread runtime builds");
    lines_of(runtime, busy_timer_main())
}

// ANCHOR: main_behind_busy
/// Main awaits a task that ends at once, while another task keeps the
/// thread busy: how many busy polls run before main goes on?
pub async fn main_behind_busy_main() {
    let busy_polls = Arc::new(AtomicU32::new(0));
    let quick = tokio::spawn(async {});
    let busy = {
        let busy_polls = Arc::clone(&busy_polls);
        tokio::spawn(async move {
            for _ in 0..100 {
                busy_polls.fetch_add(1, Ordering::Relaxed);
                wake_self().await;
            }
        })
    };
    quick.await.expect("quick does not panic");
    say!(
        "main",
        "back after {}",
        polls(busy_polls.load(Ordering::Relaxed))
    );
    busy.await.expect("busy does not panic");
}
// ANCHOR_END: main_behind_busy

/// Main behind a busy task, on paused time: `main` is the future given to
/// `block_on`.
pub fn main_behind_busy() -> Vec<String> {
    lines_of(paused_runtime(), main_behind_busy_main())
}

/// The same, with main spawned as a task of its own, which `block_on` only
/// awaits: the spawned main goes on as asyncio's does.
pub fn main_behind_busy_spawned() -> Vec<String> {
    lines_of(paused_runtime(), async {
        tokio::spawn(main_behind_busy_main())
            .await
            .expect("main does not panic");
    })
}

// ANCHOR: drain
/// A task drains 300 values that are all queued already, beside a ticker
/// that wants a turn. With `unconstrained`, the drain opts out of tokio's
/// budget.
pub async fn drain_main(unconstrained: bool) {
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    for value in 0..300 {
        sender.send(value).expect("the receiver is alive");
    }
    drop(sender);
    let received = Arc::new(AtomicU32::new(0));
    let counted = Arc::clone(&received);
    let draining = async move {
        while let Some(_value) = receiver.recv().await {
            counted.fetch_add(1, Ordering::Relaxed);
        }
    };
    let drainer = if unconstrained {
        tokio::spawn(tokio::task::coop::unconstrained(draining))
    } else {
        tokio::spawn(draining)
    };
    let ticker = tokio::spawn(async move {
        let values = received.load(Ordering::Relaxed);
        say!("ticker", "first turn after {values} values");
    });
    drainer.await.expect("the drainer does not panic");
    ticker.await.expect("the ticker does not panic");
}
// ANCHOR_END: drain

/// The drain, on paused time.
pub fn drain(unconstrained: bool) -> Vec<String> {
    lines_of(paused_runtime(), drain_main(unconstrained))
}

// ANCHOR: clock
/// Sleeps 1.5 ms, then computes for 5 ms of real time (the thread is
/// blocked), reading the clock after each.
pub async fn clock_main() {
    let start = Instant::now();
    sleep(Duration::from_micros(1500)).await;
    say!("main", "slept 1.5 ms: the clock reads {}", since(start));
    thread::sleep(Duration::from_millis(5));
    say!(
        "main",
        "computed for 5 ms: the clock reads {}",
        since(start)
    );
}
// ANCHOR_END: clock

/// The clock, paused.
pub fn clock() -> Vec<String> {
    lines_of(paused_runtime(), clock_main())
}

// ANCHOR: wake_from_thread
/// A helper thread sends an answer; main waits for it for at most a
/// second. Nothing can promise tokio's paused clock that a wake is coming:
/// the helper is held back until main has given up, so that the run is the
/// same every time.
pub fn wake_from_thread() -> Vec<String> {
    let (sender, receiver) = tokio::sync::oneshot::channel::<&'static str>();
    let (go, wait_for_go) = mpsc::channel::<()>();
    let helper = thread::spawn(move || {
        let _ = wait_for_go.recv();
        let _ = sender.send("the answer");
    });
    let lines = lines_of(paused_runtime(), async move {
        let start = Instant::now();
        match timeout(SECOND, receiver).await {
            Ok(answer) => {
                let answer = answer.expect("the helper sends before it ends");
                say!("main", "got {answer:?} at {}", since(start));
            }
            Err(_) => say!("main", "gave up at {}", since(start)),
        }
    });
    let _ = go.send(());
    helper.join().expect("the helper thread does not panic");
    lines
}
// ANCHOR_END: wake_from_thread

// ANCHOR: in_flight
/// A request whose answer is on its way: main asks the slow server at
/// `server` for [`IN_FLIGHT`], under `timeout` with a limit of a second.
pub async fn in_flight_main(server: SocketAddr) {
    let start = Instant::now();
    match timeout(SECOND, fetch_over_tcp(server, IN_FLIGHT)).await {
        Ok(Ok(answer)) => say!("main", "got {answer:?}"),
        Ok(Err(error)) => say!("error", "{error}"),
        Err(_) => say!("main", "gave up at {}", since(start)),
    }
}
// ANCHOR_END: in_flight

/// The request in flight, to the slow server at `server`, on a runtime
/// with sockets whose clock runs, or is paused (`paused`).
pub fn in_flight(server: SocketAddr, paused: bool) -> Vec<String> {
    let runtime = Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .start_paused(paused)
        .build()
        .expect("a current-thread runtime builds");
    lines_of(runtime, in_flight_main(server))
}

// ANCHOR: stalled_fetch
/// Chapter 11's stalled fetch on tokio: the four requests on `tokio::net`,
/// a tokio task each, and the blocker, spawned last, whose call ([`hold`])
/// waits for main's word: in its own poll, or on a thread of tokio's
/// blocking pool (`spawn_blocking`) while its task waits for the handle.
pub async fn stalled_fetch_main(server: SocketAddr, blocking: Blocking) {
    let answers = Arc::new(AtomicUsize::new(0));
    let requests: Vec<_> = REQUESTS
        .iter()
        .map(|&(what, units)| {
            let (path, answers) = (request_path(what, units), Arc::clone(&answers));
            let task = tokio::spawn(async move {
                let answer = fetch_over_tcp(server, &path).await?;
                answers.fetch_add(1, Ordering::Release);
                Ok::<_, io::Error>(answer)
            });
            (what, task)
        })
        .collect();
    let (give_word, word) = mpsc::channel::<()>();
    let blocker = tokio::spawn(async move {
        let held = match blocking {
            // On the runtime's thread: main cannot run to give the word.
            Blocking::InTheTask => hold(&word, &answers, BLOCK),
            // On a thread of the blocking pool, while this task waits.
            Blocking::HandedOff => spawn_blocking(move || hold(&word, &answers, PATIENCE))
                .await
                .expect("the blocking call does not panic"),
        };
        say!("blocker", "{held}");
    });
    for (what, task) in requests {
        match task.await.expect("a fetch does not panic") {
            Ok(answer) => say!("main", "{what}: {answer}"),
            Err(error) => {
                say!("error", "{what}: {error}");
                return;
            }
        }
    }
    let _ = give_word.send(()); // nobody hears it if the blocker gave up
    blocker.await.expect("the blocker does not panic");
}
// ANCHOR_END: stalled_fetch

/// The stalled fetch from the slow server at `server`, on a runtime with
/// sockets whose clock runs, with its blocking call where `blocking` says.
pub fn stalled_fetch(server: SocketAddr, blocking: Blocking) -> Vec<String> {
    lines_of(io_runtime(), stalled_fetch_main(server, blocking))
}

// ANCHOR: job_clock
/// A job that blocks a thread of the blocking pool for [`JOB_TAKES`] of
/// real time, given [`JOB_LIMIT`] by the clock: on the paused clock, who
/// wins?
pub async fn job_clock_main() {
    let start = Instant::now();
    match timeout(JOB_LIMIT, spawn_blocking(|| thread::sleep(JOB_TAKES))).await {
        Ok(job) => {
            job.expect("the job does not panic");
            say!(
                "main",
                "the job ended first: the clock reads {}",
                since(start)
            );
        }
        Err(_) => say!("main", "gave up at {}", since(start)),
    }
}
// ANCHOR_END: job_clock

/// The job against the limit, on paused time.
pub fn job_clock() -> Vec<String> {
    lines_of(paused_runtime(), job_clock_main())
}

/// Where the jobs of [`blocking_jobs_at_once`] meet: how many are there
/// now, and the most that ever were at once.
#[derive(Default)]
struct Meeting {
    here: Mutex<(usize, usize)>,
    changed: Condvar,
}

// ANCHOR: at_once
/// Hands `jobs` blocking jobs to tokio's blocking pool, on a runtime built
/// with tokio's defaults, and returns the most that ever ran at once. Each
/// job waits until all `jobs` have been there together, for at most
/// [`PATIENCE`]: on a pool too small for them all, the first ones give up
/// after that, and let the others in.
pub fn blocking_jobs_at_once(jobs: usize) -> usize {
    let runtime = Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime builds");
    let meeting = Arc::new(Meeting::default());
    runtime.block_on(async {
        let handles: Vec<_> = (0..jobs)
            .map(|_| {
                let meeting = Arc::clone(&meeting);
                spawn_blocking(move || {
                    let mut here = meeting.here.lock().unwrap();
                    here.0 += 1;
                    here.1 = here.1.max(here.0);
                    meeting.changed.notify_all();
                    let (mut here, _) = meeting
                        .changed
                        .wait_timeout_while(here, PATIENCE, |(_, most)| *most < jobs)
                        .unwrap();
                    here.0 -= 1;
                })
            })
            .collect();
        for handle in handles {
            handle.await.expect("a job does not panic");
        }
    });
    meeting.here.lock().unwrap().1
}
// ANCHOR_END: at_once

// ANCHOR: abort_blocking
/// Two blocking jobs on a runtime whose pool has one thread: the first
/// holds it until it is let go, the second waits in the queue. Both are
/// aborted while the first runs; then the first is let go. What do their
/// handles say, and did the second ever run? Then a third job, queued the
/// same way, whose handle is not aborted: the task awaiting it is.
pub fn abort_blocking() -> Vec<String> {
    let runtime = Builder::new_current_thread()
        .max_blocking_threads(1)
        .build()
        .expect("a current-thread runtime builds");
    capture(|| {
        let (started, has_started) = mpsc::channel::<()>();
        let (let_go, held) = mpsc::channel::<()>();
        let first = runtime.spawn_blocking(move || {
            let _ = started.send(());
            let _ = held.recv();
            "its value"
        });
        // This thread is not the runtime's: it may block.
        has_started.recv().expect("the first job starts");
        let ran = Arc::new(AtomicBool::new(false));
        let second = runtime.spawn_blocking({
            let ran = Arc::clone(&ran);
            move || ran.store(true, Ordering::Release)
        });
        first.abort();
        second.abort();
        let _ = let_go.send(());
        let first = runtime.block_on(first);
        let second = runtime.block_on(second);
        say!("main", "aborted while it ran: its handle gives {first:?}");
        say!(
            "main",
            "aborted while it waited in the queue: cancelled {}, ran {}",
            second.is_err_and(|error| error.is_cancelled()),
            ran.load(Ordering::Acquire)
        );
        say!(
            "main",
            "its awaiting task aborted while it waited in the queue: ran {}",
            abort_the_task_awaiting_a_queued_job(&runtime)
        );
    })
    .1
}

/// A job queued behind one that holds the runtime's only blocking
/// thread, awaited by a task that is aborted: whether the job ran once
/// the thread came free (it does: the dropped handle detaches it).
fn abort_the_task_awaiting_a_queued_job(runtime: &Runtime) -> bool {
    let (started, has_started) = mpsc::channel::<()>();
    let (let_go, held) = mpsc::channel::<()>();
    let holder = runtime.spawn_blocking(move || {
        let _ = started.send(());
        let _ = held.recv();
    });
    has_started.recv().expect("the holder starts");
    let (ran, has_run) = mpsc::channel::<()>();
    runtime.block_on(async move {
        let awaiting = tokio::spawn(async move {
            let _ = spawn_blocking(move || ran.send(())).await;
        });
        tokio::task::yield_now().await; // it hands its job over, and awaits
        awaiting.abort();
        let _ = awaiting.await;
    });
    let _ = let_go.send(());
    let _ = runtime.block_on(holder);
    has_run.recv_timeout(PATIENCE).is_ok()
}
// ANCHOR_END: abort_blocking

// ANCHOR: drop_waits
/// A runtime dropped while a blocking job that it started is still
/// running: has the job ended by the time the drop returns?
pub fn drop_with_a_blocking_job() -> Vec<String> {
    let runtime = Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime builds");
    capture(|| {
        let (started, has_started) = mpsc::channel::<()>();
        let ended = Arc::new(AtomicBool::new(false));
        let job = runtime.spawn_blocking({
            let ended = Arc::clone(&ended);
            move || {
                let _ = started.send(());
                thread::sleep(JOB_TAKES);
                ended.store(true, Ordering::Release);
            }
        });
        has_started.recv().expect("the job starts");
        drop(job); // detached: nobody waits for it
        drop(runtime);
        say!(
            "main",
            "the runtime is dropped; its job had ended: {}",
            ended.load(Ordering::Acquire)
        );
    })
    .1
}
// ANCHOR_END: drop_waits

/// The poll order of `script` on tokio's current-thread runtime, paused,
/// with this `event_interval`: each task's name once per poll.
///
/// # Panics
///
/// If the script breaks a rule of `Script::check` (tokio might then wait
/// forever).
pub fn script_order(script: &Script, event_interval: u32) -> Vec<&'static str> {
    script.check().expect("a script that tokio can run");
    let runtime = Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .event_interval(event_interval)
        .build()
        .expect("a current-thread runtime builds");
    let run = Arc::new(ScriptRun {
        script: script.clone(),
        log: Mutex::new(Vec::new()),
        handles: Mutex::new((0..script.tasks.len()).map(|_| None).collect()),
    });
    runtime.block_on(logged(Arc::clone(&run), 0));
    drop(runtime);
    run.log.lock().unwrap().clone()
}

/// What every task of one run of a script shares.
struct ScriptRun {
    script: Script,
    log: Mutex<Vec<&'static str>>,
    handles: Mutex<Vec<Option<JoinHandle<()>>>>,
}

/// Task `index` of the script, logging its name at every poll.
fn logged(run: Arc<ScriptRun>, index: usize) -> impl Future<Output = ()> + Send {
    let mut body = body(Arc::clone(&run), index);
    poll_fn(move |cx| {
        run.log.lock().unwrap().push(run.script.tasks[index].name);
        body.as_mut().poll(cx)
    })
}

/// The steps of task `index`, on tokio.
fn body(run: Arc<ScriptRun>, index: usize) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(async move {
        for step in run.script.tasks[index].steps.clone() {
            match step {
                Step::Wake => wake_self().await,
                Step::Yield => tokio::task::yield_now().await,
                Step::Sleep(ms) => sleep(Duration::from_millis(ms)).await,
                Step::Spawn(child) => {
                    let handle = tokio::spawn(logged(Arc::clone(&run), child));
                    run.handles.lock().unwrap()[child] = Some(handle);
                }
                Step::Join(child) => {
                    let handle = run.handles.lock().unwrap()[child].take();
                    let handle = handle.expect("a checked script joins what it spawned");
                    handle.await.expect("a scripted task does not panic");
                }
            }
        }
    })
}
