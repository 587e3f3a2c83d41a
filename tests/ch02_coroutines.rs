//! Chapter 2's tests. They also judge the rebuild exercise (2.4):
//! `cargo test --features exercise-ch02 --test ch02_coroutines -- --skip exercises::`.
//! The small exercises' tests are in `ch02_coroutines/exercises.rs`.
//!
//! Each test drives a generator one resume at a time and checks what came
//! out, what the body saw, and `started()`/`finished()` after every step.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use yieldpoint::ch02_coroutines::{
    DEFAULT_STACK_SIZE, Finished, Generator, GeneratorState, Wait, Yielder, run_round_robin,
};
use yieldpoint::output::capture;

#[allow(dead_code)]
#[path = "../examples/ch02_coroutines.rs"]
mod example;

#[macro_use]
#[path = "support/example_command_line.rs"]
mod example_command_line;
#[path = "support/child.rs"]
mod child;

// The small exercises' tests: `cargo test --test ch02_coroutines -- exercises::`.
#[path = "ch02_coroutines/exercises.rs"]
mod exercises;

use GeneratorState::{Complete, Yielded};

/// A shared list the body and the test both write to, to check who ran when.
type Log = Rc<RefCell<Vec<String>>>;

fn log_of(log: &Log) -> Vec<String> {
    log.borrow().clone()
}

/// Counts its own drops in a shared counter.
struct DropCounter(Rc<Cell<usize>>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

/// The message of a caught panic payload (`panic!` with or without format
/// arguments).
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        message.to_string()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "<a panic payload that is not a string>".to_string()
    }
}

// ---------------------------------------------------------------------------
// The example

#[test]
fn the_example_prints_the_four_programs_in_order() {
    let (_, lines) = capture(|| example::run(&[]));
    assert_eq!(
        lines,
        [
            // Step 4: a generator that pauses once.
            "[main] Starting",
            "[generator] Hello",
            "[main] Paused",
            "[generator] World",
            "[main] Finished with Result",
            // Values in and out.
            "[main] send Some(10)",
            "[generator] adding 10",
            "[main] total so far: 10",
            "[main] send Some(5)",
            "[generator] adding 5",
            "[main] total so far: 15",
            "[main] send Some(27)",
            "[generator] adding 27",
            "[main] total so far: 42",
            "[main] send None",
            "[generator] no more numbers",
            "[main] finished after 3 numbers",
            // Step 6: a generator as an iterator.
            "[generator] Yielding 0",
            "[main] main got 0",
            "[generator] Yielding 1",
            "[main] main got 1",
            "[generator] Yielding 2",
            "[main] main got 2",
            "[generator] Yielding 3",
            "[main] main got 3",
            "[generator] Yielding 4",
            "[main] main got 4",
            // Step 7: two requests taking turns.
            "[main] Request Two!!!",
            "[main] Request One!!!",
        ]
    );
}

#[test]
fn hello_world_alternates_between_main_and_the_generator() {
    let (_, lines) = capture(example::hello_world);
    assert_eq!(
        lines,
        [
            "[main] Starting",
            "[generator] Hello",
            "[main] Paused",
            "[generator] World",
            "[main] Finished with Result",
        ]
    );
}

// ---------------------------------------------------------------------------
// Pausing, and the first-resume rule

#[test]
fn a_new_generator_runs_nothing_until_the_first_resume() {
    let ran = Rc::new(Cell::new(false));
    let flag = Rc::clone(&ran);
    let mut generator = Generator::new(move |_: &Yielder<(), ()>, ()| flag.set(true));
    assert!(!ran.get(), "creating a generator must not run its body");
    assert!(!generator.started());
    assert!(!generator.finished());

    assert_eq!(generator.resume(()), Ok(Complete(())));
    assert!(ran.get());
    assert!(generator.started());
    assert!(generator.finished());
}

#[test]
fn the_first_input_is_the_bodys_argument_and_later_inputs_are_what_suspend_returns() {
    let log: Log = Rc::default();
    let body_log = Rc::clone(&log);
    let mut generator = Generator::new(move |yielder: &Yielder<u32, &str>, first: u32| {
        body_log.borrow_mut().push(format!("argument {first}"));
        let second = yielder.suspend("one");
        body_log
            .borrow_mut()
            .push(format!("suspend returned {second}"));
        let third = yielder.suspend("two");
        body_log
            .borrow_mut()
            .push(format!("suspend returned {third}"));
        first + second + third
    });
    assert!(!generator.started());
    assert!(!generator.finished());
    assert!(log_of(&log).is_empty());

    assert_eq!(generator.resume(100), Ok(Yielded("one")));
    assert_eq!(log_of(&log), ["argument 100"]);
    assert!(generator.started());
    assert!(!generator.finished());

    assert_eq!(generator.resume(20), Ok(Yielded("two")));
    assert_eq!(log_of(&log), ["argument 100", "suspend returned 20"]);
    assert!(generator.started());
    assert!(!generator.finished());

    assert_eq!(generator.resume(3), Ok(Complete(123)));
    assert_eq!(
        log_of(&log),
        ["argument 100", "suspend returned 20", "suspend returned 3"]
    );
    assert!(generator.started());
    assert!(generator.finished());
}

#[test]
fn locals_survive_the_pause() {
    let mut generator = Generator::new(|yielder: &Yielder<char, String>, first: char| {
        // `word` lives on the generator's own stack across every suspend.
        let mut word = String::from(first);
        loop {
            let next = yielder.suspend(word.clone());
            if next == '.' {
                return word.len();
            }
            word.push(next);
        }
    });
    assert_eq!(generator.resume('p'), Ok(Yielded("p".to_string())));
    assert_eq!(generator.resume('a'), Ok(Yielded("pa".to_string())));
    assert_eq!(generator.resume('u'), Ok(Yielded("pau".to_string())));
    assert_eq!(generator.resume('.'), Ok(Complete(3)));
    assert!(generator.finished());
}

#[test]
fn a_running_total_takes_numbers_in_and_hands_totals_out() {
    let ((), lines) = capture(|| {
        let mut total = example::running_total();
        assert_eq!(total.resume(Some(4)), Ok(Yielded(4)));
        assert!(total.started());
        assert!(!total.finished());
        assert_eq!(total.resume(Some(-1)), Ok(Yielded(3)));
        assert!(!total.finished());
        assert_eq!(total.resume(Some(10)), Ok(Yielded(13)));
        assert!(!total.finished());
        assert_eq!(total.resume(None), Ok(Complete(3)));
        assert!(total.finished());
        assert_eq!(total.resume(Some(7)), Err(Finished));
    });
    assert_eq!(
        lines,
        [
            "[generator] adding 4",
            "[generator] adding -1",
            "[generator] adding 10",
            "[generator] no more numbers",
        ]
    );
}

#[test]
fn a_generator_that_is_told_to_stop_at_once_returns_on_the_first_resume() {
    let mut total = example::running_total();
    let (state, lines) = capture(|| total.resume(None));
    assert_eq!(state, Ok(Complete(0)));
    assert_eq!(lines, ["[generator] no more numbers"]);
    assert!(total.started());
    assert!(total.finished());
}

// ---------------------------------------------------------------------------
// Finished generators

#[test]
fn resuming_a_finished_generator_is_an_error_that_says_to_create_a_new_one() {
    let mut generator = Generator::new(|yielder: &Yielder<(), u8>, ()| {
        yielder.suspend(1);
        "done"
    });
    assert_eq!(generator.resume(()), Ok(Yielded(1)));
    assert_eq!(generator.resume(()), Ok(Complete("done")));
    assert!(generator.finished());

    let error = generator.resume(()).unwrap_err();
    assert_eq!(error, Finished);
    assert_eq!(
        error.to_string(),
        "resumed a generator that has already finished (its body returned or panicked); \
         create a new Generator to run the body again"
    );
    // Still finished, still the same answer: asking again does not hang or crash.
    assert_eq!(generator.resume(()), Err(Finished));
    assert!(generator.finished());
}

#[test]
fn finished_is_a_std_error() {
    let mut generator = Generator::new(|_: &Yielder<(), ()>, ()| ());
    generator
        .resume(())
        .expect("the first resume runs the body");
    let error: Box<dyn std::error::Error> = Box::new(generator.resume(()).unwrap_err());
    assert!(error.to_string().contains("already finished"));
}

// ---------------------------------------------------------------------------
// Iterators

#[test]
fn a_generator_that_yields_values_and_returns_nothing_is_an_iterator() {
    let squares = |limit: u64| {
        Generator::new(move |yielder: &Yielder<(), u64>, ()| {
            for n in 1..=limit {
                yielder.suspend(n * n);
            }
        })
    };
    assert_eq!(squares(5).collect::<Vec<_>>(), [1, 4, 9, 16, 25]);
    assert_eq!(squares(10).sum::<u64>(), 385);
    assert_eq!(squares(100).take(3).collect::<Vec<_>>(), [1, 4, 9]);
    assert_eq!(
        squares(4).filter(|n| n % 2 == 0).collect::<Vec<_>>(),
        [4, 16]
    );
    assert_eq!(squares(0).count(), 0);
}

#[test]
fn an_iterator_runs_the_body_only_as_far_as_the_values_taken() {
    let log: Log = Rc::default();
    let body_log = Rc::clone(&log);
    let mut numbers = Generator::new(move |yielder: &Yielder<(), u32>, ()| {
        for i in 0..5 {
            body_log.borrow_mut().push(format!("yielding {i}"));
            yielder.suspend(i);
        }
        body_log.borrow_mut().push("returning".to_string());
    });
    let taken: Vec<u32> = numbers.by_ref().take(2).collect();
    assert_eq!(taken, [0, 1]);
    assert_eq!(log_of(&log), ["yielding 0", "yielding 1"]);
    assert!(numbers.started());
    assert!(!numbers.finished());

    // The rest of the values are still there, and then the body returns.
    assert_eq!(numbers.by_ref().collect::<Vec<_>>(), [2, 3, 4]);
    assert_eq!(log_of(&log).last().map(String::as_str), Some("returning"));
    assert!(numbers.finished());
}

#[test]
fn an_exhausted_generator_keeps_answering_none() {
    let mut one = Generator::new(|yielder: &Yielder<(), &str>, ()| {
        yielder.suspend("only");
    });
    assert_eq!(one.next(), Some("only"));
    assert_eq!(one.next(), None);
    assert!(one.finished());
    assert_eq!(one.next(), None);
    assert_eq!(one.next(), None);
}

#[test]
fn the_example_counter_yields_zero_to_four_with_its_own_lines_in_between() {
    let (values, lines) = capture(|| example::count_to_five().collect::<Vec<_>>());
    assert_eq!(values, [0, 1, 2, 3, 4]);
    assert_eq!(
        lines,
        [
            "[generator] Yielding 0",
            "[generator] Yielding 1",
            "[generator] Yielding 2",
            "[generator] Yielding 3",
            "[generator] Yielding 4",
        ]
    );
}

// ---------------------------------------------------------------------------
// Panics

#[test]
fn a_panic_in_the_body_reaches_the_resumer_and_finishes_the_generator() {
    let mut generator = Generator::new(|yielder: &Yielder<u32, u32>, first: u32| {
        let second = yielder.suspend(first);
        if second == 0 {
            panic!("the generator was sent a zero");
        }
        first / second
    });
    assert_eq!(generator.resume(10), Ok(Yielded(10)));

    let caught = catch_unwind(AssertUnwindSafe(|| generator.resume(0)));
    let payload = caught.expect_err("the panic must reach the code that resumed");
    assert_eq!(panic_message(&*payload), "the generator was sent a zero");

    assert!(generator.started());
    assert!(generator.finished());
    assert_eq!(generator.resume(5), Err(Finished));
}

#[test]
fn a_panic_on_the_first_resume_carries_its_formatted_message() {
    let mut generator = Generator::new(|_: &Yielder<&str, ()>, name: &str| -> () {
        panic!("no greeting for {name}");
    });
    let payload = catch_unwind(AssertUnwindSafe(|| generator.resume("Ada")))
        .expect_err("the body panics on its first line");
    assert_eq!(panic_message(&*payload), "no greeting for Ada");
    assert!(generator.started());
    assert!(generator.finished());
    assert_eq!(generator.resume("Grace"), Err(Finished));
}

#[test]
fn a_panic_in_an_iterator_reaches_the_for_loop_and_then_the_iterator_ends() {
    let mut numbers = Generator::new(|yielder: &Yielder<(), u8>, ()| {
        yielder.suspend(1);
        panic!("ran out of numbers");
    });
    assert_eq!(numbers.next(), Some(1));
    let payload = catch_unwind(AssertUnwindSafe(|| numbers.next())).unwrap_err();
    assert_eq!(panic_message(&*payload), "ran out of numbers");
    assert_eq!(numbers.next(), None);
}

// ---------------------------------------------------------------------------
// Drops

#[test]
fn dropping_a_suspended_generator_drops_the_values_alive_on_its_stack() {
    let drops = Rc::new(Cell::new(0));
    let counter = Rc::clone(&drops);
    let mut generator = Generator::new(move |yielder: &Yielder<(), u8>, ()| {
        let _first = DropCounter(Rc::clone(&counter));
        yielder.suspend(1);
        let _second = DropCounter(Rc::clone(&counter));
        yielder.suspend(2);
        let _never = DropCounter(counter);
    });
    assert_eq!(generator.resume(()), Ok(Yielded(1)));
    assert_eq!(generator.resume(()), Ok(Yielded(2)));
    assert_eq!(
        drops.get(),
        0,
        "nothing is dropped while the body is paused"
    );
    assert!(!generator.finished());

    drop(generator);
    // `_first` and `_second` were alive at the pause; `_never` was never made.
    assert_eq!(drops.get(), 2);
    // The captured Rc went away with the closure: only the test's is left.
    assert_eq!(Rc::strong_count(&drops), 1);
}

#[test]
fn dropping_a_generator_that_never_started_drops_what_its_closure_captured() {
    let drops = Rc::new(Cell::new(0));
    let captured = DropCounter(Rc::clone(&drops));
    let generator = Generator::new(move |yielder: &Yielder<(), ()>, ()| {
        let _keep = &captured;
        yielder.suspend(());
    });
    assert!(!generator.started());
    assert_eq!(drops.get(), 0);

    drop(generator);
    assert_eq!(drops.get(), 1);
    assert_eq!(Rc::strong_count(&drops), 1);
}

#[test]
fn a_generator_that_returns_drops_its_locals_at_once_and_not_again_when_dropped() {
    let drops = Rc::new(Cell::new(0));
    let counter = Rc::clone(&drops);
    let mut generator = Generator::new(move |yielder: &Yielder<(), ()>, ()| {
        let _local = DropCounter(Rc::clone(&counter));
        yielder.suspend(());
        let _captured = DropCounter(counter);
    });
    assert_eq!(generator.resume(()), Ok(Yielded(())));
    assert_eq!(drops.get(), 0);
    assert_eq!(generator.resume(()), Ok(Complete(())));
    assert!(generator.finished());
    assert_eq!(drops.get(), 2, "returning drops the body's locals");

    drop(generator);
    assert_eq!(
        drops.get(),
        2,
        "dropping a finished generator drops nothing twice"
    );
    assert_eq!(Rc::strong_count(&drops), 1);
}

#[test]
fn a_panicking_generator_drops_its_locals_while_the_panic_passes_through() {
    let drops = Rc::new(Cell::new(0));
    let counter = Rc::clone(&drops);
    let mut generator = Generator::new(move |yielder: &Yielder<(), ()>, ()| {
        let _local = DropCounter(counter);
        yielder.suspend(());
        panic!("boom");
    });
    assert_eq!(generator.resume(()), Ok(Yielded(())));
    assert!(catch_unwind(AssertUnwindSafe(|| generator.resume(()))).is_err());
    assert_eq!(drops.get(), 1);
    drop(generator);
    assert_eq!(drops.get(), 1);
}

// ---------------------------------------------------------------------------
// Dropping: the two cases that cannot be made safe, each in a child process

/// A value whose destructor panics.
struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("the bomb's destructor went off");
    }
}

#[test]
#[ignore = "aborts on purpose; started in a child process by the test below"]
fn child_drops_a_paused_generator_whose_destructor_panics() {
    if !child::is_child("child_drops_a_paused_generator_whose_destructor_panics") {
        return;
    }
    let mut generator = Generator::new(|yielder: &Yielder<(), ()>, ()| {
        let _bomb = Bomb;
        yielder.suspend(());
    });
    assert_eq!(generator.resume(()), Ok(Yielded(())));
    println!("dropping the paused generator");
    drop(generator);
    println!("still alive after the drop");
}

#[test]
fn dropping_a_paused_generator_whose_destructor_panics_aborts_the_process() {
    let output = child::run("child_drops_a_paused_generator_whose_destructor_panics");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.contains("dropping the paused generator"), "{stdout}");
    assert!(!stdout.contains("still alive"), "{stdout}");
    // The destructor's panic, then Rust's own verdict: a panic while the
    // generator's stack was being unwound.
    assert!(
        stderr.contains("the bomb's destructor went off"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "panic in a destructor during cleanup\nthread caused non-unwinding panic. aborting."
        ),
        "{stderr}"
    );
    assert!(child::aborted(&output), "{:?}", output.status);
}

#[test]
#[ignore = "never returns on purpose; started in a child process by the test below"]
fn child_drops_a_generator_that_catches_its_forced_unwind_in_a_loop() {
    if !child::is_child("child_drops_a_generator_that_catches_its_forced_unwind_in_a_loop") {
        return;
    }
    let mut generator = Generator::new(|yielder: &Yielder<(), ()>, ()| {
        loop {
            // Catches every unwinding, the drop's own included, and pauses
            // again: don't do this (let unknown payloads go on with
            // `std::panic::resume_unwind`).
            let _ = catch_unwind(AssertUnwindSafe(|| yielder.suspend(())));
        }
    });
    assert_eq!(generator.resume(()), Ok(Yielded(())));
    println!("dropping the generator");
    drop(generator);
    println!("the drop returned");
}

#[test]
fn dropping_a_generator_that_catches_its_forced_unwind_in_a_loop_never_returns() {
    use std::io::{BufRead, BufReader};

    let mut child =
        child::spawn("child_drops_a_generator_that_catches_its_forced_unwind_in_a_loop");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut line = String::new();
    while !line.contains("dropping the generator") {
        line.clear();
        let read = stdout.read_line(&mut line).expect("the child's stdout");
        assert_ne!(read, 0, "the child ended before it dropped the generator");
    }
    // What you see: the drop never returns, and the thread spins at 100% CPU.
    // (The drop of a small generator takes microseconds when it returns:
    // give it a generous while, then check that it has not returned.)
    std::thread::sleep(std::time::Duration::from_secs(2));
    let still_running = child.try_wait().expect("the child's status").is_none();
    child.kill().expect("the child can be killed");
    child.wait().expect("the child is reaped");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).expect("the child's stdout");
    assert!(still_running, "the drop returned: {rest}");
    assert!(!rest.contains("the drop returned"), "{rest}");
}

// ---------------------------------------------------------------------------
// Stacks

#[test]
fn a_generator_can_run_on_a_small_stack_of_its_own_size() {
    let mut generator = Generator::with_stack_size(16 * 1024, |yielder: &Yielder<u8, u8>, a| {
        let b = yielder.suspend(a + 1);
        a + b
    })
    .expect("16 KiB is a reasonable stack");
    assert!(!generator.started());
    assert_eq!(generator.resume(1), Ok(Yielded(2)));
    assert_eq!(generator.resume(40), Ok(Complete(41)));
    assert!(generator.finished());
}

#[test]
fn an_impossible_stack_size_is_an_error_not_a_crash() {
    let body = |_: &Yielder<(), ()>, ()| ();
    let error = Generator::with_stack_size(usize::MAX, body).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    assert!(error.to_string().contains("cannot exist"), "{error}");
    // Representable, but larger than any address space: the OS says no.
    assert!(Generator::with_stack_size(1 << 62, body).is_err());
}

#[test]
fn the_default_stack_holds_a_large_local_buffer() {
    assert_eq!(DEFAULT_STACK_SIZE, 1024 * 1024);
    let mut generator = Generator::new(|yielder: &Yielder<(), u64>, ()| {
        // 256 KiB on the generator's own stack, kept across a pause.
        let buffer = std::hint::black_box([7u8; 256 * 1024]);
        yielder.suspend(buffer.iter().map(|&b| u64::from(b)).sum());
        buffer[buffer.len() - 1]
    });
    assert_eq!(generator.resume(()), Ok(Yielded(7 * 256 * 1024)));
    assert_eq!(generator.resume(()), Ok(Complete(7)));
}

#[test]
fn the_bodys_locals_live_inside_the_generators_stack_range() {
    let mut generator =
        Generator::with_stack_size(64 * 1024, |yielder: &Yielder<(), usize>, ()| {
            let local = 42u64;
            yielder.suspend(std::ptr::from_ref(&local) as usize);
        })
        .expect("64 KiB is a reasonable stack");
    let range = generator.stack_range();
    assert!(range.end - range.start >= 64 * 1024, "{range:x?}");

    let Ok(Yielded(address)) = generator.resume(()) else {
        panic!("the body yields the address of its local");
    };
    assert!(range.contains(&address), "{address:x} not in {range:x?}");
    let ours = 0u64;
    let our_address = std::ptr::from_ref(&ours) as usize;
    assert!(
        !range.contains(&our_address),
        "the caller runs on its own stack"
    );
    assert_eq!(generator.stack_range(), range, "the range never moves");
}

#[test]
fn debug_shows_whether_the_generator_started_and_finished() {
    let mut generator = Generator::new(|yielder: &Yielder<(), ()>, ()| yielder.suspend(()));
    assert_eq!(
        format!("{generator:?}"),
        "Generator { started: false, finished: false, .. }"
    );
    generator.resume(()).unwrap();
    assert_eq!(
        format!("{generator:?}"),
        "Generator { started: true, finished: false, .. }"
    );
    generator.resume(()).unwrap();
    assert_eq!(
        format!("{generator:?}"),
        "Generator { started: true, finished: true, .. }"
    );
}

// ---------------------------------------------------------------------------
// Round robin

/// A request that records each of its turns in `log` under `name`.
fn logged_request(
    log: &Log,
    name: &'static str,
    waits: usize,
) -> Generator<(), Wait, &'static str> {
    let log = Rc::clone(log);
    Generator::new(move |yielder, ()| {
        for i in 1..=waits {
            log.borrow_mut()
                .push(format!("{name} waits ({i} of {waits})"));
            yielder.suspend(Wait);
        }
        log.borrow_mut().push(format!("{name} returns"));
        name
    })
}

#[test]
fn two_requests_take_turns_and_the_shorter_one_finishes_first() {
    let log: Log = Rc::default();
    let done = run_round_robin(vec![
        logged_request(&log, "one", 3),
        logged_request(&log, "two", 1),
    ]);
    assert_eq!(done, [(1, "two"), (0, "one")]);
    assert_eq!(
        log_of(&log),
        [
            "one waits (1 of 3)",
            "two waits (1 of 1)",
            "one waits (2 of 3)",
            "two returns",
            "one waits (3 of 3)",
            "one returns",
        ]
    );
}

#[test]
fn the_example_requests_finish_two_then_one() {
    let done = run_round_robin(vec![
        example::request(3, "Request One!!!"),
        example::request(1, "Request Two!!!"),
    ]);
    assert_eq!(done, [(1, "Request Two!!!"), (0, "Request One!!!")]);
}

#[test]
fn a_finished_generator_leaves_the_rotation_without_skipping_its_neighbour() {
    let log: Log = Rc::default();
    // "b" finishes on its first turn; "c", right behind it, must still get
    // every one of its turns in order.
    let done = run_round_robin(vec![
        logged_request(&log, "a", 2),
        logged_request(&log, "b", 0),
        logged_request(&log, "c", 1),
    ]);
    assert_eq!(done, [(1, "b"), (2, "c"), (0, "a")]);
    assert_eq!(
        log_of(&log),
        [
            "a waits (1 of 2)",
            "b returns",
            "c waits (1 of 1)",
            "a waits (2 of 2)",
            "c returns",
            "a returns",
        ]
    );
}

#[test]
fn round_robin_of_no_generators_finishes_at_once() {
    let done: Vec<(usize, u8)> = run_round_robin(Vec::new());
    assert!(done.is_empty());
}

#[test]
#[should_panic(expected = "run_round_robin: generator 1 has already finished")]
fn round_robin_refuses_a_generator_that_already_finished() {
    let mut spent = example::request(0, "spent");
    assert_eq!(spent.resume(()), Ok(Complete("spent")));
    run_round_robin(vec![example::request(1, "fresh"), spent]);
}

#[test]
fn a_panic_in_one_request_drops_the_others_still_in_the_rotation() {
    let drops = Rc::new(Cell::new(0));
    let counter = Rc::clone(&drops);
    let waiting = Generator::new(move |yielder: &Yielder<(), Wait>, ()| {
        let _alive = DropCounter(counter);
        loop {
            yielder.suspend(Wait);
        }
    });
    let failing = Generator::new(|yielder: &Yielder<(), Wait>, ()| {
        yielder.suspend(Wait);
        panic!("request failed")
    });
    let payload = catch_unwind(AssertUnwindSafe(|| run_round_robin(vec![waiting, failing])))
        .expect_err("the request's panic reaches the caller of run_round_robin");
    assert_eq!(panic_message(&*payload), "request failed");
    assert_eq!(drops.get(), 1, "the waiting request's stack was unwound");
}

// --- the example's command line ---------------------------------------------

example_command_line_tests!(no_options: "ch02_coroutines");
