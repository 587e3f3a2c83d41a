"""sleep(0) sends a task to the back of the ready queue: three tasks take turns."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import run, say


async def stepper(name, steps):
    for step in range(steps):
        say(name, f"step {step}")
        await asyncio.sleep(0)
    say(name, "done")


async def main():
    a = asyncio.create_task(stepper("A", 3))
    b = asyncio.create_task(stepper("B", 1))
    c = asyncio.create_task(stepper("C", 4))
    await a
    say("main", "A is done")
    await b
    await c
    say("main", "end")


run(main)
