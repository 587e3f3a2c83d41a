//! The course's side of chapter 12 on its own: scripts on chapter 6's
//! scheduler, and the channel whose receiver never yields.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use yieldpoint::ch09_async_fn::{WakeTarget, waker_by_trait};
use yieldpoint::ch12_tokio::{
    Script, ScriptError, Step, compress, course_order, unbounded_channel,
};

use super::example::scripts;

use Step::{Join, Sleep, Spawn, Wake, Yield};

#[test]
fn on_the_course_s_scheduler_a_yield_goes_to_the_back_of_the_queue_in_order() {
    let (_, script) = scripts().remove(0);
    assert_eq!(
        course_order(&script).unwrap(),
        ["main", "A", "B", "C", "A", "B", "C", "A", "B", "C", "main"]
    );
}

#[test]
fn on_the_course_s_scheduler_main_is_a_task_and_goes_on_one_pass_after_quick_ends() {
    let (_, script) = scripts().remove(1);
    let order = course_order(&script).unwrap();
    assert_eq!(compress(&order), "main quick busy main busy ×70 main");
}

#[test]
fn a_script_must_keep_the_rules_to_run() {
    let refused = |tasks: &[(&'static str, &[Step])]| match course_order(&Script::new(tasks)) {
        Err(ScriptError::Invalid(why)) => why,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(refused(&[]), "it has no main task");
    assert_eq!(refused(&[("main", &[]), ("A", &[])]), "A is never spawned");
    assert_eq!(
        refused(&[("main", &[Spawn(1), Spawn(1)]), ("A", &[])]),
        "A is spawned twice"
    );
    assert_eq!(
        refused(&[("main", &[Spawn(0)])]),
        "main spawns task 0, which is not a task after it"
    );
    assert_eq!(
        refused(&[("main", &[Join(1), Spawn(1)]), ("A", &[])]),
        "main joins task 1, which it has not spawned before, or joined already"
    );
    assert_eq!(
        refused(&[("main", &[Spawn(1), Join(1), Join(1)]), ("A", &[])]),
        "main joins task 1, which it has not spawned before, or joined already"
    );
    assert_eq!(
        refused(&[("main", &[Sleep(0)])]),
        "main sleeps for zero milliseconds"
    );
    assert_eq!(
        ScriptError::Invalid("A is never spawned".to_string()).to_string(),
        "the script cannot run: A is never spawned"
    );
}

#[test]
fn compress_writes_runs_of_one_name_short() {
    assert_eq!(compress(&[]), "");
    assert_eq!(compress(&["main"]), "main");
    assert_eq!(compress(&["a", "a", "b", "a"]), "a ×2 b a");
}

#[test]
fn a_full_channel_is_ready_at_every_poll_however_many_values_came_before() {
    let (sender, mut receiver) = unbounded_channel();
    for value in 0..1000 {
        sender.send(value);
    }
    let target = WakeTarget::counter();
    let waker = waker_by_trait(Arc::clone(&target));
    let mut cx = Context::from_waker(&waker);
    for expected in 0..1000 {
        assert_eq!(
            pin!(receiver.recv()).poll(&mut cx),
            Poll::Ready(Some(expected))
        );
    }
    assert!(receiver.is_empty());
    assert_eq!(target.wakes(), 0);
}

#[test]
fn an_empty_channel_keeps_the_waker_until_a_send_and_ends_when_the_senders_are_gone() {
    let (sender, mut receiver) = unbounded_channel::<&str>();
    let target = WakeTarget::counter();
    let waker = waker_by_trait(Arc::clone(&target));
    let mut cx = Context::from_waker(&waker);
    assert_eq!(pin!(receiver.recv()).poll(&mut cx), Poll::Pending);
    let second = sender.clone();
    sender.send("hello");
    assert_eq!(target.wakes(), 1);
    assert_eq!(receiver.len(), 1);
    assert_eq!(
        pin!(receiver.recv()).poll(&mut cx),
        Poll::Ready(Some("hello"))
    );
    assert_eq!(pin!(receiver.recv()).poll(&mut cx), Poll::Pending);
    drop(sender);
    assert_eq!(target.wakes(), 1, "a sender is left");
    drop(second);
    assert_eq!(
        target.wakes(),
        2,
        "the last sender's drop wakes the receiver"
    );
    assert_eq!(pin!(receiver.recv()).poll(&mut cx), Poll::Ready(None));
}

#[test]
fn the_course_s_programs_agree_with_chapter_6s_scheduler_on_a_script_of_timers_and_yields() {
    let script = Script::new(&[
        ("main", &[Spawn(1), Spawn(2), Join(2), Join(1)]),
        ("A", &[Sleep(2), Wake]),
        ("B", &[Yield, Sleep(1)]),
    ]);
    assert_eq!(
        course_order(&script).unwrap(),
        ["main", "A", "B", "B", "B", "main", "A", "A", "main"]
    );
}
