"""gather returns the values in argument order, not in the order the tasks finished."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say


async def job(name, units):
    say(name, f"sleeps until {units}")
    await asyncio.sleep(units * UNIT)
    say(name, "finishes")
    return name.lower()


async def main():
    a = asyncio.create_task(job("A", 3))
    b = asyncio.create_task(job("B", 1))
    c = asyncio.create_task(job("C", 2))
    say("main", "gathers A, B, C")
    values = await asyncio.gather(a, b, c)
    say("main", f"got {', '.join(values)}")


run(main)
