"""Cancelling a task that awaits another task cancels that other task (the future it awaits); the awaiter then gets CancelledError once the other has cleaned up."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say



async def target():
    try:
        await asyncio.sleep(10 * UNIT)
    except asyncio.CancelledError:
        say("target", "cancelled; cleans up for 1 unit")
        await asyncio.sleep(1 * UNIT)
        say("target", "cleanup done")
        raise


async def joiner(task):
    try:
        await task
    except asyncio.CancelledError:
        say("joiner", "await raised CancelledError")
        raise


async def main():
    t = asyncio.create_task(target())
    j = asyncio.create_task(joiner(t))
    await asyncio.sleep(1 * UNIT)
    say("main", f"cancels the joiner: {j.cancel()}")
    try:
        await j
    except asyncio.CancelledError:
        say("main", f"joiner cancelled: {j.cancelled()}, target cancelled: {t.cancelled()}")


run(main)
