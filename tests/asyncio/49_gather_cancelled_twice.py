"""Cancelling the task in gather(..., return_exceptions=True) twice: the second cancel() reaches the gathered tasks too, and interrupts their cleanup."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say


async def job(name):
    try:
        await asyncio.sleep(10 * UNIT)
    except asyncio.CancelledError:
        say(name, "cancelled at its sleep, cleans up for 3 units")
        try:
            await asyncio.sleep(3 * UNIT)
        except asyncio.CancelledError:
            say(name, "cleanup interrupted by a second cancellation")
            raise
        say(name, "cleanup done, re-raises")
        raise
    return name.lower()  # never


async def gatherer(a, b):
    say("gatherer", "gathers A, B, keeping errors")
    try:
        await asyncio.gather(a, b, return_exceptions=True)
        say("gatherer", "gather returned")
    except asyncio.CancelledError:
        say("gatherer", "cancelled")
        raise


async def main():
    a = asyncio.create_task(job("A"))
    b = asyncio.create_task(job("B"))
    g = asyncio.create_task(gatherer(a, b))
    await asyncio.sleep(1 * UNIT)
    say("main", f"cancel() on gatherer returned {g.cancel()}")
    await asyncio.sleep(1 * UNIT)
    say("main", f"cancel() again returned {g.cancel()}")
    try:
        await g
        say("main", "gatherer returned")
    except asyncio.CancelledError:
        say("main", "awaiting gatherer raised CancelledError")
    say("main", f"A cancelled: {a.cancelled()}, B cancelled: {b.cancelled()}")


run(main)
