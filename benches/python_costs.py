#!/usr/bin/env python3
"""What pausing costs in CPython: the Python twins of benches/switch.rs.

`cargo bench --bench switch` runs this script after its criterion groups, so
one run measures both languages side by side. It also runs alone:

    python3 benches/python_costs.py            # measure, print, write the file
    python3 benches/python_costs.py --quick    # tiny counts: check it runs, write nothing

Every figure is in nanoseconds per operation: the median over several timed
repeats (REPEATS), each repeat a batch of operations long enough to take about
BATCH_SECONDS, with the garbage collector off while a batch runs (as `timeit`
does). The figures and what one operation is:

  python/generator_send     `gen.send(1)` to a generator paused at a `yield`:
                            it wakes up, adds one to what it was sent, and
                            pauses at the next `yield`. One round trip, the
                            twin of round_trip/generator and
                            round_trip/raw_corosensei.
  python/yield_from/N       one value out of a chain of N generators, each
                            doing `yield from` on the next, above a leaf that
                            counts up forever: `next(top)` travels down every
                            link to the leaf and the value travels back up.
                            The twin of delegation/yield_from/N (depth 0
                            would be the leaf alone, as in chapter 3).
  python/asyncio_ping_pong  one switch: two tasks on one asyncio event loop,
                            each doing `await asyncio.sleep(0)` in turn. The
                            twin of scheduler/ping_pong and tokio/ping_pong.

What is counted and what is left out, as in the Rust benches:
  - The `for` loop that repeats the operation is counted (a few ns), like
    criterion's own loop around each iteration.
  - Building the generator or the chain (and priming `generator_send` with
    its first `next`) is done before the clock starts.
  - The asyncio batch times `loop.run_until_complete` of a coroutine that
    creates the two tasks and awaits them: creating them is counted, spread
    over every switch of the batch, as scheduler/ping_pong counts its spawns.
    The event loop itself is created once, before any timing.

Output: `target/python-costs.tsv` (or the file given with `--out`), one line
`id<TAB>median_ns` per figure below a single `#` comment line naming the
Python that was measured; the same text is printed.
"""

import argparse
import asyncio
import gc
import platform
import statistics
import sys
import time
import timeit
from pathlib import Path

# Timed repeats per figure; the median of them is reported.
REPEATS = 9
# Roughly how long one repeat's batch runs.
BATCH_SECONDS = 0.2
# In --quick mode: operations per batch, and repeats.
QUICK_NUMBER = 20
QUICK_REPEATS = 2

DEPTHS = (1, 10, 100)


# --- the generators -------------------------------------------------------


def echo():
    """Answers every value sent with that value plus one, forever."""
    value = yield
    while True:
        value = yield value + 1


def count_up():
    """The leaf of a chain: yields 0, 1, 2, ... forever."""
    value = 0
    while True:
        yield value
        value += 1


def link(inner):
    """One link of a chain: hands every value of `inner` up, unchanged."""
    return (yield from inner)


def chain(depth):
    """`depth` links above a `count_up` leaf; depth 0 is the leaf alone."""
    top = count_up()
    for _ in range(depth):
        top = link(top)
    return top


def primed_echo():
    generator = echo()
    next(generator)  # run it to its first `yield`, where `send` finds it
    return generator


# --- the timers: each returns a function `number -> seconds` -------------


def generator_send_timer():
    # The setup runs before the clock starts, once per batch, and makes
    # `send` a local of timeit's loop, the cheapest name to look up.
    return timeit.Timer(
        stmt="send(1)",
        setup="send = primed_echo().send",
        globals={"primed_echo": primed_echo},
    ).timeit


def yield_from_timer(depth):
    return timeit.Timer(
        stmt="step()",
        setup=f"step = chain({depth}).__next__",
        globals={"chain": chain},
    ).timeit


async def turns(count):
    for _ in range(count):
        await asyncio.sleep(0)


async def ping_pong(switches):
    # The two tasks share the switches; `main` waits on them, off the ready
    # queue, so the loop alternates ping, pong, ping, pong...
    ping = asyncio.ensure_future(turns(switches // 2))
    pong = asyncio.ensure_future(turns(switches - switches // 2))
    await ping
    await pong


def asyncio_timer(event_loop):
    def run(number):
        gc_was_on = gc.isenabled()
        gc.disable()
        try:
            start = time.perf_counter()
            event_loop.run_until_complete(ping_pong(number))
            return time.perf_counter() - start
        finally:
            if gc_was_on:
                gc.enable()

    return run


# --- measuring ------------------------------------------------------------


def batch_size(run):
    """Like `timeit.Timer.autorange`: the smallest 1, 2, 5, 10, 20, 50, ...
    operations whose batch takes at least BATCH_SECONDS."""
    scale = 1
    while True:
        for step in (1, 2, 5):
            number = step * scale
            if run(number) >= BATCH_SECONDS:
                return number
        scale *= 10


def median_ns(run, quick):
    if quick:
        number, repeats = QUICK_NUMBER, QUICK_REPEATS
    else:
        number, repeats = batch_size(run), REPEATS
    per_op = [run(number) / number * 1e9 for _ in range(repeats)]
    return statistics.median(per_op)


def measure(quick):
    """Every figure, in the order of the module doc: (id, median ns)."""
    results = [("python/generator_send", median_ns(generator_send_timer(), quick))]
    for depth in DEPTHS:
        results.append(
            (f"python/yield_from/{depth}", median_ns(yield_from_timer(depth), quick))
        )
    event_loop = asyncio.new_event_loop()
    try:
        results.append(
            ("python/asyncio_ping_pong", median_ns(asyncio_timer(event_loop), quick))
        )
    finally:
        event_loop.close()
    return results


def report(results, quick):
    header = (
        f"# {platform.python_implementation()} {platform.python_version()}"
        f" on {platform.system()} {platform.machine()}:"
        " median ns per operation"
    )
    if quick:
        header += " (--quick: tiny counts, not a measurement)"
    lines = [header] + [f"{name}\t{ns:.2f}" for name, ns in results]
    return "\n".join(lines) + "\n"


def main():
    repo = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(
        description="Measure CPython's generator and asyncio switches "
        "(the Python twins of benches/switch.rs)."
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="run every measurement with a tiny count, to check that it works; "
        "print the figures but write no file",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=repo / "target" / "python-costs.tsv",
        help="where to write the figures (default: %(default)s)",
    )
    args = parser.parse_args()

    text = report(measure(args.quick), args.quick)
    sys.stdout.write(text)
    if not args.quick:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        partial = args.out.with_name(args.out.name + ".partial")
        partial.write_text(text)
        partial.replace(args.out)
        print(f"# written to {args.out}")


if __name__ == "__main__":
    main()
