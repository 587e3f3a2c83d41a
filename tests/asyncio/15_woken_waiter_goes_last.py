"""A task woken by the end of the task it awaited goes to the back of the ready queue."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import run, say


async def job(name, yields):
    say(name, "runs")
    for _ in range(yields):
        await asyncio.sleep(0)
        say(name, "runs again")
    return name.lower()


async def main():
    a = asyncio.create_task(job("A", 0))
    b = asyncio.create_task(job("B", 1))
    c = asyncio.create_task(job("C", 0))
    say("main", "awaits A")
    value = await a
    say("main", f"A returned {value}")
    await b
    await c
    say("main", "end")


run(main)
