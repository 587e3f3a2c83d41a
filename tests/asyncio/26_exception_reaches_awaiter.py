"""An exception in a task reaches the task that awaits it; the other tasks keep running."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say


async def bad():
    say("bad", "sleeps 2 units")
    await asyncio.sleep(2 * UNIT)
    say("bad", "raises boom")
    raise RuntimeError("boom")


async def ticker():
    await asyncio.sleep(1 * UNIT)
    say("ticker", "tick 1")
    await asyncio.sleep(2 * UNIT)
    say("ticker", "tick 2, after bad failed")
    return 2


async def main():
    b = asyncio.create_task(bad())
    t = asyncio.create_task(ticker())
    try:
        await b
        say("main", "bad returned")
    except RuntimeError as error:
        say("main", f"bad failed: {error}")
    ticks = await t
    say("main", f"ticker went on to {ticks} ticks")


run(main)
