#!/usr/bin/env python3
"""Counts chapter 6's switch and spawn at each step of chapter 8's story.

Chapter 8 tells how chapter 6's scheduler got its switch and its spawn down
to what they cost now, one change at a time. Every count it quotes for a
step comes from here: this script checks out each step's commit in a
worktree of its own, builds that commit's bench binary, and counts the same
probes `benches/instructions.py` counts today, the same way (callgrind, N and
2N iterations, the difference divided by N).

    python3 benches/story.py            # print the counts
    python3 benches/story.py --save     # and write chapters/08-cost-of-a-switch.story.tsv

It takes a while: one release build of the benches per step (the builds
share one target directory, so the dependencies are built once).
`tests/figures.rs` checks chapter 8's story against the saved file.
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAVED = ROOT / "chapters" / "08-cost-of-a-switch.story.tsv"

# (label, commit, what changed), oldest first. The labels are the ids'
# middle part: `story/<label>/<probe>`.
STEPS = [
    ("before", "f1942e7", "the scheduler chapter 8 first measured"),
    ("asyncio", "bd40b0f", "chapters 6 and 7 rebuilt on asyncio's model"),
    ("stale", "84bd5d8", "no stale-timer search on every iteration"),
    ("onecell", "968ec25", "one RefCell for queue, heap and table; the context on the task's stack; a byte of flags"),
    ("lean", "6486e80", "a shared failure, three-word CURRENT, Cow names, one borrow per pop"),
]

# (probe, iterations): the probes of `benches/instructions.py` this story
# follows. A commit older than a probe simply has no count for it.
PROBES = [
    ("scheduler_ping_pong", 50_000),
    ("tokio_ping_pong", 50_000),
    ("scheduler_spawn_join", 20_000),
    ("tokio_spawn_join", 20_000),
]


def bench_binary(tree, target):
    """Builds the bench binary of the checkout `tree`; returns its path."""
    for package in (["-p", "yieldpoint-benches"], []):
        command = ["cargo", "bench", *package, "--bench", "switch", "--no-run",
                   "--message-format=json"]
        output = subprocess.run(command, cwd=tree, capture_output=True, text=True,
                                env={**os.environ, "CARGO_TARGET_DIR": str(target)})
        for line in output.stdout.splitlines():
            message = json.loads(line)
            if message.get("reason") == "compiler-artifact" and message.get("executable") \
                    and message["target"]["name"] == "switch":
                return message["executable"]
    sys.exit(f"no `switch` bench binary built in {tree}:\n{output.stderr[-2000:]}")


def count(binary, probe, iterations):
    """The instructions callgrind counted in one run, or None if the commit
    has no such probe."""
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", binary],
        env={"YIELDPOINT_PROBE": f"{probe}:{iterations}", "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True,
    )
    found = re.search(r"Collected\s*:\s*(\d+)", result.stderr)
    if result.returncode != 0 or not found:
        return None
    return int(found.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", action="store_true", help=f"write {SAVED.relative_to(ROOT)}")
    args = parser.parse_args()
    lines = []
    with tempfile.TemporaryDirectory(prefix="yieldpoint-story-") as scratch:
        target = Path(scratch) / "target"
        for label, commit, what in STEPS:
            tree = Path(scratch) / label
            subprocess.run(["git", "worktree", "add", "--detach", str(tree), commit],
                           cwd=ROOT, check=True, capture_output=True)
            try:
                binary = bench_binary(tree, target)
                for probe, n in PROBES:
                    once, twice = count(binary, probe, n), count(binary, probe, 2 * n)
                    if once is None or twice is None:
                        print(f"{label} ({commit}): no probe {probe}")
                        continue
                    per = (twice - once) / n
                    print(f"{label} ({commit}, {what}): {probe} {per:.1f}")
                    lines.append(f"story/{label}/{probe}\t{per:.1f}")
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)],
                               cwd=ROOT, capture_output=True)
    if args.save:
        rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
        header = [
            "# chapter 8's story: instructions per iteration at each step (benches/story.py)",
            f"# machine: {platform.machine()}, {platform.system()} {platform.release()}; {rustc}",
            f"# date: {datetime.date.today().isoformat()}",
        ] + [f"# step {label}: {commit}, {what}" for label, commit, what in STEPS]
        SAVED.write_text("\n".join(header + lines) + "\n")
        print(f"wrote {SAVED.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
