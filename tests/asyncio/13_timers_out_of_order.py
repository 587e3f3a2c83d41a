"""Timers set out of order fire in deadline order; equal deadlines keep the order they were set."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say


async def sleeper(name, units):
    say(name, f"sleeps until {units}")
    await asyncio.sleep(units * UNIT)
    say(name, "wakes")


async def main():
    tasks = [
        asyncio.create_task(sleeper("three", 3)),
        asyncio.create_task(sleeper("one-a", 1)),
        asyncio.create_task(sleeper("two", 2)),
        asyncio.create_task(sleeper("one-b", 1)),
    ]
    for task in tasks:
        await task
    say("main", "end")


run(main)
