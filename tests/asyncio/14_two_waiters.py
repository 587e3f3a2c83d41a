"""Several tasks await one task: they all wake when it ends, in the order they began to wait."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say


async def worker():
    say("worker", "sleeps 2 units")
    await asyncio.sleep(2 * UNIT)
    say("worker", "returns 7")
    return 7


async def waiter(name, worker_task, turns):
    for _ in range(turns):
        await asyncio.sleep(0)
    say(name, "awaits worker")
    value = await worker_task
    say(name, f"got {value}")


async def main():
    w = asyncio.create_task(worker())
    w1 = asyncio.create_task(waiter("W1", w, 1))
    w2 = asyncio.create_task(waiter("W2", w, 0))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    say("main", "awaits worker, third in line")
    value = await w
    say("main", f"got {value}")
    await w1
    await w2


run(main)
