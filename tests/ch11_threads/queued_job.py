"""The program of `cancel_a_queued_job` in examples/ch11_threads.rs, on
asyncio: every thread of the default executor holds a job at a gate, one
job more waits in the executor's queue, and the task that awaits it is
cancelled before a thread is free. tests/ch11_threads/offload.rs compares
the last line with ours.

Run it by hand with `python3 tests/ch11_threads/queued_job.py`.
"""

import asyncio
import concurrent.futures
import threading

THREADS = 2  # a small executor: the sketch needs it full, not large


async def until(done):
    while not done():
        await asyncio.sleep(0.001)


async def main():
    executor = concurrent.futures.ThreadPoolExecutor(THREADS)
    asyncio.get_running_loop().set_default_executor(executor)
    gate = threading.Event()
    came = []

    def hold():
        came.append(1)
        gate.wait()

    holders = [asyncio.create_task(asyncio.to_thread(hold)) for _ in range(THREADS)]
    await until(lambda: len(came) == THREADS)
    ran = []
    waiter = asyncio.create_task(asyncio.to_thread(ran.append, True), name="waiter")
    await until(lambda: executor._work_queue.qsize() == 1)
    waiter.cancel()
    try:
        await waiter
    except asyncio.CancelledError:
        print("[main] the waiter of a queued job, cancelled: CancelledError")
    gate.set()
    await asyncio.gather(*holders)
    executor.shutdown(wait=True)  # every work item taken, run or skipped
    print(f"[main] the job it waited for ran: {'true' if ran else 'false'}")


asyncio.run(main())
