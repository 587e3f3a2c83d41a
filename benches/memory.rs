//! What does a parked task cost in memory? Run with: cargo bench --bench memory
//!
//! A task that waits holds memory until it is woken: its state, the
//! scheduler's bookkeeping for it, and (for chapter 6's stackful tasks) a
//! stack. This bench counts the heap bytes a parked task holds, by a global
//! allocator that keeps a tally, on chapter 6's scheduler and on tokio's
//! current-thread runtime, measured the same way:
//!
//! 1. note the bytes the program holds on the heap;
//! 2. spawn `TASKS` tasks that each park for good, and let every one of them
//!    run to its park;
//! 3. note the bytes again, while they are all parked.
//!
//! The difference divided by `TASKS` is the memory per parked task: the
//! task itself, and its share of what the scheduler grew to hold it (its
//! table, its queues), with the handles dropped. A parked task here waits
//! for a wake that never comes: on chapter 6 `park(None)`, on tokio
//! `std::future::pending()`, the smallest wait each offers.
//!
//! A stack is not on the heap: corosensei maps it with `mmap`. So chapter
//! 6's figure leaves it out, as the issue this bench answers asks; the
//! stack's own cost (a page of resident memory at least, and two memory
//! mappings) is chapter 8's "What a stack costs".
//!
//! Heap bytes are counted, not resident memory: the count is exact and the
//! same on every run (like an instruction count), where resident memory
//! moves with the allocator's pages. The bench prints one line per runtime,
//! `memory/<runtime>/parked_task<TAB>bytes` (chapter 6 stackful, chapter 6
//! async, tokio), the format of chapter 8's saved
//! counts (`benches/instructions.py --save` records them there).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use yieldpoint::ch06_scheduler::{self as ch06, Clock, Scheduler};

/// The global allocator: the system's, with a running count of the bytes
/// held.
struct Counting;

/// Bytes allocated and not yet freed, by the whole program.
static HELD: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every method passes its arguments on to `System` unchanged, which
// upholds `GlobalAlloc`'s contract; the tally beside it changes nothing
// about the memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's promises about `layout` are `System`'s.
        let block = unsafe { System.alloc(layout) };
        if !block.is_null() {
            HELD.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // SAFETY: `block` came from `alloc` above with this `layout`.
        unsafe { System.dealloc(block, layout) };
        HELD.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `block` came from this allocator with `layout`, and the
        // caller's promises about `new_size` are `System`'s.
        let moved = unsafe { System.realloc(block, layout, new_size) };
        if !moved.is_null() {
            HELD.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// How many tasks each measurement parks: enough that the one-off growth of
/// a table or a queue is spread thin, few enough for chapter 6's stacks (two
/// memory mappings each) to stay far below Linux's limit.
const TASKS: usize = 10_000;

/// The bytes the program holds on the heap now.
fn held() -> isize {
    HELD.load(Ordering::Relaxed)
}

/// Chapter 6: `TASKS` stackful tasks, each parked for good.
fn ch06_parked_task() -> f64 {
    // Small stacks: they are not on the heap, and this keeps the run light.
    let scheduler = Scheduler::new(Clock::Virtual).with_stack_size(16 * 1024);
    let per_task = scheduler
        .run_until_complete(|| {
            let before = held();
            for _ in 0..TASKS {
                // The handle is dropped: the task lives on in the scheduler.
                ch06::spawn("parked", || ch06::park(None).map(drop))?;
            }
            // Every task runs to its park before main runs again.
            ch06::yield_now()?;
            Ok::<_, ch06::SchedError>((held() - before) as f64 / TASKS as f64)
        })
        .expect("main parks the tasks and measures");
    // Dropping the scheduler cancels the parked tasks.
    drop(scheduler);
    per_task
}

/// Chapter 9: `TASKS` async tasks on chapter 6's scheduler, each pending
/// for good. No stack: this is all of what they cost.
fn ch06_async_parked_task() -> f64 {
    let scheduler = Scheduler::new(Clock::Virtual);
    let per_task = scheduler
        .run_until_complete(|| {
            let before = held();
            for _ in 0..TASKS {
                ch06::spawn_async("parked", async {
                    std::future::pending::<()>().await;
                    Ok::<(), ch06::SchedError>(())
                })?;
            }
            ch06::yield_now()?;
            Ok::<_, ch06::SchedError>((held() - before) as f64 / TASKS as f64)
        })
        .expect("main parks the tasks and measures");
    drop(scheduler);
    per_task
}

/// tokio's current-thread runtime: `TASKS` tasks, each pending for good.
fn tokio_parked_task() -> f64 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let before = held();
        for _ in 0..TASKS {
            drop(tokio::spawn(std::future::pending::<()>()));
        }
        // Every task is polled once, to its `Pending`, before this one
        // runs again.
        tokio::task::yield_now().await;
        (held() - before) as f64 / TASKS as f64
    })
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too,
    // and the measurement is quick enough to run whole either way.
    let rows = [
        ("memory/ch06/parked_task", ch06_parked_task()),
        ("memory/ch06_async/parked_task", ch06_async_parked_task()),
        ("memory/tokio/parked_task", tokio_parked_task()),
    ];
    for (id, bytes) in rows {
        println!("{id}\t{bytes:.1}");
    }
}
