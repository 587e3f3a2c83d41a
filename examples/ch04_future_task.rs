//! Run with: cargo run --example ch04_future_task
//!
//! The pizza-box story. An order is a [`Future`] (an empty box) plus tasks
//! that will fill it or wait for it: a kitchen task that makes the pizza and
//! puts it in the box, and a customer task that peeks into the box and then
//! awaits it. A done callback on the box announces when it is filled.
//!
//! There is no event loop yet (that is chapter 5), so `main` steps the tasks
//! itself, in rounds, with [`run_by_hand`].
//!
//! - Order 1: the kitchen bakes by calling a plain function, `bake`, that
//!   suspends. It runs inline, inside the kitchen task: its minutes are the
//!   kitchen's own steps, and no new task appears.
//! - Order 2: the oven is a task of its own, which the kitchen awaits. The
//!   oven catches fire (a panic), the panic becomes the oven task's error,
//!   and the kitchen turns it into the box's error. The fire is reported as
//!   a `[panic]` line of the example, by a quiet panic hook installed for
//!   that order only ([`QuietPanics`]), instead of Rust's report on stderr.
//!
//! It takes no options: `--help` prints its usage, and any other argument
//! is refused with a message and exit code 2.

use std::cell::Cell;
use std::panic::{self, PanicHookInfo};
use std::sync::Arc;
use std::thread;

use yieldpoint::ch02_coroutines::Yielder;
use yieldpoint::ch04_future_task::{Future, Status, Step, Task, await_future, panic_message};
use yieldpoint::say;

// ANCHOR: bake
/// Bakes for `minutes`, suspending once per minute. A plain function, not a
/// task: it suspends whichever task called it, and its lines speak for that
/// task (`role`).
pub fn bake(yielder: &Yielder<(), ()>, role: &str, minutes: u32) {
    for minute in 1..=minutes {
        say!(role, "baking, minute {minute} of {minutes}");
        yielder.suspend(());
    }
}
// ANCHOR_END: bake

// ANCHOR: announce
/// The box's done callback: says what the box holds once it is settled.
pub fn announce(pizza_box: &Future<String>) {
    match pizza_box.result() {
        Ok(pizza) => say!("box", "the pizza is here: a {pizza}"),
        Err(error) => say!("box", "no pizza: {error}"),
    }
}
// ANCHOR_END: announce

// ANCHOR: customer
/// The customer's task body: peek into the box, then await it.
pub fn customer(yielder: &Yielder<(), ()>, pizza_box: &Future<String>) {
    say!(
        "customer",
        "I peek into the box: {:?}, result() = {:?}",
        pizza_box.status(),
        pizza_box.result()
    );
    match await_future(yielder, pizza_box) {
        Ok(pizza) => say!("customer", "I open the box: a {pizza}"),
        Err(error) => say!("customer", "no dinner tonight: {error}"),
    }
}
// ANCHOR_END: customer

// ANCHOR: runnable
/// What [`run_by_hand`] needs of a task, whatever type of value it makes.
pub trait Runnable {
    /// The task's name.
    fn name(&self) -> &str;
    /// One step of the task.
    fn step(&mut self) -> Step;
    /// The status of the task's future.
    fn status(&self) -> Status;
}

impl<T> Runnable for Task<T> {
    fn name(&self) -> &str {
        Task::name(self)
    }
    fn step(&mut self) -> Step {
        Task::step(self)
    }
    fn status(&self) -> Status {
        self.future().status()
    }
}
// ANCHOR_END: runnable

// ANCHOR: run_by_hand
/// The loop chapter 5 will build, written out by hand: each round steps every
/// task once, in order; a task that settles leaves, and the others keep
/// their turns. Says how many steps each task took.
pub fn run_by_hand(tasks: Vec<Box<dyn Runnable>>) {
    let mut tasks: Vec<(Box<dyn Runnable>, u32)> = tasks.into_iter().map(|t| (t, 0)).collect();
    let mut round = 0;
    while !tasks.is_empty() {
        round += 1;
        say!("main", "round {round}");
        // retain_mut visits every task once, in order, and removes the ones
        // that return false without skipping their neighbours.
        tasks.retain_mut(|(task, steps)| {
            *steps += 1;
            match task.step() {
                Step::Pending => true,
                Step::Settled => {
                    let (name, status) = (task.name(), task.status());
                    let plural = if *steps == 1 { "" } else { "s" };
                    say!(
                        "main",
                        "{name} settled after {steps} step{plural}: {status:?}"
                    );
                    false
                }
            }
        });
    }
}
// ANCHOR_END: run_by_hand

// ANCHOR: order_margherita
/// Order 1: the kitchen bakes the pizza itself, by a plain call to `bake`.
pub fn order_margherita() {
    say!(
        "main",
        "-- order 1: a margherita, baked by the kitchen itself --"
    );
    let pizza_box: Future<String> = Future::new();
    pizza_box.add_done_callback(announce);
    let kitchen = Task::new("kitchen", {
        let pizza_box = pizza_box.clone();
        move |yielder: &Yielder<(), ()>| {
            say!("kitchen", "rolling out the dough for a margherita");
            yielder.suspend(());
            bake(yielder, "kitchen", 2); // a plain call: it runs inside this task
            say!("kitchen", "the margherita goes into the box");
            pizza_box
                .set_result("margherita".to_string())
                .expect("only the kitchen fills this box");
        }
    });
    let customer = Task::new("customer", {
        let pizza_box = pizza_box.clone();
        move |yielder: &Yielder<(), ()>| customer(yielder, &pizza_box)
    });
    say!(
        "main",
        "the order is placed: an empty box ({:?}), a kitchen task, a customer task",
        pizza_box.status()
    );
    run_by_hand(vec![Box::new(kitchen), Box::new(customer)]);
}
// ANCHOR_END: order_margherita

// ANCHOR: quiet_panics
/// A panic hook, as the process had before [`QuietPanics::install`].
type Hook = Arc<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

thread_local! {
    /// Whether this thread's panics are told as `[panic]` lines.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// While it lives, a panic on this thread is told as one `[panic]` line of
/// the example, instead of Rust's report on stderr (which, with
/// `RUST_BACKTRACE=1`, adds pages of backtrace, and reads as if the course
/// had crashed). Panics on other threads still go to the hook that was there
/// before, and that hook is put back when this is dropped.
///
/// The example panics on purpose, to show what a task's panic becomes; this
/// keeps that lesson in the example's own voice. Code that panics by mistake
/// wants Rust's full report: install this only around deliberate panics.
pub struct QuietPanics {
    /// The hook to put back, and whether this thread was quiet before.
    previous: Option<(Hook, bool)>,
}

impl QuietPanics {
    /// Makes this thread's panics quiet until the guard is dropped.
    pub fn install() -> Self {
        let previous: Hook = Arc::from(panic::take_hook());
        let others = Arc::clone(&previous);
        // The hook is the process's; whether a panic is quiet is this
        // thread's, so that guards on other threads cannot mix them up.
        panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                say!("panic", "{}", panic_message(info.payload()));
            } else {
                others(info);
            }
        }));
        let was_quiet = QUIET.with(|quiet| quiet.replace(true));
        QuietPanics {
            previous: Some((previous, was_quiet)),
        }
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        let Some((previous, was_quiet)) = self.previous.take() else {
            return;
        };
        QUIET.with(|quiet| quiet.set(was_quiet));
        // The hook cannot be changed while this thread unwinds (that would
        // panic again, and abort); the quiet one then stays, and passes
        // every panic that is not meant to be quiet on to the old one.
        if !thread::panicking() {
            panic::set_hook(Box::new(move |info| previous(info)));
        }
    }
}

impl std::fmt::Debug for QuietPanics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuietPanics").finish_non_exhaustive()
    }
}
// ANCHOR_END: quiet_panics

// ANCHOR: order_calzone
/// Order 2: the oven is a task of its own; the kitchen awaits it, and the
/// oven catches fire.
pub fn order_calzone() {
    say!("main", "-- order 2: a calzone, baked by an oven task --");
    let pizza_box: Future<String> = Future::new();
    pizza_box.add_done_callback(announce);
    let oven: Task<String> = Task::new("oven", |yielder| {
        bake(yielder, "oven", 1);
        panic!("the calzone caught fire");
    });
    let kitchen = Task::new("kitchen", {
        let (pizza_box, from_oven) = (pizza_box.clone(), oven.future().clone());
        move |yielder: &Yielder<(), ()>| {
            say!("kitchen", "rolling out the dough for a calzone");
            yielder.suspend(());
            let settled = match await_future(yielder, &from_oven) {
                Ok(pizza) => pizza_box.set_result(pizza),
                Err(error) => {
                    say!("kitchen", "the oven failed: {error}");
                    pizza_box.set_error("the kitchen burnt the calzone")
                }
            };
            settled.expect("only the kitchen fills this box");
        }
    });
    let customer = Task::new("customer", {
        let pizza_box = pizza_box.clone();
        move |yielder: &Yielder<(), ()>| customer(yielder, &pizza_box)
    });
    say!(
        "main",
        "the order is placed: an empty box ({:?}), a kitchen task, an oven task, a customer task",
        pizza_box.status()
    );
    // The oven's panic is part of the lesson: tell it as a line of the story.
    let _quiet = QuietPanics::install();
    run_by_hand(vec![Box::new(kitchen), Box::new(oven), Box::new(customer)]);
}
// ANCHOR_END: order_calzone

/// Both orders, one after the other.
pub fn programs() {
    order_margherita();
    order_calzone();
}

/// How to call the example: it takes no options.
pub const USAGE: &str = "cargo run --example ch04_future_task (no options; --help prints this)";

/// Runs the example with the options in `args`: there are none, so
/// `--help` (or `-h`) prints the usage, and anything else is refused with a
/// message naming it, the usage, and exit code 2, as chapters 5 to 7's
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
    programs();
}

/// The entry point: `run` with the command line's arguments.
pub fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run(&args);
}
