//! The crowd: tens of thousands of tasks on one thread, and what they cost.
//!
//! `cargo run --example ch06_scheduler -- --crowd` runs this module's [`run`]
//! in two parts:
//!
//! 1. On the virtual clock, a main task spawns a crowd of sleepers, each
//!    sleeping a pseudo-random time from 1 ms to 10 s, and joins them all.
//!    The clock jumps from deadline to deadline, so ten seconds of sleeping
//!    take a fraction of a second, and every run is the same.
//! 2. On the real clock, a smaller crowd sleeps 1 to 100 ms each. They all
//!    sleep at once, so the run takes about 100 ms plus the cost of spawning,
//!    not the sum of the sleeps, and the thread spends that time asleep in the
//!    OS rather than on the CPU.
//!
//! Each part measures the resident memory the crowd adds while every task is
//! alive and asleep, and divides it by the number of tasks.
//!
//! ```text
//!   main: spawn T1 .. Tn ─▶ yield_now ─▶ (every Ti runs once: sleep(d_i) ─▶ timer heap)
//!         ─▶ main runs again: every task is alive and asleep, read /proc/self/status
//!         ─▶ join T1, T2, ..., Tn in spawn order
//! ```
//!
//! The OS sets the ceiling. Each task's stack is two memory mappings (the
//! stack and the guard page below it that turns an overflow into a crash
//! instead of silent corruption), and Linux allows a process
//! `vm.max_map_count` mappings, 65,530 by default: about 32,000 live tasks.
//! Past that, spawning returns [`SchedError::StackRefused`], whose message
//! says so, and the part stops there.

use std::fmt;
use std::time::{Duration, Instant};

use yieldpoint::ch05_event_loop::cpu_time;
use yieldpoint::ch06_scheduler::{self, Clock, SchedError, Scheduler};
use yieldpoint::say;

/// The stack each task of the crowd gets: 16 KiB, against the scheduler's
/// default of 256 KiB.
///
/// A sleeper touches a single 4 KiB page of its stack (the resident memory
/// per task that [`run`] prints shows it). The main task goes deepest, since
/// it also spawns and reads `/proc`: in a debug build it overflows a 4 KiB
/// stack (the guard page turns that into a crash, not silent corruption) and
/// runs fine in 8 KiB, so 16 KiB leaves twice the room it needs. The OS backs
/// only the pages a stack touches, so the default size costs no more resident
/// memory (4.4 KiB per task either way), but every byte of a stack is reserved
/// address space and counts against the memory the OS promises to back (its
/// commit charge): 30,000 default stacks reserve 7.4 GiB, these 586 MiB,
/// guard pages included.
const STACK_SIZE: usize = 16 * 1024;

/// The seed of the pseudo-random sleeps: a constant, so every run sleeps the
/// same durations.
const SEED: u64 = 2024;

/// SplitMix64, a tiny pseudo-random generator: a counter stepped by a large
/// odd constant, then scrambled. Good enough to scatter sleeps; not for
/// anything that needs real randomness.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    /// The next pseudo-random 64-bit number.
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A whole number of milliseconds from 1 to `max_ms`, as a duration.
    fn millis(&mut self, max_ms: u64) -> Duration {
        Duration::from_millis(1 + self.next_u64() % max_ms)
    }
}

/// Resident memory and reserved address space, in KiB, from
/// `/proc/self/status` (`VmRSS` and `VmSize`); `None` off Linux.
#[derive(Debug, Clone, Copy)]
struct Memory {
    resident_kib: u64,
    reserved_kib: u64,
}

impl Memory {
    /// Reads the process's memory now.
    fn now() -> Option<Memory> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let field = |name: &str| -> Option<u64> {
            let line = status.lines().find(|line| line.starts_with(name))?;
            line[name.len()..].split_whitespace().next()?.parse().ok()
        };
        Some(Memory {
            resident_kib: field("VmRSS:")?,
            reserved_kib: field("VmSize:")?,
        })
    }
}

/// What the crowd added to the process's memory while every task was alive.
#[derive(Debug, Clone, Copy)]
struct Growth {
    resident_kib: i64,
    reserved_kib: i64,
    tasks: usize,
}

impl Growth {
    /// The growth from `before` to `after`, shared by `tasks` tasks.
    fn between(before: Option<Memory>, after: Option<Memory>, tasks: usize) -> Option<Growth> {
        let (before, after) = (before?, after?);
        // KiB counts from /proc fit an i64 with room to spare; the growth can
        // be negative if the allocator gave memory back in between.
        let kib = |from: u64, to: u64| to as i64 - from as i64;
        Some(Growth {
            resident_kib: kib(before.resident_kib, after.resident_kib),
            reserved_kib: kib(before.reserved_kib, after.reserved_kib),
            tasks,
        })
    }
}

impl fmt::Display for Growth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:.1} KiB resident per task ({:.1} MiB resident, {:.1} MiB of address space)",
            self.resident_kib as f64 / self.tasks.max(1) as f64,
            self.resident_kib as f64 / 1024.0,
            self.reserved_kib as f64 / 1024.0,
        )
    }
}

/// Shows a measured growth, or says that this OS was not measured.
fn per_task(growth: Option<Growth>) -> String {
    growth.map_or_else(
        || "memory per task not measured on this OS (no /proc/self/status)".to_string(),
        |growth| growth.to_string(),
    )
}

/// What the main task of one part reports.
#[derive(Debug, Clone, Copy)]
struct Crowd {
    /// Memory when every task was alive and asleep.
    asleep: Option<Memory>,
    /// Wall time from the start of `main` until every task was asleep.
    spawned_in: Duration,
    /// How many times `main` itself was resumed.
    main_resumes: u64,
}

/// Why a part stopped early.
#[derive(Debug)]
enum Stopped {
    /// The OS refused a stack after `spawned` tasks.
    Spawning { spawned: usize, error: SchedError },
    /// The scheduler, or a task, failed.
    Run(SchedError),
}

impl fmt::Display for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stopped::Spawning { spawned, error } => {
                write!(f, "spawning stopped after {spawned} tasks: {error}")
            }
            Stopped::Run(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for Stopped {}

impl From<SchedError> for Stopped {
    fn from(error: SchedError) -> Self {
        Stopped::Run(error)
    }
}

/// One part's results.
#[derive(Debug, Clone, Copy)]
struct Report {
    tasks: usize,
    longest: Duration,
    end: Duration,
    wall: Duration,
    cpu: Option<Duration>,
    spawned_in: Duration,
    resumes: u64,
    main_resumes: u64,
    growth: Option<Growth>,
}

// ANCHOR: crowd_main
/// The main task of a part: spawn a sleeper per duration, let each one take
/// its first step (into the timer heap), measure, then join them all.
fn crowd_main(sleeps: Vec<Duration>) -> Result<Crowd, Stopped> {
    let started = Instant::now();
    let mut handles = Vec::with_capacity(sleeps.len());
    for (spawned, &nap) in sleeps.iter().enumerate() {
        let handle = ch06_scheduler::spawn("sleeper", move || ch06_scheduler::sleep(nap))
            .map_err(|error| Stopped::Spawning { spawned, error })?;
        handles.push(handle);
    }
    // Every sleeper is in the ready queue, ahead of us: one turn later each
    // has run once and waits in the timer heap.
    ch06_scheduler::yield_now()?;
    let asleep = Memory::now();
    let spawned_in = started.elapsed();
    let mut main_resumes = 2;
    for handle in &handles {
        if !handle.done() {
            main_resumes += 1; // join suspends once, until that task is done
        }
        handle.join()?;
    }
    Ok(Crowd {
        asleep,
        spawned_in,
        main_resumes,
    })
}
// ANCHOR_END: crowd_main

/// Runs one part: `tasks` sleepers of 1 to `max_ms` milliseconds on `clock`.
fn part(clock: Clock, tasks: usize, max_ms: u64, seed: u64) -> Result<Report, Stopped> {
    let mut rng = SplitMix64(seed);
    let sleeps: Vec<Duration> = (0..tasks).map(|_| rng.millis(max_ms)).collect();
    let longest = sleeps.iter().copied().max().unwrap_or_default();

    let before = Memory::now();
    let cpu_before = cpu_time();
    let started = Instant::now();
    let scheduler = Scheduler::new(clock).with_stack_size(STACK_SIZE);
    let crowd = scheduler.run_until_complete(move || crowd_main(sleeps));
    let wall = started.elapsed();
    let cpu = cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    // A failed part leaves sleepers behind: dropping the scheduler cancels
    // them and gives their stacks back to the OS.
    let (end, resumes) = (scheduler.now(), scheduler.resumes());
    drop(scheduler);
    let crowd = crowd?;
    Ok(Report {
        tasks,
        longest,
        end,
        wall,
        cpu,
        spawned_in: crowd.spawned_in,
        resumes,
        main_resumes: crowd.main_resumes,
        growth: Growth::between(before, crowd.asleep, tasks),
    })
}

/// Says a part's wall and CPU time (measurements: a `[cost]` line).
fn say_times(report: &Report) {
    say!(
        "cost",
        "Wall time {} (spawned and asleep after {}), CPU time {}",
        ms(report.wall),
        ms(report.spawned_in),
        report.cpu.map_or_else(|| "not measured".to_string(), ms)
    );
}

/// Says how many resumes a part took, and how they split, as `role`.
fn say_resumes(role: &str, report: &Report) {
    say!(
        role,
        "{} resumes: {} for the sleepers, {} for main",
        report.resumes,
        report.resumes.saturating_sub(report.main_resumes),
        report.main_resumes
    );
}

/// Milliseconds with one decimal, always in ms, so that `[cost]` lines keep
/// their words from run to run.
fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1e3)
}

/// Reads `vm.max_map_count`, the most memory mappings a Linux process may
/// hold.
fn max_map_count() -> Option<u64> {
    std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Runs `virtual_tasks` sleepers on the virtual clock, then `real_tasks` on
/// the real clock, and prints what they cost: time, resumes and resident
/// memory per task, then a summary.
///
/// Lines whose numbers change from run to run (times, memory, and the OS's
/// mapping limit) are tagged `[cost]`; the rest are the same on every run.
/// If the OS refuses a task's stack, the part says why and stops; this
/// function does not panic.
pub fn run(virtual_tasks: usize, real_tasks: usize) {
    let stack_kib = STACK_SIZE / 1024;
    say!(
        "crowd",
        "Each task gets a {stack_kib} KiB stack plus a guard page: 2 memory mappings"
    );
    let most = virtual_tasks.max(real_tasks) + 1;
    match max_map_count() {
        Some(limit) => say!(
            "cost",
            "This OS allows {limit} mappings per process (vm.max_map_count); \
             {most} live stacks need {}",
            2 * most
        ),
        None => say!(
            "cost",
            "vm.max_map_count not readable on this OS; {most} live stacks need {} mappings",
            2 * most
        ),
    }

    say!(
        "crowd",
        "Part 1: {virtual_tasks} tasks on the virtual clock, each sleeping 1 ms to 10 s"
    );
    let virtual_report = part(Clock::Virtual, virtual_tasks, 10_000, SEED);
    match &virtual_report {
        Ok(report) => {
            say!(
                "crowd",
                "All {} joined; the virtual clock reads {:.3} s (the longest sleep: {:.3} s)",
                report.tasks,
                report.end.as_secs_f64(),
                report.longest.as_secs_f64()
            );
            // Exact on the virtual clock: not a measurement.
            say_resumes("crowd", report);
            say_times(report);
            say!("cost", "Memory: {}", per_task(report.growth));
        }
        Err(stopped) => say!("crowd", "Part 1 stopped: {stopped}"),
    }

    say!(
        "crowd",
        "Part 2: {real_tasks} tasks on the real clock, each sleeping 1 to 100 ms"
    );
    let real_report = part(Clock::Real, real_tasks, 100, SEED);
    match &real_report {
        Ok(report) => {
            say!(
                "crowd",
                "All {} joined; the longest sleep was {}",
                report.tasks,
                ms(report.longest)
            );
            say_times(report);
            // On the real clock main's count depends on timing: a measurement.
            say_resumes("cost", report);
            say!("cost", "Memory: {}", per_task(report.growth));
        }
        Err(stopped) => say!("crowd", "Part 2 stopped: {stopped}"),
    }

    say!("crowd", "Summary");
    for (label, report) in [("virtual", &virtual_report), ("real", &real_report)] {
        match report {
            Ok(report) => say!(
                "cost",
                "{label}: {} tasks, {} wall for sleeps of up to {}, {} resumes, {}",
                report.tasks,
                ms(report.wall),
                ms(report.longest),
                report.resumes,
                report.growth.map_or_else(
                    || "memory not measured on this OS".to_string(),
                    |growth| format!(
                        "{:.1} KiB per task",
                        growth.resident_kib as f64 / growth.tasks.max(1) as f64
                    )
                )
            ),
            Err(_) => say!("crowd", "{label}: stopped early (see above)"),
        }
    }
}
