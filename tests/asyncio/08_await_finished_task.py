"""Awaiting a task that already finished returns at once, without suspending."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import run, say


async def quick():
    say("quick", "returns 42")
    return 42


async def bystander():
    say("bystander", "runs")


async def main():
    q = asyncio.create_task(quick())
    await asyncio.sleep(0)  # quick runs and finishes
    say("main", "quick is done" if q.done() else "quick is pending")
    b = asyncio.create_task(bystander())  # ready, queued behind nobody
    value = await q  # already done: no suspension, so bystander must wait
    say("main", f"got {value} before bystander ran")
    await b
    say("main", "end")


run(main)
