"""A :class:`~connectors.simulator.simulator.Simulator` on a background thread, for synchronous code."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, TypeVar

from connectors.simulator.config import SimulatorConfig
from connectors.simulator.faults import FaultRecord, FaultRequest
from connectors.simulator.simulator import Simulator
from connectors.simulator.stats import SimulatorStats

T = TypeVar("T")


class SimulatorThread:
    """Runs a simulator on its own event loop in a daemon thread.

    Usage::

        with SimulatorThread(SimulatorConfig(seed=1)) as sim:
            requests.get(f"{sim.rest_base_url}/api/v3/time")
            sim.apply_fault(FaultRequest(kind=FaultKind.DROP))
    """

    def __init__(self, config: SimulatorConfig | None = None, start_timeout: float = 10.0) -> None:
        self.simulator = Simulator(config)
        self._start_timeout = start_timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._final: SimulatorStats | None = None

    @property
    def ws_base_url(self) -> str:
        return self.simulator.ws_base_url

    @property
    def rest_base_url(self) -> str:
        return self.simulator.rest_base_url

    def start(self) -> None:
        """Start the thread and wait until both servers listen.

        Raises:
            RuntimeError: already started.
            OSError / ReplayFormatError / TimeoutError: starting failed (re-raised from the thread).
        """
        if self._thread is not None:
            raise RuntimeError("already started")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="nashipai-simulator", daemon=True)
        self._thread.start()
        try:
            self._call(self.simulator.start, timeout=self._start_timeout)
        except BaseException:
            self._shutdown_loop()
            raise

    def _shutdown_loop(self) -> None:
        assert self._loop is not None and self._thread is not None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10.0)
        self._loop.close()
        self._loop, self._thread = None, None

    def stop(self) -> SimulatorStats:
        """Stop the simulator and the thread; returns the final counts (idempotent)."""
        if self._loop is None or self._thread is None:
            if self._final is None:
                raise RuntimeError("not started")
            return self._final
        try:
            self._final = self._call(self.simulator.stop, timeout=10.0)
        finally:
            self._shutdown_loop()
        return self._final

    def stats(self) -> SimulatorStats:
        return self._call_sync(self.simulator.stats)

    def apply_fault(self, request: FaultRequest) -> FaultRecord:
        return self._call_sync(lambda: self.simulator.apply_fault(request))

    def _call(self, function: Callable[[], Coroutine[Any, Any, T]], timeout: float) -> T:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(function(), self._loop).result(timeout)

    def _call_sync(self, function: Callable[[], T]) -> T:
        async def run() -> T:
            return function()

        return self._call(run, timeout=10.0)

    def __enter__(self) -> SimulatorThread:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
