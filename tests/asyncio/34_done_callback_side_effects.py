"""Done callbacks are scheduled with call_soon, never called at once: beside a ticking task, what they print and the tasks they spawn come a pass after the task ends."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say



async def ticker():
    for i in range(5):
        say("ticker", f"tick {i}")
        await asyncio.sleep(0)


async def quick():
    say("quick", "ends")


async def spawned():
    say("spawned", "runs")


def on_done(task):
    say("callback", "quick is done; spawns a task")
    asyncio.get_running_loop().create_task(spawned())


async def main():
    t = asyncio.create_task(ticker())
    q = asyncio.create_task(quick())
    q.add_done_callback(on_done)
    await asyncio.sleep(0)
    say("main", "awaits the ticker")
    await t
    await asyncio.sleep(0)


run(main)
