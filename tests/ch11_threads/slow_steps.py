"""The program of `debug_mode_program` in slow_steps.rs, on asyncio in
debug mode: asyncio's own report of its slow steps goes to stderr, through
the `asyncio` logger (`Executing <Task ...> took 0.301 seconds`), and
tests/ch11_threads/slow_steps.rs compares the tasks it names with ours.

Run it by hand with `python3 tests/ch11_threads/slow_steps.py`.
"""

import asyncio
import time

BLOCK = 0.3


async def blocker():
    time.sleep(BLOCK)  # blocks the loop's thread


async def cruncher():
    end = time.perf_counter() + BLOCK
    while time.perf_counter() < end:  # computes, never awaits
        pass


async def offloaded():
    await asyncio.to_thread(time.sleep, BLOCK)  # a thread of the default executor sleeps


async def quick():
    for _ in range(3):
        await asyncio.sleep(0.01)


async def main():
    tasks = [
        asyncio.create_task(blocker(), name="blocker"),
        asyncio.create_task(cruncher(), name="cruncher"),
        asyncio.create_task(offloaded(), name="offloaded"),
        asyncio.create_task(quick(), name="quick"),
    ]
    await asyncio.gather(*tasks)


# debug=True sets the loop's slow_callback_duration to its default, 0.1 s.
asyncio.run(main(), debug=True)
