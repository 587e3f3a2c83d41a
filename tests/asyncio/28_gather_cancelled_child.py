"""gather with a cancelled task: kept as CancelledError with return_exceptions, raised at once without."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say


async def job(name, units):
    try:
        await asyncio.sleep(units * UNIT)
    except asyncio.CancelledError:
        say(name, "cancelled at its sleep")
        raise
    say(name, "finishes")
    return name.lower()


async def cancel_later(task, name, units):
    await asyncio.sleep(units * UNIT)
    say("stopper", f"cancels {name}: {task.cancel()}")


async def main():
    a = asyncio.create_task(job("A", 1))
    b = asyncio.create_task(job("B", 4))
    c = asyncio.create_task(job("C", 3))
    stopper = asyncio.create_task(cancel_later(b, "B", 2))
    say("main", "gathers A, B, C, keeping errors")
    outcomes = await asyncio.gather(a, b, c, return_exceptions=True)
    for name, outcome in zip("ABC", outcomes):
        if isinstance(outcome, asyncio.CancelledError):
            say("main", f"{name} was cancelled")
        else:
            say("main", f"{name} returned {outcome}")
    await stopper

    d = asyncio.create_task(job("D", 2))
    e = asyncio.create_task(job("E", 5))
    stopper = asyncio.create_task(cancel_later(e, "E", 1))
    say("main", "gathers D, E")
    try:
        await asyncio.gather(d, e)
        say("main", "gather returned")
    except asyncio.CancelledError:
        say("main", "gather raised CancelledError")
    say("main", "D is done" if d.done() else "D is still pending")
    value = await d
    say("main", f"D returned {value}")
    await stopper


run(main)
