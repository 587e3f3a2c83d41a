"""gather of tasks that have all ended still suspends its caller: their done callbacks are scheduled, not called, so a task ready before runs first."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say



async def value(n):
    return n


async def other():
    say("other", "runs")


async def main():
    a = asyncio.create_task(value(1))
    b = asyncio.create_task(value(2))
    await asyncio.sleep(0)
    say("main", f"both done: {a.done() and b.done()}")
    o = asyncio.create_task(other())
    values = await asyncio.gather(b, a)
    say("main", f"gather returned {values}")
    await o
    empty = await asyncio.gather()
    say("main", f"gather of nothing returned {empty} at once")


run(main)
