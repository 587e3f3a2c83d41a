"""Tasks start in the order they were created, and only once the creator suspends."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import run, say


async def worker(name):
    say(name, "start")
    await asyncio.sleep(0)
    say(name, "end")


async def main():
    t1 = asyncio.create_task(worker("T1"))
    say("main", "created T1")
    t2 = asyncio.create_task(worker("T2"))
    say("main", "created T2")
    t3 = asyncio.create_task(worker("T3"))
    say("main", "created T3, still running")
    await t1
    say("main", "T1 is done")
    await t2
    await t3
    say("main", "end")


run(main)
