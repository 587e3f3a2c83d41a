"""The awaiter of a failed task catches its exception by type, and tells a timeout apart."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say



class HttpError(Exception):
    def __init__(self, status):
        super().__init__(f"HTTP {status}")
        self.status = status


async def fetch(status, units=1):
    await asyncio.sleep(units * UNIT)
    if status != 200:
        raise HttpError(status)
    return "body"


async def main():
    for status in [200, 503]:
        t = asyncio.create_task(fetch(status))
        try:
            say("main", f"got {await t}")
        except HttpError as error:
            say("main", f"HttpError with status {error.status}")
    slow = asyncio.create_task(fetch(200, 3))
    try:
        await asyncio.wait_for(slow, 1 * UNIT)
    except asyncio.TimeoutError:
        say("main", "timed out")


run(main)
