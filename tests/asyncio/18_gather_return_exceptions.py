"""gather(..., return_exceptions=True) waits for every task and keeps each outcome."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say


async def job(name, units, fails):
    await asyncio.sleep(units * UNIT)
    if fails:
        say(name, "raises boom")
        raise RuntimeError("boom")
    say(name, f"returns {units}")
    return units


async def main():
    a = asyncio.create_task(job("A", 1, False))
    b = asyncio.create_task(job("B", 2, True))
    c = asyncio.create_task(job("C", 3, False))
    say("main", "gathers A, B, C, keeping errors")
    outcomes = await asyncio.gather(a, b, c, return_exceptions=True)
    for name, outcome in zip("ABC", outcomes):
        if isinstance(outcome, RuntimeError):
            say("main", f"{name} failed: {outcome}")
        else:
            say("main", f"{name} returned {outcome}")


run(main)
