//! The tests of chapter 10's small exercises, one module per exercise.
//!
//! Each module compiles the learner's file under the feature `learner`, and
//! the reference solution otherwise:
//!
//! ```text
//! cargo test --test ch10_sockets -- exercises::e1_echo::                    the solution
//! cargo test --features learner --test ch10_sockets -- exercises::e1_echo::  your file
//! ```
//!
//! A test that would hang on a wrong answer (a server that serves one
//! client at a time, a reader that waits for bytes it already has) runs
//! its client under `wait_for` with a generous limit, so that it fails
//! instead; the limit is never what a right answer is judged by.

use std::net::Shutdown;
use std::time::Duration;

use yieldpoint::ch06_scheduler::{SchedError, sleep, spawn};
use yieldpoint::ch07_combinators::wait_for;
use yieldpoint::ch10_sockets::{TcpListener, TcpStream};

use super::{nobody_listens, pair, run, run_counted, slow_server};

/// Far longer than any right answer takes: the limit that turns a hang
/// into a failure.
const HANG: Duration = Duration::from_secs(5);

/// Reads exactly `n` bytes from `stream`.
fn read_exactly(stream: &TcpStream, n: usize) -> Result<Vec<u8>, SchedError> {
    let mut got = Vec::new();
    let mut buffer = [0u8; 4096];
    while got.len() < n {
        match stream.read(&mut buffer[..(n - got.len()).min(4096)])? {
            0 => break,
            k => got.extend_from_slice(&buffer[..k]),
        }
    }
    Ok(got)
}

// The paths inside are read from the crate root (two levels up from here).
#[path = "../.."]
pub mod e1_echo {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch10_sockets/1_echo.rs")]
    #[cfg_attr(not(feature = "learner"), path = "solutions/ch10_sockets/1_echo.rs")]
    mod exercise;
    use exercise::{echo, echo_server};

    #[test]
    fn echo_sends_back_every_byte_in_order_and_then_the_end() {
        let (scheduler, outcome) = run(|| {
            let (client, server) = pair()?;
            let echoing = spawn("echo", move || echo(server))?;
            let data: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
            // In pieces of every size, as a client might write them.
            for piece in data.chunks(7_919) {
                client.write_all(piece)?;
            }
            client.shutdown(Shutdown::Write)?;
            let mut back = Vec::new();
            client.read_to_end(&mut back)?;
            Ok::<_, SchedError>((back == data, echoing.join()?))
        });
        assert_eq!(outcome, Ok((true, 100_000)));
        assert_eq!(scheduler.io_registrations(), (0, 0));
    }

    #[test]
    fn an_empty_conversation_is_echoed_as_nothing() {
        let (_, outcome) = run(|| {
            let (client, server) = pair()?;
            let echoing = spawn("echo", move || echo(server))?;
            client.shutdown(Shutdown::Write)?;
            let mut back = Vec::new();
            client.read_to_end(&mut back)?;
            Ok::<_, SchedError>((back, echoing.join()?))
        });
        assert_eq!(outcome, Ok((Vec::new(), 0)));
    }

    #[test]
    fn two_clients_are_served_at_once() {
        let (scheduler, outcome) = run(|| {
            let listener = TcpListener::bind("127.0.0.1:0")?;
            let address = listener.local_addr()?;
            let server = spawn("server", move || echo_server(listener, 2))?;
            // The first client stays connected while the second is served:
            // a server that serves one client at a time never gets to it.
            let clients = spawn("clients", move || {
                let a = TcpStream::connect(address)?;
                a.write_all(b"hello")?;
                let a_back = read_exactly(&a, 5)?;
                let b = TcpStream::connect(address)?;
                b.write_all(b"world!")?;
                let b_back = read_exactly(&b, 6)?;
                a.shutdown(Shutdown::Write)?;
                b.shutdown(Shutdown::Write)?;
                let (mut a_end, mut b_end) = (Vec::new(), Vec::new());
                a.read_to_end(&mut a_end)?;
                b.read_to_end(&mut b_end)?;
                Ok::<_, SchedError>((a_back, b_back, a_end.len() + b_end.len()))
            })?;
            let clients = wait_for(&clients, HANG);
            Ok::<_, SchedError>((clients, wait_for(&server, HANG)))
        });
        let (clients, server) = outcome.expect("main finishes");
        assert_eq!(
            clients,
            Ok((b"hello".to_vec(), b"world!".to_vec(), 0)),
            "both clients echoed (a TimedOut here: the second client was never served)"
        );
        assert_eq!(server, Ok(11), "11 bytes echoed in all");
        assert_eq!(scheduler.io_registrations(), (0, 0));
    }
}

#[path = "../.."]
pub mod e2_read_line {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch10_sockets/2_read_line.rs")]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch10_sockets/2_read_line.rs"
    )]
    mod exercise;
    use exercise::Lines;

    /// Every line `pieces` make, written one piece at a time with a pause
    /// between (so that each arrives on its own), read with `Lines`.
    fn lines_of(pieces: &'static [&'static [u8]]) -> Result<Vec<String>, SchedError> {
        let (_, outcome) = run(move || {
            let (client, server) = pair()?;
            let writer = spawn("writer", move || {
                for piece in pieces {
                    client.write_all(piece)?;
                    sleep(Duration::from_millis(2))?;
                }
                Ok::<(), SchedError>(())
            })?;
            let mut lines = Lines::new(&server);
            let mut got = Vec::new();
            while let Some(line) = lines.next_line()? {
                got.push(line);
            }
            writer.join()?;
            Ok::<_, SchedError>(got)
        });
        outcome
    }

    #[test]
    fn a_line_in_pieces_is_put_together() {
        assert_eq!(
            lines_of(&[b"hel", b"lo\nwor", b"ld\n"]).as_deref(),
            Ok(&["hello".to_string(), "world".to_string()][..])
        );
    }

    #[test]
    fn lines_that_arrive_together_are_returned_one_by_one() {
        assert_eq!(
            lines_of(&[b"one\ntwo\n\nfour\n"]).as_deref(),
            Ok(&[
                "one".to_string(),
                "two".to_string(),
                String::new(),
                "four".to_string()
            ][..])
        );
    }

    #[test]
    fn a_last_line_without_its_line_break_is_returned_as_it_is() {
        assert_eq!(
            lines_of(&[b"first\nla", b"st"]).as_deref(),
            Ok(&["first".to_string(), "last".to_string()][..])
        );
        assert_eq!(lines_of(&[]).as_deref(), Ok(&[][..]));
    }

    #[test]
    fn a_line_already_read_is_returned_without_reading_again() {
        // Both lines arrive at once, and the writer keeps the connection
        // open until the reader has them both: a reader that reads before
        // it looks at what it has would wait for ever for more.
        let (_, outcome) = run(|| {
            let (client, server) = pair()?;
            client.write_all(b"one\ntwo\n")?;
            let reader = spawn("reader", move || {
                let mut lines = Lines::new(&server);
                Ok::<_, SchedError>((lines.next_line()?, lines.next_line()?))
            })?;
            let got = wait_for(&reader, HANG);
            drop(client);
            Ok::<_, SchedError>(got)
        });
        assert_eq!(
            outcome,
            Ok(Ok((Some("one".to_string()), Some("two".to_string())))),
            "(a TimedOut here: the second line was already read, and the reader waited for more)"
        );
    }
}

#[path = "../.."]
pub mod e3_fetch_within {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch10_sockets/3_fetch_within.rs")]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch10_sockets/3_fetch_within.rs"
    )]
    mod exercise;
    use exercise::fetch_within;

    #[test]
    fn an_answer_in_time_is_returned() {
        let server = slow_server();
        let address = server.address();
        let (_, outcome) = run(move || fetch_within(address, "/0/quick", Duration::from_secs(5)));
        assert_eq!(outcome, Ok(Some("200 quick after 0 ms".to_string())));
    }

    #[test]
    fn a_late_answer_is_given_up_on_and_nothing_is_left_open() {
        let server = slow_server();
        let address = server.address();
        let (_, outcome) = run_counted(move |counts| {
            let answer = fetch_within(address, "/10000/late", Duration::from_millis(20))?;
            Ok::<_, SchedError>((answer, counts.registrations()))
        });
        assert_eq!(outcome, Ok((None, (0, 0))));
    }

    #[test]
    fn a_refused_connection_is_passed_on() {
        let (_port, address) = nobody_listens();
        let (_, outcome) = run(move || fetch_within(address, "/0/x", Duration::from_secs(5)));
        let error = outcome.expect_err("refused");
        assert!(
            error
                .to_string()
                .starts_with("connect() failed: Connection refused"),
            "{error}"
        );
    }
}

#[path = "../.."]
pub mod e4_first_answer {
    use super::*;

    #[cfg_attr(feature = "learner", path = "exercises/ch10_sockets/4_first_answer.rs")]
    #[cfg_attr(
        not(feature = "learner"),
        path = "solutions/ch10_sockets/4_first_answer.rs"
    )]
    mod exercise;
    use exercise::first_answer;

    #[test]
    fn the_first_answer_to_arrive_wins() {
        let server = slow_server();
        let address = server.address();
        let (_, outcome) =
            run(move || first_answer(address, &["/10000/slow", "/10/fast", "/20000/slower"]));
        assert_eq!(outcome.as_deref(), Ok("200 fast after 10 ms"));
    }

    #[test]
    fn the_other_requests_are_over_when_it_returns() {
        let server = slow_server();
        let address = server.address();
        let (scheduler, outcome) = run_counted(move |counts| {
            let answer = first_answer(address, &["/10000/slow", "/0/fast", "/20000/slower"])?;
            Ok::<_, SchedError>((answer, counts.registrations()))
        });
        assert_eq!(
            outcome,
            Ok(("200 fast after 0 ms".to_string(), (0, 0))),
            "every other request's connection closed, and nothing waiting"
        );
        assert_eq!(scheduler.live_tasks(), 0);
    }
}
