"""Runs random task programs, rendered as asyncio code by tests/random_programs.rs, on CPython.

Each program is a small Python script: one `async def` per task, whose body
is a list of calls on `me`, the task's helper below (`await me.sleep(1)`,
`me.spawn("t2", t2)`, `await me.join("t2")`, `me.cancel("t2")`, ...). The
helpers do exactly what asyncio does (`asyncio.sleep`, `await task`,
`task.cancel()`, `loop.create_task`) and say the same lines as the Rust run:
`<time> <who>: <what>`, the time in whole units of virtual time.

    python3 tests/random_programs/run.py PROGRAM.py    # one script, its lines on stdout
    python3 tests/random_programs/run.py --batch       # scripts on stdin (see below)

In batch mode, stdin holds many scripts, each opened by a line
`#### program N`; stdout gives each program's lines under the same line.

The event loop is asyncio's own `SelectorEventLoop` on the virtual clock of
tests/asyncio/parity.py (`VirtualClockLoop`, imported, not copied), with two
changes that make its timers follow the rule both sides document, "equal
deadlines fire in the order the timers were set":

- The clock stands still between jumps. parity.py's clock moves on by a
  nanosecond at each reading, as a real clock would, which orders equal
  sleeps set at the same instant. But in these programs timers with the same
  deadline are often set at different instants (a sleep of 2 at time 0 and a
  sleep of 1 at time 1), and after a jump the clock's nanoseconds restart
  from the timer it jumped to; two such deadlines then come out in either
  order, or a nanosecond apart, so far apart that asyncio fires them in
  different iterations.
- Timers with equal deadlines fire in the order they were set. asyncio's
  heap compares deadlines only, so it leaves exact ties in no particular
  order; `call_at` here gives each timer a sequence number as tie-breaker,
  as the scheduler's timer heap does.

Everything that decides order otherwise (the ready deque, `_run_once`, its
`ntodo` pass, Task's `__step` and `__wakeup`, `Task.cancel`) is CPython's.
"""

import asyncio
import heapq
import itertools
import os
import sys
import traceback

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "asyncio"))

from parity import VirtualClockLoop  # noqa: E402

# One unit of virtual time, in the loop's seconds: whole numbers, exact in
# floating point.
UNIT = 1.0


class _TimerInSetOrder(asyncio.TimerHandle):
    """A timer handle that breaks ties of its deadline by the order set."""

    __slots__ = ("_seq",)

    def __init__(self, when, seq, callback, args, loop, context):
        super().__init__(when, callback, args, loop, context)
        self._seq = seq

    def __lt__(self, other):
        return (self._when, self._seq) < (other._when, other._seq)

    def __le__(self, other):
        return (self._when, self._seq) <= (other._when, other._seq)

    def __gt__(self, other):
        return (self._when, self._seq) > (other._when, other._seq)

    def __ge__(self, other):
        return (self._when, self._seq) >= (other._when, other._seq)


class ExactClockLoop(VirtualClockLoop):
    """parity.py's virtual-clock loop with a clock that stands still and
    equal deadlines kept in the order they were set (see the module doc)."""

    def __init__(self):
        super().__init__()
        self._timers_set = itertools.count()

    def time(self):
        return self.now

    def call_at(self, when, callback, *args, context=None):
        # BaseEventLoop.call_at, with the tie-breaking handle.
        self._check_closed()
        timer = _TimerInSetOrder(when, next(self._timers_set), callback, args, self, context)
        heapq.heappush(self._scheduled, timer)
        timer._scheduled = True
        return timer


class Boom(Exception):
    """What a task's `panic` raises."""


class Run:
    """One program's run: its lines, its tasks, and what each task is doing."""

    def __init__(self, loop):
        self.loop = loop
        self.lines = []
        self.tasks = {}  # name -> asyncio.Task, in spawn order
        self.me = {}  # name -> Me

    def say(self, who, what):
        units = self.loop.time() / UNIT
        self.lines.append(f"{round(units)} {who}: {what}")

    def enter(self, name, goes_on):
        me = Me(self, name, goes_on)
        self.me[name] = me
        self.say(name, "start")
        return me


class Me:
    """A task's helper: one method per op, each saying its lines."""

    def __init__(self, run, name, goes_on):
        self.run = run
        self.name = name
        self.goes_on = goes_on
        self.cancel_pending = False  # cancelled, and no op has raised it yet
        self.interrupted = False  # an op has raised its cancellation
        self.budget = None  # ops left before it stops, after a cancellation

    def say(self, what):
        self.run.say(self.name, what)

    def before(self):
        """Called at the start of every op: stops the task when its
        cancellation has used up its budget (raising CancelledError ends the
        task cancelled, as the Rust task's return does)."""
        if self.budget == 0:
            self.say("stops")
            raise asyncio.CancelledError
        if self.budget is not None:
            self.budget -= 1

    def interrupted_at(self, what):
        self.say(f"{what} interrupted by cancel")
        self.cancel_pending = False
        self.budget = 1 if self.goes_on and not self.interrupted else 0
        self.interrupted = True

    def spawn(self, name, coroutine_function):
        self.before()
        self.run.tasks[name] = self.run.loop.create_task(coroutine_function(self.run), name=name)
        self.say(f"spawn {name}")

    async def sleep(self, d):
        self.before()
        self.say(f"sleep {d}")
        try:
            await asyncio.sleep(d * UNIT)
        except asyncio.CancelledError:
            self.interrupted_at(f"sleep {d}")
            return
        self.say(f"woke from sleep {d}")

    async def yield_(self):
        self.before()
        self.say("yield")
        try:
            await asyncio.sleep(0)
        except asyncio.CancelledError:
            self.interrupted_at("yield")
            return
        self.say("back from yield")

    async def join(self, name):
        self.before()
        task = self.run.tasks.get(name)
        if task is None:
            self.say(f"join {name}: not spawned")
            return
        self.say(f"join {name}")
        # Awaiting a task that is done returns (or raises) at once, without
        # suspending, so no cancellation of our own can be delivered there.
        done_before = task.done()
        try:
            value = await task
        except asyncio.CancelledError:
            # Either the joined task was cancelled (awaiting it raises
            # CancelledError) or our own cancellation was delivered at the
            # await. When we did suspend with a cancellation of our own
            # pending, ours is the one delivered: Task.__step turns whatever
            # the wake-up carries into it.
            if not done_before and self.cancel_pending:
                self.interrupted_at(f"join {name}")
                return
            if not task.cancelled():
                raise
            self.say(f"joined {name}: cancelled")
        except Boom as error:
            self.say(f"joined {name}: panicked ({error})")
        else:
            self.say(f"joined {name}: {value}")

    def cancel(self, name):
        self.before()
        task = self.run.tasks.get(name)
        if task is None:
            self.say(f"cancel {name}: not spawned")
            return
        cancelled = task.cancel()
        self.say(f"cancel {name} -> {cancelled}")
        target = self.run.me.get(name)
        if cancelled and target is not None:
            target.cancel_pending = True

    def ret(self, value):
        self.before()
        self.say(f"return {value}")
        if self.interrupted:
            # Chapter 7, "Our one rule on top": a task that has been handed
            # its cancellation ends cancelled whatever it returns. asyncio
            # would let it return a value; the Rust side does not, so the
            # rendering re-raises here.
            raise asyncio.CancelledError
        return value

    def panic(self):
        self.before()
        self.say("panic")
        raise Boom(f"boom {self.name}")


def run_program(main, task_names):
    """Runs `main(run)` to completion on a fresh loop; returns the lines.

    `task_names` lists the program's tasks other than main, in order, for
    the closing `end:` lines.
    """
    loop = ExactClockLoop()
    # Leftover tasks are abandoned with the loop, and panics nobody joined
    # are the Rust side's business: keep asyncio's reports about both quiet.
    loop.set_exception_handler(lambda loop, context: None)
    run = Run(loop)
    main_task = loop.create_task(main(run), name="main")
    stuck = []
    try:
        value = loop.run_until_complete(main_task)
        run.say("loop", f"main returned {value}")
    except Boom as error:
        run.say("loop", f"main panicked ({error})")
    except Exception as error:  # noqa: BLE001 -- keep the lines said so far
        if type(error) is RuntimeError and "virtual clock" in str(error):
            # Nothing is ready and no timer is set (parity.py's selector
            # says so): on a real clock asyncio would wait forever; the
            # scheduler reports a deadlock naming every task still alive.
            stuck = ["main"] + [
                n for n in task_names if n in run.tasks and not run.tasks[n].done()
            ]
            run.say("loop", "deadlock: " + " ".join(stuck))
        else:
            # Not a line the Rust side says: e.g. asyncio's RecursionError
            # when a cancel chases a cycle of joins, after a documented
            # difference.
            run.say("loop", f"main failed ({type(error).__name__}: {error})")
    for n in task_names:
        task = run.tasks.get(n)
        if task is None or n in stuck:
            continue
        if not task.done():
            state = "pending"
        elif task.cancelled():
            state = "cancelled"
        elif task.exception() is not None:
            state = f"panicked ({task.exception()})"
        else:
            state = f"done {task.result()}"
        run.say("end", f"{n} {state}")
    loop.close()
    return run.lines


def run_source(source):
    """Runs one rendered script; returns its lines."""
    namespace = {"__name__": "random_program"}
    exec(compile(source, "<random program>", "exec"), namespace)
    return run_program(namespace["main"], namespace["TASKS"])


def main():
    if sys.argv[1:] == ["--batch"]:
        chunks = sys.stdin.read().split("#### program ")[1:]
        out = []
        for chunk in chunks:
            number, _, source = chunk.partition("\n")
            out.append(f"#### program {number.strip()}")
            try:
                out.extend(run_source(source))
            except BaseException:  # noqa: BLE001 -- report it in-band, go on
                out.extend("ERROR: " + line for line in traceback.format_exc().splitlines())
        print("\n".join(out))
    elif len(sys.argv) == 2:
        with open(sys.argv[1], encoding="utf-8") as file:
            print("\n".join(run_source(file.read())))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
