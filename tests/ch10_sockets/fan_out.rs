//! A thousand connections at once, from stackful tasks and from async
//! tasks: every one gets the answer it asked for, and every registration
//! is gone at the end.
//!
//! A thousand connections to a server in the same process hold two
//! thousand file descriptors, more than a common default soft limit
//! (`ulimit -n` of 1,024): the test raises this process's soft limit, up to
//! the hard limit, as the example does (`raise_open_file_limit`).

use yieldpoint::ch06_scheduler::{Clock, SchedError, Scheduler, spawn};
use yieldpoint::ch07_combinators::gather;
use yieldpoint::ch09_async_fn::spawn_async;
use yieldpoint::ch10_sockets::{fetch, fetch_async, raise_open_file_limit};

use super::slow_server;

/// How many connections at once.
const CLIENTS: usize = 1_000;

/// The answer client `i` must get.
fn answer(i: usize) -> String {
    format!("200 fan{i} after 20 ms")
}

#[test]
fn a_thousand_connections_at_once_each_get_the_answer_they_asked_for() {
    if let Err(problem) = raise_open_file_limit(2 * CLIENTS as u64 + 200) {
        panic!("the fan-out needs more open files than this machine allows: {problem}");
    }
    let server = slow_server();
    let address = server.address();

    let stackful = Scheduler::new(Clock::Real).with_stack_size(64 * 1024);
    let answers = stackful.run_until_complete(move || {
        let tasks = (0..CLIENTS)
            .map(|i| spawn("fan", move || fetch(address, &format!("/20/fan{i}"))))
            .collect::<Result<Vec<_>, _>>()?;
        gather(&tasks)
    });
    let answers = answers.expect("every stackful client is answered");
    assert!(answers.iter().enumerate().all(|(i, got)| *got == answer(i)));
    assert_eq!(stackful.io_registrations(), (0, 0));
    assert_eq!(stackful.live_tasks(), 0);

    let asynchronous = Scheduler::new(Clock::Real);
    let answers = asynchronous.run_until_complete_async(async move {
        let mut tasks = Vec::new();
        for i in 0..CLIENTS {
            tasks.push(spawn_async("fan", async move {
                fetch_async(address, &format!("/20/fan{i}")).await
            })?);
        }
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await?);
        }
        Ok::<_, SchedError>(answers)
    });
    let answers = answers.expect("every async client is answered");
    assert!(answers.iter().enumerate().all(|(i, got)| *got == answer(i)));
    assert_eq!(asynchronous.io_registrations(), (0, 0));
}
