"""Tasks that create tasks: each new task joins the back of the queue, whoever made it."""

import sys

sys.dont_write_bytecode = True  # keep tests/asyncio free of __pycache__
import asyncio

from parity import run, say


async def grandchild(name):
    say(name, "runs")


async def child(name):
    say(name, "starts, creates a grandchild")
    task = asyncio.create_task(grandchild(name + ".1"))
    await task
    say(name, "its grandchild is done")


async def parent(name):
    say(name, "starts, creates two children")
    first = asyncio.create_task(child(name + ".1"))
    second = asyncio.create_task(child(name + ".2"))
    say(name, "created its children")
    await first
    await second
    say(name, "its children are done")


async def main():
    p1 = asyncio.create_task(parent("P1"))
    p2 = asyncio.create_task(parent("P2"))
    await p1
    say("main", "P1 is done")
    await p2
    say("main", "end")


run(main)
