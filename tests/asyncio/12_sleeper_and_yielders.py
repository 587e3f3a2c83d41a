"""A sleeper waits in the timers while two tasks take 200 turns each: time stands still meanwhile."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say

TURNS = 200


async def sleeper():
    say("sleeper", "sleeps 1 unit")
    await asyncio.sleep(UNIT)
    say("sleeper", "wakes")


async def yielder(name):
    for _ in range(TURNS):
        await asyncio.sleep(0)
    say(name, f"took {TURNS} turns")


async def main():
    s = asyncio.create_task(sleeper())
    a = asyncio.create_task(yielder("A"))
    b = asyncio.create_task(yielder("B"))
    await s
    say("main", "sleeper is done")
    await a
    await b


run(main)
