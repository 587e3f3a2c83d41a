#!/usr/bin/env python3
"""Counts the instructions one switch takes, where the clock is too noisy.

On a shared machine the medians of `cargo bench` move by a third from run to
run. An instruction count does not: valgrind's callgrind tool runs the program
on a simulated CPU and counts every instruction it executes, and the same
binary with the same input gives the same count, whatever else the machine is
doing. Instructions are not time (a cache miss or a system call costs far more
than an add), but for code that stays in the cache, as a switch does, they
track it closely, and they settle whether one mechanism does more work than
another.

    python3 benches/instructions.py           # build, count, print a table
    python3 benches/instructions.py --check   # the same, and fail if a checked
                                              # goal or guard is missed (CI)
    python3 benches/instructions.py --save    # the same, and write the counts to
                                              # chapters/08-cost-of-a-switch.counts.tsv

How: the bench binary `benches/switch.rs` runs one workload, `iterations`
times, when `YIELDPOINT_PROBE=<name>:<iterations>` is set. Each workload is
run twice under callgrind, with N and 2N iterations; the difference of the two
totals, divided by N, is the count of one iteration, since everything done
once (starting the process, building the coroutine, the scheduler or the
runtime) cancels out. The memory of a parked task comes from the bench
`benches/memory.rs`, which counts heap bytes with an allocator of its own:
as exact as an instruction count.

Chapter 8 sets goals. Two depend on the code alone and are met: `Generator`
at most 1.2x raw corosensei, and a stackful suspend at depth 100 at most 1.2x
the one at depth 1; `--check` fails if either is missed. Three more compare
chapter 6's scheduler with tokio (a switch at most 1/4 of tokio's, spawn and
join at most 1/2, a parked task in no more memory): they are missed, and
chapter 8 says why and by how much. For those, `--check` guards what has been
reached instead: it fails if a change makes any of them worse than the
guard, so that the scheduler does not quietly slow down.
"""

import argparse
import datetime
import json
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (probe, its criterion twin, iterations N): the cheap ones get more
# iterations so that their difference stands well clear of any jitter in
# the one-off work.
PROBES = [
    ("raw_corosensei", "round_trip/raw_corosensei", 200_000),
    ("generator", "round_trip/generator", 200_000),
    ("stackful_1", "delegation/stackful/1", 200_000),
    ("stackful_100", "delegation/stackful/100", 200_000),
    ("scheduler_ping_pong", "scheduler/ping_pong", 50_000),
    ("scheduler_async_ping_pong", "scheduler/async_ping_pong", 50_000),
    ("tokio_ping_pong", "tokio/ping_pong", 50_000),
    ("scheduler_spawn_join", "scheduler/spawn_join", 20_000),
    ("tokio_spawn_join", "tokio/spawn_join", 20_000),
    # Chapter 10. Callgrind counts the instructions a process runs, not the
    # kernel's: for these, what the program does around its system calls
    # (chapter 10 counts the system calls themselves with strace).
    ("scheduler_ping_pong_with_socket", "scheduler/ping_pong_with_socket", 20_000),
    ("tokio_ping_pong_with_socket", "tokio/ping_pong_with_socket", 20_000),
    ("echo_scheduler", "echo/scheduler", 5_000),
    ("echo_scheduler_async", "echo/scheduler_async", 5_000),
    ("echo_tokio", "echo/tokio", 5_000),
    ("echo_threads", "echo/threads", 5_000),
]

# (what, numerator, denominator, the most it may be, checked?)
GOALS = [
    ("Generator at most 1.2x raw corosensei", "generator", "raw_corosensei", 1.2, True),
    ("stackful suspend flat from depth 1 to 100", "stackful_100", "stackful_1", 1.2, True),
    ("chapter 6's switch at most 1/4 of tokio's", "scheduler_ping_pong", "tokio_ping_pong", 0.25, False),
    ("chapter 6's spawn and join at most 1/2 of tokio's", "scheduler_spawn_join", "tokio_spawn_join", 0.5, False),
    ("a parked task of chapter 6 in no more heap than tokio's", "memory/ch06/parked_task", "memory/tokio/parked_task", 1.0, False),
]

# Guards for the goals that are missed: what has been reached, with a
# little room. (what, numerator, denominator, the most it may be.) A
# denominator of None guards the count itself: tokio's own counts move with
# how tokio is built (its spawn and join fell by 300 instructions when the
# benches' tokio gained the features chapter 10 needs, with no line of it
# changed), so a ratio alone can hide a regression of ours.
GUARDS = [
    ("chapter 6's switch no worse than 0.5x tokio's", "scheduler_ping_pong", "tokio_ping_pong", 0.5),
    ("chapter 6's spawn and join no worse than tokio's", "scheduler_spawn_join", "tokio_spawn_join", 1.0),
    ("chapter 6's spawn and join in at most 2,150 instructions", "scheduler_spawn_join", None, 2150),
    ("a parked task of chapter 6 in no more than 3.5x tokio's heap", "memory/ch06/parked_task", "memory/tokio/parked_task", 3.5),
]

SAVED = ROOT / "chapters" / "08-cost-of-a-switch.counts.tsv"


def memory():
    """Runs `benches/memory.rs`: heap bytes per parked task, by id."""
    command = ["cargo", "bench", "-q", "-p", "yieldpoint-benches", "--bench", "memory"]
    output = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    found = {}
    for line in output.stdout.splitlines():
        if "\t" in line:
            key, value = line.split("\t", 1)
            found[key] = float(value)
    if not found:
        sys.exit(f"benches/memory.rs printed no figures:\n{output.stdout}{output.stderr}")
    return found


def bench_binary():
    """Builds the bench binary (release) and returns its path."""
    command = ["cargo", "bench", "-p", "yieldpoint-benches", "--bench", "switch", "--no-run",
               "--message-format=json"]
    output = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    for line in output.stdout.splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message.get("executable") \
                and message["target"]["name"] == "switch":
            return message["executable"]
    sys.exit("cargo built no `switch` bench binary")


def count(binary, probe, iterations):
    """The instructions callgrind counted in one run of the probe."""
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", binary],
        env={"YIELDPOINT_PROBE": f"{probe}:{iterations}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.exit(f"the probe {probe} failed under callgrind:\n{result.stderr}")
    found = re.search(r"Collected\s*:\s*(\d+)", result.stderr)
    if not found:
        sys.exit(f"callgrind printed no total for {probe}:\n{result.stderr}")
    return int(found.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="fail if a checked goal or a guard is missed")
    parser.add_argument("--save", action="store_true",
                        help=f"write the counts to {SAVED.relative_to(ROOT)}")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")

    binary = bench_binary()
    per = {}
    print("| benchmark | instructions per iteration |")
    print("|---|---:|")
    for probe, twin, n in PROBES:
        once, twice = count(binary, probe, n), count(binary, probe, 2 * n)
        per[probe] = (twice - once) / n
        print(f"| `{twin}` | {per[probe]:.1f} |")
    print()
    bytes_per = memory()
    per.update(bytes_per)
    print("| memory | heap bytes per parked task |")
    print("|---|---:|")
    for key, value in bytes_per.items():
        print(f"| `{key}` | {value:.1f} |")
    print()
    missed = []
    for what, top, bottom, limit, checked in GOALS:
        ratio = per[top] / per[bottom]
        verdict = "met" if ratio <= limit else "missed"
        note = "" if checked else " (chapter 8 explains; guarded below)"
        print(f"- {what}: {verdict} ({ratio:.3f}x){note}")
        if checked and ratio > limit:
            missed.append(what)
    for what, top, bottom, limit in GUARDS:
        value = per[top] if bottom is None else per[top] / per[bottom]
        verdict = "held" if value <= limit else "broken"
        shown = f"{value:.1f}" if bottom is None else f"{value:.3f}x"
        print(f"- guard: {what}: {verdict} ({shown})")
        if value > limit:
            missed.append(what)
    if args.save:
        rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
        lines = [
            "# instructions per iteration (callgrind) and heap bytes per parked task:"
            " python3 benches/instructions.py --save",
            f"# machine: {platform.machine()}, {platform.system()} {platform.release()}; {rustc}",
            f"# date: {datetime.date.today().isoformat()}",
        ]
        lines += [f"instructions/{probe}\t{per[probe]:.1f}" for probe, _, _ in PROBES]
        lines += [f"{key}\t{value:.1f}" for key, value in bytes_per.items()]
        SAVED.write_text("\n".join(lines) + "\n")
        print(f"\nwrote {SAVED.relative_to(ROOT)}")
    if args.check and missed:
        sys.exit("missed: " + "; ".join(missed))


if __name__ == "__main__":
    main()
