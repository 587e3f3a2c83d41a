"""Awaiting a coroutine runs it inline: a task created before it waits for the first real suspension."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import run, say


async def x():
    say("X", "runs")
    return "x"


async def y():
    say("Y", "runs inline, before X")
    await asyncio.sleep(0)  # the first real suspension: now X gets its turn
    say("Y", "resumed after sleep(0)")
    return "y"


async def main():
    task_x = asyncio.create_task(x())
    say("main", "created X, awaits coroutine Y")
    value = await y()
    say("main", f"Y returned {value}")
    value = await task_x
    say("main", f"X returned {value}")


run(main)
