//! Chapter 10's tests. They also judge the rebuild exercise (10.5):
//! `cargo test --features exercise-ch10 --test ch10_sockets -- --skip exercises::`.
//!
//! This file tests the mechanism: sockets that suspend a task, the slow
//! server and its protocol, registrations counted back to zero, the loop
//! asking the poller only while a socket is registered. Beside it, in
//! `ch10_sockets/`:
//!
//! - `loop_order.rs`: asyncio's order within an iteration (readiness before
//!   due timers), the trace, spurious wakes;
//! - `faults.rs`: every fault of the chapter, each a clear error or a tested
//!   behaviour (refused, reset, cut off, outside a task, two waiters, a
//!   server that never answers, cancellation, out of file descriptors, the
//!   virtual clock);
//! - `fan_out.rs`: a thousand connections at once;
//! - `parity.rs`: the example's client against the same client in CPython;
//! - `exercises.rs`: the small exercises.
//!
//! Everything runs on loopback. No test asserts a duration, and no order
//! a test asserts depends on the wall clock: where the order of answers
//! matters, `in_turn_server` answers in the slow server's order (shortest
//! wait first), each answer once the one before has been read.

use std::net::{Shutdown, SocketAddr};
use std::os::fd::OwnedFd;
use std::rc::{Rc, Weak};
use std::time::Duration;

use yieldpoint::ch06_scheduler::{
    Clock, EventKind, SchedError, Scheduler, sleep, spawn, yield_now,
};
use yieldpoint::ch07_combinators::{as_completed, gather};
use yieldpoint::ch09_async_fn::spawn_async;
use yieldpoint::ch10_sockets::{
    MAX_WAIT_MS, SlowServer, TcpListener, TcpStream, fetch, fetch_async, parse_request,
};

#[allow(dead_code)]
#[path = "../examples/ch10_sockets.rs"]
mod example;

#[path = "support/child.rs"]
mod child;

#[allow(dead_code)] // what finds CPython, for the parity tests
#[path = "asyncio/interpreter.rs"]
mod interpreter;

// asyncio's order within an iteration, the trace, spurious wakes.
#[path = "ch10_sockets/loop_order.rs"]
mod loop_order;

// Every fault, each a clear error or a tested behaviour.
#[path = "ch10_sockets/faults.rs"]
mod faults;

// A thousand connections at once.
#[path = "ch10_sockets/fan_out.rs"]
mod fan_out;

// The example's client, and the same client in CPython.
#[path = "ch10_sockets/parity.rs"]
mod parity;

// The small exercises' tests: `cargo test --test ch10_sockets -- exercises::`.
#[path = "ch10_sockets/exercises.rs"]
mod exercises;

/// What `main` returned, from what `run_until_complete` returned: an
/// error `main` returned is handed back as `main`'s failure, and is taken
/// out of it here, so that tests compare the error itself.
pub fn as_main_returned<T>(outcome: Result<T, SchedError>) -> Result<T, SchedError> {
    match outcome {
        Err(SchedError::TaskFailed(failure)) if failure.task() == "main" && !failure.is_panic() => {
            Err(failure
                .downcast_ref::<SchedError>()
                .cloned()
                .unwrap_or(SchedError::TaskFailed(failure)))
        }
        other => other,
    }
}

/// Runs `main` on a new scheduler on the real clock, and returns the
/// scheduler (to count what is left) with what `main` returned.
pub fn run<T: 'static>(
    main: impl FnOnce() -> Result<T, SchedError> + 'static,
) -> (Scheduler, Result<T, SchedError>) {
    let scheduler = Scheduler::new(Clock::Real);
    let outcome = as_main_returned(scheduler.run_until_complete(main));
    (scheduler, outcome)
}

/// [`run`], for an async `main`.
pub fn run_async<T: 'static>(
    main: impl Future<Output = Result<T, SchedError>> + 'static,
) -> (Scheduler, Result<T, SchedError>) {
    let scheduler = Scheduler::new(Clock::Real);
    let outcome = as_main_returned(scheduler.run_until_complete_async(main));
    (scheduler, outcome)
}

/// What a task can read of its own scheduler's sockets: the scheduler's
/// [`io_registrations`](Scheduler::io_registrations) and
/// [`io_polls`](Scheduler::io_polls), through a weak pointer (a task has
/// no `&Scheduler` of its own).
#[derive(Clone)]
pub struct Counts(Weak<Scheduler>);

impl Counts {
    /// How many sockets are registered, and how many tasks wait on one.
    pub fn registrations(&self) -> (usize, usize) {
        self.scheduler().io_registrations()
    }

    /// How many times the loop has asked the poller.
    pub fn polls(&self) -> u64 {
        self.scheduler().io_polls()
    }

    fn scheduler(&self) -> Rc<Scheduler> {
        self.0.upgrade().expect("the scheduler outlives its tasks")
    }
}

/// [`run`], with [`Counts`] for `main` to read as it goes.
pub fn run_counted<T: 'static>(
    main: impl FnOnce(Counts) -> Result<T, SchedError> + 'static,
) -> (Rc<Scheduler>, Result<T, SchedError>) {
    let scheduler = Rc::new(Scheduler::new(Clock::Real));
    let counts = Counts(Rc::downgrade(&scheduler));
    let outcome = as_main_returned(scheduler.run_until_complete(move || main(counts)));
    (scheduler, outcome)
}

/// Two ends of one loopback connection, made in a task: the client's end
/// (which connected) and the server's (which was accepted). The listener
/// is closed before they are returned.
pub fn pair() -> Result<(TcpStream, TcpStream), SchedError> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let client = TcpStream::connect(listener.local_addr()?)?;
    let (server, _) = listener.accept()?;
    Ok((client, server))
}

/// [`pair`], in an async task.
pub async fn pair_async() -> Result<(TcpStream, TcpStream), SchedError> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let client = TcpStream::connect_async(listener.local_addr()?).await?;
    let (server, _) = listener.accept_async().await?;
    Ok((client, server))
}

/// A server on a thread of its own, with blocking std sockets, that hands
/// its first connection to `serve`: for servers that misbehave on purpose.
pub fn std_server(serve: impl FnOnce(std::net::TcpStream) + Send + 'static) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback listener");
    let address = listener.local_addr().expect("its address");
    std::thread::spawn(move || {
        if let Ok((stream, _)) = listener.accept() {
            serve(stream);
        }
    });
    address
}

/// Reads what a blocking std socket receives until a line break (or the
/// end of the stream).
pub fn read_request(stream: &mut std::net::TcpStream) -> String {
    use std::io::Read;
    let mut request = Vec::new();
    let mut byte = [0u8; 1];
    while !request.ends_with(b"\n") {
        match stream.read(&mut byte) {
            Ok(1) => request.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&request).into_owned()
}

/// An address nothing listens on, for as long as the socket returned is
/// kept: a TCP socket bound to a loopback port but not listening, so that
/// no other test can take the port meanwhile.
pub fn nobody_listens() -> (OwnedFd, SocketAddr) {
    use rustix::net::{AddressFamily, SocketType, bind, getsockname, socket};
    let socket = socket(AddressFamily::INET, SocketType::STREAM, None).expect("a socket");
    let any: SocketAddr = "127.0.0.1:0".parse().expect("an address");
    bind(&socket, &any).expect("a loopback port");
    let address = getsockname(&socket)
        .expect("its address")
        .try_into()
        .expect("an IPv4 address");
    (socket, address)
}

/// The slow server, started for one test.
pub fn slow_server() -> SlowServer {
    SlowServer::start().expect("the slow server starts")
}

// ---- the slow server and its protocol ----

#[test]
fn a_request_is_answered_after_the_wait_it_asks_for() {
    let server = slow_server();
    let address = server.address();
    let (scheduler, answer) = run(move || fetch(address, "/20/users"));
    assert_eq!(answer.as_deref(), Ok("200 users after 20 ms"));
    assert_eq!(scheduler.io_registrations(), (0, 0));

    let (scheduler, answer) = run_async(async move { fetch_async(address, "/0/news").await });
    assert_eq!(answer.as_deref(), Ok("200 news after 0 ms"));
    assert_eq!(scheduler.io_registrations(), (0, 0));
}

#[test]
fn parse_request_reads_the_wait_and_the_word_and_names_what_is_wrong() {
    assert_eq!(
        parse_request("GET /40/users\n"),
        Ok((40, "users".to_string()))
    );
    assert_eq!(parse_request("GET /0/x\r\n"), Ok((0, "x".to_string())));
    assert_eq!(
        parse_request(&format!("GET /{MAX_WAIT_MS}/slowest")),
        Ok((MAX_WAIT_MS, "slowest".to_string()))
    );
    for (line, problem) in [
        (
            "POST /40/users",
            "expected \"GET /<ms>/<what>\", got \"POST /40/users\"",
        ),
        ("GET /40", "expected \"GET /<ms>/<what>\", got \"GET /40\""),
        (
            "GET /soon/users",
            "the wait \"soon\" is not a number of milliseconds",
        ),
        (
            "GET /-1/users",
            "the wait \"-1\" is not a number of milliseconds",
        ),
        (
            "GET /60001/users",
            "the wait 60001 ms is longer than 60000 ms",
        ),
        ("GET /40/", "expected one word after the wait, got \"\""),
        (
            "GET /40/two words",
            "expected one word after the wait, got \"two words\"",
        ),
    ] {
        assert_eq!(parse_request(line), Err(problem.to_string()), "{line:?}");
    }
}

#[test]
fn a_bad_request_is_answered_400_naming_what_is_wrong() {
    let server = slow_server();
    let address = server.address();
    let (_, answers) = run(move || {
        let by_fetch = fetch(address, "/soon/users")?;
        // A request that never ends its line: the server reads to the end
        // of the stream, then answers.
        let stream = TcpStream::connect(address)?;
        stream.write_all(b"HELLO")?;
        stream.shutdown(Shutdown::Write)?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer)?;
        Ok::<_, SchedError>((by_fetch, String::from_utf8_lossy(&answer).into_owned()))
    });
    let (by_fetch, unfinished) = answers.expect("both are answered");
    assert_eq!(
        by_fetch,
        "400 bad request: the wait \"soon\" is not a number of milliseconds"
    );
    assert_eq!(
        unfinished,
        "400 bad request: expected \"GET /<ms>/<what>\", got \"HELLO\"\n"
    );
}

/// A server that answers the slow server's protocol in the order the slow
/// server would, without the clock deciding it: it takes `batch`
/// connections and reads their requests, then answers them shortest wait
/// first, and sends each next answer only once the client has said (on
/// `done`) that it has read the one before. Each batch ends when every
/// answer is out; the thread ends after `batches` batches, or when a
/// client stops saying so for a minute (a failed test).
///
/// The slow server orders its answers by the wall clock: forty
/// milliseconds apart is plenty on a quiet machine, and not always enough
/// under valgrind, where one client's first run through the code can take
/// longer than that. This one makes the order a fact of the test.
pub fn in_turn_server(batch: usize, batches: usize) -> (SocketAddr, std::sync::mpsc::Sender<()>) {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback listener");
    let address = listener.local_addr().expect("its address");
    let (done, said) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        for _ in 0..batches {
            let mut waiting = Vec::new();
            for arrival in 0..batch {
                let Ok((mut stream, _)) = listener.accept() else {
                    return;
                };
                let request = read_request(&mut stream);
                let (ms, what) = parse_request(&request).expect("a good request");
                waiting.push((ms, arrival, what, stream));
            }
            waiting.sort_by_key(|&(ms, arrival, ..)| (ms, arrival));
            for (ms, _, what, mut stream) in waiting {
                let _ = stream.write_all(format!("200 {what} after {ms} ms\n").as_bytes());
                let _ = stream.shutdown(Shutdown::Write);
                drop(stream);
                if said.recv_timeout(Duration::from_secs(60)).is_err() {
                    return;
                }
            }
        }
    });
    (address, done)
}

#[test]
fn at_once_the_answers_arrive_fastest_first_and_gather_keeps_request_order() {
    // Chapter 7's four, each answered as the slow server would, in order
    // of its wait; the test server sees to the order (see
    // `in_turn_server`), so that no machine can be too slow for it.
    let requests = [("users", 40), ("news", 10), ("prices", 30), ("weather", 20)];
    let (address, done) = in_turn_server(requests.len(), 2);
    let (scheduler, outcome) = run(move || {
        let spawn_all = || {
            requests
                .iter()
                .map(|&(what, wait)| {
                    let done = done.clone();
                    spawn(what, move || {
                        let answer = fetch(address, &format!("/{wait}/{what}"))?;
                        let _ = done.send(());
                        Ok::<_, SchedError>(answer)
                    })
                })
                .collect::<Result<Vec<_>, SchedError>>()
        };
        // as_completed: in the order the answers arrive.
        let mut arrived = Vec::new();
        for outcome in as_completed(spawn_all()?) {
            let (_, answer) = outcome?;
            arrived.push(answer?);
        }
        // gather: in the order of the requests, whatever the arrival.
        let gathered = gather(&spawn_all()?)?;
        Ok::<_, SchedError>((arrived, gathered))
    });
    let (arrived, gathered) = outcome.expect("every request is answered");
    assert_eq!(
        arrived,
        [
            "200 news after 10 ms",
            "200 weather after 20 ms",
            "200 prices after 30 ms",
            "200 users after 40 ms",
        ]
    );
    assert_eq!(
        gathered,
        [
            "200 users after 40 ms",
            "200 news after 10 ms",
            "200 prices after 30 ms",
            "200 weather after 20 ms",
        ]
    );
    assert_eq!(scheduler.io_registrations(), (0, 0));
}

// ---- sockets that suspend the task ----

#[test]
fn a_socket_is_registered_while_it_lives_and_counted_waiting_only_while_it_waits() {
    let (scheduler, seen) = run_counted(|counts| {
        let mut seen = vec![("before any socket", counts.registrations())];
        let listener = TcpListener::bind("127.0.0.1:0")?;
        seen.push(("listening", counts.registrations()));
        let client = TcpStream::connect(listener.local_addr()?)?;
        let (server, _) = listener.accept()?;
        seen.push(("three sockets", counts.registrations()));
        let server = Rc::new(server);
        let reading = Rc::clone(&server);
        let reader = spawn("reader", move || {
            let mut byte = [0u8; 1];
            reading.read(&mut byte)
        })?;
        yield_now()?; // the reader runs, finds nothing, and waits
        seen.push(("a reader waits", counts.registrations()));
        client.write_all(b"!")?;
        assert_eq!(reader.join()?, 1);
        seen.push(("the reader is done", counts.registrations()));
        drop((listener, client, server));
        seen.push(("all dropped", counts.registrations()));
        Ok::<_, SchedError>(seen)
    });
    assert_eq!(
        seen.expect("main finishes"),
        [
            ("before any socket", (0, 0)),
            ("listening", (1, 0)),
            ("three sockets", (3, 0)),
            ("a reader waits", (3, 1)),
            ("the reader is done", (3, 0)),
            ("all dropped", (0, 0)),
        ]
    );
    assert_eq!(scheduler.io_registrations(), (0, 0));
}

#[test]
fn a_writer_waits_while_the_send_buffer_is_full_and_every_byte_arrives() {
    // Far more than the kernel buffers on loopback: write_all must wait for
    // the reader to make room, again and again.
    const SIZE: usize = 8 << 20;
    let pattern = |i: usize| (i % 251) as u8;
    for asynchronous in [false, true] {
        let received = if asynchronous {
            run_async(async move {
                let (client, server) = pair_async().await?;
                let writer = spawn_async("writer", async move {
                    let data: Vec<u8> = (0..SIZE).map(pattern).collect();
                    client.write_all_async(&data).await?;
                    client.shutdown(Shutdown::Write)
                })?;
                let mut received = Vec::new();
                server.read_to_end_async(&mut received).await?;
                writer.await?;
                Ok::<_, SchedError>(received)
            })
            .1
        } else {
            run(move || {
                let (client, server) = pair()?;
                let writer = spawn("writer", move || {
                    let data: Vec<u8> = (0..SIZE).map(pattern).collect();
                    client.write_all(&data)?;
                    client.shutdown(Shutdown::Write)
                })?;
                let mut received = Vec::new();
                server.read_to_end(&mut received)?;
                writer.join()?;
                Ok::<_, SchedError>(received)
            })
            .1
        }
        .expect("every byte arrives");
        assert_eq!(received.len(), SIZE, "async: {asynchronous}");
        assert!(
            received.iter().enumerate().all(|(i, &b)| b == pattern(i)),
            "the bytes arrive in order (async: {asynchronous})"
        );
    }
}

#[test]
fn stackful_and_async_tasks_talk_through_one_poller() {
    let (scheduler, outcome) = run(|| {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?;
        // A stackful server: reads a line, answers it upside down.
        let server = spawn("server", move || {
            let (stream, _) = listener.accept()?;
            let mut line = Vec::new();
            stream.read_to_end(&mut line)?;
            line.reverse();
            stream.write_all(&line)
        })?;
        // An async client.
        let client = spawn_async("client", async move {
            let stream = TcpStream::connect_async(address).await?;
            stream.write_all_async(b"stressed").await?;
            stream.shutdown(Shutdown::Write)?;
            let mut answer = Vec::new();
            stream.read_to_end_async(&mut answer).await?;
            Ok::<_, SchedError>(String::from_utf8_lossy(&answer).into_owned())
        })?;
        server.join()?;
        client.join()
    });
    assert_eq!(outcome.as_deref(), Ok("desserts"));
    assert_eq!(scheduler.io_registrations(), (0, 0));
}

#[test]
fn a_socket_made_in_one_run_is_used_in_the_next() {
    // The scheduler keeps its poller between runs; a socket opened in one
    // run waits in the next, as asyncio's run_until_complete allows.
    let scheduler = Scheduler::new(Clock::Real);
    let (client, server) = scheduler.run_until_complete(pair).expect("a pair");
    assert_eq!(scheduler.io_registrations(), (2, 0));
    let received = scheduler.run_until_complete(move || {
        let writer = spawn("writer", move || {
            sleep(Duration::from_millis(5))?;
            client.write_all(b"later")
        })?;
        let mut buffer = [0u8; 16];
        let n = server.read(&mut buffer)?;
        writer.join()?;
        Ok::<_, SchedError>(buffer[..n].to_vec())
    });
    assert_eq!(received.as_deref(), Ok(&b"later"[..]));
    assert_eq!(scheduler.io_registrations(), (0, 0));
}

#[test]
fn a_connection_made_in_one_task_reaches_its_joiner_in_an_rc() {
    // `join` clones the value out (any number of tasks may join), and a
    // socket is not `Clone`: a task hands one over in an `Rc`, as chapter
    // 6's page says. Both ends of it then work from the joiner.
    let (scheduler, outcome) = run(|| {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?;
        let connecting = spawn("connect", move || TcpStream::connect(address).map(Rc::new))?;
        let (server, _) = listener.accept()?;
        let client: Rc<TcpStream> = connecting.join()?;
        client.write_all(b"ping")?;
        let mut buffer = [0u8; 8];
        let n = server.read(&mut buffer)?;
        Ok(buffer[..n].to_vec())
    });
    assert_eq!(outcome.as_deref(), Ok(&b"ping"[..]));
    assert_eq!(scheduler.io_registrations(), (0, 0));
}

// ---- the loop asks the poller only while a socket is registered ----

/// A program with timers and turns but no socket.
fn no_sockets() -> Result<(), SchedError> {
    let sleeper = spawn("sleeper", || sleep(Duration::from_millis(2)))?;
    for _ in 0..100 {
        yield_now()?;
    }
    sleeper.join()
}

#[test]
fn a_program_with_no_sockets_never_asks_the_poller() {
    let (scheduler, outcome) = run(no_sockets);
    outcome.expect("it finishes");
    assert_eq!(scheduler.io_polls(), 0);
    assert_eq!(scheduler.io_registrations(), (0, 0));
}

#[test]
fn the_loop_asks_the_poller_once_an_iteration_while_a_socket_is_registered_and_never_after() {
    let (_, polls) = run_counted(|counts| {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let first = counts.polls();
        for _ in 0..10 {
            yield_now()?; // ten iterations with a socket registered
        }
        let registered = counts.polls() - first;
        drop(listener);
        yield_now()?;
        let gone = counts.polls();
        no_sockets()?; // a hundred iterations and more, with none
        Ok::<_, SchedError>((registered, counts.polls() - gone))
    });
    assert_eq!(
        polls,
        Ok((10, 0)),
        "one poll an iteration while the socket lives, none after"
    );
}

#[test]
fn waiting_in_the_poller_the_loop_idles_until_the_earliest_timer() {
    let scheduler = Scheduler::new(Clock::Real).with_trace();
    scheduler
        .run_until_complete(|| {
            let _listener = TcpListener::bind("127.0.0.1:0")?;
            sleep(Duration::from_millis(5))
        })
        .expect("main finishes");
    let trace = scheduler.trace();
    // With a socket registered, the one wait of the iteration is the
    // poller's, and its limit is the sleeper's deadline: an idle row with a
    // deadline, not "until a socket or a wake".
    let idles: Vec<Duration> = trace
        .events
        .iter()
        .filter_map(|event| match event.kind {
            EventKind::Idle { until } => Some(until),
            _ => None,
        })
        .collect();
    assert!(!idles.is_empty(), "the loop waited");
    assert!(
        idles.iter().all(|until| *until != Duration::MAX),
        "every wait had the timer's limit: {idles:?}"
    );
    assert!(scheduler.io_polls() > 0);
}

#[test]
fn an_echo_round_trip_takes_four_iterations_each_with_its_poll() {
    // A readable socket wakes its task in two passes (its handler, then the
    // task), as asyncio's do: the client's request wakes the echo task, and
    // the answer wakes the client, four iterations in all, each asking the
    // poller once. Chapter 10's "What it costs" counts what they cost.
    const ROUND_TRIPS: u64 = 100;
    let (_, polls) = run_counted(|counts| {
        let (client, server) = pair()?;
        let echo = spawn("echo", move || {
            let mut buffer = [0u8; 64];
            loop {
                match server.read(&mut buffer)? {
                    0 => return Ok::<(), SchedError>(()),
                    n => server.write_all(&buffer[..n])?,
                }
            }
        })?;
        yield_now()?; // the echo task starts, and waits to read
        let before = counts.polls();
        let mut answer = [0u8; 4];
        for _ in 0..ROUND_TRIPS {
            client.write_all(b"ping")?;
            let mut got = 0;
            while got < answer.len() {
                got += client.read(&mut answer[got..])?;
            }
        }
        let polls = counts.polls() - before;
        client.shutdown(Shutdown::Write)?;
        echo.join()?;
        Ok::<_, SchedError>(polls)
    });
    assert_eq!(polls, Ok(4 * ROUND_TRIPS));
}
