"""as_completed hands out a failure in its turn; the caller can tell which task it was, and the others go on."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say



async def job(name, units, fails):
    await asyncio.sleep(units * UNIT)
    if fails:
        raise ValueError(f"{name} failed")
    return name


async def main():
    tasks = [
        asyncio.create_task(job("A", 3, False)),
        asyncio.create_task(job("B", 1, True)),
        asyncio.create_task(job("C", 2, False)),
    ]
    for next_one in asyncio.as_completed(tasks):
        try:
            say("main", f"next: {await next_one}")
        except ValueError as error:
            which = [i for i, t in enumerate(tasks) if t.done() and t.exception() is error]
            say("main", f"next: task #{which[0]} raised: {error}")


run(main)
