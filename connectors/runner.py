"""The one websocket runner every native venue shares, and the ccxt.pro path beside it.

In-process use (an end-to-end test)::

    stop = asyncio.Event()
    task = asyncio.create_task(run_connector(
        settings, "binance", ["BTC-USDT"], url=f"{sim.ws_base_url}/stream",
        rest_config=binance_client_config(sim.rest_base_url, sim.ws_base_url), namespace=ns, stop_event=stop,
    ))
    ...
    stop.set(); stats = await task          # flushed to Kafka when it returns

What a run does (see :class:`Connector`): connect, send the venue's subscribe frames, parse
every frame with the venue's pure ``parse`` into a buffer that is de-duplicated, checked for
trade-id gaps and handed to the :class:`~connectors.publish.Publisher` in batches (when it
holds ``batch_size`` events or every ``flush_interval``). A watchdog turns ``stale_after``
seconds of silence into a STALE event and a reconnect; reconnects back off exponentially with
jitter (reset after a healthy period) and resubscribe; a gap, also across a reconnect, is a GAP
event and a REST backfill (:mod:`connectors.backfill`), reported as a BACKFILL event. Where the
venue numbers its messages (Coinbase), a jump in the numbers is a GAP event too, and it and
every reconnect backfill each symbol from its last trade id.
ParseError -> dead letter, stream goes on; VenueError -> dead letter, then reconnect if
``should_retry`` else the run stops with that error.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Sequence, Sized
from dataclasses import dataclass
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidURI, WebSocketException

from connectors.backfill import (
    DEFAULT_WINDOW,
    MISSED_DISCONNECTED,
    Backfiller,
    Gap,
    SequenceTracker,
    TradeTracker,
    can_backfill,
)
from connectors.backoff import Backoff, race
from connectors.ccxt_pro import CcxtProSource
from connectors.errors import ConnectionLost, ConnectorError, ParseError, VenueError
from connectors.publish import FeedBatcher, FeedStats, Publisher, topics_for
from connectors.registry import SEQUENCED, VENUES, SequencedVenue, Venue
from connectors.venues.common import ALL_CHANNELS, Channel
from nashipai import kafka, metrics
from nashipai.config import Settings
from nashipai.events import DataQualityKind


class StaleFeed(ConnectionLost):
    """No message for ``stale_after`` seconds."""


@dataclass(frozen=True, slots=True)
class RunnerOptions:
    """Tuning of a run; the defaults suit a real venue."""

    channels: tuple[Channel, ...] = ALL_CHANNELS
    stale_after: float = 10.0  # seconds without any message -> STALE + reconnect
    batch_size: int = 1024  # events buffered before they are published
    flush_interval: float = 0.005  # seconds; also the producer's poll interval
    ws_ping_interval: float | None = 20.0  # websocket-level pings (None: off)
    ws_ping_timeout: float | None = 20.0
    open_timeout: float = 10.0
    close_timeout: float = 2.0
    backoff_initial: float = 0.5
    backoff_cap: float = 30.0
    healthy_after: float = 30.0
    seed: int | None = None  # of the backoff jitter
    backfill: bool = True
    reconnect_tail_wait: float = 2.0  # after a reconnect, backfill symbols with no live trade by then
    drain_timeout: float = 10.0  # on stop, wait this long for running backfills
    dedup_window: int = DEFAULT_WINDOW
    ensure_topics: bool = True


ConnectorStats = FeedStats


class Connector:
    """One venue's feed into Kafka: a native venue module over :mod:`websockets`, or ccxt.pro.

    Args:
        publisher: where events go.
        symbols: normalised symbols (``"BTC-USDT"``).
        venue: the native venue module; None uses ``source`` (ccxt.pro).
        source: the ccxt.pro source when ``venue`` is None.
        url: the websocket URL (default ``venue.URL``), e.g. the simulator's ``ws://127.0.0.1:PORT/stream``.
        backfiller: closes trade-id gaps over REST (None: gaps are reported only).
        options: tuning.
    """

    def __init__(
        self,
        publisher: Publisher,
        symbols: Sequence[str],
        *,
        venue: Venue | None = None,
        source: CcxtProSource | None = None,
        url: str | None = None,
        backfiller: Backfiller | None = None,
        options: RunnerOptions | None = None,
    ) -> None:
        if (venue is None) == (source is None):
            raise ValueError("give exactly one of venue and source")
        self.publisher = publisher
        self.symbols = list(symbols)
        self.venue = venue
        self.source = source
        self.url = url or (venue.URL if venue is not None else "")
        self.options = options or RunnerOptions()
        self.backfiller = backfiller
        self.stats = FeedStats()
        self.tracker = TradeTracker(venue is not None and venue.SEQUENTIAL_TRADE_IDS, self.options.dedup_window)
        self.numbered: SequencedVenue | None = SEQUENCED.get(venue.NAME) if venue is not None else None
        self.sequence = SequenceTracker()
        if venue is not None:
            venue.subscribe_messages(self.symbols, self.options.channels)  # SymbolError now, not in the loop
        self._gaps: asyncio.Queue[Gap] = asyncio.Queue()
        self.feed = FeedBatcher(publisher, self.tracker, self.stats, self._gaps if backfiller is not None else None)
        self._last_message = time.monotonic()
        opts = self.options
        rng = random.Random(opts.seed)
        self.backoff = Backoff(opts.backoff_initial, opts.backoff_cap, healthy_after=opts.healthy_after, rng=rng)

    def flush(self) -> None:
        """Publish the buffered events now (see :meth:`FeedBatcher.flush`)."""
        self.feed.flush()

    async def _flusher(self) -> None:
        interval = self.options.flush_interval
        while True:
            await asyncio.sleep(interval)
            self.feed.flush()
            self.publisher.poll()

    async def _backfill_worker(self, backfiller: Backfiller) -> None:
        while True:
            gap = await self._gaps.get()
            self.feed.resumes_queued.discard(gap.symbol)  # from now on a new jump needs a new backfill
            try:
                result = await backfiller.fetch(gap)
                self.feed.apply_backfill(result)
            finally:
                self._gaps.task_done()

    # -- one connection ------------------------------------------------------------------------

    async def _watchdog(self) -> None:
        stale_after = self.options.stale_after
        while True:
            await asyncio.sleep(min(1.0, stale_after / 4))
            idle = time.monotonic() - self._last_message
            if idle >= stale_after:
                self.stats.stale += 1
                self.publisher.data_quality(
                    DataQualityKind.STALE, detail=f"no message for {idle:.1f}s; reconnecting", count=int(idle * 1000)
                )
                raise StaleFeed(f"no message for {idle:.1f}s")

    async def _tail_check(self) -> None:
        await asyncio.sleep(self.options.reconnect_tail_wait)
        self.flush()
        for gap in self.tracker.open_gaps():
            self._gaps.put_nowait(gap)

    async def _pinger(self, connection: ClientConnection, interval: float, message: str) -> None:
        while True:
            await asyncio.sleep(interval)
            await connection.send(message)

    async def _receive(self, connection: ClientConnection, venue: Venue) -> None:
        """Receive frames; parse and publish them as a batch once nothing more is queued (or at
        ``batch_size``), so a busy feed is handled in batches and a quiet one without delay."""
        recv = connection.recv
        queued = _queued_frames(connection)
        batch_size = self.options.batch_size
        stats = self.stats
        clock, monotonic = time.time_ns, time.monotonic
        frames: list[bytes] = []
        times: list[int] = []
        while True:
            if frames and (queued is None or not len(queued) or len(frames) >= batch_size):
                self._parse(venue, frames, times)
                frames, times = [], []
            try:
                frames.append(await recv(decode=False))
            except ConnectionClosed as exc:
                self._parse(venue, frames, times)
                raise ConnectionLost(f"connection closed: {exc}") from None
            times.append(clock())
            self._last_message = monotonic()
            stats.messages += 1

    def _parse(self, venue: Venue, frames: list[bytes], times: list[int]) -> None:
        """Parse a batch into the feed and publish it; frame by frame if the batch fails."""
        feed = self.feed
        numbered = self.numbered
        try:
            if numbered is None:
                feed.buffer += venue.parse_many(frames, times)
            else:
                events, numbers = numbered.parse_many_numbered(frames, times)
                self._check_sequence(numbers)
                feed.buffer += events
        except ConnectorError:
            for raw, received_ns in zip(frames, times, strict=True):
                if numbered is not None and (number := numbered.sequence_number(raw)) is not None:
                    self._check_sequence((number,))
                try:
                    feed.buffer += venue.parse(raw, received_ns)
                except ParseError as exc:
                    feed.dead_letter(exc, raw, received_ns)
                except VenueError as exc:
                    feed.dead_letter(exc, raw, received_ns)
                    feed.flush()
                    raise
        feed.flush()

    def _check_sequence(self, numbers: Sequence[int]) -> None:
        # Before this batch's events reach the tracker, so the backfill starts where the last
        # batch ended (what came live since is dropped as a duplicate).
        for gap in self.sequence.observe(numbers):
            self.feed.sequence_gap(gap)

    async def _websocket_session(self, venue: Venue, reconnecting: bool, stop: asyncio.Event) -> None:
        opts = self.options
        async with websockets.connect(
            self.url, ping_interval=opts.ws_ping_interval, ping_timeout=opts.ws_ping_timeout,
            open_timeout=opts.open_timeout, close_timeout=opts.close_timeout, max_size=2**23, max_queue=8192,
        ) as connection:  # fmt: skip
            self._opened(reconnecting)
            self.sequence.reset()
            for frame in venue.subscribe_messages(self.symbols, opts.channels):
                await connection.send(frame)
            tasks = [self._receive(connection, venue), self._watchdog()]
            if venue.PING_INTERVAL is not None and venue.PING_MESSAGE is not None:
                tasks.append(self._pinger(connection, venue.PING_INTERVAL, venue.PING_MESSAGE))
            if reconnecting and self.backfiller is not None:
                if not self.tracker.sequential:  # ids skip: any symbol may have missed trades
                    self.feed.queue_resumes(MISSED_DISCONNECTED)
                else:
                    tasks.append(self._tail_check())
            await race(stop, tasks)

    async def _ccxt_session(self, source: CcxtProSource, reconnecting: bool, stop: asyncio.Event) -> None:
        self._opened(reconnecting)

        async def pump() -> None:
            batch_size = self.options.batch_size
            async for events in source.stream():
                self._last_message = time.monotonic()
                self.stats.messages += 1
                self.feed.buffer += events
                if len(self.feed.buffer) >= batch_size:
                    self.feed.flush()
            raise ConnectionLost("the ccxt.pro stream ended")

        try:
            await race(stop, [pump(), self._watchdog()])
        except ConnectionLost:
            await source.close()  # ccxt.pro opens a fresh connection on the next watch
            raise

    def _opened(self, reconnecting: bool) -> None:
        self.backoff.connected(time.monotonic())
        self._last_message = time.monotonic()
        self.stats.connected = True
        if reconnecting:
            self.stats.reconnects += 1
            self.publisher.data_quality(
                DataQualityKind.RECONNECT, detail=f"reconnected after: {self.stats.last_error}",
                count=self.backoff.attempts,
            )  # fmt: skip

    # -- the run -------------------------------------------------------------------------------

    async def close(self, timeout: float = 30.0) -> None:
        """Flush the producer and close the REST and ccxt.pro clients.

        Raises:
            DeliveryError: Kafka did not take everything within ``timeout``.
        """
        try:
            if self.backfiller is not None:
                await self.backfiller.close()
            if self.source is not None:
                await self.source.close()
        finally:
            self.flush()
            await asyncio.to_thread(self.publisher.flush, timeout)

    async def run(self, stop: asyncio.Event) -> None:
        """Stream until ``stop`` is set, reconnecting as needed; flushes the buffer when it ends.

        Raises:
            VenueError: the venue refused and reconnecting cannot help (``should_retry`` False).
            SymbolError: a symbol the venue does not know (ccxt.pro).
            InvalidURI: ``url`` is not a websocket URL.
        """
        background = [asyncio.create_task(self._flusher())]
        if self.backfiller is not None:
            background.append(asyncio.create_task(self._backfill_worker(self.backfiller)))
        reconnecting = False
        try:
            while not stop.is_set():
                if await self._session(reconnecting, stop):
                    break
                self.stats.connected = False
                metrics.RECONNECTS.labels(self.publisher.exchange).inc()
                self.flush()
                self.tracker.connection_lost()
                reconnecting = True
                delay = self.backoff.next_delay(time.monotonic())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
            self.flush()
            if self.backfiller is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._gaps.join(), self.options.drain_timeout)
        finally:
            self.stats.connected = False
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            self.flush()

    async def _session(self, reconnecting: bool, stop: asyncio.Event) -> bool:
        """One connection; True when it ended because of ``stop``, False when it was lost."""
        try:
            if self.venue is not None:
                await self._websocket_session(self.venue, reconnecting, stop)
            else:
                assert self.source is not None
                await self._ccxt_session(self.source, reconnecting, stop)
            return True
        except InvalidURI:
            raise
        except VenueError as exc:
            if not exc.should_retry:
                self.stats.last_error = str(exc)
                raise
            self.stats.last_error = str(exc)
        except ConnectorError as exc:
            if not exc.should_retry:
                raise
            self.stats.last_error = str(exc)
        except (OSError, TimeoutError, WebSocketException) as exc:
            self.stats.last_error = f"{type(exc).__name__}: {exc}"
        return False


def _queued_frames(connection: ClientConnection) -> Sized | None:
    """The frames received but not yet read, where this version of websockets lets us see them."""
    queue = getattr(getattr(connection, "recv_messages", None), "frames", None)
    return queue if isinstance(queue, Sized) else None


def build_connector(
    settings: Settings,
    exchange: str,
    symbols: Sequence[str],
    *,
    url: str | None = None,
    rest_config: dict[str, Any] | None = None,
    namespace: str | None = None,
    options: RunnerOptions | None = None,
    publisher: Publisher | None = None,
    ccxt_config: dict[str, Any] | None = None,
) -> Connector:
    """A :class:`Connector` for ``exchange``: its native module, else ccxt.pro.

    Args:
        rest_config: ccxt config of the backfill client (``binance_client_config(...)`` for the
            simulator; None: the real venue). Backfill applies where trade ids are sequential.
        namespace: topics ``<topic>.<namespace>``.
        publisher: a ready publisher (default: a new :class:`~nashipai.kafka.EventProducer`).
        ccxt_config: config of the ccxt.pro exchange (non-native exchanges only).
    """
    options = options or RunnerOptions()
    if publisher is None:
        publisher = Publisher(kafka.EventProducer(settings), exchange, namespace)
    venue = VENUES.get(exchange)
    if venue is None:
        if url is not None:
            raise ValueError(f"--url applies to native venues only ({', '.join(sorted(VENUES))})")
        source = CcxtProSource(exchange, symbols, options.channels, config=ccxt_config)
        connector = Connector(publisher, symbols, source=source, options=options)
    else:
        backfiller = None
        if options.backfill and can_backfill(venue.NAME):
            backfiller = Backfiller(venue.NAME, venue.CCXT_ID, rest_config)
        connector = Connector(publisher, symbols, venue=venue, url=url, backfiller=backfiller, options=options)
    if options.ensure_topics:
        kafka.ensure_topics(settings, topics_for(namespace))
    return connector


async def run_connector(
    settings: Settings,
    exchange: str,
    symbols: Sequence[str],
    *,
    url: str | None = None,
    rest_config: dict[str, Any] | None = None,
    namespace: str | None = None,
    stop_event: asyncio.Event | None = None,
    options: RunnerOptions | None = None,
    publisher: Publisher | None = None,
) -> ConnectorStats:
    """Run a connector until ``stop_event`` is set (or the task is cancelled); returns its counts.

    Everything published is flushed to Kafka before this returns (see :func:`build_connector`
    for the arguments).

    Raises:
        VenueError: the venue refused for good; DeliveryError: Kafka lost events.
    """
    connector = build_connector(
        settings,
        exchange,
        symbols,
        url=url,
        rest_config=rest_config,
        namespace=namespace,
        options=options,
        publisher=publisher,
    )
    try:
        await connector.run(stop_event or asyncio.Event())
    finally:
        await connector.close()
    return connector.stats
