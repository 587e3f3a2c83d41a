//! The GIL contrast: the same CPU-bound work on one thread, then on one
//! thread per core, in Rust and in Python.
//!
//! `cargo run --example ch11_threads -- --gil` runs this module's [`run`].
//! Each side first times one share of work on one thread, then `n` shares
//! on `n` threads at once (`n` the number of cores, at least 2), and says
//! how much more work per second the `n` threads did. Rust's threads run
//! on every core at once: close to `n` times. CPython's threads take turns
//! holding the global interpreter lock, so only one runs Python code at a
//! time: close to 1 times, whatever `n` is. (A free-threaded CPython, 3.13
//! built with `--disable-gil`, would scale; the line says which one ran.)
//!
//! Nothing here is asserted by a test: wall times depend on the machine and
//! on what else it runs.

use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use yieldpoint::ch11_threads::crunch;
use yieldpoint::say;

/// How long one share of work should take on one thread.
pub const SHARE: Duration = Duration::from_millis(300);

// ANCHOR: python
/// The Python side, run with `python3 -c`: the same xorshift, in pure
/// Python, on one thread and then on `n` threads at once. It prints the two
/// times, whether the GIL was on, and Python's version.
pub const PYTHON: &str = r#"
import sys, threading, time

def crunch(rounds):
    x = 0x9E3779B97F4A7C15
    for _ in range(rounds):
        x ^= (x << 13) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 7
        x ^= (x << 17) & 0xFFFFFFFFFFFFFFFF
    return x

def timed(threads, rounds):
    workers = [threading.Thread(target=crunch, args=(rounds,)) for _ in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - start

share, threads = float(sys.argv[1]), int(sys.argv[2])
probe = 20_000
rounds = max(probe, int(probe * share / timed(1, probe)))
one, many = timed(1, rounds), timed(threads, rounds)
gil = getattr(sys, "_is_gil_enabled", lambda: True)()
print(f"{one:.6f} {many:.6f} {'on' if gil else 'off'} {sys.version.split()[0]}")
"#;
// ANCHOR_END: python

// ANCHOR: rust
/// How long `threads` threads take to crunch `rounds` rounds each, all at
/// once.
pub fn timed(threads: usize, rounds: u64) -> Duration {
    let start = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| thread::spawn(move || crunch(rounds)))
        .collect();
    for worker in workers {
        let _ = worker.join();
    }
    start.elapsed()
}

/// The Rust side: one share on one thread, then `n` shares on `n` threads.
pub fn rust(threads: usize) -> (Duration, Duration) {
    let probe = 1_000_000;
    let per_round = timed(1, probe).as_secs_f64() / probe as f64;
    let rounds = (SHARE.as_secs_f64() / per_round.max(1e-12)) as u64;
    (timed(1, rounds), timed(threads, rounds))
}
// ANCHOR_END: rust

/// One side's line: the two times, and the work per second `n` threads did
/// against one.
fn line(who: &str, threads: usize, one: f64, many: f64) {
    say!(
        "cost",
        "{who}: 1 share on 1 thread {one:.2} s; {threads} shares on {threads} threads \
         {many:.2} s: {:.2}x the work per second",
        threads as f64 * one / many.max(1e-9)
    );
}

/// Runs both sides.
pub fn run() {
    let threads = thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .max(2);
    say!(
        "main",
        "-- CPU-bound work: 1 thread, then {threads} at once (this machine has {} cores) --",
        thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    );
    let (one, many) = rust(threads);
    line("Rust", threads, one.as_secs_f64(), many.as_secs_f64());
    let output = Command::new("python3")
        .args([
            "-c",
            PYTHON,
            &SHARE.as_secs_f64().to_string(),
            &threads.to_string(),
        ])
        .output();
    match output {
        Ok(output) if output.status.success() => {
            let text = String::from_utf8_lossy(&output.stdout);
            let words: Vec<&str> = text.split_whitespace().collect();
            match words.as_slice() {
                [one, many, gil, version] => {
                    let (Ok(one), Ok(many)) = (one.parse::<f64>(), many.parse::<f64>()) else {
                        say!("error", "python3 printed {text:?}");
                        return;
                    };
                    line(&format!("Python {version}, GIL {gil}"), threads, one, many);
                }
                _ => say!("error", "python3 printed {text:?}"),
            }
        }
        Ok(output) => say!(
            "error",
            "python3 failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ),
        Err(error) => say!("main", "no python3 ({error}): the Python side is skipped"),
    }
}
