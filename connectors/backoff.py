"""Reconnect pacing and task racing for the websocket runner."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Coroutine, Sequence
from typing import Any


class Backoff:
    """Capped exponential backoff with jitter that starts over after a healthy connection.

    The n-th delay (from 0) is ``min(cap, initial * factor**n)`` scaled by a uniform factor in
    ``(1 - jitter, 1]``; a connection that lasted ``healthy_after`` seconds resets n to 0.
    """

    def __init__(
        self,
        initial: float = 0.5,
        cap: float = 30.0,
        factor: float = 2.0,
        jitter: float = 0.5,
        healthy_after: float = 30.0,
        rng: random.Random | None = None,
    ) -> None:
        if not (0 < initial <= cap and factor >= 1 and 0 <= jitter < 1):
            raise ValueError("need 0 < initial <= cap, factor >= 1 and 0 <= jitter < 1")
        self.initial, self.cap, self.factor, self.jitter = initial, cap, factor, jitter
        self.healthy_after = healthy_after
        self.attempts = 0
        self._rng = rng or random.Random()
        self._connected_at: float | None = None

    def connected(self, now: float) -> None:
        """A connection opened at ``now`` (monotonic seconds)."""
        self._connected_at = now

    def next_delay(self, now: float) -> float:
        """Seconds to wait before the next attempt, the connection having ended at ``now``."""
        if self._connected_at is not None and now - self._connected_at >= self.healthy_after:
            self.attempts = 0
        self._connected_at = None
        base = min(self.cap, self.initial * self.factor ** min(self.attempts, 64))
        self.attempts += 1
        return base * (1.0 - self.jitter * self._rng.random())


async def race(stop: asyncio.Event, coroutines: Sequence[Coroutine[Any, Any, None]]) -> None:
    """Run ``coroutines`` until ``stop`` is set (return) or one of them fails (re-raise its error).

    A coroutine that returns simply ends; the others go on.
    """
    pending: set[asyncio.Task[Any]] = {asyncio.create_task(coroutine) for coroutine in coroutines}
    stopper = asyncio.create_task(stop.wait())
    pending.add(stopper)
    try:
        while not stopper.done():
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                error = None if task is stopper else task.exception()
                if error is not None:
                    raise error
    finally:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
