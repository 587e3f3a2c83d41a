//! What tokio's current-thread runtime orders the way asyncio (and chapter
//! 6's scheduler) does: each test runs the course's program and its tokio
//! twin and requires the same lines, then pins those lines.

use yieldpoint::ch10_sockets::SlowServer;
use yieldpoint::ch12_tokio::{self as course, Blocking, Script, Step, course_order, tokio_order};

use super::example::on_tokio;
use super::strs;

#[test]
fn step_10_prints_the_same_fourteen_lines_on_both() {
    let ours = course::step10();
    assert_eq!(ours, on_tokio::step10());
    assert_eq!(
        strs(&ours),
        [
            "[countdown] 10",
            "[countdown] 9",
            "[main] Doing more stuff",
            "[countdown] 8",
            "[countdown] 7",
            "[main] Hello World",
            "[countdown] 6",
            "[countdown] 5",
            "[countdown] 4",
            "[countdown] 3",
            "[countdown] 2",
            "[countdown] 1",
            "[countdown] TAKE OFF!!!!!",
            "[main] Main is exiting",
        ]
    );
}

#[test]
fn t1_t3_t2_start_in_spawn_order_and_the_sleeper_ends_last_on_both() {
    let ours = course::t1_t3_t2();
    assert_eq!(ours, on_tokio::t1_t3_t2());
    assert_eq!(
        strs(&ours),
        [
            "[main] main start",
            "[main] main middle",
            "[T1] T1 start",
            "[T3] T3 start",
            "[T3] T3 end",
            "[T2] T2 start",
            "[T2] T2 end",
            "[T1] T1 end",
            "[main] main end",
        ]
    );
}

#[test]
fn as_completed_and_a_join_set_hand_out_answers_as_they_arrive_and_gather_and_handles_in_turn_keep_argument_order()
 {
    let ours = course::requests();
    assert_eq!(ours, on_tokio::requests());
    assert_eq!(
        strs(&ours),
        [
            "[main] news took 10 ms, done at 10 ms",
            "[main] weather took 20 ms, done at 20 ms",
            "[main] prices took 30 ms, done at 30 ms",
            "[main] users took 40 ms, done at 40 ms",
            "[main] in argument order: [\"users\", \"news\", \"prices\", \"weather\"], after 40 ms",
        ]
    );
}

#[test]
fn the_concurrent_fetch_over_loopback_gives_the_same_answers_in_request_order_on_both() {
    // Real sockets and a real server: the lines hold the server's answers,
    // in the order main asks for them, and no time of this machine's.
    let server = SlowServer::start().expect("the slow server starts");
    let ours = course::loopback(server.address());
    assert_eq!(ours, on_tokio::loopback(server.address()));
    assert_eq!(
        strs(&ours),
        [
            "[main] users: 200 users after 40 ms",
            "[main] news: 200 news after 10 ms",
            "[main] prices: 200 prices after 30 ms",
            "[main] weather: 200 weather after 20 ms",
        ]
    );
}

/// The four answers, in request order, as main says them.
const ANSWERS: [&str; 4] = [
    "[main] users: 200 users after 40 ms",
    "[main] news: 200 news after 10 ms",
    "[main] prices: 200 prices after 30 ms",
    "[main] weather: 200 weather after 20 ms",
];

// ANCHOR: stalled_test
#[test]
fn a_blocking_call_in_a_task_holds_up_every_answer_until_it_gives_up_on_both() {
    // The call runs on the runtime's one thread: main cannot run to give
    // the word, so the call waits out its 300 ms, and not one answer is
    // in when it lets go; the requests had only begun to connect. Nothing
    // here is timed: on one thread, no other order can happen.
    let server = SlowServer::start().expect("the slow server starts");
    let ours = course::stalled_fetch(server.address(), Blocking::InTheTask);
    assert_eq!(
        ours,
        on_tokio::stalled_fetch(server.address(), Blocking::InTheTask)
    );
    let mut expected =
        vec!["[blocker] nobody let it go: it waited its whole 300 ms, and 0 answers were in"];
    expected.extend(ANSWERS);
    assert_eq!(strs(&ours), expected);
}

#[test]
fn handed_to_a_thread_the_call_waits_while_every_answer_comes_in_on_both() {
    // to_thread_async on ours, spawn_blocking on tokio: the call waits on a
    // thread of a pool, the runtime's thread runs the requests, and main
    // gives the word once it has every answer. If the runtime's thread
    // were blocked, no answer could come, and the call would wait out its
    // ten seconds and say so.
    let server = SlowServer::start().expect("the slow server starts");
    let ours = course::stalled_fetch(server.address(), Blocking::HandedOff);
    assert_eq!(
        ours,
        on_tokio::stalled_fetch(server.address(), Blocking::HandedOff)
    );
    let mut expected = ANSWERS.to_vec();
    expected.push("[blocker] main let it go once 4 answers were in");
    assert_eq!(strs(&ours), expected);
}
// ANCHOR_END: stalled_test

#[test]
fn neither_pretend_clock_moves_while_a_job_runs_on_a_thread() {
    // A job of 50 ms of real time, given 10 ms: the virtual clock waits
    // for the job's promised wake (chapter 11), and tokio's paused clock
    // does not auto-advance while a blocking task runs. Both say 0 ms.
    let ours = course::job_clock();
    assert_eq!(ours, on_tokio::job_clock());
    assert_eq!(
        strs(&ours),
        ["[main] the job ended first: the clock reads 0 ms"]
    );
}

#[test]
fn neither_clock_moves_while_a_task_computes() {
    // Each clock reads after 5 ms of blocked thread what it read before.
    // (What they read differs: see differences.rs.)
    let reading = |line: &String| line.rsplit_once("reads ").expect("a reading").1.to_string();
    for lines in [course::clock(), on_tokio::clock()] {
        assert_eq!(lines.len(), 2);
        assert_eq!(reading(&lines[0]), reading(&lines[1]), "{lines:?}");
    }
}

#[test]
fn without_a_promise_both_clocks_jump_past_a_wake_that_another_thread_will_send() {
    let ours = course::wake_from_thread(false);
    assert_eq!(ours, on_tokio::wake_from_thread());
    assert_eq!(strs(&ours), ["[main] gave up at 1000 ms"]);
}

#[test]
fn equal_deadlines_wake_in_the_order_they_were_set_on_both() {
    // Chapter 6 promises it (the timer heap's tie-breaker); tokio 1.54.1
    // does it too, without promising it in its documentation.
    use Step::{Join, Sleep, Spawn};
    let script = Script::new(&[
        (
            "main",
            &[
                Spawn(1),
                Spawn(2),
                Spawn(3),
                Spawn(4),
                Join(1),
                Join(2),
                Join(3),
                Join(4),
            ],
        ),
        ("A", &[Sleep(3)]),
        ("B", &[Sleep(3)]),
        ("C", &[Sleep(3)]),
        ("D", &[Sleep(3)]),
    ]);
    let ours = course_order(&script).unwrap();
    assert_eq!(ours, on_tokio::script_order(&script, 61));
    assert_eq!(ours, tokio_order(&script, 61).unwrap());
    assert_eq!(
        ours,
        ["main", "A", "B", "C", "D", "A", "B", "C", "D", "main"]
    );
}

#[test]
fn timers_alone_are_polled_in_the_same_order_on_both() {
    let (_, script) = super::example::scripts().remove(2);
    let ours = course_order(&script).unwrap();
    assert_eq!(ours, on_tokio::script_order(&script, 61));
    assert_eq!(ours, ["main", "A", "B", "B", "B", "B", "A", "main"]);
}
