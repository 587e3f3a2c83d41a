"""What every scenario shares: `say` prints `<time> <who>: <what>`, `run` runs `main`.

Time is the loop's time since `main` started, in units of UNIT seconds, rounded
to a whole unit. The Rust twin of each scenario prints the same lines with the
scheduler's virtual clock, where one unit is exactly 100 ms.
"""

import asyncio
import sys

UNIT = 0.1  # seconds in one time unit

# How far from a whole unit a time may be before `say` reports it on stderr:
# the machine was too busy to wake the loop on time. Past half a unit the
# rounding goes wrong and the line no longer matches.
JITTER = 0.25

_start = 0.0


def say(who, what):
    units = (asyncio.get_running_loop().time() - _start) / UNIT
    print(f"{round(units)} {who}: {what}")
    if abs(units - round(units)) > JITTER:
        print(f"jitter: '{who}: {what}' came at {units:.2f} units", file=sys.stderr)


def run(main):
    async def timed():
        global _start
        _start = asyncio.get_running_loop().time()
        await main()
        left = asyncio.all_tasks() - {asyncio.current_task()}
        if left:
            print(f"ERROR: {len(left)} task(s) still pending when main returned")

    asyncio.run(timed())
