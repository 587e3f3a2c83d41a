"""Cancelling a finished task returns False and changes nothing: its value is still there."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say


async def quick():
    say("quick", "returns 5")
    return 5


async def main():
    q = asyncio.create_task(quick())
    await asyncio.sleep(1 * UNIT)
    say("main", f"quick done: {q.done()}")
    say("main", f"cancel() returned {q.cancel()}")
    say("main", f"quick cancelled: {q.cancelled()}")
    value = await q
    say("main", f"awaiting quick gave {value}")


run(main)
