"""The client of examples/ch10_sockets.rs, in Python's asyncio.

Start the slow server in one terminal, then run this in another:

    cargo run --example ch10_sockets -- --serve        # prints its address
    python3 examples/ch10_sockets.py 127.0.0.1:PORT

It prints the same lines as the Rust client (`client` in the example), in
the same order; only the numbers of the `[cost]` lines, which are measured,
differ. `tests/ch10_sockets/parity.rs` runs both against one server and
compares them.

The Rust side has stackful tasks and async tasks; asyncio has one kind, so
its third part is its second again, as the Rust side's third part is its
second with `async fn`.
"""

import asyncio
import sys
import time

# Chapter 7's four requests: what each asks for, and how many milliseconds
# the server waits before it answers.
REQUESTS = [("users", 40), ("news", 10), ("prices", 30), ("weather", 20)]


def say(role, text):
    print(f"[{role}] {text}", flush=True)


def ms(seconds):
    return f"{seconds * 1000:.0f} ms"


async def fetch(host, port, path):
    """One request: connect, send the line, say nothing more is coming,
    read to the end. The answer's line, without its line break."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(f"GET {path}\n".encode())
        await writer.drain()
        writer.write_eof()
        answer = (await reader.read()).decode()
    finally:
        writer.close()
        await writer.wait_closed()
    if not answer.endswith("\n"):
        raise ConnectionError(f"the connection closed in the middle of the answer, after {answer!r}")
    return answer[:-1]


def say_times(took, run, expect):
    say("cost", ", ".join(f"{what} {ms(t)}" for (what, _), t in zip(REQUESTS, took)))
    say("cost", f"run time {ms(run)}; the requests took {ms(sum(took))} in all: the run took {expect}")


async def one_after_the_other(host, port):
    started = time.monotonic()
    took = []
    for what, wait in REQUESTS:
        sent = time.monotonic()
        answer = await fetch(host, port, f"/{wait}/{what}")
        took.append(time.monotonic() - sent)
        say("main", f"{what}: {answer}")
    say_times(took, time.monotonic() - started, "about the sum")


async def timed_fetch(host, port, path):
    sent = time.monotonic()
    answer = await fetch(host, port, path)
    return answer, time.monotonic() - sent


async def all_at_once(host, port):
    started = time.monotonic()
    tasks = [
        asyncio.create_task(timed_fetch(host, port, f"/{wait}/{what}"), name=what)
        for what, wait in REQUESTS
    ]
    answers = await asyncio.gather(*tasks)
    for (what, _), (answer, _) in zip(REQUESTS, answers):
        say("main", f"{what}: {answer}")
    say_times([t for _, t in answers], time.monotonic() - started, "about the largest")


def client(host, port):
    say("demo", "Four requests, one after the other (chapter 7's, for real)")
    asyncio.run(one_after_the_other(host, port))
    say("demo", "The same four at once, a task each, answers in request order")
    asyncio.run(all_at_once(host, port))
    say("demo", "The same four at once, from async tasks")
    asyncio.run(all_at_once(host, port))


if __name__ == "__main__":
    if len(sys.argv) != 2 or ":" not in sys.argv[1]:
        sys.exit("usage: python3 examples/ch10_sockets.py HOST:PORT (the address the slow server prints)")
    host, port = sys.argv[1].rsplit(":", 1)
    client(host, int(port))
