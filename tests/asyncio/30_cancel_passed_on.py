"""`await inner` in a task whose inner task is cancelled raises CancelledError there; let through, it ends the outer task cancelled, and gather fails at once."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say



async def inner():
    say("inner", "sleeps 5 units")
    await asyncio.sleep(5 * UNIT)


async def outer(task):
    say("outer", "awaits inner")
    await task  # CancelledError passes through
    say("outer", "never")


async def sibling():
    await asyncio.sleep(3 * UNIT)
    say("sibling", "done")
    return 3


async def main():
    i = asyncio.create_task(inner())
    o = asyncio.create_task(outer(i))
    s = asyncio.create_task(sibling())
    await asyncio.sleep(1 * UNIT)
    say("main", f"cancels inner: {i.cancel()}")
    try:
        await asyncio.gather(o, s)
    except asyncio.CancelledError:
        say("main", "gather raised CancelledError")
    say("main", f"outer cancelled: {o.cancelled()}, done: {o.done()}")
    say("main", f"sibling done: {s.done()}")
    await s
    say("main", "sibling awaited")


run(main)
