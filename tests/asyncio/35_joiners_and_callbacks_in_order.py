"""A task keeps one list of what to do when it ends: the tasks awaiting it and its done callbacks, woken and run in the order they were added."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say



async def slow():
    await asyncio.sleep(1 * UNIT)
    say("slow", "ends")


async def waiter(task, name):
    await task
    say(name, "woken")


async def main():
    s = asyncio.create_task(slow())
    s.add_done_callback(lambda _: say("callback", "first"))
    w1 = asyncio.create_task(waiter(s, "W1"))
    await asyncio.sleep(0)  # W1 starts awaiting
    s.add_done_callback(lambda _: say("callback", "second"))
    w2 = asyncio.create_task(waiter(s, "W2"))
    await w1
    await w2


run(main)
