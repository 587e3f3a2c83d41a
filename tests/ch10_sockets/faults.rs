//! Every fault of chapter 10, each a clear error or a tested behaviour:
//! a connection refused, reset, or cut off in the middle of an answer; a
//! socket used outside a task, from a callback, from the wrong kind of task
//! or from another scheduler; two tasks waiting on one socket; a server
//! that never answers; a task cancelled while it waits; running out of file
//! descriptors; sockets on the virtual clock. After each, the registrations
//! are counted back to what is still open.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::rc::Rc;
use std::time::Duration;

use yieldpoint::ch06_scheduler::{self as ch06, Clock, SchedError, Scheduler, sleep, spawn};
use yieldpoint::ch07_combinators::wait_for;
use yieldpoint::ch09_async_fn::{block_on, spawn_async};
use yieldpoint::ch10_sockets::{TcpListener, TcpStream, fetch, fetch_async};

use super::{
    child, nobody_listens, pair, pair_async, read_request, run, run_async, run_counted, std_server,
};

/// Closes `stream` with a reset (RST) instead of the orderly end (FIN):
/// `SO_LINGER` with a timeout of zero.
fn reset(stream: std::net::TcpStream) {
    rustix::net::sockopt::set_socket_linger(&stream, Some(Duration::ZERO)).expect("SO_LINGER");
    drop(stream);
}

/// Reads a blocking std socket until the end of the stream.
fn read_to_eof(stream: &mut std::net::TcpStream) {
    let mut sink = Vec::new();
    let _ = stream.read_to_end(&mut sink);
}

// ---- refused, reset, cut off ----

#[test]
fn a_refused_connection_says_nothing_listens_there() {
    let (_port, address) = nobody_listens();
    let expected = SchedError::Io {
        operation: "connect",
        kind: std::io::ErrorKind::ConnectionRefused,
        message: "Connection refused (os error 111); nothing listens at that address: start \
                  the server first, or check the port"
            .to_string(),
    };
    let (scheduler, stackful) = run(move || TcpStream::connect(address).map(drop));
    assert_eq!(stackful, Err(expected.clone()));
    assert_eq!(
        expected.to_string(),
        "connect() failed: Connection refused (os error 111); nothing listens at that address: \
         start the server first, or check the port"
    );
    assert_eq!(scheduler.io_registrations(), (0, 0));
    let (scheduler, asynchronous) =
        run_async(async move { TcpStream::connect_async(address).await.map(drop) });
    assert_eq!(asynchronous, Err(expected));
    assert_eq!(scheduler.io_registrations(), (0, 0));
}

#[test]
fn a_connection_reset_by_the_peer_says_it_closed_abruptly() {
    // The server reads the whole request (so the client is done writing),
    // then resets the connection instead of answering.
    let address = std_server(|mut stream| {
        read_to_eof(&mut stream);
        reset(stream);
    });
    let (scheduler, outcome) = run(move || fetch(address, "/10/users"));
    let error = outcome.expect_err("the connection is reset");
    assert_eq!(error.io_kind(), Some(std::io::ErrorKind::ConnectionReset));
    assert_eq!(
        error.to_string(),
        "read() failed: Connection reset by peer (os error 104); the peer closed the connection \
         abruptly"
    );
    assert_eq!(scheduler.io_registrations(), (0, 0));

    let address = std_server(|mut stream| {
        read_to_eof(&mut stream);
        reset(stream);
    });
    let (_, outcome) = run_async(async move { fetch_async(address, "/10/users").await });
    assert_eq!(
        outcome.map_err(|error| error.io_kind()),
        Err(Some(std::io::ErrorKind::ConnectionReset))
    );
}

#[test]
fn a_reset_before_the_request_is_sent_is_reported_by_the_read_not_the_shutdown() {
    // The server resets the connection as soon as it accepts it: by the time
    // the client says it is done writing, the connection may be gone. The
    // error is the reset, wherever the client meets it first.
    let address = std_server(reset);
    let (_, outcome) = run(move || fetch(address, "/10/users"));
    let error = outcome.expect_err("the connection is reset");
    assert!(
        matches!(
            error.io_kind(),
            Some(std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe)
        ),
        "{error}"
    );
}

#[test]
fn a_peer_that_closes_in_the_middle_of_an_answer_gives_what_came_then_the_end() {
    let cut_off = |mut stream: std::net::TcpStream| {
        read_request(&mut stream);
        stream.write_all(b"200 us").expect("half an answer");
        // An orderly close (FIN): the client reads the end of the stream.
    };
    // Read by hand: the bytes that came, then 0, the end of the stream.
    let address = std_server(cut_off);
    let (_, outcome) = run(move || {
        let stream = TcpStream::connect(address)?;
        stream.write_all(b"GET /10/users\n")?;
        let (mut came, mut buffer) = (Vec::new(), [0u8; 64]);
        loop {
            match stream.read(&mut buffer)? {
                0 => break,
                n => came.extend_from_slice(&buffer[..n]),
            }
        }
        Ok::<_, SchedError>(came)
    });
    assert_eq!(outcome.as_deref(), Ok(&b"200 us"[..]));
    // Through fetch: an answer without its line break is an error, naming
    // what came.
    let address = std_server(cut_off);
    let (scheduler, outcome) = run(move || fetch(address, "/10/users"));
    let error = outcome.expect_err("the answer is cut off");
    assert_eq!(error.io_kind(), Some(std::io::ErrorKind::UnexpectedEof));
    assert_eq!(
        error.to_string(),
        "read() failed: the connection closed in the middle of the answer, after \"200 us\": an \
         answer is one whole line"
    );
    assert_eq!(scheduler.io_registrations(), (0, 0));
}

#[test]
fn a_peer_that_resets_in_the_middle_of_an_answer_gives_what_came_then_the_reset() {
    let address = std_server(|mut stream| {
        read_to_eof(&mut stream);
        stream.write_all(b"200 us").expect("half an answer");
        reset(stream);
    });
    let (_, outcome) = run(move || {
        let stream = TcpStream::connect(address)?;
        stream.write_all(b"GET /10/users\n")?;
        stream.shutdown(Shutdown::Write)?;
        let (mut came, mut buffer) = (Vec::new(), [0u8; 64]);
        let end = loop {
            match stream.read(&mut buffer) {
                Ok(0) => break Ok(()),
                Ok(n) => came.extend_from_slice(&buffer[..n]),
                Err(error) => break Err(error.io_kind()),
            }
        };
        Ok::<_, SchedError>((came, end))
    });
    assert_eq!(
        outcome,
        Ok((
            b"200 us".to_vec(),
            Err(Some(std::io::ErrorKind::ConnectionReset))
        ))
    );
}

// ---- where a socket may be used ----

#[test]
fn using_a_socket_outside_a_task_says_not_in_task_every_time() {
    let scheduler = Scheduler::new(Clock::Real);
    let (listener, client, server) = scheduler
        .run_until_complete(|| {
            let listener = TcpListener::bind("127.0.0.1:0")?;
            let client = TcpStream::connect(listener.local_addr()?)?;
            let (server, _) = listener.accept()?;
            // Something to read: refused all the same, not only when the
            // read would have had to wait.
            client.write_all(b"waiting for you")?;
            Ok::<_, SchedError>((listener, client, server))
        })
        .expect("main finishes");
    let not_in_task = |operation| SchedError::NotInTask { operation };
    let mut buffer = [0u8; 32];
    assert_eq!(server.read(&mut buffer), Err(not_in_task("read")));
    assert_eq!(client.write_all(b"more"), Err(not_in_task("write")));
    assert_eq!(listener.accept().map(drop), Err(not_in_task("accept")));
    let address = listener.local_addr().expect("its address");
    assert_eq!(
        TcpStream::connect(address).map(drop),
        Err(not_in_task("connect"))
    );
    // The futures too, polled by chapter 9's block_on instead of a task.
    assert_eq!(
        block_on(server.read_async(&mut buffer)),
        Err(not_in_task("read"))
    );
    assert_eq!(
        block_on(TcpStream::connect_async(address)).map(drop),
        Err(not_in_task("connect"))
    );
    assert_eq!(
        server.read(&mut buffer).unwrap_err().to_string(),
        "read() was called outside a task: only code running inside a task of a running \
         Scheduler can use it; start it with Scheduler::run_until_complete or spawn"
    );
    // Nothing was armed: the counts are the three open sockets.
    assert_eq!(scheduler.io_registrations(), (3, 0));
}

#[test]
fn using_a_socket_in_a_callback_says_in_callback() {
    let (_, outcome) = run(|| {
        let (client, server) = pair()?;
        client.write_all(b"x")?;
        let said: Rc<std::cell::RefCell<Option<SchedError>>> = Rc::default();
        let keep = Rc::clone(&said);
        ch06::call_soon(move || {
            let mut buffer = [0u8; 4];
            *keep.borrow_mut() = server.read(&mut buffer).err();
        })?;
        ch06::yield_now()?;
        Ok::<_, SchedError>(said.take())
    });
    assert_eq!(
        outcome,
        Ok(Some(SchedError::InCallback { operation: "read" }))
    );
}

#[test]
fn a_stackful_read_in_an_async_task_names_the_read_and_its_async_twin() {
    let (scheduler, outcome) = run_async(async {
        let (client, server) = pair_async().await?;
        client.write_all_async(b"x").await?;
        let mut buffer = [0u8; 4];
        server.read(&mut buffer) // not read_async
    });
    let error = outcome.expect_err("main fails");
    assert_eq!(error, SchedError::InAsyncTask { operation: "read" });
    assert_eq!(
        error.to_string(),
        "read() was called from an async task, which has no stack of its own to suspend; await \
         the socket's async twin instead (accept_async, connect_async, read_async, \
         write_all_async)"
    );
    assert_eq!(scheduler.io_registrations(), (0, 0));
}

#[test]
fn a_socket_used_by_a_task_of_another_scheduler_says_so_instead_of_waiting_for_ever() {
    let first = Scheduler::new(Clock::Real);
    let (client, server) = first.run_until_complete(pair).expect("a pair");
    let second = Scheduler::new(Clock::Real);
    let outcome = second.run_until_complete(move || {
        let mut buffer = [0u8; 4];
        let read = server.read(&mut buffer);
        drop(client);
        read
    });
    let error = super::as_main_returned(outcome).expect_err("main fails");
    assert_eq!(
        error.to_string(),
        "read() failed: the socket belongs to another scheduler (or to one that has ended): a \
         socket can only be used by the tasks of the scheduler it was opened in"
    );
    assert_eq!(first.io_registrations(), (0, 0));
    assert_eq!(second.io_registrations(), (0, 0));
}

// ---- two waiters ----

#[test]
fn a_second_task_waiting_to_read_one_socket_is_told_it_is_busy() {
    let (scheduler, outcome) = run_counted(|counts| {
        let (client, server) = pair()?;
        let server = Rc::new(server);
        let first = spawn("first", {
            let server = Rc::clone(&server);
            move || server.read(&mut [0u8; 4])
        })?;
        let second = spawn("second", move || server.read(&mut [0u8; 4]))?;
        let busy = second.join().map(drop);
        let waiting = counts.registrations();
        client.write_all(b"data")?;
        Ok::<_, SchedError>((busy, waiting, first.join()?))
    });
    let (busy, waiting, first) = outcome.expect("main finishes");
    let Err(SchedError::TaskFailed(failure)) = busy else {
        panic!("the second reader fails: {busy:?}");
    };
    assert_eq!(
        failure.message(),
        "read() failed: another task is already waiting to read from this socket; a socket has \
         one reader at a time: let one task read and hand what it reads to the others"
    );
    assert_eq!(
        failure
            .downcast_ref::<SchedError>()
            .and_then(SchedError::io_kind),
        Some(std::io::ErrorKind::ResourceBusy)
    );
    assert_eq!(waiting, (2, 1), "the first reader still waits, alone");
    assert_eq!(first, 4, "and then reads");
    assert_eq!(scheduler.io_registrations(), (0, 0));
}

#[test]
fn a_second_task_waiting_to_write_one_socket_is_told_it_is_busy() {
    const SIZE: usize = 8 << 20;
    let (_, outcome) = run(|| {
        let (client, server) = pair()?;
        let client = Rc::new(client);
        // Far more than the kernel buffers: the first writer waits.
        let first = spawn("first", {
            let client = Rc::clone(&client);
            move || client.write_all(&vec![0u8; SIZE])
        })?;
        ch06::yield_now()?;
        let second = spawn("second", move || client.write_all(b"cutting in"))?;
        let busy = second.join();
        // The first writer goes on as the peer drains the socket.
        let (mut drained, mut buffer) = (0, vec![0u8; 64 * 1024]);
        while drained < SIZE {
            drained += server.read(&mut buffer)?;
        }
        first.join()?;
        Ok::<_, SchedError>((busy, drained))
    });
    let (busy, drained) = outcome.expect("main finishes");
    let Err(SchedError::TaskFailed(failure)) = busy else {
        panic!("the second writer fails: {busy:?}");
    };
    assert_eq!(
        failure.message(),
        "write() failed: another task is already waiting to write to this socket; a socket has \
         one writer at a time: let one task write and hand it what the others have to send"
    );
    assert_eq!(
        drained, SIZE,
        "the first writer's bytes all arrive, and no other"
    );
}

#[test]
fn a_second_async_task_waiting_to_read_one_socket_is_told_it_is_busy() {
    let (_, outcome) = run_async(async {
        let (client, server) = pair_async().await?;
        let server = Rc::new(server);
        let first = spawn_async("first", {
            let server = Rc::clone(&server);
            async move { server.read_async(&mut [0u8; 4]).await }
        })?;
        let second = spawn_async(
            "second",
            async move { server.read_async(&mut [0u8; 4]).await },
        )?;
        let busy = second.await.map(drop);
        client.write_all_async(b"data").await?;
        Ok::<_, SchedError>((busy, first.await?))
    });
    let (busy, first) = outcome.expect("main finishes");
    assert_eq!(
        busy.map_err(|error| error.failure().map(|failure| failure.message())),
        Err(Some(
            "read() failed: another task is already waiting to read from this socket; a socket \
             has one reader at a time: let one task read and hand what it reads to the others"
                .to_string()
        ))
    );
    assert_eq!(first, 4);
}

// ---- a server that never answers, and cancellation ----

#[test]
fn a_server_that_never_answers_is_given_up_on_by_wait_for_and_nothing_is_left_waiting() {
    for asynchronous in [false, true] {
        let (scheduler, outcome) = run_counted(move |counts| {
            let listener = TcpListener::bind("127.0.0.1:0")?;
            let address = listener.local_addr()?;
            // Accepts, then holds the connection and says nothing.
            let silent = spawn("silent", move || {
                let (_stream, _) = listener.accept()?;
                sleep(Duration::from_secs(3600))
            })?;
            let client = if asynchronous {
                spawn_async("client", async move { fetch_async(address, "/10/x").await })?
            } else {
                spawn("client", move || fetch(address, "/10/x"))?
            };
            let outcome = wait_for(&client, Duration::from_millis(30));
            // The client's socket is gone; the silent server's two remain,
            // and nobody waits on a socket.
            let after = counts.registrations();
            silent.cancel();
            let _ = silent.join();
            Ok::<_, SchedError>((outcome, after, counts.registrations()))
        });
        let (outcome, after, end) = outcome.expect("main finishes");
        assert_eq!(outcome, Err(SchedError::TimedOut), "async: {asynchronous}");
        assert_eq!(after, (2, 0), "async: {asynchronous}");
        assert_eq!(end, (0, 0), "async: {asynchronous}");
        assert_eq!(scheduler.io_registrations(), (0, 0));
    }
}

#[test]
fn reading_into_an_empty_buffer_reads_nothing_at_once_and_writing_nothing_returns_at_once() {
    // Linux's `recv` of no bytes says "would block" while nothing has
    // arrived: a read that passed that on would wait, for nothing, until
    // the peer sent something. Python's `sock.recv(0)` returns `b''` at
    // once, and so does ours; nothing here is ever sent.
    // (Each read runs under a `wait_for` of ten seconds that only a read
    // that waits would ever reach: a test that fails, not one that hangs.)
    let (scheduler, stackful) = run(|| {
        let (client, server) = pair()?;
        let reader = spawn("reader", move || {
            let read = client.read(&mut [])?;
            server.write_all(&[])?;
            Ok::<_, SchedError>(read)
        })?;
        wait_for(&reader, Duration::from_secs(10))
    });
    assert_eq!(stackful, Ok(0));
    assert_eq!(scheduler.io_registrations(), (0, 0));
    let (scheduler, asynchronous) = run(|| {
        let reader = spawn_async("reader", async {
            let (client, server) = pair_async().await?;
            let read = client.read_async(&mut []).await?;
            server.write_all_async(&[]).await?;
            Ok::<_, SchedError>(read)
        })?;
        wait_for(&reader, Duration::from_secs(10))
    });
    assert_eq!(asynchronous, Ok(0));
    assert_eq!(scheduler.io_registrations(), (0, 0));
}

#[test]
fn wait_for_a_read_with_no_time_at_all_gives_up_at_once_and_with_all_the_time_in_the_world_gets_the_bytes()
 {
    let (scheduler, outcome) = run(|| {
        let (client, server) = pair()?;
        let (client, server) = (Rc::new(client), Rc::new(server));
        let reader = Rc::clone(&client);
        let never = spawn("reader", move || reader.read(&mut [0; 4]))?;
        let zero = wait_for(&never, Duration::ZERO);
        let reader = Rc::clone(&client);
        let answered = spawn("reader", move || {
            let mut buf = [0; 4];
            let n = reader.read(&mut buf)?;
            Ok::<_, SchedError>(buf[..n].to_vec())
        })?;
        server.write_all(b"hi")?;
        Ok((zero, wait_for(&answered, Duration::MAX)))
    });
    let (zero, max) = outcome.expect("main finishes");
    assert_eq!(zero, Err(SchedError::TimedOut));
    assert_eq!(max, Ok(b"hi".to_vec()));
    assert_eq!(scheduler.io_registrations(), (0, 0));
}

/// A listener that takes one connection into its queue and no more: with
/// a backlog of zero, and one connection made and never accepted, a
/// second connect waits (its handshake is dropped, and retried a second
/// later, and again).
fn full_listener() -> (std::net::TcpListener, std::net::TcpStream, SocketAddr) {
    use rustix::net::{AddressFamily, SocketType, bind, listen, socket};
    let socket = socket(AddressFamily::INET, SocketType::STREAM, None).expect("a socket");
    let any: SocketAddr = "127.0.0.1:0".parse().expect("an address");
    bind(&socket, &any).expect("a loopback port");
    listen(&socket, 0).expect("listening");
    let listener = std::net::TcpListener::from(socket);
    let address = listener.local_addr().expect("its address");
    let filler = std::net::TcpStream::connect(address).expect("the one connection it queues");
    (listener, filler, address)
}

/// What a task waits for in [`cancelling_a_task_waiting_in_read_accept_or_connect_leaves_no_waiter`].
#[derive(Debug, Clone, Copy, PartialEq)]
enum Waits {
    Read,
    Accept,
    Connect,
}

#[test]
fn cancelling_a_task_waiting_in_read_accept_or_connect_leaves_no_waiter() {
    for waits in [Waits::Read, Waits::Accept, Waits::Connect] {
        for asynchronous in [false, true] {
            let (_full, _filler, full_address) = full_listener();
            let (scheduler, outcome) = run_counted(move |counts| {
                let (client, server) = pair()?;
                let listener = TcpListener::bind("127.0.0.1:0")?;
                let (server, listener) = (Rc::new(server), Rc::new(listener));
                let task = match (waits, asynchronous) {
                    (Waits::Read, false) => {
                        spawn("waiter", move || server.read(&mut [0u8; 4]).map(drop))?
                    }
                    (Waits::Read, true) => spawn_async("waiter", async move {
                        server.read_async(&mut [0u8; 4]).await.map(drop)
                    })?,
                    (Waits::Accept, false) => spawn("waiter", move || listener.accept().map(drop))?,
                    (Waits::Accept, true) => {
                        spawn_async(
                            "waiter",
                            async move { listener.accept_async().await.map(drop) },
                        )?
                    }
                    (Waits::Connect, false) => {
                        spawn("waiter", move || TcpStream::connect(full_address).map(drop))?
                    }
                    (Waits::Connect, true) => spawn_async("waiter", async move {
                        TcpStream::connect_async(full_address).await.map(drop)
                    })?,
                };
                sleep(Duration::from_millis(5))?;
                let waiting = counts.registrations();
                task.cancel();
                let joined = task.join();
                let after = counts.registrations();
                drop(client);
                Ok::<_, SchedError>((waiting, joined, after))
            });
            let what = format!("{waits:?}, async: {asynchronous}");
            let (waiting, joined, after) = outcome.expect("main finishes");
            // Three sockets of main's (two ends and a listener), and the
            // connecting one if there is one; one task waiting.
            let connecting = usize::from(waits == Waits::Connect);
            assert_eq!(waiting, (3 + connecting, 1), "{what}");
            assert_eq!(
                joined,
                Err(SchedError::TaskCancelled {
                    task: "waiter".to_string()
                }),
                "{what}"
            );
            // The waiter is gone, and so is every socket it alone held.
            assert_eq!(after.1, 0, "{what}");
            assert_eq!(scheduler.io_registrations(), (0, 0), "{what}");
        }
    }
}

// ---- the virtual clock ----

#[test]
fn sockets_on_the_virtual_clock_are_refused_with_the_reason() {
    let scheduler = Scheduler::new(Clock::Virtual);
    let outcome = scheduler.run_until_complete(|| TcpListener::bind("127.0.0.1:0").map(drop));
    let error = outcome.expect_err("refused");
    let Some(SchedError::SocketsNeedRealClock { operation: "bind" }) = error
        .failure()
        .and_then(|failure| failure.downcast_ref::<SchedError>())
    else {
        panic!("refused as SocketsNeedRealClock: {error:?}");
    };
    assert_eq!(
        SchedError::SocketsNeedRealClock { operation: "bind" }.to_string(),
        "bind() needs a scheduler on the real clock: on the virtual clock, time jumps to the \
         next timer whenever nothing is ready, and a reply still on its way through the \
         network is not ready yet, so every timeout would fire at once; use \
         Scheduler::new(Clock::Real) for programs with sockets"
    );
    let (_port, address) = nobody_listens();
    let outcome = scheduler.run_until_complete(move || TcpStream::connect(address).map(drop));
    assert!(
        matches!(
            outcome.as_ref().map_err(|error| error
                .failure()
                .and_then(|f| f.downcast_ref::<SchedError>().cloned())),
            Err(Some(SchedError::SocketsNeedRealClock {
                operation: "connect"
            }))
        ),
        "{outcome:?}"
    );
    let outcome = scheduler
        .run_until_complete_async(async move { TcpStream::connect_async(address).await.map(drop) });
    assert!(outcome.is_err());
    assert_eq!(scheduler.io_registrations(), (0, 0));
    assert_eq!(scheduler.io_polls(), 0, "no poller was ever made");
}

#[test]
fn a_socket_on_the_virtual_clock_is_refused_before_any_system_call() {
    // The refusal comes first: a connect on the virtual clock never reaches
    // the listener (no handshake, no connection to accept), and a bind
    // never takes its port, whether the task is stackful or async.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback listener");
    listener.set_nonblocking(true).expect("non-blocking");
    let address = listener.local_addr().expect("its address");
    let scheduler = Scheduler::new(Clock::Virtual);
    let outcome = scheduler.run_until_complete(move || TcpStream::connect(address).map(drop));
    assert!(outcome.is_err(), "{outcome:?}");
    let outcome = scheduler
        .run_until_complete_async(async move { TcpStream::connect_async(address).await.map(drop) });
    assert!(outcome.is_err(), "{outcome:?}");
    let accepted = listener.accept();
    assert!(
        matches!(&accepted, Err(error) if error.kind() == std::io::ErrorKind::WouldBlock),
        "a connection reached the listener: {accepted:?}"
    );
    // A port in use: the clock is the reason given, not the port.
    let outcome = scheduler.run_until_complete(move || TcpListener::bind(address).map(drop));
    let error = outcome.expect_err("refused");
    assert!(
        matches!(
            error.failure().and_then(|f| f.downcast_ref::<SchedError>()),
            Some(SchedError::SocketsNeedRealClock { operation: "bind" })
        ),
        "{error:?}"
    );
    assert_eq!(scheduler.io_polls(), 0, "no poller was ever made");
}

// ---- out of file descriptors ----

/// The soft limit on open files the child sets itself.
const CHILD_LIMIT: u64 = 32;

#[test]
#[ignore = "run by running_out_of_file_descriptors_says_so_and_names_ulimit, in a child process"]
fn child_connects_until_the_file_descriptors_run_out() {
    if !child::is_child("faults::child_connects_until_the_file_descriptors_run_out") {
        return;
    }
    let limit = rustix::process::Rlimit {
        current: Some(CHILD_LIMIT),
        maximum: rustix::process::getrlimit(rustix::process::Resource::Nofile).maximum,
    };
    rustix::process::setrlimit(rustix::process::Resource::Nofile, limit).expect("a lower limit");
    let (scheduler, outcome) = run(|| {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?;
        let mut open = Vec::new();
        loop {
            // Never accepted: each connection waits in the listener's queue,
            // and holds its descriptor.
            match TcpStream::connect(address) {
                Ok(stream) => open.push(stream),
                Err(error) => return Ok::<_, SchedError>((open.len(), error)),
            }
        }
    });
    let (opened, error) = outcome.expect("main finishes");
    println!("opened {opened}");
    println!("error {error}");
    println!("kind {:?}", error.io_kind());
    println!("left {:?}", scheduler.io_registrations());
}

#[test]
fn running_out_of_file_descriptors_says_so_and_names_ulimit() {
    let output = child::run("faults::child_connects_until_the_file_descriptors_run_out");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the child ends normally, with an error and no panic\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // (The first line follows the harness's "test ... " on the same line.)
    let line = |key: &str| {
        stdout
            .lines()
            .find_map(|line| line.split_once(key).map(|(_, value)| value))
            .unwrap_or_else(|| panic!("no `{key}` line in\n{stdout}"))
            .to_string()
    };
    let opened: usize = line("opened ").parse().expect("a count");
    assert!(
        opened > 0 && opened < 32,
        "{opened} connections before the limit"
    );
    assert_eq!(
        line("error "),
        format!(
            "connect() failed: Too many open files (os error 24); the process has run out of \
             file descriptors (ulimit -n is {CHILD_LIMIT}): every socket is one, so close \
             sockets you no longer need, keep fewer open at once, or raise the limit with \
             ulimit -n"
        )
    );
    assert_eq!(line("left "), "(0, 0)", "every socket deregistered");
}
