"""A task may catch its CancelledError and return a value: it then ends done, not cancelled, and its awaiter gets the value."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say



async def stubborn():
    try:
        await asyncio.sleep(5 * UNIT)
    except asyncio.CancelledError:
        say("stubborn", "swallows the cancellation")
    await asyncio.sleep(1 * UNIT)
    say("stubborn", "returns 42 anyway")
    return 42


async def main():
    t = asyncio.create_task(stubborn())
    await asyncio.sleep(1 * UNIT)
    say("main", f"cancel() returned {t.cancel()}")
    value = await t
    say("main", f"got {value}; cancelled: {t.cancelled()}")


run(main)
