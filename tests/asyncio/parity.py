"""What every scenario shares: `say` prints `<time> <who>: <what>`, `run` runs `main`.

Time is the loop's time since `main` started, in units of UNIT seconds, rounded
to a whole unit. The Rust twin of each scenario prints the same lines with the
scheduler's virtual clock, where one unit is exactly 100 ms.

By default the scenario runs on CPython's own asyncio event loop with one
change: its clock is virtual. `VirtualClockLoop` is asyncio's
`SelectorEventLoop`, whose `_run_once` (the ready queue, the timer heap, the
order of callbacks) runs unchanged; only `time()` reads a number, and the
selector, when asyncio asks it to wait for the next timer, adds the wait to
that number instead of sleeping. Runs are then exact and instant, whatever the
machine is doing. `PARITY_REAL_TIME=1` runs the scenarios on the wall clock
instead, with 100 ms units and a check for late wake-ups.
"""

import asyncio
import os
import selectors
import sys

REAL_TIME = os.environ.get("PARITY_REAL_TIME") == "1"

# Seconds in one time unit. On the virtual clock a unit is one whole second,
# so that sums of units are exact in floating point, as the Rust side's
# `Duration`s are.
UNIT = 0.1 if REAL_TIME else 1.0


class _VirtualSelector(selectors.DefaultSelector):
    """A selector that never sleeps: asked to wait, it moves the clock."""

    def __init__(self):
        super().__init__()
        self.loop = None

    def select(self, timeout=None):
        ready = super().select(0)  # the loop's own wake-up pipe, if written
        if ready or timeout == 0:
            return ready
        if timeout is None:
            raise RuntimeError(
                "virtual clock: nothing is ready and no timer is set, "
                "so the program would wait forever"
            )
        self.loop.now += timeout
        return []


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """asyncio's own event loop, on a virtual clock.

    Each reading of the clock moves it on by a nanosecond, as reading a real
    monotonic clock does: two sleeps of the same length set one after the
    other get deadlines in the order they were set, as on the wall clock.
    (With a clock that stood perfectly still, equal deadlines would tie, and
    asyncio's timer heap does not keep ties in order.)
    """

    def __init__(self):
        self.now = 0.0
        selector = _VirtualSelector()
        super().__init__(selector)
        selector.loop = self

    def time(self):
        self.now += 1e-9
        return self.now

# How far from a whole unit a time may be before `say` reports it on stderr:
# the machine was too busy to wake the loop on time. Past half a unit the
# rounding goes wrong and the line no longer matches.
JITTER = 0.25

_start = 0.0


def say(who, what):
    units = (asyncio.get_running_loop().time() - _start) / UNIT
    print(f"{round(units)} {who}: {what}")
    if abs(units - round(units)) > JITTER:
        print(f"jitter: '{who}: {what}' came at {units:.2f} units", file=sys.stderr)


def run(main, shutdown=False):
    """Runs `main` as `asyncio.run` does. Tasks still pending when `main`
    returns are an error, unless `shutdown` says the scenario is about what
    asyncio.run does with them: cancel them, and run their cleanup to its end.
    """

    async def timed():
        global _start
        _start = asyncio.get_running_loop().time()
        await main()
        left = asyncio.all_tasks() - {asyncio.current_task()}
        if left and not shutdown:
            print(f"ERROR: {len(left)} task(s) still pending when main returned")

    if REAL_TIME:
        asyncio.run(timed())
    else:
        with asyncio.Runner(loop_factory=VirtualClockLoop) as runner:
            runner.run(timed())
