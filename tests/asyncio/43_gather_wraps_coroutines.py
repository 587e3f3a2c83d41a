"""gather given coroutines wraps each in a task, in argument order, and returns their values in that order, whatever their types."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say



async def count():
    say("count", "starts")
    await asyncio.sleep(2 * UNIT)
    return 3


async def word():
    say("word", "starts")
    await asyncio.sleep(1 * UNIT)
    say("word", "ends")
    return "three"


async def main():
    say("main", "gathers count() and word()")
    n, w = await asyncio.gather(count(), word())
    say("main", f"got {n} and {w}")


run(main)
