"""A task cancelled before it started never runs; awaiting it raises CancelledError."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import run, say


async def never():
    say("never", "runs")  # never printed


async def bystander():
    say("bystander", "runs")


async def main():
    n = asyncio.create_task(never())
    b = asyncio.create_task(bystander())
    say("main", f"cancel() returned {n.cancel()}")
    await asyncio.sleep(0)
    say("main", f"never cancelled: {n.cancelled()}")
    try:
        await n
        say("main", "never returned")
    except asyncio.CancelledError:
        say("main", "awaiting never raised CancelledError")
    await b


run(main)
