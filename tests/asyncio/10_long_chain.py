"""A chain of 50 tasks, each awaiting the next: the value climbs back one task per loop iteration."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import run, say

DEPTH = 50


async def link(k):
    if k == DEPTH - 1:
        say(f"link {k}", "is the last link, returns 1")
        return 1
    task = asyncio.create_task(link(k + 1))
    return await task + 1


async def ticker():
    # One tick per loop iteration: the ticks count the iterations the chain takes.
    for tick in range(120):
        say("ticker", f"tick {tick}")
        await asyncio.sleep(0)


async def main():
    t = asyncio.create_task(ticker())
    first = asyncio.create_task(link(0))
    value = await first
    say("main", f"got {value}")
    await t


run(main)
