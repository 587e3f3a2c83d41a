//! The loop with sockets in it: asyncio's order within an iteration,
//! checked against CPython; the trace of I/O waits and readiness; and
//! readiness as a hint (a spurious wake means wait again).

use std::cell::RefCell;
use std::future::poll_fn;
use std::path::Path;
use std::pin::pin;
use std::process::Command;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use yieldpoint::ch06_scheduler::{
    self as ch06, Cause, Clock, EventKind, Interest, SchedError, Scheduler, TaskId, sleep, spawn,
    yield_now,
};
use yieldpoint::ch07_combinators::gather;
use yieldpoint::ch09_async_fn::spawn_async;

use super::interpreter::python_or_skip;
use super::{pair, pair_async, run, run_async};

/// The lines `readiness_before_timers.py` prints on CPython 3.11.
const CPYTHON: [&str; 4] = [
    "timer callback",
    "reader got x",
    "sleeper woke",
    "main done",
];

// ANCHOR: readiness_before_timers
/// `readiness_before_timers.py` on this crate's scheduler: in one
/// iteration a socket becomes readable (a reader task waits on it) and two
/// timers are due (a sleeping task's, and a callback's).
fn readiness_before_timers() -> Vec<String> {
    let lines: Rc<RefCell<Vec<String>>> = Rc::default();
    let say = {
        let lines = Rc::clone(&lines);
        move |line: String| lines.borrow_mut().push(line)
    };
    let (_, outcome) = run(move || {
        let (writer, reader_socket) = pair()?;
        let reader = spawn("reader", {
            let say = say.clone();
            move || {
                let mut data = [0u8; 1];
                let n = reader_socket.read(&mut data)?;
                say(format!(
                    "reader got {}",
                    String::from_utf8_lossy(&data[..n])
                ));
                Ok::<(), SchedError>(())
            }
        })?;
        let sleeper = spawn("sleeper", {
            let say = say.clone();
            move || {
                sleep(Duration::from_millis(10))?;
                say("sleeper woke".to_string());
                Ok::<(), SchedError>(())
            }
        })?;
        yield_now()?; // both tasks start: one waits to read, one sleeps
        ch06::call_later(Duration::from_millis(15), {
            let say = say.clone();
            move || say("timer callback".to_string())
        })?;
        writer.write_all(b"x")?; // the reader's socket is readable from now on
        std::thread::sleep(Duration::from_millis(30)); // by the next iteration, both timers are due
        gather(&[reader, sleeper])?;
        say("main done".to_string());
        Ok::<(), SchedError>(())
    });
    outcome.expect("main finishes");
    lines.take()
}
// ANCHOR_END: readiness_before_timers

#[test]
fn readiness_is_handled_before_due_timers_and_its_task_runs_in_the_next_pass() {
    // The iteration after the thread's block: the poller reports the reader's
    // socket, and its handler (a callback that wakes the reader) goes to the
    // ready queue first; then the due timers, the sleeper's and the
    // callback. The pass runs the handler (the reader's step is queued), the
    // sleeper's timer (its step is queued), the callback (which prints). The
    // next pass runs the reader, then the sleeper. Due timers handled first
    // would print the sleeper before the reader.
    assert_eq!(readiness_before_timers(), CPYTHON);
}

#[test]
fn cpython_prints_the_same_lines_in_the_same_order() {
    let Some(python) = python_or_skip("chapter 10 checks the Rust side of the order only") else {
        return;
    };
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ch10_sockets/readiness_before_timers.py");
    let output = Command::new(python)
        .arg(&script)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines, CPYTHON, "CPython's lines");
    assert_eq!(readiness_before_timers(), lines, "the same on both");
}

/// The id of the task called `name` in `scheduler`'s trace.
fn task_named(scheduler: &Scheduler, name: &str) -> TaskId {
    scheduler
        .trace()
        .tasks()
        .into_iter()
        .find(|(_, task)| task == name)
        .unwrap_or_else(|| panic!("no task {name} in the trace"))
        .0
}

/// What happened to `task`, in order.
fn events_of(scheduler: &Scheduler, task: TaskId) -> Vec<EventKind> {
    scheduler
        .trace()
        .events
        .into_iter()
        .filter(|event| event.task == Some(task))
        .map(|event| event.kind)
        .collect()
}

#[test]
fn the_trace_draws_io_waits_and_the_readiness_that_ends_them() {
    for asynchronous in [false, true] {
        let scheduler = Scheduler::new(Clock::Real).with_trace();
        let reader = move |stream: yieldpoint::ch10_sockets::TcpStream| async move {
            let mut data = [0u8; 4];
            stream.read_async(&mut data).await
        };
        let outcome = scheduler.run_until_complete(move || {
            let (client, server) = pair()?;
            let task = if asynchronous {
                spawn_async("reader", reader(server))?
            } else {
                spawn("reader", move || {
                    let mut data = [0u8; 4];
                    server.read(&mut data)
                })?
            };
            sleep(Duration::from_millis(2))?;
            client.write_all(b"ping")?;
            task.join()
        });
        assert_eq!(outcome, Ok(4), "async: {asynchronous}");
        let task = task_named(&scheduler, "reader");
        let events = events_of(&scheduler, task);
        let waits: Vec<usize> = events
            .iter()
            .filter_map(|kind| match kind {
                EventKind::IoWait {
                    socket,
                    interest: Interest::Read,
                } => Some(*socket),
                _ => None,
            })
            .collect();
        let [socket] = waits[..] else {
            panic!("one wait to read (async: {asynchronous}): {events:?}");
        };
        assert!(
            events.contains(&EventKind::Woken(Cause::Io(socket))),
            "woken by its socket (async: {asynchronous}): {events:?}"
        );
        assert!(
            !events.contains(&EventKind::Woken(Cause::Waker(None))),
            "the wake is the socket's, not an anonymous callback's: {events:?}"
        );
        let diagram = scheduler.trace().diagram();
        assert!(
            diagram.contains(&format!("| waits to read socket {socket}"))
                && diagram.contains(&format!("* socket {socket} ready")),
            "{diagram}"
        );
    }
}

#[test]
fn a_spurious_wake_of_a_stackful_task_means_wait_again() {
    // One socket, one task reading it and one writing to it. The writer
    // fills the send buffer and waits to write; each time the peer drains
    // it, the poller reports the socket (one arming covers both ways) and
    // both waiters are woken. The reader finds nothing to read: WouldBlock,
    // so it waits again, until the peer finally sends it a byte.
    const SIZE: usize = 4 << 20;
    let scheduler = Scheduler::new(Clock::Real).with_trace();
    let outcome = scheduler.run_until_complete(|| {
        let (ours, peer) = pair()?;
        let ours = Rc::new(ours);
        let reading = Rc::clone(&ours);
        let reader = spawn("reader", move || {
            let mut data = [0u8; 1];
            let n = reading.read(&mut data)?;
            Ok::<_, SchedError>(data[..n].to_vec())
        })?;
        let writer = spawn("writer", move || ours.write_all(&vec![7u8; SIZE]))?;
        sleep(Duration::from_millis(2))?; // both wait now
        let mut drained = 0;
        let mut chunk = vec![0u8; 64 * 1024];
        while drained < SIZE {
            drained += peer.read(&mut chunk)?;
        }
        writer.join()?;
        peer.write_all(b"!")?;
        reader.join()
    });
    assert_eq!(outcome.as_deref(), Ok(&b"!"[..]));
    let reader = task_named(&scheduler, "reader");
    let waits = events_of(&scheduler, reader)
        .iter()
        .filter(|kind| matches!(kind, EventKind::IoWait { .. }))
        .count();
    assert!(
        waits >= 2,
        "the reader was woken with nothing to read, and waited again ({waits} waits)"
    );
    assert_eq!(scheduler.io_registrations(), (0, 0));
}

#[test]
fn a_future_polled_for_no_reason_keeps_waiting_and_is_not_a_second_waiter() {
    // A read future polled again and again by its task, which wakes itself:
    // each poll finds WouldBlock and leaves the same waker with the poller.
    // The poller counts one waiting task throughout, not one per poll, and
    // the read gets its bytes once they come. The writer sends them only
    // after the sixth poll, the first the task did not ask for itself: no
    // clock decides it.
    let counts: Rc<RefCell<Vec<(usize, usize)>>> = Rc::default();
    let scheduler = Rc::new(Scheduler::new(Clock::Real));
    let (weak, log) = (Rc::downgrade(&scheduler), Rc::clone(&counts));
    let polled = Rc::clone(&counts);
    let outcome = scheduler.run_until_complete_async(async move {
        let (client, server) = pair_async().await?;
        let writer = spawn_async("writer", async move {
            for _ in 0..1_000 {
                if polled.borrow().len() == 6 {
                    break;
                }
                yieldpoint::ch09_async_fn::yield_now().await?;
            }
            client.write_all_async(b"hello").await
        })?;
        let mut data = [0u8; 8];
        let mut read = pin!(server.read_async(&mut data));
        let mut spurious = 0;
        let n = poll_fn(|cx| match read.as_mut().poll(cx) {
            Poll::Ready(n) => Poll::Ready(n),
            Poll::Pending => {
                if let Some(scheduler) = weak.upgrade() {
                    log.borrow_mut().push(scheduler.io_registrations());
                }
                if spurious < 5 {
                    spurious += 1;
                    cx.waker().wake_by_ref();
                }
                Poll::Pending
            }
        })
        .await?;
        writer.await?;
        Ok::<_, SchedError>((n, spurious))
    });
    assert_eq!(outcome, Ok((5, 5)));
    let counts = counts.borrow();
    assert_eq!(
        counts.len(),
        6,
        "five polls for no reason, one before the bytes came"
    );
    assert!(
        counts.iter().all(|&(_, waiting)| waiting == 1),
        "one waiting task, however often it is polled: {counts:?}"
    );
    assert_eq!(scheduler.io_registrations(), (0, 0));
}

#[test]
fn yield_now_between_reads_changes_nothing_on_the_wire() {
    // Readiness is remembered by the kernel, not by the loop: bytes that
    // arrive while the reader is busy elsewhere are there when it reads.
    let (_, outcome) = run_async(async move {
        let (client, server) = pair_async().await?;
        client.write_all_async(b"early").await?;
        for _ in 0..3 {
            yieldpoint::ch09_async_fn::yield_now().await?;
        }
        let mut data = [0u8; 8];
        let n = server.read_async(&mut data).await?;
        Ok::<_, SchedError>(data[..n].to_vec())
    });
    assert_eq!(outcome.as_deref(), Ok(&b"early"[..]));
}
