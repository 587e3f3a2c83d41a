"""call_soon queues a callback behind what is ready; call_later and call_at set timers that fire in deadline order, ties in the order set; a cancelled handle never runs."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say



async def ticker():
    for i in range(3):
        say("ticker", f"tick {i}")
        await asyncio.sleep(0)


async def main():
    loop = asyncio.get_running_loop()
    t = asyncio.create_task(ticker())
    loop.call_soon(say, "callback", "call_soon runs after the ticker step queued before it")
    loop.call_later(2 * UNIT, say, "callback", "call_later(2), set first")
    loop.call_at(loop.time() + 1 * UNIT, say, "callback", "call_at(now + 1)")
    loop.call_later(2 * UNIT, say, "callback", "call_later(2), set second")
    h = loop.call_later(1 * UNIT, say, "callback", "never: cancelled")
    h.cancel()
    say("main", f"cancelled handle: {h.cancelled()}")
    await t
    await asyncio.sleep(3 * UNIT)
    say("main", "done")


run(main)
