"""On timeout, wait_for cancels the task and waits for its cleanup, sleep included, before raising."""

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
    say("worker", "finished the job")  # never: the timeout comes first
    return 5


async def main():
    w = asyncio.create_task(worker())
    say("main", "waits for worker, at most 1 unit")
    try:
        await asyncio.wait_for(w, 1 * UNIT)
        say("main", "got the value")
    except TimeoutError:
        say("main", "timed out, after the cleanup")
    say("main", f"worker cancelled: {w.cancelled()}")


run(main)
