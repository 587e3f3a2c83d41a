"""A task says where it is: done() is true once it has ended in any way, cancelled() only for a cancellation, exception() names a failure."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say



async def ok():
    return 1


async def bad():
    raise ValueError("bad")


async def slow():
    await asyncio.sleep(5 * UNIT)


async def main():
    a = asyncio.create_task(ok())
    b = asyncio.create_task(bad())
    c = asyncio.create_task(slow())
    say("main", f"before: done {a.done()} {b.done()} {c.done()}")
    await asyncio.sleep(1 * UNIT)
    c.cancel()
    await asyncio.sleep(0)
    say("main", f"after: done {a.done()} {b.done()} {c.done()}")
    say("main", f"cancelled {a.cancelled()} {b.cancelled()} {c.cancelled()}")
    say("main", f"exception of bad: {b.exception()}")


run(main)
