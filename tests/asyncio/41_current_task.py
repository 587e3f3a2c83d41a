"""current_task() gives a task its own handle: it can cancel itself, and learns of it at its next await."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say



async def rebel():
    me = asyncio.current_task()
    say("rebel", f"cancels itself: {me.cancel()}")
    say("rebel", f"done yet: {me.done()}")
    try:
        await asyncio.sleep(0)
    except asyncio.CancelledError:
        say("rebel", "CancelledError at its next await")
        raise


async def main():
    r = asyncio.create_task(rebel())
    try:
        await r
    except asyncio.CancelledError:
        say("main", f"rebel cancelled: {r.cancelled()}")


run(main)
