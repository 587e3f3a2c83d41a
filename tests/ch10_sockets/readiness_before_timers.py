"""asyncio's order within one iteration of its loop (`_run_once`): the
sockets the selector reports ready are handled before the timers that are
due, and a task woken by either runs in the next pass.

In one iteration here a socket becomes readable (a reader task waits on it)
and two timers are due: a sleeping task's, and a callback's. The callback
runs in that iteration; the two tasks run in the next, the reader first.
`tests/ch10_sockets/loop_order.rs` runs the same program on this crate's
scheduler and requires the same lines.

    python3 tests/ch10_sockets/readiness_before_timers.py
"""

import asyncio
import socket
import time


async def main():
    loop = asyncio.get_running_loop()
    listener = socket.create_server(("127.0.0.1", 0))
    writer = socket.create_connection(listener.getsockname())
    reader_socket, _ = listener.accept()
    reader_socket.setblocking(False)

    async def reader():
        data = await loop.sock_recv(reader_socket, 1)
        print(f"reader got {data.decode()}")

    async def sleeper():
        await asyncio.sleep(0.010)
        print("sleeper woke")

    tasks = [asyncio.create_task(reader()), asyncio.create_task(sleeper())]
    await asyncio.sleep(0)  # both tasks start: one waits to read, one sleeps
    loop.call_later(0.015, print, "timer callback")
    writer.send(b"x")  # the reader's socket is readable from now on
    time.sleep(0.030)  # block the loop: by its next iteration, both timers are due
    await asyncio.gather(*tasks)
    print("main done")
    for s in (writer, reader_socket, listener):
        s.close()


asyncio.run(main())
