"""Work on request input that can take more than a millisecond (percent-decoding a 1 MB form body,
tokenizing a 100,000-character query, decoding a large answer) runs in a thread, not on the event loop,
so that one large request does not hold every other connection. Small input is handled in place (a
thread hop costs more than the work); large input waits for one of `LARGE_INPUT_THREADS` threads per
HTTP process, awaited without holding the loop, so a burst of large requests cannot take every thread.
Rendering in an async route goes to the thread pool FastAPI runs plain routes in (`in_thread`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar

T = TypeVar("T")
SMALL_INPUT = 4096  # characters or bytes below which work stays on the loop (microseconds)
LARGE_INPUT_THREADS = 2
_limiter: RunVar[CapacityLimiter] = RunVar("commit_kg_large_input_limiter")  # one per event loop


def limiter() -> CapacityLimiter:
    """The large-input limiter of the running loop (a test client runs the app on loops of its own)."""
    try:
        return _limiter.get()
    except LookupError:
        _limiter.set(CapacityLimiter(LARGE_INPUT_THREADS))
        return _limiter.get()


async def off_loop(function: Callable[..., T], *args: object) -> T:
    """`function(*args)` on large input, in one of the few threads kept for it."""
    return await anyio.to_thread.run_sync(functools.partial(function, *args), limiter=limiter())


async def in_thread(function: Callable[..., T], *args: object) -> T:
    """`function(*args)` in the thread pool FastAPI runs plain routes in (bounded by anyio's default
    limiter): for rendering that an async route would otherwise do on the loop."""
    return await anyio.to_thread.run_sync(functools.partial(function, *args))


async def sized(size: int, function: Callable[..., T], *args: object) -> T:
    """`function(*args)` in place when its input (`size` characters or bytes) is small, else off the loop."""
    if size <= SMALL_INPUT:
        return function(*args)
    return await off_loop(function, *args)
