"""A divergence, on purpose: CPython 3.11 wait_for returns the result of a task that ended in the same pass as a cancellation of the caller, and drops the cancellation (fixed in 3.12). This crate keeps the cancellation."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say



async def inner():
    await asyncio.sleep(1 * UNIT)
    say("inner", "returns 5")
    return 5


async def waiter(task):
    try:
        value = await asyncio.wait_for(task, 10 * UNIT)
        say("waiter", f"wait_for returned {value}")
    except asyncio.CancelledError:
        say("waiter", "wait_for raised CancelledError")
        raise


async def canceller(target):
    await asyncio.sleep(1 * UNIT)
    say("canceller", f"cancels the waiter: {target.cancel()}")


async def main():
    i = asyncio.create_task(inner())
    w = asyncio.create_task(waiter(i))
    c = asyncio.create_task(canceller(w))
    await c
    try:
        await w
        say("main", "the waiter returned")
    except asyncio.CancelledError:
        say("main", "the waiter was cancelled")


run(main)
