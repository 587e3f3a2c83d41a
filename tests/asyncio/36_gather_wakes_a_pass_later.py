"""gather wakes its caller two passes after a task ends: one for its done callback, one for the wake-up of the awaiting task; a plain await needs one."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say



async def child():
    say("A", "ends")


async def ticker():
    for i in range(5):
        say("ticker", f"tick {i}")
        await asyncio.sleep(0)


async def main():
    a = asyncio.create_task(child())
    t = asyncio.create_task(ticker())
    await a
    say("main", "await a resumes")
    b = asyncio.create_task(child())
    await asyncio.gather(b)
    say("main", "gather resumes")
    await t


run(main)
