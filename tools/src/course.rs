//! The course's table of contents, read by the course runner (`cargo run`)
//! and by the test that checks every chapter is whole
//! (`tools/tests/wholeness.rs`).
//!
//! The core operations are:
//! - [`CHAPTERS`] lists the chapters in reading order; a new chapter is one
//!   more row here.
//! - [`chapter`] finds one by number.
//! - The methods of [`Chapter`] derive every file name and command from the
//!   chapter's one name, so that a learner who knows `ch02_coroutines` can
//!   guess all of them:
//!
//! ```text
//!   ch02_coroutines
//!     ├── src/ch02_coroutines.rs (or src/ch02_coroutines/)   the reference module
//!     ├── examples/ch02_coroutines.rs   cargo run --example ch02_coroutines
//!     ├── tests/ch02_coroutines.rs      cargo test --test ch02_coroutines
//!     ├── exercises/ch02_coroutines/    info.toml and one file per exercise
//!     │                                 (until converted: exercises/ch02_coroutines.rs)
//!     └── chapters/02-coroutines.md     the prose
//! ```
//!
//! The exercises themselves are read from the files by
//! [`exercises`](crate::exercises), not listed here.

/// One chapter of the course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chapter {
    /// The chapter's number, from 1.
    pub number: u8,
    /// The one name used in `src/`, `examples/`, `tests/` and `exercises/`,
    /// such as `ch02_coroutines`. It always starts with `chNN_`.
    pub name: &'static str,
    /// The chapter's title, as in the README's course table.
    pub title: &'static str,
    /// The one hint of the chapter's legacy exercise (the whole-module stub
    /// `exercises/chNN_name.rs`), for as long as the chapter has no
    /// `info.toml`; a converted chapter's hints are in its `info.toml`.
    pub hint: &'static str,
}

impl Chapter {
    /// The two-digit number, such as `02`.
    pub fn nn(&self) -> String {
        format!("{:02}", self.number)
    }

    /// The name without its `chNN_` prefix, such as `coroutines`.
    pub fn slug(&self) -> &'static str {
        self.name
            .split_once('_')
            .map_or(self.name, |(_, rest)| rest)
    }

    /// The prose page, such as `chapters/02-coroutines.md`.
    pub fn page(&self) -> String {
        format!(
            "chapters/{}-{}.md",
            self.nn(),
            self.slug().replace('_', "-")
        )
    }

    /// The cargo feature that swaps the rebuild exercise's stub into the
    /// chapter's module, such as `exercise-ch02`.
    pub fn feature(&self) -> String {
        format!("exercise-ch{}", self.nn())
    }

    /// The two places the reference module may live: one file, or a folder
    /// once it passes about 500 lines (`src/ch02_coroutines/mod.rs`).
    pub fn module_files(&self) -> [String; 2] {
        [
            format!("src/{}.rs", self.name),
            format!("src/{}/mod.rs", self.name),
        ]
    }

    /// The example, such as `examples/ch02_coroutines.rs`.
    pub fn example_file(&self) -> String {
        format!("examples/{}.rs", self.name)
    }

    /// The chapter's tests, such as `tests/ch02_coroutines.rs`.
    pub fn test_file(&self) -> String {
        format!("tests/{}.rs", self.name)
    }

    /// The folder of the chapter's exercises, such as
    /// `exercises/ch02_coroutines`.
    pub fn exercise_dir(&self) -> String {
        format!("exercises/{}", self.name)
    }

    /// The list of the chapter's exercises, such as
    /// `exercises/ch02_coroutines/info.toml`.
    pub fn info_file(&self) -> String {
        format!("exercises/{}/info.toml", self.name)
    }

    /// The legacy whole-module stub, such as `exercises/ch02_coroutines.rs`:
    /// the chapter's one exercise until it has an `info.toml`.
    pub fn legacy_stub(&self) -> String {
        format!("exercises/{}.rs", self.name)
    }

    /// The arguments to `cargo` that run the chapter's example.
    pub fn example_args(&self) -> Vec<String> {
        ["run", "--quiet", "--example", self.name]
            .map(String::from)
            .to_vec()
    }

    /// The arguments to `cargo` that run the chapter's tests against the
    /// reference code.
    pub fn test_args(&self) -> Vec<String> {
        ["test", "--test", self.name].map(String::from).to_vec()
    }
}

/// Every chapter, in reading order.
pub const CHAPTERS: &[Chapter] = &[
    Chapter {
        number: 1,
        name: "ch01_polled_lists",
        title: "A request is a list of WAIT values",
        hint: "`Request::poll` hands out one item per call; `run_round_robin_with` keeps a \
               queue and puts a request back only while it still waits.",
    },
    Chapter {
        number: 2,
        name: "ch02_coroutines",
        title: "Generators are functions that pause",
        hint: "`Generator` is a thin wrapper over `corosensei::Coroutine`: check \
               `done()` before resuming, and map `CoroutineResult` to `GeneratorState`.",
    },
    Chapter {
        number: 3,
        name: "ch03_yield_from",
        title: "Delegation: suspending from any depth, and yield from",
        hint: "`yield_from` is a loop: resume the inner generator, pass each value it \
               yields up through the outer yielder, pass each input back down.",
    },
    Chapter {
        number: 4,
        name: "ch04_future_task",
        title: "A Future, and a Task that drives a coroutine",
        hint: "A `Future` settles once: check the slot is pending, store the outcome, then \
               run the callbacks after the borrow ends. `Task::step` resumes the generator \
               inside `catch_unwind` and settles the task's future when the body returns or panics.",
    },
    Chapter {
        number: 5,
        name: "ch05_event_loop",
        title: "The round-robin event loop, and what busy sleeping costs",
        hint: "`run_round` pops each task once, steps it, and pushes it back while it is \
               pending; `sleep` computes a deadline on the loop's clock and suspends until \
               `now()` has passed it.",
    },
    Chapter {
        number: 6,
        name: "ch06_scheduler",
        title: "A scheduler that behaves like asyncio: ready queue, timers, a virtual clock",
        hint: "`run_once` is asyncio's `_run_once`: if nothing is ready, idle until the \
               earliest timer; move every due timer's task to the ready queue; then step \
               exactly the tasks that were ready when the pass began.",
    },
    Chapter {
        number: 7,
        name: "ch07_combinators",
        title: "gather, as_completed, wait_for, and cancellation",
        hint: "Everything waits the same way: `Finished::watch` puts a done callback on \
               each task's future, and `Finished::next` parks until one has pushed its \
               index. `gather` returns the first failure at once; `wait_for` cancels the \
               task when the deadline passes, then waits for its cleanup.",
    },
    Chapter {
        number: 8,
        name: "ch08_cost_of_a_switch",
        title: "What a switch costs: stackful, stackless, tasks and threads",
        hint: "`Counter::resume` takes the state out with `mem::replace`, matches on it, \
               and puts the next state back; `Stepper::step` polls the pinned future once \
               with `Waker::noop()` and remembers when it returned `Ready`; `block_on` \
               polls until `Ready`, and panics if a `Pending` came without a wake.",
    },
    Chapter {
        number: 9,
        name: "ch09_async_fn",
        title: "Rust's own async fn: what .await compiles to, Pin, and a Waker by hand",
        hint: "A waker's data pointer is an `Arc<WakeTarget>` from `Arc::into_raw`, and each \
               waker owns one strong reference: `clone` adds one, `wake` takes it back and \
               signals, `wake_by_ref` signals through a borrow, `drop` gives it back. \
               `block_on` polls, goes on at once if the waker was woken, parks if a clone is \
               still alive somewhere, and panics if none is.",
    },
    Chapter {
        number: 10,
        name: "ch10_sockets",
        title: "Real sockets: readiness, a scheduler that waits in the poller, the fetch for real",
        hint: "Every stackful socket operation has one shape: check that it may run here, \
               then loop: try the system call on the non-blocking socket, and while it would \
               block, wait in the poller (`source.wait`) for the socket to be ready that way.",
    },
    Chapter {
        number: 11,
        name: "ch11_threads",
        title: "Threads against tasks: one blocking call stalls them all",
        hint: "`to_thread` hands a job to the pool with the task's waker and a promised wake, \
               then parks until the job's outcome is in the handoff; the job catches a panic, \
               stores the outcome, wakes the task, and only then keeps its promise.",
    },
    Chapter {
        number: 12,
        name: "ch12_tokio",
        title: "From yieldpoint to tokio: the same programs, side by side, and every place they differ",
        hint: "`tokio_order` is `CoreGuard::block_on`'s loop: poll main at the top if it was \
               woken; then up to `event_interval` tasks from the front of the queue, or, when \
               it is empty, the driver (park only if nothing is pending) and back to the top; \
               after a full batch, the driver without parking. The driver fires due timers, \
               then wakes the deferred tasks last first.",
    },
];

/// The chapter with this number, if there is one.
pub fn chapter(number: u8) -> Option<&'static Chapter> {
    CHAPTERS.iter().find(|chapter| chapter.number == number)
}

/// The chapters' numbers, as a learner would read them: `1 to 9`, or, while
/// a chapter in the middle is still being written, `1 to 9 and 12`.
pub fn numbers() -> String {
    let numbers: Vec<u8> = CHAPTERS.iter().map(|chapter| chapter.number).collect();
    runs_of(&numbers)
}

/// `numbers` (in increasing order) as runs: `[1, 2, 3, 9]` is `1 to 3 and
/// 9`, `[1, 2, 4, 6, 7]` is `1 to 2, 4 and 6 to 7`; none is `none`.
pub fn runs_of(numbers: &[u8]) -> String {
    let mut runs: Vec<String> = Vec::new();
    let mut index = 0;
    while index < numbers.len() {
        let first = numbers[index];
        let mut last = first;
        while numbers.get(index + 1) == Some(&last.wrapping_add(1)) {
            last += 1;
            index += 1;
        }
        runs.push(if first == last {
            first.to_string()
        } else {
            format!("{first} to {last}")
        });
        index += 1;
    }
    match runs.split_last() {
        None => "none".to_string(),
        Some((only, [])) => only.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}
