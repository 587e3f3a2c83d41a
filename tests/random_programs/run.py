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
        self.tasks = {}  # name -> asyncio.Task, in spawn order (main too)
        self.shutting_down = False  # asyncio.run's shutdown has begun
        self.spawned_in_shutdown = set()

    def say(self, who, what):
        units = self.loop.time() / UNIT
        self.lines.append(f"{round(units)} {who}: {what}")

    def enter(self, name, goes_on):
        if name == "main":
            self.tasks[name] = asyncio.current_task()
        self.say(name, "start")
        return Me(self, name, goes_on)

    def spawn(self, who, name, coroutine_function):
        self.tasks[name] = self.loop.create_task(coroutine_function(self), name=name)
        if self.shutting_down:
            self.spawned_in_shutdown.add(name)
        self.say(who, f"spawn {name}")


def state_of(task):
    """A finished task's state, in the harness's words."""
    if task.cancelled():
        return "cancelled"
    if task.exception() is not None:
        return f"panicked ({task.exception()})"
    return f"done {task.result()}"


class Me:
    """A task's helper: one method per op, each saying its lines."""

    def __init__(self, run, name, goes_on):
        self.run = run
        self.name = name
        self.goes_on = goes_on
        self.interrupted = False  # an op has raised its cancellation
        self.budget = None  # ops left before it stops, after a cancellation
        self.panicking = False  # its `panic` op has raised

    def say(self, what):
        self.run.say(self.name, what)

    def before(self):
        """Called at the start of every op: stops the task when its
        cancellation has used up its budget (raising CancelledError ends the
        task cancelled, as the Rust task's `Err(Cancelled)` does)."""
        if self.budget == 0:
            self.say("stops")
            raise asyncio.CancelledError
        if self.budget is not None:
            self.budget -= 1

    def interrupted_at(self, what):
        self.say(f"{what} interrupted by cancel")
        self.swallowed()

    def swallowed(self):
        self.budget = 1 if self.goes_on and not self.interrupted else 0
        self.interrupted = True

    def spawn(self, name, coroutine_function):
        self.before()
        self.run.spawn(self.name, name, coroutine_function)

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

    async def join(self, name, pass_on=False):
        """`join tK`, or `join? tK` (pass_on): a bare `await task` that
        passes a failure or a cancellation on."""
        self.before()
        op = "join?" if pass_on else "join"
        task = self.run.tasks.get(name)
        if task is None:
            self.say(f"{op} {name}: not spawned")
            return
        self.say(f"{op} {name}")
        suffix = ", passes it on" if pass_on else ""
        try:
            value = await task
        except asyncio.CancelledError:
            # The join rule: `await task` raises CancelledError both when the
            # task was cancelled and when our own cancellation is delivered
            # here, and nothing tells the two apart. If the task has ended
            # cancelled, it reads as the task's; otherwise as ours.
            if task.cancelled():
                self.say(f"joined {name}: cancelled{suffix}")
                if pass_on:
                    raise
                return
            self.say(f"join {name} interrupted by cancel{suffix}")
            if pass_on:
                raise
            self.swallowed()
            return
        except Boom as error:
            self.say(f"joined {name}: panicked ({error}){suffix}")
            if pass_on:
                raise
            return
        self.say(f"joined {name}: {value}")

    def cancel(self, name):
        self.before()
        task = self.run.tasks.get(name)
        if task is None:
            self.say(f"cancel {name}: not spawned")
            return
        cancelled = task.cancel()
        self.say(f"cancel {name} -> {cancelled}")

    def on_done(self, name, child=None, child_function=None):
        """`on_done tK [spawn tJ]`: a done callback that says tK's state
        (asking for its exception retrieves it, as `failure()` does) and
        may spawn a task."""
        self.before()
        task = self.run.tasks.get(name)
        if task is None:
            self.say(f"on_done {name}: not spawned")
            return
        run, adder = self.run, self.name

        def callback(task):
            run.say("callback", f"{name} {state_of(task)} (added by {adder})")
            if child is not None:
                run.spawn("callback", child, child_function)

        self.say(f"on_done {name}")
        task.add_done_callback(callback)

    def drop_guard(self, d):
        """`(drop sleeps D)`: the Rust task owns a value whose destructor
        sleeps D; here, an `async with` whose exit does."""
        return DropGuard(self, d)

    def ret(self, value):
        self.before()
        self.say(f"return {value}")
        return value

    def panic(self):
        self.before()
        self.say("panic")
        self.panicking = True
        raise Boom(f"boom {self.name}")


class DropGuard:
    """The exit of a task's body: sleeps D, as the Rust destructor does.
    During a panic, the Rust destructor's sleep is refused (the task is
    unwinding); Python could sleep there, so this says the same refusal
    instead, and does not."""

    def __init__(self, me, d):
        self.me = me
        self.d = d

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, traceback):
        me, d = self.me, self.d
        me.say(f"drop: sleep {d}")
        if me.panicking:
            me.say(f"drop: sleep {d} refused (unwinding)")
            return False
        try:
            await asyncio.sleep(d * UNIT)
        except asyncio.CancelledError:
            me.say(f"drop: sleep {d} interrupted by cancel")
        else:
            me.say(f"drop: woke from sleep {d}")
        return False


def stuck_tasks(run, task_names):
    """Every task still alive, main first: what the scheduler names in a
    deadlock."""
    return [n for n in ["main"] + task_names if n in run.tasks and not run.tasks[n].done()]


def is_deadlock(error):
    """Nothing is ready and no timer is set (parity.py's selector says so):
    on a real clock asyncio would wait forever; the scheduler reports a
    deadlock naming every task still alive."""
    return type(error) is RuntimeError and "virtual clock" in str(error)


def run_program(main, task_names, asyncio_run):
    """Runs `main(run)` to completion on a fresh loop; returns the lines.

    `task_names` lists the program's tasks other than main, in order, for
    the closing `end:` lines. With `asyncio_run`, the run is an
    `asyncio.Runner`'s (asyncio.run's): when main has ended, `close()`
    cancels the tasks left and runs until their cleanup is over.
    Otherwise leftover tasks are abandoned with the loop.
    """
    runner = asyncio.Runner(loop_factory=ExactClockLoop)
    loop = runner.get_loop()
    # Panics nobody joined are the Rust side's business: keep asyncio's
    # reports about them quiet.
    loop.set_exception_handler(lambda loop, context: None)
    run = Run(loop)
    stuck = None
    try:
        value = runner.run(main(run))
        run.say("loop", f"main returned {value}")
    except Boom as error:
        run.say("loop", f"main panicked ({error})")
    except asyncio.CancelledError:
        run.say("loop", "main cancelled")
    except Exception as error:  # noqa: BLE001 -- keep the lines said so far
        if is_deadlock(error):
            stuck = stuck_tasks(run, task_names)
            run.say("loop", "deadlock: " + " ".join(stuck))
        else:
            # Not a line the Rust side says: e.g. asyncio's RecursionError
            # when a cancel chases a cycle of joins, after a documented
            # difference.
            run.say("loop", f"main failed ({type(error).__name__}: {error})")
    if asyncio_run and stuck is None:
        run.shutting_down = True
        try:
            runner.close()
        except Exception as error:  # noqa: BLE001
            if is_deadlock(error):
                stuck = stuck_tasks(run, task_names)
                run.say("loop", "shutdown deadlock: " + " ".join(stuck))
            else:
                run.say("loop", f"shutdown failed ({type(error).__name__}: {error})")
    for n in task_names:
        task = run.tasks.get(n)
        if task is None or n in (stuck or []) or n in run.spawned_in_shutdown:
            continue
        state = state_of(task) if task.done() else "pending"
        run.say("end", f"{n} {state}")
    lines = list(run.lines)
    # Close what is left now, with no loop running: a coroutine closed later
    # by the garbage collector would run its `async with` exit in the middle
    # of the next program, and set its sleep's timer on that program's loop.
    for task in run.tasks.values():
        if not task.done():
            try:
                task.get_coro().close()
            except BaseException:  # noqa: BLE001 -- an exit that tried to sleep
                pass
    if not loop.is_closed():
        loop.close()
    return lines


def run_source(source):
    """Runs one rendered script; returns its lines."""
    namespace = {"__name__": "random_program"}
    exec(compile(source, "<random program>", "exec"), namespace)
    return run_program(namespace["main"], namespace["TASKS"], namespace["ASYNCIO_RUN"])


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
