//! The course's side of chapter 12: programs of chapters 6, 7, 9, 10 and
//! 11, each run on a scheduler of its own, each returning the lines it said. Their
//! tokio twins are in `examples/ch12_tokio/on_tokio.rs`, line for line, and
//! the chapter's tests compare the two transcripts.
//!
//! Times print in milliseconds from the start of the program (`at 30 ms`),
//! as tokio's side prints them from `Instant::now()` at its start, so that
//! the lines of both can be equal.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

use crate::ch06_scheduler::{self as ch06, BoxError, Clock, SchedError, Scheduler};
use crate::ch07_combinators::{as_completed, gather, wait_for};
use crate::ch09_async_fn::{channel, expect_wake, sleep, spawn_async, yield_now};
use crate::ch10_sockets::fetch_async;
use crate::ch11_threads::to_thread_async;
use crate::output::capture;
use crate::say;

use super::queue::unbounded_channel;

/// One second: step 10's unit, and T1's nap.
pub const SECOND: Duration = Duration::from_secs(1);

/// Chapter 7's unit: a request's latency is a few of these.
pub const UNIT: Duration = Duration::from_millis(10);

/// The four requests of chapter 7, with their latencies in units.
pub const REQUESTS: [(&str, u32); 4] = [("users", 4), ("news", 1), ("prices", 3), ("weather", 2)];

/// The path that asks chapter 10's slow server for `what` after `units`
/// of chapter 7's units: `/40/users`.
pub fn request_path(what: &str, units: u32) -> String {
    format!("/{}/{what}", (units * UNIT).as_millis())
}

/// A duration in milliseconds, as the lines print it: `40 ms`, `1.5 ms`.
pub fn ms(duration: Duration) -> String {
    format!("{} ms", duration.as_nanos() as f64 / 1e6)
}

/// `n` busy polls, in words: `1 busy poll`, `62 busy polls`.
pub fn polls(n: u32) -> String {
    if n == 1 {
        "1 busy poll".to_string()
    } else {
        format!("{n} busy polls")
    }
}

/// The time on the running scheduler, as [`ms`] prints it.
fn at() -> String {
    ms(ch06::now().expect("called inside a task"))
}

/// Runs `main` as the async main task of a new scheduler on `clock`, and
/// returns every line said meanwhile; an error of `main` is said last, as
/// `[error] ...`.
fn lines_of<T>(
    clock: Clock,
    main: impl Future<Output = Result<T, SchedError>> + 'static,
) -> Vec<String>
where
    T: 'static,
{
    capture(|| {
        let scheduler = Scheduler::new(clock);
        if let Err(error) = scheduler.run_until_complete_async(main) {
            say!("error", "{error}");
        }
    })
    .1
}

/// [`lines_of`] for a stackful `main` (chapter 7's combinators are
/// stackful), on the virtual clock.
fn lines_of_stackful<T: 'static>(
    main: impl FnOnce() -> Result<T, SchedError> + 'static,
) -> Vec<String> {
    lines_of_stackful_on(Clock::Virtual, main)
}

/// [`lines_of_stackful`] on `clock`.
fn lines_of_stackful_on<T: 'static>(
    clock: Clock,
    main: impl FnOnce() -> Result<T, SchedError> + 'static,
) -> Vec<String> {
    capture(|| {
        let scheduler = Scheduler::new(clock);
        if let Err(error) = scheduler.run_until_complete(main) {
            say!("error", "{error}");
        }
    })
    .1
}

// ANCHOR: step10
/// Counts down from 10, a second apart, then lifts off.
pub async fn countdown() -> Result<(), SchedError> {
    for n in (1..=10).rev() {
        say!("countdown", "{n}");
        sleep(SECOND).await?;
    }
    say!("countdown", "TAKE OFF!!!!!");
    Ok(())
}

/// Sleeps two seconds and answers.
pub async fn do_more_stuff() -> Result<&'static str, SchedError> {
    sleep(2 * SECOND).await?;
    Ok("Hello World")
}

/// Sleeps a second, then awaits `do_more_stuff` inline (no task).
pub async fn do_stuff() -> Result<(), SchedError> {
    sleep(SECOND).await?;
    say!("main", "Doing more stuff");
    let result = do_more_stuff().await?;
    say!("main", "{result}");
    Ok(())
}

/// Step 10's main: the countdown as a task, the rest inline.
pub async fn step10_main() -> Result<(), SchedError> {
    let countdown = spawn_async("countdown", countdown())?;
    sleep(SECOND / 2).await?;
    do_stuff().await?;
    countdown.await?;
    say!("main", "Main is exiting");
    Ok(())
}
// ANCHOR_END: step10

/// Step 10 on the virtual clock: its fourteen lines.
pub fn step10() -> Vec<String> {
    lines_of(Clock::Virtual, step10_main())
}

// ANCHOR: t1_t3_t2
/// Starts, naps if `nap` is not zero, and ends.
pub async fn napper(name: &'static str, nap: Duration) -> Result<(), SchedError> {
    say!(name, "{name} start");
    if !nap.is_zero() {
        sleep(nap).await?;
    }
    say!(name, "{name} end");
    Ok(())
}

/// Spawns T1 (which naps a second), T3 and T2, in that order, and awaits
/// them.
pub async fn t1_t3_t2_main() -> Result<(), SchedError> {
    say!("main", "main start");
    let t1 = spawn_async("T1", napper("T1", SECOND))?;
    let t3 = spawn_async("T3", napper("T3", Duration::ZERO))?;
    let t2 = spawn_async("T2", napper("T2", Duration::ZERO))?;
    say!("main", "main middle");
    t1.await?;
    t2.await?;
    t3.await?;
    say!("main", "main end");
    Ok(())
}
// ANCHOR_END: t1_t3_t2

/// T1, T3, T2 on the virtual clock.
pub fn t1_t3_t2() -> Vec<String> {
    lines_of(Clock::Virtual, t1_t3_t2_main())
}

// ANCHOR: requests
/// A simulated request (chapter 7): waits its latency, then answers with
/// its name and how long it took.
pub fn fetch(
    name: &'static str,
    latency: Duration,
) -> Result<(&'static str, Duration), SchedError> {
    let sent = ch06::now()?;
    ch06::sleep(latency)?;
    Ok((name, ch06::now()? - sent))
}

/// The four requests at once: each answer as it arrives
/// (`as_completed`), then all four again, in argument order (`gather`).
pub fn requests_main() -> Result<(), SchedError> {
    let mut handles = Vec::new();
    for (name, units) in REQUESTS {
        handles.push(ch06::spawn(name, move || fetch(name, units * UNIT))?);
    }
    for outcome in as_completed(handles) {
        let (name, took) = outcome?.1?;
        say!("main", "{name} took {}, done at {}", ms(took), at());
    }
    let start = ch06::now()?;
    let mut handles = Vec::new();
    for (name, units) in REQUESTS {
        handles.push(ch06::spawn(name, move || fetch(name, units * UNIT))?);
    }
    let names: Vec<&str> = gather(&handles)?.iter().map(|(name, _)| *name).collect();
    let took = ch06::now()? - start;
    say!("main", "in argument order: {names:?}, after {}", ms(took));
    Ok(())
}
// ANCHOR_END: requests

/// The requests, on the virtual clock.
pub fn requests() -> Vec<String> {
    lines_of_stackful(requests_main)
}

// ANCHOR: loopback
/// Chapter 10's concurrent fetch: the four requests at once, for real, an
/// async task each asking the slow server at `server` over loopback
/// ([`fetch_async`]); main awaits the tasks in request order, as `gather`
/// returns them.
pub async fn loopback_main(server: SocketAddr) -> Result<(), SchedError> {
    let mut tasks = Vec::new();
    for (what, units) in REQUESTS {
        let path = request_path(what, units);
        tasks.push(spawn_async(what, async move {
            fetch_async(server, &path).await
        })?);
    }
    for ((what, _), task) in REQUESTS.iter().zip(tasks) {
        let answer = task.await?;
        say!("main", "{what}: {answer}");
    }
    Ok(())
}
// ANCHOR_END: loopback

/// The fetch over loopback from the slow server at `server`, on the real
/// clock (chapter 10 refuses sockets on the virtual one).
pub fn loopback(server: SocketAddr) -> Vec<String> {
    lines_of(Clock::Real, loopback_main(server))
}

// ANCHOR: gather_failure
/// A request that says when it is done, and notes that it answered.
pub fn loud_request(
    name: &'static str,
    units: u32,
    answered: Rc<Cell<bool>>,
) -> Result<&'static str, SchedError> {
    ch06::sleep(units * UNIT)?;
    say!(name, "{name} done at {}", at());
    answered.set(true);
    Ok(name)
}

/// A request that fails after one unit: its body returns an error.
pub fn failing_request() -> Result<&'static str, BoxError> {
    ch06::sleep(UNIT)?;
    Err("prices: 503 Service Unavailable".into())
}

/// `gather` gives up at the first failure; the other request runs on.
pub fn gather_failure_main() -> Result<(), SchedError> {
    let users_answered = Rc::new(Cell::new(false));
    let answered = Rc::clone(&users_answered);
    let users = ch06::spawn("users", move || loud_request("users", 4, answered))?;
    let prices = ch06::spawn("prices", failing_request)?;
    if let Err(error) = gather(&[users, prices]) {
        let why = error
            .failure()
            .map_or(error.to_string(), |failure| failure.message());
        say!("main", "the first failure, at {}: {why}", at());
    }
    ch06::sleep(5 * UNIT)?;
    let answered = users_answered.get();
    say!("main", "at {}, users answered: {answered}", at());
    Ok(())
}
// ANCHOR_END: gather_failure

/// A gather with a failure, on the virtual clock.
pub fn gather_failure() -> Vec<String> {
    lines_of_stackful(gather_failure_main)
}

/// The connection a slow request holds. Closed by its code, it goes
/// quietly; dropped while still open (its future dropped where it waited),
/// its destructor says so: then the destructor is all the cleanup there is.
#[derive(Debug)]
pub struct Connection {
    closed: bool,
}

impl Connection {
    /// A connection, open.
    pub fn open() -> Connection {
        Connection { closed: false }
    }

    /// Closes it, from the request's own code.
    pub fn close(mut self) {
        self.closed = true;
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if !self.closed {
            say!(
                "slow",
                "dropped where it waited: only the destructor closes the connection"
            );
        }
    }
}

// ANCHOR: slow_stackful
/// Chapter 7's slow request: when it is cancelled, its `sleep` returns
/// `Err(Cancelled)`, and it says goodbye, which takes half a unit, before
/// it ends.
pub fn slow_request() -> Result<&'static str, SchedError> {
    let connection = Connection::open();
    say!("slow", "request sent at {}", at());
    match ch06::sleep(5 * UNIT) {
        Err(SchedError::Cancelled) => {
            say!("slow", "cancelled at {}; saying goodbye", at());
            ch06::sleep(UNIT / 2)?; // cleanup that waits
            say!("slow", "goodbye said at {}", at());
            connection.close();
            Err(SchedError::Cancelled)
        }
        other => {
            other?;
            say!("slow", "answered at {}", at());
            connection.close();
            Ok("slow")
        }
    }
}
// ANCHOR_END: slow_stackful

// ANCHOR: slow_async
/// The same request as an `async fn` (chapter 9): cancelling its task
/// drops it at its `.await`, so its destructors are all the cleanup it
/// gets.
pub async fn slow_request_async() -> Result<&'static str, SchedError> {
    let connection = Connection::open();
    say!("slow", "request sent at {}", at());
    sleep(5 * UNIT).await?;
    say!("slow", "answered at {}", at());
    connection.close();
    Ok("slow")
}

/// `wait_for` on the slow request, after one unit, with a limit of two.
pub fn wait_for_main(async_task: bool) -> Result<(), SchedError> {
    ch06::sleep(UNIT)?;
    let slow = if async_task {
        spawn_async("slow", slow_request_async())?
    } else {
        ch06::spawn("slow", slow_request)?
    };
    if let Err(SchedError::TimedOut) = wait_for(&slow, 2 * UNIT) {
        say!("main", "gave up at {}", at());
    }
    Ok(())
}
// ANCHOR_END: slow_async

/// `wait_for` on chapter 7's stackful slow request: the cancellation is an
/// error, the cleanup waits, and so does `wait_for`.
pub fn wait_for_stackful() -> Vec<String> {
    lines_of_stackful(|| wait_for_main(false))
}

/// `wait_for` on the async slow request: its task is dropped where it
/// waits.
pub fn wait_for_async() -> Vec<String> {
    lines_of_stackful(|| wait_for_main(true))
}

// ANCHOR: turns
/// Three tasks take three turns each, giving the thread up with
/// `yield_now` after each: who goes when?
pub async fn turns_main() -> Result<(), SchedError> {
    let order = Rc::new(RefCell::new(Vec::new()));
    let mut tasks = Vec::new();
    for name in ["A", "B", "C"] {
        let order = Rc::clone(&order);
        tasks.push(spawn_async(name, async move {
            for turn in 0..3 {
                order.borrow_mut().push(format!("{name}{turn}"));
                yield_now().await?;
            }
            Ok::<(), SchedError>(())
        })?);
    }
    for task in tasks {
        task.await?;
    }
    say!("main", "turns: {}", order.borrow().join(" "));
    Ok(())
}
// ANCHOR_END: turns

/// The turns, on the virtual clock.
pub fn turns() -> Vec<String> {
    lines_of(Clock::Virtual, turns_main())
}

// ANCHOR: busy_timer
/// A sleeper sets a timer of a millisecond while two tasks keep the
/// thread busy, waking themselves after every poll. The first busy poll
/// blocks the thread for 5 ms, as a slow computation would, so the timer
/// is due when it ends: how many busy polls run before the sleeper?
pub async fn busy_timer_main() -> Result<(), SchedError> {
    let busy_polls = Rc::new(Cell::new(0));
    let sleeper_done = Rc::new(Cell::new(false));
    let sleeper = {
        let (busy_polls, sleeper_done) = (Rc::clone(&busy_polls), Rc::clone(&sleeper_done));
        spawn_async("sleeper", async move {
            sleep(Duration::from_millis(1)).await?;
            say!("sleeper", "woke after {}", polls(busy_polls.get()));
            sleeper_done.set(true);
            Ok::<(), SchedError>(())
        })?
    };
    let mut busy = Vec::new();
    for name in ["A", "B"] {
        let (busy_polls, sleeper_done) = (Rc::clone(&busy_polls), Rc::clone(&sleeper_done));
        busy.push(spawn_async(name, async move {
            while !sleeper_done.get() {
                busy_polls.set(busy_polls.get() + 1);
                if busy_polls.get() == 1 {
                    thread::sleep(Duration::from_millis(5));
                }
                yield_now().await?; // wakes its own waker: back of the queue
            }
            Ok::<(), SchedError>(())
        })?);
    }
    sleeper.await?;
    for task in busy {
        task.await?;
    }
    Ok(())
}
// ANCHOR_END: busy_timer

/// The busy timer, on the real clock (the only program here that is: time
/// has to pass while the tasks are busy). The lines do not depend on how
/// fast the machine is.
pub fn busy_timer() -> Vec<String> {
    lines_of(Clock::Real, busy_timer_main())
}

// ANCHOR: main_behind_busy
/// Main awaits a task that ends at once, while another task keeps the
/// thread busy: how many busy polls run before main goes on?
pub async fn main_behind_busy_main() -> Result<(), SchedError> {
    let busy_polls = Rc::new(Cell::new(0));
    let quick = spawn_async("quick", async { Ok::<(), SchedError>(()) })?;
    let busy = {
        let busy_polls = Rc::clone(&busy_polls);
        spawn_async("busy", async move {
            for _ in 0..100 {
                busy_polls.set(busy_polls.get() + 1);
                yield_now().await?;
            }
            Ok::<(), SchedError>(())
        })?
    };
    quick.await?;
    say!("main", "back after {}", polls(busy_polls.get()));
    busy.await?;
    Ok(())
}
// ANCHOR_END: main_behind_busy

/// Main behind a busy task, on the virtual clock.
pub fn main_behind_busy() -> Vec<String> {
    lines_of(Clock::Virtual, main_behind_busy_main())
}

// ANCHOR: drain
/// A task drains 300 values that are all queued already, beside a ticker
/// that wants a turn: after how many values does the ticker get one?
pub async fn drain_main() -> Result<(), SchedError> {
    let (sender, mut receiver) = unbounded_channel();
    for value in 0..300 {
        sender.send(value);
    }
    drop(sender);
    let received = Rc::new(Cell::new(0));
    let drainer = {
        let received = Rc::clone(&received);
        spawn_async("drainer", async move {
            while let Some(_value) = receiver.recv().await {
                received.set(received.get() + 1);
            }
            Ok::<(), SchedError>(())
        })?
    };
    let ticker = {
        let received = Rc::clone(&received);
        spawn_async("ticker", async move {
            say!("ticker", "first turn after {} values", received.get());
            Ok::<(), SchedError>(())
        })?
    };
    drainer.await?;
    ticker.await?;
    Ok(())
}
// ANCHOR_END: drain

/// The drain, on the virtual clock.
pub fn drain() -> Vec<String> {
    lines_of(Clock::Virtual, drain_main())
}

// ANCHOR: clock
/// Sleeps 1.5 ms, then computes for 5 ms of real time (the thread is
/// blocked), reading the clock after each.
pub async fn clock_main() -> Result<(), SchedError> {
    sleep(Duration::from_micros(1500)).await?;
    say!("main", "slept 1.5 ms: the clock reads {}", at());
    thread::sleep(Duration::from_millis(5));
    say!("main", "computed for 5 ms: the clock reads {}", at());
    Ok(())
}
// ANCHOR_END: clock

/// The clock, on the virtual clock.
pub fn clock() -> Vec<String> {
    lines_of(Clock::Virtual, clock_main())
}

// ANCHOR: wake_from_thread
/// A helper thread sends an answer; main waits for it for at most a
/// second. With `promise`, main first promises the scheduler that a wake
/// will come from outside ([`expect_wake`]), and hands the promise to the
/// helper, which drops it once it has sent.
pub fn wake_from_thread_main(promise: bool) -> Result<(), SchedError> {
    let (sender, receiver) = channel::<&'static str>();
    let promised = if promise { Some(expect_wake()?) } else { None };
    let (go, wait_for_go) = mpsc::channel::<()>();
    let helper = thread::spawn(move || {
        // Without a promise the answer comes after main has given up: main
        // says when (and drops the receiver, so the send goes nowhere).
        if promised.is_none() {
            let _ = wait_for_go.recv();
        }
        sender.send("the answer");
        drop(promised);
    });
    let answer = spawn_async("receiver", async move {
        receiver.await.map_err(|_| SchedError::Cancelled)
    })?;
    match wait_for(&answer, SECOND) {
        Ok(answer) => say!("main", "got {answer:?} at {}", at()),
        Err(SchedError::TimedOut) => say!("main", "gave up at {}", at()),
        Err(error) => return Err(error),
    }
    let _ = go.send(());
    helper.join().expect("the helper thread does not panic");
    Ok(())
}
// ANCHOR_END: wake_from_thread

/// A wake from another thread, on the virtual clock, with or without the
/// promise.
pub fn wake_from_thread(promise: bool) -> Vec<String> {
    lines_of_stackful(move || wake_from_thread_main(promise))
}

/// The request whose answer is on its way: the slow server answers it 200
/// ms after it arrives, while the program gives it a second.
pub const IN_FLIGHT: &str = "/200/news";

// ANCHOR: in_flight
/// A request whose answer is on its way: an async task asks the slow
/// server at `server` for [`IN_FLIGHT`], and main gives it a second
/// (chapter 7's `wait_for`).
pub fn in_flight_main(server: SocketAddr) -> Result<(), SchedError> {
    let request = spawn_async(
        "request",
        async move { fetch_async(server, IN_FLIGHT).await },
    )?;
    match wait_for(&request, SECOND) {
        Ok(answer) => say!("main", "got {answer:?}"),
        Err(SchedError::TimedOut) => say!("main", "gave up at {}", at()),
        Err(error) => {
            let why = error
                .failure()
                .map_or(error.to_string(), |failure| failure.message());
            say!("main", "refused at {}: {why}", at());
        }
    }
    Ok(())
}
// ANCHOR_END: in_flight

/// The request in flight, to the slow server at `server`, on `clock`: the
/// real clock waits for the answer, the virtual clock refuses the socket.
pub fn in_flight(server: SocketAddr, clock: Clock) -> Vec<String> {
    lines_of_stackful_on(clock, move || in_flight_main(server))
}

/// How long the stalled fetch's blocking call waits for main's word when
/// it runs in a task: chapter 11's 300 ms. Nobody can give the word meanwhile,
/// so it always waits this long.
pub const BLOCK: Duration = Duration::from_millis(300);

/// How long the same call waits for main's word when it runs on a thread
/// of its own. Main gives the word within milliseconds; the limit is there
/// so that a broken program ends (and fails its test, with a line that says
/// why) instead of hanging.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Where the stalled fetch's blocking call runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocking {
    /// In the blocker's own step, on the runtime's one thread: chapter
    /// 11's stall.
    InTheTask,
    /// On a thread of a pool, while the blocker's task waits for it:
    /// chapter 11's `to_thread_async`, tokio's `spawn_blocking`.
    HandedOff,
}

/// How the blocking call of [`hold`] ended, and how many answers the
/// requests had received by then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// Main let it go: it gave the word, or went away.
    LetGo {
        /// The answers in when it did.
        answers: usize,
    },
    /// Nobody let it go: it waited until its limit ran out.
    RanOut {
        /// How long it waited: its limit, not a time measured here.
        limit: Duration,
        /// The answers in when it gave up.
        answers: usize,
    },
}

impl fmt::Display for Held {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Held::LetGo { answers } => {
                write!(f, "main let it go once {answers} answers were in")
            }
            Held::RanOut { limit, answers } => write!(
                f,
                "nobody let it go: it waited its whole {}, and {answers} answers were in",
                ms(limit)
            ),
        }
    }
}

// ANCHOR: hold
/// The stalled fetch's blocking call, a plain function that knows nothing
/// of tasks: it blocks its thread until main gives the word on `word`, or
/// for at most `limit`, then reads how many answers are in. It stands for
/// any synchronous call with a time limit that waits for something outside
/// (a lock, a slow disk, a library that was never written for async).
pub fn hold(word: &mpsc::Receiver<()>, answers: &AtomicUsize, limit: Duration) -> Held {
    let outcome = word.recv_timeout(limit);
    let answers = answers.load(Ordering::Acquire);
    match outcome {
        Ok(()) | Err(RecvTimeoutError::Disconnected) => Held::LetGo { answers },
        Err(RecvTimeoutError::Timeout) => Held::RanOut { limit, answers },
    }
}
// ANCHOR_END: hold

// ANCHOR: stalled_fetch
/// Chapter 11's stalled fetch: chapter 10's four requests over loopback
/// to the slow server at `server`, an async task each, and a fifth task
/// spawned last, the blocker, whose call ([`hold`]) waits for main's word.
/// Main says the answers in request order, then gives the word, and waits
/// for the blocker, which says how its call ended.
pub async fn stalled_fetch_main(server: SocketAddr, blocking: Blocking) -> Result<(), SchedError> {
    let answers = Arc::new(AtomicUsize::new(0));
    let mut requests = Vec::new();
    for (what, units) in REQUESTS {
        let (path, answers) = (request_path(what, units), Arc::clone(&answers));
        requests.push(spawn_async(what, async move {
            let answer = fetch_async(server, &path).await?;
            answers.fetch_add(1, Ordering::Release);
            Ok::<_, SchedError>(answer)
        })?);
    }
    let (give_word, word) = mpsc::channel::<()>();
    let blocker = spawn_async("blocker", async move {
        let held = match blocking {
            // On the scheduler's thread: main cannot run to give the word.
            Blocking::InTheTask => hold(&word, &answers, BLOCK),
            // On a thread of chapter 11's pool, while this task is parked.
            Blocking::HandedOff => to_thread_async(move || hold(&word, &answers, PATIENCE)).await?,
        };
        say!("blocker", "{held}");
        Ok::<(), SchedError>(())
    })?;
    for ((what, _), request) in REQUESTS.iter().zip(requests) {
        let answer = request.await?;
        say!("main", "{what}: {answer}");
    }
    let _ = give_word.send(()); // nobody hears it if the blocker gave up
    blocker.await
}
// ANCHOR_END: stalled_fetch

/// The stalled fetch from the slow server at `server`, on the real clock,
/// with its blocking call where `blocking` says.
pub fn stalled_fetch(server: SocketAddr, blocking: Blocking) -> Vec<String> {
    lines_of(Clock::Real, stalled_fetch_main(server, blocking))
}

/// How long the job of [`job_clock_main`] blocks its thread, in real time.
pub const JOB_TAKES: Duration = Duration::from_millis(50);

/// How long main gives that job, in the clock's time.
pub const JOB_LIMIT: Duration = Duration::from_millis(10);

// ANCHOR: job_clock
/// A job that blocks a thread of chapter 11's pool for [`JOB_TAKES`] of
/// real time, given [`JOB_LIMIT`] by the clock: on the virtual clock, who
/// wins?
pub fn job_clock_main() -> Result<(), SchedError> {
    let job = spawn_async("job", async {
        to_thread_async(|| thread::sleep(JOB_TAKES)).await
    })?;
    match wait_for(&job, JOB_LIMIT) {
        Ok(()) => say!("main", "the job ended first: the clock reads {}", at()),
        Err(SchedError::TimedOut) => say!("main", "gave up at {}", at()),
        Err(error) => return Err(error),
    }
    Ok(())
}
// ANCHOR_END: job_clock

/// The job against the limit, on the virtual clock.
pub fn job_clock() -> Vec<String> {
    lines_of_stackful(job_clock_main)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hold_is_let_go_by_the_word_or_by_its_sender_going_away_and_otherwise_runs_out() {
        let answers = AtomicUsize::new(2);
        let (give_word, word) = mpsc::channel();
        give_word.send(()).unwrap();
        assert_eq!(hold(&word, &answers, PATIENCE), Held::LetGo { answers: 2 });
        drop(give_word);
        assert_eq!(hold(&word, &answers, PATIENCE), Held::LetGo { answers: 2 });
        let (_give_word, word) = mpsc::channel::<()>();
        let held = hold(&word, &answers, Duration::from_millis(1));
        assert_eq!(
            held,
            Held::RanOut {
                limit: Duration::from_millis(1),
                answers: 2
            }
        );
        assert_eq!(
            held.to_string(),
            "nobody let it go: it waited its whole 1 ms, and 2 answers were in"
        );
    }

    #[test]
    fn ms_prints_whole_and_fractional_milliseconds() {
        assert_eq!(ms(Duration::from_millis(40)), "40 ms");
        assert_eq!(ms(Duration::from_micros(1500)), "1.5 ms");
        assert_eq!(ms(Duration::ZERO), "0 ms");
    }
}
