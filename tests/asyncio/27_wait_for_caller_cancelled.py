"""Cancelling a task inside wait_for cancels the task it waits for, and waits for that cleanup first."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say


async def worker():
    say("worker", "starts a 5-unit job")
    try:
        await asyncio.sleep(5 * UNIT)
    except asyncio.CancelledError:
        say("worker", "cancelled at its sleep, cleans up for 1 unit")
        await asyncio.sleep(1 * UNIT)
        say("worker", "cleanup done, re-raises")
        raise
    return 5


async def client():
    w = asyncio.create_task(worker())
    say("client", "waits for worker, at most 4 units")
    try:
        await asyncio.wait_for(w, 4 * UNIT)
        say("client", "got the value")
    except asyncio.CancelledError:
        say("client", f"cancelled after worker's cleanup; worker cancelled: {w.cancelled()}")
        raise


async def main():
    c = asyncio.create_task(client())
    await asyncio.sleep(1 * UNIT)
    say("main", f"cancel() on client returned {c.cancel()}")
    try:
        await c
        say("main", "client returned")
    except asyncio.CancelledError:
        say("main", "awaiting client raised CancelledError")


run(main)
