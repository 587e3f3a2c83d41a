"""cancel() reaches a task at the await it is suspended at; it cleans up, and its awaiter gets CancelledError."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say


async def sleeper():
    say("sleeper", "sleeps 10 units")
    try:
        await asyncio.sleep(10 * UNIT)
    except asyncio.CancelledError:
        say("sleeper", "CancelledError at its sleep, cleans up for 1 unit")
        await asyncio.sleep(1 * UNIT)
        say("sleeper", "cleanup done, re-raises")
        raise
    say("sleeper", "slept 10 units")  # never


async def main():
    s = asyncio.create_task(sleeper())
    await asyncio.sleep(1 * UNIT)
    say("main", f"cancel() returned {s.cancel()}")
    try:
        await s
        say("main", "sleeper returned")
    except asyncio.CancelledError:
        say("main", "awaiting sleeper raised CancelledError")
    say("main", f"sleeper cancelled: {s.cancelled()}")


run(main)
