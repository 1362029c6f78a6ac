"""The running simulator: the venue on the wall clock, the websocket server and the REST app.

In-process use (tests)::

    async with Simulator(SimulatorConfig(model=ModelParams(rate=200), seed=1)) as sim:
        url = f"{sim.ws_base_url}/ws/btcusdt@trade"     # ws://127.0.0.1:<port>/ws/btcusdt@trade
        client = ccxt.async_support.binance(binance_client_config(sim.rest_base_url, sim.ws_base_url))
        coinbase_url = f"{sim.ws_base_url}/coinbase"    # Coinbase Advanced Trade market data
        sim.apply_fault(FaultRequest(kind=FaultKind.SKIP_IDS, count=5))

From synchronous code, :class:`~connectors.simulator.threaded.SimulatorThread` runs one on a
background thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Iterator
from types import TracebackType

import uvicorn

from connectors.simulator.coinbase.ws_hub import CoinbaseHub
from connectors.simulator.config import SimulatorConfig
from connectors.simulator.faults import FaultKind, FaultRecord, FaultRequest, MalformedVariant, ScheduledFault
from connectors.simulator.model import MarketModel
from connectors.simulator.replay import replay_sources
from connectors.simulator.rest.app import create_app
from connectors.simulator.stats import SimulatorStats
from connectors.simulator.venue import BookUpdate, SymbolBook, TradeSource, Venue
from connectors.simulator.wire import AGG_TRADE, BOOK_TICKER, TRADE, encoder, stream_name
from connectors.simulator.ws_server import StreamHub, StreamServer

log = logging.getLogger(__name__)
_MAX_IDLE_SECONDS = 0.05
_MIN_TICK_SECONDS = 0.001


class _QuietServer(uvicorn.Server):
    """uvicorn without its signal handlers: the simulator's owner decides when it stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class Simulator:
    """A local exchange speaking Binance spot and Coinbase over one market (see the module docstring).

    Use as an async context manager, or call :meth:`start` and :meth:`stop`. All methods must be
    called on the event loop the simulator was started on.
    """

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.hub = StreamHub()
        self.coinbase = CoinbaseHub(self.hub)
        self.venue: Venue | None = None
        self.faults: list[FaultRecord] = []
        self._ws_server = StreamServer(
            self.hub, self.config.ping_interval, self.config.ping_timeout, dialects={"/coinbase": self.coinbase.handle}
        )
        self._http: _QuietServer | None = None
        self._http_task: asyncio.Task[None] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._done = asyncio.Event()
        self._started_at = 0.0
        self.ws_port = 0
        self.rest_port = 0

    @property
    def ws_base_url(self) -> str:
        """Base of the stream endpoints, like ``wss://stream.binance.com:9443``: append ``/ws/..``
        (Binance) or ``/coinbase`` (Coinbase Advanced Trade market data)."""
        return f"ws://{self.config.host}:{self.ws_port}"

    @property
    def rest_base_url(self) -> str:
        """Base of the REST endpoints, like ``https://api.binance.com``: append ``/api/v3/..``
        (Binance) or ``/coinbase/..`` (Coinbase Exchange)."""
        return f"http://{self.config.host}:{self.rest_port}"

    def _sources(self, start_ms: int) -> list[TradeSource]:
        config = self.config
        if config.replay is not None:
            return list(replay_sources(config.replay, start_ms, config.speed))
        return [MarketModel(instrument, config.model, config.seed, start_ms) for instrument in config.instruments]

    async def start(self) -> None:
        """Bind both servers and start the market.

        Raises:
            OSError: a port is taken.
            ReplayFormatError: the replay file is malformed.
        """
        config = self.config
        self._started_at = time.monotonic()
        self.venue = Venue(self._sources(time.time_ns() // 1_000_000), config.history_size, config.max_trades)
        self.coinbase.attach(self.venue)
        self.ws_port = await self._ws_server.start(config.host, config.ws_port)
        rest_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        rest_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        rest_socket.bind((config.host, config.rest_port))
        self.rest_port = rest_socket.getsockname()[1]
        app = create_app(self.venue, self)
        uvicorn_config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self._http = _QuietServer(uvicorn_config)
        self._http_task = asyncio.create_task(self._http.serve(sockets=[rest_socket]))
        while not self._http.started:
            await asyncio.sleep(0.005)
        self._tasks.append(asyncio.create_task(self._pump()))
        self._tasks.append(asyncio.create_task(self.coinbase.run_heartbeats()))
        self._tasks.extend(asyncio.create_task(self._run_scheduled(fault)) for fault in config.faults)
        if config.duration is not None:
            self._tasks.append(asyncio.create_task(self._end_after(config.duration)))
        log.info("simulator listening: ws %s, rest %s", self.ws_base_url, self.rest_base_url)

    async def stop(self) -> SimulatorStats:
        """Stop serving (closing every websocket) and return the final counts."""
        for task in self._tasks:
            task.cancel()
        if self._http is not None:
            self._http.should_exit = True
        await self._ws_server.stop()
        tasks = [*self._tasks, *([self._http_task] if self._http_task else [])]
        results = await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        self._http_task = None
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
                raise result
        return self.stats()

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.stop()

    async def wait_done(self) -> None:
        """Wait until every symbol hit ``max_trades`` (or its replay ended) or ``duration`` passed."""
        await self._done.wait()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def stats(self) -> SimulatorStats:
        """Counts since start (what ``GET /sim/stats`` answers)."""
        books = self.venue.books if self.venue is not None else {}
        return SimulatorStats(
            symbols={symbol: book.stats for symbol, book in books.items()},
            connections=len(self.hub.subscribers),
            connections_total=self.hub.connections_total,
            frames_sent=self.hub.frames_sent,
            slow_consumers_cut=self.hub.slow_consumers_cut,
            faults=list(self.faults),
            uptime_seconds=round(time.monotonic() - self._started_at, 3) if self._started_at else 0.0,
            done=self.done,
        )

    def apply_fault(self, request: FaultRequest) -> FaultRecord:
        """Apply a fault now (see :mod:`connectors.simulator.faults`).

        Raises:
            KeyError: ``request.symbol`` is not simulated.
            RuntimeError: the simulator is not started.
        """
        if self.venue is None:
            raise RuntimeError("simulator not started")
        if request.kind is FaultKind.DROP:
            affected = self.hub.drop_all(request.close_code)
        elif request.kind is FaultKind.STALL:
            affected = self.hub.stall(request.seconds, request.backlog)
        elif request.kind is FaultKind.SKIP_IDS:
            self.venue.skip_ids(request.count, request.symbol)
            affected = request.count * (1 if request.symbol else len(self.venue.books))
        else:
            affected = self._send_malformed(request.variant, request.symbol)
            affected += self.coinbase.send_malformed(request.variant, request.symbol)
        record = FaultRecord(request=request, at_ms=time.time_ns() // 1_000_000, affected=affected)
        self.faults.append(record)
        log.info("fault applied: %s", record)
        return record

    def _send_malformed(self, variant: MalformedVariant, symbol: str | None) -> int:
        assert self.venue is not None
        books = [self.venue.books[symbol]] if symbol else list(self.venue.books.values())
        frames: dict[str, bytes] = {}
        for book in books:
            frame = _malformed_frame(book, variant)
            frames[stream_name(book.instrument, TRADE)] = frame
            frames[stream_name(book.instrument, AGG_TRADE)] = frame
        return self.hub.send_raw(set(frames), frames)

    async def _pump(self) -> None:
        """Advance the venue on the wall clock and publish what it produced, tick by tick."""
        assert self.venue is not None
        venue = self.venue
        if self.config.start_on_subscribe:
            await self.hub.first_subscription.wait()
            venue.rebase(time.time_ns() // 1_000_000)
        while True:
            now_ns = time.time_ns()
            now_ms = now_ns / 1e6
            updates = venue.step(now_ms)
            if updates or (self.hub.has_held and not self.hub.stalled):
                self.hub.publish(self._frames(updates, int(now_ms)))
                self.coinbase.publish(updates, now_ns)
            if venue.done:
                self._done.set()
            wait = (venue.next_time_ms - time.time_ns() / 1e6) / 1000
            await asyncio.sleep(min(max(wait, _MIN_TICK_SECONDS), _MAX_IDLE_SECONDS))

    def _frames(self, updates: list[BookUpdate], event_ms: int) -> dict[str, list[bytes]]:
        """Encode each update once per stream that has subscribers."""
        hub, frames = self.hub, {}
        for update in updates:
            instrument, formatter = update.book.instrument, update.book.formatter
            name = stream_name(instrument, TRADE)
            if update.trades and hub.has_subscribers(name):
                frames[name] = formatter.trades(update.trades, event_ms)
            name = stream_name(instrument, AGG_TRADE)
            if update.trades and hub.has_subscribers(name):
                frames[name] = formatter.agg_trades(update.trades, event_ms)
            name = stream_name(instrument, BOOK_TICKER)
            if hub.has_subscribers(name):
                frames[name] = formatter.book_tickers(update.quotes)
        return frames

    async def _run_scheduled(self, fault: ScheduledFault) -> None:
        await asyncio.sleep(fault.at_seconds)
        while True:
            self.apply_fault(fault.request)
            if fault.every_seconds is None:
                return
            await asyncio.sleep(fault.every_seconds)

    async def _end_after(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        self._done.set()


def _malformed_frame(book: SymbolBook, variant: MalformedVariant) -> bytes:
    """A broken ``@trade`` payload: truncated JSON, or a full one without its price ``p``."""
    last = book.history.last
    trade_id = last.trade_id if last is not None else 0
    now_ms = time.time_ns() // 1_000_000
    if variant is MalformedVariant.INVALID_JSON:
        return b'{"e":"trade","E":%d,"s":"%s","t":%d,"p":"1.0' % (now_ms, book.instrument.venue_id.encode(), trade_id)
    return encoder.encode(
        {"e": "trade", "E": now_ms, "s": book.instrument.venue_id, "t": trade_id, "q": "1.00000000",
         "T": now_ms, "m": False, "M": True}
    )  # fmt: skip
