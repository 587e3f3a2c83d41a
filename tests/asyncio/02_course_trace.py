"""COURSE.md's trace: tasks created T1, T3, T2 start in that order; T1 sleeps and ends last."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say


async def job(name, units):
    say(name, "start")
    if units > 0:
        await asyncio.sleep(units * UNIT)
    say(name, "end")


async def main():
    say("main", "start")
    t1 = asyncio.create_task(job("T1", 1))
    t3 = asyncio.create_task(job("T3", 0))
    t2 = asyncio.create_task(job("T2", 0))
    say("main", "middle")
    await t1
    await t3
    await t2
    say("main", "end")


run(main)
