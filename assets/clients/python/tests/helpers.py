"""Small helpers for the tests."""

from __future__ import annotations

import asyncio
import time


def wait_until(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


async def wait_until_async(condition, timeout: float = 5.0) -> bool:
    """``condition`` is a coroutine function returning a bool."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await condition():
            return True
        await asyncio.sleep(0.01)
    return await condition()
