"""Cancelling the task in gather(..., return_exceptions=True) cancels every task, and waits for all their cleanup."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say


async def job(name, cleanup_units):
    try:
        await asyncio.sleep(10 * UNIT)
    except asyncio.CancelledError:
        say(name, f"cancelled at its sleep, cleans up for {cleanup_units} unit(s)")
        await asyncio.sleep(cleanup_units * UNIT)
        say(name, "cleanup done, re-raises")
        raise
    return name.lower()  # never


async def gatherer(a, b):
    say("gatherer", "gathers A, B, keeping errors")
    try:
        await asyncio.gather(a, b, return_exceptions=True)
        say("gatherer", "gather returned")
    except asyncio.CancelledError:
        say("gatherer", "cancelled after both cleanups")
        raise


async def main():
    a = asyncio.create_task(job("A", 1))
    b = asyncio.create_task(job("B", 2))
    g = asyncio.create_task(gatherer(a, b))
    await asyncio.sleep(1 * UNIT)
    say("main", f"cancel() on gatherer returned {g.cancel()}")
    try:
        await g
        say("main", "gatherer returned")
    except asyncio.CancelledError:
        say("main", "awaiting gatherer raised CancelledError")
    say("main", f"A cancelled: {a.cancelled()}, B cancelled: {b.cancelled()}")


run(main)
