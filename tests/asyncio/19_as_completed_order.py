"""as_completed hands out the outcomes in the order the tasks finish, failures included."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say


async def job(name, units, fails):
    await asyncio.sleep(units * UNIT)
    if fails:
        say(name, "raises boom")
        raise RuntimeError("boom")
    say(name, "finishes")
    return name.lower()


async def main():
    tasks = [
        asyncio.create_task(job("A", 3, False)),
        asyncio.create_task(job("B", 1, False)),
        asyncio.create_task(job("C", 2, True)),
    ]
    say("main", "waits for A, B, C as they complete")
    for next_one in asyncio.as_completed(tasks):
        try:
            value = await next_one
            say("main", f"next: {value}")
        except RuntimeError as error:
            say("main", f"next: failed: {error}")
    say("main", "all handed out")


run(main)
