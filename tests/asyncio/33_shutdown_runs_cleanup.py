"""asyncio.run cancels the tasks still pending when main returns, then runs the loop until their cleanup, which may sleep, is over."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say



async def worker(name, cleanup):
    try:
        say(name, "works for 10 units")
        await asyncio.sleep(10 * UNIT)
    except asyncio.CancelledError:
        # No line here: asyncio.run cancels the tasks left in no set order,
        # so only what comes after a wait of its own length is in order.
        await asyncio.sleep(cleanup * UNIT)
        say(name, "cleanup done")
        raise


async def main():
    asyncio.create_task(worker("A", 2))
    asyncio.create_task(worker("B", 1))
    await asyncio.sleep(1 * UNIT)
    say("main", "returns, with A and B still working")


run(main, shutdown=True)
