"""Cancelling the task awaiting gather cancels the gathered tasks; gather raises CancelledError as soon as one of them ends cancelled, without waiting for the others."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import UNIT, run, say



async def job(name, cleanup):
    try:
        await asyncio.sleep(10 * UNIT)
    except asyncio.CancelledError:
        say(name, f"cancelled; cleans up for {cleanup} unit(s)")
        await asyncio.sleep(cleanup * UNIT)
        say(name, "cleanup done")
        raise


async def gatherer(a, b):
    try:
        await asyncio.gather(a, b)
    except asyncio.CancelledError:
        say("gatherer", "gather raised CancelledError")
        raise


async def main():
    a = asyncio.create_task(job("A", 1))
    b = asyncio.create_task(job("B", 3))
    g = asyncio.create_task(gatherer(a, b))
    await asyncio.sleep(1 * UNIT)
    say("main", f"cancels the gatherer: {g.cancel()}")
    try:
        await g
    except asyncio.CancelledError:
        say("main", f"gatherer cancelled; B done yet: {b.done()}")
    try:
        await b
    except asyncio.CancelledError:
        say("main", "B ended cancelled")


run(main)
