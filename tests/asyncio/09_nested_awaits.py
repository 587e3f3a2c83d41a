"""A coroutine awaits a task that awaits a coroutine: values travel back up, one hop per task."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say


async def leaf():
    say("leaf", "sleeps 1 unit")
    await asyncio.sleep(UNIT)
    say("leaf", "returns 1")
    return 1


async def inner():
    say("inner", "awaits coroutine leaf")
    value = await leaf()
    say("inner", f"returns {value + 10}")
    return value + 10


async def outer():
    say("outer", "creates task inner and awaits it")
    task = asyncio.create_task(inner())
    value = await task
    say("outer", f"returns {value + 100}")
    return value + 100


async def ticker():
    for tick in range(4):
        say("ticker", f"tick {tick}")
        await asyncio.sleep(0)


async def main():
    t = asyncio.create_task(ticker())
    say("main", "awaits coroutine outer")
    value = await outer()
    say("main", f"got {value}")
    await t


run(main)
