"""An exception raised in an awaited task passes through `await` into the awaiting task, which fails with the same exception; gather fails at once, naming it."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say



async def inner():
    await asyncio.sleep(1 * UNIT)
    say("inner", "raises disk full")
    raise OSError("disk full")


async def outer(task):
    say("outer", "awaits inner")
    await task
    say("outer", "never")


async def slow():
    await asyncio.sleep(4 * UNIT)
    say("slow", "done")


async def main():
    i = asyncio.create_task(inner())
    o = asyncio.create_task(outer(i))
    s = asyncio.create_task(slow())
    try:
        await asyncio.gather(o, s)
    except OSError as error:
        say("main", f"gather raised: {error}")
    say("main", f"outer failed with the same error: {o.exception() is i.exception()}")
    await s


run(main)
