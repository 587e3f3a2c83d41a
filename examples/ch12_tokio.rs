//! Run with: cargo run --example ch12_tokio
//!
//! The course's programs on its own scheduler and on tokio's current-thread
//! runtime, side by side:
//!
//! - Where tokio orders things the same way (step 10, T1/T3/T2, chapter 7's
//!   requests, chapter 10's fetch over loopback on `tokio::net`, chapter
//!   11's stalled fetch with its blocking call in a task and then handed to
//!   a thread, a job against a limit on a pretend clock), the course's
//!   lines, then tokio's verdict: the same lines.
//! - Where it does not, both transcripts: `gather` and a `JoinSet` at the
//!   first failure; cancelling a slow request (an error at the suspension
//!   point, a future dropped at its `.await`, a detached task); three tasks
//!   taking turns with `yield_now`; a timer behind busy tasks (tokio's
//!   `event_interval`); `block_on`'s future behind a busy task; draining a
//!   ready channel (tokio's budget); the clock (paused time against the
//!   virtual clock); a wake from another thread; a socket whose answer is on
//!   its way, under a time limit, on both clocks of both runtimes.
//! - Scripts: the order in which the tasks of a small program are polled,
//!   on the course's scheduler, on tokio, and as the model of tokio's loop
//!   (`ch12_tokio::tokio_order`) predicts it.
//!
//! The course's side is in `src/ch12_tokio/`, tokio's in
//! `examples/ch12_tokio/on_tokio.rs`. Every line is the same on every run:
//! the clocks are virtual or paused, save in the program that needs time to
//! pass, whose lines count polls, not time, and in those that talk to
//! chapter 10's slow server (started in-process, on loopback), whose lines
//! hold its answers and the order things happened in, not the time they
//! took.
//!
//! It takes no options: `--help` prints its usage, and any other argument is
//! refused with a message and exit code 2.

use yieldpoint::ch06_scheduler::Clock;
use yieldpoint::ch10_sockets::SlowServer;
use yieldpoint::ch12_tokio::{
    self as course, Blocking, Script, Step, compress, course_order, tokio_order,
};
use yieldpoint::say;

#[path = "ch12_tokio/on_tokio.rs"]
pub mod on_tokio;

/// Says `lines` again, as they were said (`[role] message`), so that
/// they are printed, or captured by whoever captures this example.
fn print(lines: &[String]) {
    for line in lines {
        let (role, message) = line
            .strip_prefix('[')
            .and_then(|rest| rest.split_once("] "))
            .expect("a said line reads `[role] message`");
        say!(role, "{message}");
    }
}

/// The course's lines, then tokio's verdict: the same lines, or (which the
/// tests forbid) tokio's own.
fn same(ours: &[String], theirs: &[String]) {
    print(ours);
    if ours == theirs && theirs.len() == 1 {
        say!("tokio", "the same line");
    } else if ours == theirs {
        say!("tokio", "the same {} lines", theirs.len());
    } else {
        say!("tokio", "different lines:");
        print(theirs);
    }
}

/// Both transcripts, each under a heading.
fn both(sides: &[(&str, Vec<String>)]) {
    for (side, lines) in sides {
        say!("demo", "{side}:");
        print(lines);
    }
}

/// Step 10, as chapter 9's async tasks and as tokio tasks.
pub fn step10() {
    say!(
        "demo",
        "Step 10 on chapter 9's async tasks (virtual clock), then on tokio (paused)"
    );
    same(&course::step10(), &on_tokio::step10());
}

/// T1, T3, T2.
pub fn t1_t3_t2() {
    say!(
        "demo",
        "T1, T3 and T2, spawned in that order; only T1 sleeps"
    );
    same(&course::t1_t3_t2(), &on_tokio::t1_t3_t2());
}

/// Chapter 7's requests, then `join_all`.
pub fn requests() {
    say!(
        "demo",
        "Four requests at once: as_completed, then gather (tokio: a JoinSet, then the handles in turn)"
    );
    same(&course::requests(), &on_tokio::requests());
    say!(
        "demo",
        "tokio's JoinSet::join_all: in the order the tasks ended"
    );
    print(&on_tokio::join_all());
}

/// Chapter 10's concurrent fetch over loopback, to a slow server of the
/// example's own, on both runtimes.
pub fn loopback() {
    say!(
        "demo",
        "Chapter 10's four requests at once, over loopback to the slow server (tokio: tokio::net)"
    );
    let server = SlowServer::start().expect("the slow server starts");
    same(
        &course::loopback(server.address()),
        &on_tokio::loopback(server.address()),
    );
}

/// Chapter 11's stalled fetch on both runtimes, its blocking call in a task
/// and then handed to a thread; and a job against a time limit on both
/// pretend clocks.
pub fn stalled_fetch() {
    say!(
        "demo",
        "Chapter 11's stalled fetch: the four requests, and a blocker whose call waits for main's word"
    );
    let server = SlowServer::start().expect("the slow server starts");
    say!(
        "demo",
        "the call in the blocker's task, for at most {}:",
        course::ms(course::BLOCK)
    );
    same(
        &course::stalled_fetch(server.address(), Blocking::InTheTask),
        &on_tokio::stalled_fetch(server.address(), Blocking::InTheTask),
    );
    say!(
        "demo",
        "the call handed to a thread (to_thread_async; tokio: spawn_blocking):"
    );
    same(
        &course::stalled_fetch(server.address(), Blocking::HandedOff),
        &on_tokio::stalled_fetch(server.address(), Blocking::HandedOff),
    );
    say!(
        "demo",
        "A job that blocks a thread for {} of real time, given {} (virtual clock; tokio: paused)",
        course::ms(course::JOB_TAKES),
        course::ms(course::JOB_LIMIT)
    );
    same(&course::job_clock(), &on_tokio::job_clock());
}

/// The first failure.
pub fn gather_failure() {
    say!(
        "demo",
        "One request fails after 10 ms: gather, and a JoinSet"
    );
    both(&[
        ("gather (chapter 7)", course::gather_failure()),
        (
            "a JoinSet, dropped at the first failure",
            on_tokio::gather_failure(),
        ),
    ]);
}

/// Cancelling the slow request, three ways, and a timeout that cancels
/// nothing.
pub fn cancellation() {
    say!("demo", "A slow request (50 ms), sent at 10 ms, given 20 ms");
    both(&[
        (
            "wait_for on a stackful task (chapter 7)",
            course::wait_for_stackful(),
        ),
        (
            "wait_for on an async task (chapter 9)",
            course::wait_for_async(),
        ),
        (
            "tokio's timeout on the request's future",
            on_tokio::timeout_future(),
        ),
        (
            "tokio's timeout on a JoinHandle",
            on_tokio::timeout_handle(),
        ),
    ]);
}

/// Three tasks taking turns.
pub fn turns() {
    say!(
        "demo",
        "Three tasks take three turns each, with yield_now after every turn"
    );
    both(&[
        ("on the course's scheduler", course::turns()),
        ("on tokio", on_tokio::turns()),
    ]);
}

/// A timer behind busy tasks.
pub fn busy_timer() {
    say!(
        "demo",
        "A 1 ms timer comes due while two tasks keep the thread busy (real clock)"
    );
    both(&[
        ("on the course's scheduler", course::busy_timer()),
        ("on tokio (event_interval 61)", on_tokio::busy_timer(61)),
        ("on tokio, event_interval(1)", on_tokio::busy_timer(1)),
    ]);
}

/// `block_on`'s future behind a busy task.
pub fn main_behind_busy() {
    say!(
        "demo",
        "Main awaits a task that ends at once, beside a busy task"
    );
    both(&[
        ("on the course's scheduler", course::main_behind_busy()),
        (
            "on tokio, main the block_on future",
            on_tokio::main_behind_busy(),
        ),
        (
            "on tokio, main a spawned task",
            on_tokio::main_behind_busy_spawned(),
        ),
    ]);
}

/// Draining a ready channel.
pub fn drain() {
    say!(
        "demo",
        "A task drains 300 values that are all ready, beside a ticker"
    );
    both(&[
        ("on the course's scheduler", course::drain()),
        ("on tokio", on_tokio::drain(false)),
        ("on tokio, the drain unconstrained", on_tokio::drain(true)),
    ]);
}

/// The clocks.
pub fn clock() {
    say!("demo", "Sleep 1.5 ms, then block the thread for 5 ms");
    both(&[
        ("the virtual clock", course::clock()),
        ("tokio's paused clock", on_tokio::clock()),
    ]);
    say!(
        "demo",
        "A helper thread will send an answer; main waits for it for at most a second"
    );
    both(&[
        ("the virtual clock", course::wake_from_thread(false)),
        (
            "the virtual clock, promised the wake",
            course::wake_from_thread(true),
        ),
        ("tokio's paused clock", on_tokio::wake_from_thread()),
    ]);
}

/// A request whose answer is on its way, given a second, on both runtimes'
/// clocks, running and not.
pub fn in_flight() {
    let server = SlowServer::start().expect("the slow server starts");
    say!(
        "demo",
        "The slow server answers {} after 200 ms; main gives it a second",
        course::IN_FLIGHT
    );
    both(&[
        (
            "tokio's clock, running",
            on_tokio::in_flight(server.address(), false),
        ),
        (
            "tokio's clock, paused",
            on_tokio::in_flight(server.address(), true),
        ),
        (
            "the real clock",
            course::in_flight(server.address(), Clock::Real),
        ),
        (
            "the virtual clock",
            course::in_flight(server.address(), Clock::Virtual),
        ),
    ]);
}

/// The scripts the example runs three ways.
pub fn scripts() -> Vec<(&'static str, Script)> {
    use Step::{Join, Sleep, Spawn, Wake, Yield};
    vec![
        (
            "A, B and C yield twice each",
            Script::new(&[
                (
                    "main",
                    &[Spawn(1), Spawn(2), Spawn(3), Join(1), Join(2), Join(3)],
                ),
                ("A", &[Yield, Yield]),
                ("B", &[Yield, Yield]),
                ("C", &[Yield, Yield]),
            ]),
        ),
        (
            "main joins quick, which ends at once, beside busy (70 wakes)",
            Script::new(&[
                ("main", &[Spawn(1), Spawn(2), Join(1), Join(2)]),
                ("quick", &[]),
                ("busy", &[Wake; 70]),
            ]),
        ),
        (
            "A sleeps 2 ms, B yields, then sleeps 1 ms",
            Script::new(&[
                ("main", &[Spawn(1), Spawn(2), Join(1), Join(2)]),
                ("A", &[Sleep(2)]),
                ("B", &[Yield, Sleep(1), Wake]),
            ]),
        ),
    ]
}

/// Each script's poll order, three ways.
pub fn poll_orders() {
    say!(
        "demo",
        "Who is polled when: the course's scheduler, tokio, and the model of tokio's loop"
    );
    for (title, script) in scripts() {
        say!("script", "{title}");
        let ours = course_order(&script).expect("a checked script");
        let theirs = on_tokio::script_order(&script, 61);
        let model = tokio_order(&script, 61).expect("a checked script");
        say!("script", "  ours:  {}", compress(&ours));
        say!("script", "  tokio: {}", compress(&theirs));
        say!("script", "  model: {}", compress(&model));
    }
}

/// The sections, in order.
pub const SECTIONS: &[fn()] = &[
    step10,
    t1_t3_t2,
    requests,
    loopback,
    stalled_fetch,
    gather_failure,
    cancellation,
    turns,
    busy_timer,
    main_behind_busy,
    drain,
    clock,
    in_flight,
    poll_orders,
];

/// How to call the example: it takes no options.
pub const USAGE: &str = "cargo run --example ch12_tokio (no options; --help prints this)";

/// Runs the example with the options in `args`: there are none, so
/// `--help` (or `-h`) prints the usage, and anything else is refused with a
/// message naming it, the usage, and exit code 2, as the other chapters'
/// examples do.
pub fn run(args: &[String]) {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        say!("usage", "{USAGE}");
        return;
    }
    if let Some(unknown) = args.first() {
        say!(
            "error",
            "unknown argument {unknown:?}: this example takes no options"
        );
        say!("usage", "{USAGE}");
        std::process::exit(2);
    }
    for section in SECTIONS {
        section();
    }
}

/// The entry point: `run` with the command line's arguments.
pub fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run(&args);
}
