"""Timers with the same deadline fire in the order they were set."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say


async def sleeper(name, yield_first):
    if yield_first:
        say(name, "yields once first")
        await asyncio.sleep(0)
    say(name, "sleeps 2 units")
    await asyncio.sleep(2 * UNIT)
    say(name, "wakes")


async def main():
    late = asyncio.create_task(sleeper("late", True))
    first = asyncio.create_task(sleeper("first", False))
    second = asyncio.create_task(sleeper("second", False))
    third = asyncio.create_task(sleeper("third", False))
    say("main", "sleeps 2 units before any task has run")
    await asyncio.sleep(2 * UNIT)
    say("main", "wakes")
    for task in (late, first, second, third):
        await task
    say("main", "every sleeper woke")


run(main)
