"""A task that cancels itself runs on to its next await, which raises CancelledError at once."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say


async def rebel():
    say("rebel", f"cancels itself: cancel() returned {asyncio.current_task().cancel()}")
    say("rebel", "runs on until it awaits")
    try:
        await asyncio.sleep(5 * UNIT)
    except asyncio.CancelledError:
        say("rebel", "CancelledError at its sleep, at once; cleans up for 1 unit")
        await asyncio.sleep(1 * UNIT)
        say("rebel", "cleanup done, re-raises")
        raise
    say("rebel", "slept 5 units")  # never


async def main():
    r = asyncio.create_task(rebel())
    try:
        await r
        say("main", "rebel returned")
    except asyncio.CancelledError:
        say("main", "awaiting rebel raised CancelledError")
    say("main", f"rebel cancelled: {r.cancelled()}")


run(main)
