"""wait_for returns the task's value when it finishes in time; the timeout then never fires."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say


async def worker():
    say("worker", "works for 1 unit")
    await asyncio.sleep(1 * UNIT)
    say("worker", "returns 42")
    return 42


async def main():
    w = asyncio.create_task(worker())
    say("main", "waits for worker, at most 2 units")
    value = await asyncio.wait_for(w, 2 * UNIT)
    say("main", f"got {value} in time")
    await asyncio.sleep(2 * UNIT)
    say("main", "past the deadline, nothing was cancelled")


run(main)
