"""The say_after quiz: awaiting two coroutines takes 1 + 2 units; two tasks take max(1, 2)."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say


async def say_after(units, what):
    await asyncio.sleep(units * UNIT)
    say("say_after", what)


async def main():
    say("main", "sequential: await one coroutine, then the other")
    await say_after(1, "hello")
    await say_after(2, "world")
    say("main", "sequential done")

    say("main", "concurrent: create both tasks, then await them")
    hello = asyncio.create_task(say_after(1, "hello"))
    world = asyncio.create_task(say_after(2, "world"))
    await hello
    await world
    say("main", "concurrent done")


run(main)
