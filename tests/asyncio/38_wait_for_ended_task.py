"""wait_for on a task that has ended waits for its done callback (a pass) unless the timeout is zero, when it returns at once."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say



async def value():
    return 7


async def other(name):
    say(name, "runs")


async def main():
    t = asyncio.create_task(value())
    await asyncio.sleep(0)
    o1 = asyncio.create_task(other("other1"))
    got = await asyncio.wait_for(t, 5 * UNIT)
    say("main", f"wait_for(t, 5) gave {got}")
    await o1
    o2 = asyncio.create_task(other("other2"))
    got = await asyncio.wait_for(t, 0)
    say("main", f"wait_for(t, 0) gave {got}")
    await o2


run(main)
