"""Awaiting a task suspends the awaiter: tasks created earlier run first, in FIFO order."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import run, say


async def job(name):
    say(name, "runs")
    return name.lower()


async def main():
    task_x = asyncio.create_task(job("X"))
    task_y = asyncio.create_task(job("Y"))
    say("main", "created X and Y, awaits Y")
    value = await task_y
    say("main", f"Y returned {value}")
    value = await task_x
    say("main", f"X returned {value}")


run(main)
