"""gather raises the first error at once; the other tasks are not cancelled and keep running."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say


async def quick():
    await asyncio.sleep(1 * UNIT)
    say("quick", "returns 1")
    return 1


async def bad():
    await asyncio.sleep(2 * UNIT)
    say("bad", "raises boom")
    raise RuntimeError("boom")


async def slow():
    await asyncio.sleep(3 * UNIT)
    say("slow", "returns 3")
    return 3


async def main():
    q = asyncio.create_task(quick())
    b = asyncio.create_task(bad())
    s = asyncio.create_task(slow())
    say("main", "gathers quick, bad, slow")
    try:
        await asyncio.gather(q, b, s)
        say("main", "gather returned")
    except RuntimeError as error:
        say("main", f"gather failed: {error}")
    say("main", "slow is done" if s.done() else "slow is still pending")
    value = await s
    say("main", f"slow returned {value}")


run(main)
