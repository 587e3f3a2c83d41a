"""as_completed hands out a task two passes after it ends, as gather does; a task that has ended before the loop asks is handed out without waiting."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say



async def child(name, turns):
    for _ in range(turns):
        await asyncio.sleep(0)
    say(name, "ends")
    return name


async def ticker():
    for i in range(6):
        say("ticker", f"tick {i}")
        await asyncio.sleep(0)


async def main():
    t = asyncio.create_task(ticker())
    a = asyncio.create_task(child("A", 0))
    b = asyncio.create_task(child("B", 2))
    for next_one in asyncio.as_completed([a, b]):
        name = await next_one
        say("main", f"got {name}")
    await t


run(main)
