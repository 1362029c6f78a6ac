"""Publishing a connector's events to Kafka, with its Prometheus metrics, in batches.

:class:`Publisher` routes each kernel event to its topic (Trade -> ``md.trades``, Quote ->
``md.quotes``, DataQualityEvent -> ``md.data_quality``, DeadLetter -> ``dead_letter``), in an
optional namespace (``md.trades.<ns>``, so tests and replays stay isolated), keyed
``exchange:symbol`` through the kernel's idempotent :class:`~nashipai.kafka.EventProducer`.
Producing never waits for the network; :meth:`Publisher.flush` (on shutdown) waits for every
delivery and raises :class:`~nashipai.kafka.DeliveryError` if any failed.

:class:`FeedBatcher` is the batch path in front of it: the runner appends parsed events, and
each flush de-duplicates them, reports trade-id gaps (and queues them for backfill) and hands
the batch to the publisher.

Metrics (per exchange): ``nashipai_messages_total{kind}`` (trade, quote, data_quality,
dead_letter), ``nashipai_decode_errors_total``, ``nashipai_receive_lag_seconds`` (a trade's
receive time minus its exchange time, sampled once per published batch: the runner publishes as
soon as the socket is drained, so a quiet feed is sampled at every trade and a busy one at every
batch) and ``nashipai_last_message_timestamp_seconds``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol, runtime_checkable

import msgspec

from connectors.backfill import MISSED_IN_SEQUENCE_GAP, BackfillResult, Gap, SequenceGap, TradeTracker
from connectors.errors import ConnectorError, ParseError
from nashipai import metrics
from nashipai.events import DataQualityEvent, DataQualityKind, DeadLetter, Event, Quote, Trade, payload_text
from nashipai.names import Topic, namespaced_topic

_ENCODER: Final = msgspec.json.Encoder(decimal_format="string")


class Producer(Protocol):
    """What the publisher needs of :class:`~nashipai.kafka.EventProducer` (tests pass a fake)."""

    def send_raw(self, topic: str, value: bytes, key: bytes | None = None) -> None: ...

    def flush(self, timeout: float = 30.0) -> None: ...


@runtime_checkable
class _Pollable(Protocol):
    def poll(self, timeout: float = 0.0) -> int: ...


@dataclass(slots=True)
class PublishCounts:
    """Events handed to Kafka since start, by kind."""

    trades: int = 0
    quotes: int = 0
    data_quality: int = 0
    dead_letters: int = 0


class Publisher:
    """Routes one venue's events to their (namespaced) topics.

    Args:
        producer: the Kafka producer (an :class:`~nashipai.kafka.EventProducer`).
        exchange: the venue name, for metrics labels and dead letters.
        namespace: topics become ``<topic>.<namespace>``; None for the real topics.
        source: the ``source`` of this connector's dead letters (default ``connector:<exchange>``).
    """

    def __init__(
        self, producer: Producer, exchange: str, namespace: str | None = None, source: str | None = None
    ) -> None:
        self.producer = producer
        self.exchange = exchange
        self.namespace = namespace
        self.source = source or f"connector:{exchange}"
        self.counts = PublishCounts()
        self.topics: dict[type[Event], str] = {
            Trade: namespaced_topic(Topic.TRADES, namespace),
            Quote: namespaced_topic(Topic.QUOTES, namespace),
            DataQualityEvent: namespaced_topic(Topic.DATA_QUALITY, namespace),
            DeadLetter: namespaced_topic(Topic.DEAD_LETTER, namespace),
        }
        self._trade_messages = metrics.MESSAGES.labels(exchange, "trade")
        self._quote_messages = metrics.MESSAGES.labels(exchange, "quote")
        self._dq_messages = metrics.MESSAGES.labels(exchange, "data_quality")
        self._dead_messages = metrics.MESSAGES.labels(exchange, "dead_letter")
        self._decode_errors = metrics.DECODE_ERRORS.labels(exchange)
        self._lag = metrics.LAG.labels(exchange)
        self._last_message = metrics.LAST_MESSAGE.labels(exchange)
        self._keys: dict[str, bytes] = {}  # symbol -> Kafka key of this exchange's trades and quotes

    def _key(self, exchange: str, symbol: str) -> bytes:
        key = self._keys[symbol] = f"{exchange}:{symbol}".encode()
        return key

    def all_topics(self) -> list[str]:
        """Every topic this publisher writes to."""
        return list(self.topics.values())

    def publish(self, events: Iterable[Event]) -> None:
        """Queue a batch of events for their topics (never waits for the network).

        Raises:
            KeyError: an event type a connector does not publish (a Bar, an order...); the
                events before it are already queued.
        """
        topics = self.topics
        send = self.producer.send_raw
        encode = _ENCODER.encode
        keys = self._keys
        trades = quotes = other = dead = 0
        lag_sample: Trade | None = None
        for event in events:
            if isinstance(event, Trade):
                trades += 1
                if lag_sample is None:
                    lag_sample = event
                key = keys.get(event.symbol) or self._key(event.exchange, event.symbol)
            elif isinstance(event, Quote):
                quotes += 1
                key = keys.get(event.symbol) or self._key(event.exchange, event.symbol)
            elif isinstance(event, DataQualityEvent):
                other += 1
                key = f"{event.exchange}:{event.symbol}".encode()
            elif isinstance(event, DeadLetter):
                dead += 1
                key = event.source.encode()
            else:
                raise KeyError(f"a connector does not publish {type(event).__name__} events")
            send(topics[type(event)], encode(event), key)
        if lag_sample is not None:  # one sample a batch: an observation costs about a microsecond
            self._lag.observe((lag_sample.ts_recv - lag_sample.ts_event) / 1e9)
        self._count(trades, quotes, other, dead)

    def _count(self, trades: int, quotes: int, data_quality: int, dead_letters: int) -> None:
        counts = self.counts
        if trades:
            counts.trades += trades
            self._trade_messages.inc(trades)
        if quotes:
            counts.quotes += quotes
            self._quote_messages.inc(quotes)
        if trades or quotes:
            self._last_message.set(time.time())
        if data_quality:
            counts.data_quality += data_quality
            self._dq_messages.inc(data_quality)
        if dead_letters:
            counts.dead_letters += dead_letters
            self._dead_messages.inc(dead_letters)
            metrics.DEAD_LETTERS.labels(self.source).inc(dead_letters)

    def dead_letter(self, reason: str, payload: bytes | str, received_ns: int, *, decode_error: bool = True) -> None:
        """Send unusable input, whole, with the reason (a decode error unless told otherwise)."""
        letter = DeadLetter(
            source=self.source,
            reason=reason,
            payload=payload_text(payload),
            exchange=self.exchange,
            ts_recv=received_ns,
        )
        if decode_error:
            self._decode_errors.inc()
        self.publish((letter,))

    def data_quality(
        self,
        kind: DataQualityKind,
        symbol: str = "*",
        *,
        detail: str = "",
        count: int = 0,
        first_missing: str | None = None,
        last_missing: str | None = None,
    ) -> DataQualityEvent:
        """Publish a data-quality event about ``symbol`` (``"*"``: the whole connection) and return it."""
        now = time.time_ns()
        event = DataQualityEvent(
            exchange=self.exchange, symbol=symbol, kind=kind, detail=detail, count=count,
            first_missing=first_missing, last_missing=last_missing, ts_event=now, ts_recv=now,
        )  # fmt: skip
        self.publish((event,))
        return event

    def poll(self) -> None:
        """Serve delivery reports (where the producer offers it); call regularly when idle."""
        if isinstance(self.producer, _Pollable):
            self.producer.poll(0)

    def flush(self, timeout: float = 30.0) -> None:
        """Wait for every queued event to be delivered.

        Raises:
            DeliveryError: Kafka failed to deliver something, or did not within ``timeout``.
        """
        self.producer.flush(timeout)


def topics_for(namespace: str | None) -> Sequence[str]:
    """The topics a connector writes to in ``namespace`` (to create them before starting)."""
    return [
        namespaced_topic(topic, namespace)
        for topic in (Topic.TRADES, Topic.QUOTES, Topic.DATA_QUALITY, Topic.DEAD_LETTER)
    ]


@dataclass(slots=True)
class FeedStats:
    """Counts of one connector run, for the status line and tests."""

    messages: int = 0  # frames (websocket) or watch results (ccxt) received
    reconnects: int = 0
    gaps: int = 0
    missing: int = 0  # trade ids reported missing
    backfilled: int = 0  # trades recovered by backfills
    stale: int = 0
    decode_errors: int = 0
    connected: bool = False
    last_error: str = ""
    started: float = field(default_factory=time.monotonic)


class FeedBatcher:
    """Buffers live events and publishes them in batches through a :class:`TradeTracker`.

    Args:
        publisher: where batches go.
        tracker: de-duplication and gap detection state of the run.
        stats: counters to update.
        gaps: where found gaps are queued for backfill (None: they are only reported).
    """

    def __init__(
        self, publisher: Publisher, tracker: TradeTracker, stats: FeedStats, gaps: asyncio.Queue[Gap] | None = None
    ) -> None:
        self.publisher = publisher
        self.tracker = tracker
        self.stats = stats
        self.gaps = gaps
        self.buffer: list[Event] = []
        self.resumes_queued: set[str] = set()  # symbols with a sequence-gap backfill not yet started

    def flush(self) -> None:
        """Publish the buffered events: duplicates dropped, gaps reported and queued for backfill."""
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        events, gaps = self.tracker.admit_live(batch)
        self.publisher.publish(events)
        for gap in gaps:
            self._report_gap(gap, gap.size or 0, "trade ids missing in the live stream")
            if self.gaps is not None:
                self.gaps.put_nowait(gap)

    def sequence_gap(self, gap: SequenceGap) -> None:
        """Messages of the connection were lost: a GAP event for the whole connection (``"*"``,
        the missing message numbers), and every symbol queued for backfill from its last trade id."""
        self.stats.gaps += 1
        self.publisher.data_quality(
            DataQualityKind.GAP, detail=f"{gap.size} messages lost: sequence numbers {gap.first}..{gap.last} "
            "never arrived", count=gap.size, first_missing=str(gap.first), last_missing=str(gap.last),
        )  # fmt: skip
        self.queue_resumes(MISSED_IN_SEQUENCE_GAP)

    def queue_resumes(self, cause: str) -> None:
        """Queue a backfill of every symbol from its last trade id (:meth:`TradeTracker.resume_gaps`),
        except for symbols whose previous one has not started: it covers this too."""
        if self.gaps is None:
            return
        for gap in self.tracker.resume_gaps(cause):
            if gap.symbol not in self.resumes_queued:
                self.resumes_queued.add(gap.symbol)
                self.gaps.put_nowait(gap)

    def _report_gap(self, gap: Gap, size: int, detail: str) -> None:
        self.stats.gaps += 1
        self.stats.missing += size
        self.publisher.data_quality(
            DataQualityKind.GAP, gap.symbol, detail=detail, count=size,
            first_missing=str(gap.first), last_missing=str(gap.last),
        )  # fmt: skip

    def dead_letter(self, error: ConnectorError, raw: bytes | str, received_ns: int) -> None:
        """Dead-letter ``raw`` with the error as reason (a ParseError counts as a decode error)."""
        decode_error = isinstance(error, ParseError)
        if decode_error:
            self.stats.decode_errors += 1
        reason = error.reason if isinstance(error, ParseError) else str(error)
        self.publisher.dead_letter(reason, raw, received_ns, decode_error=decode_error)

    def apply_backfill(self, result: BackfillResult) -> int:
        """Publish a backfill's new trades and a BACKFILL event (and a GAP for an open gap); returns the count."""
        self.flush()  # the tracker must know every live trade before it judges these
        gap = result.gap
        trades = self.tracker.admit_backfill(result.trades, gap)
        detail = f"recovered {len(trades)} of {gap.size} missing trades"
        if gap.last is None:  # an open gap: only now is it known what was missed
            if not trades and result.error is None:
                return 0
            last = max((int(trade.trade_id) for trade in trades), default=gap.first - 1)
            gap = Gap(gap.symbol, gap.first, last, gap.cause)
            if trades:
                self._report_gap(gap, len(trades), gap.cause)
            detail = f"recovered {len(trades)} trades, ids {gap.first}..{gap.last}"
        self.publisher.publish(trades)
        self.publisher.publish(result.dead_letters)
        self.stats.backfilled += len(trades)
        if result.error is not None:
            detail += f"; incomplete: {result.error}"
        elif not result.complete and len(trades) < (gap.size or 0):
            detail += "; incomplete: the venue's history does not cover the gap"
        self.publisher.data_quality(
            DataQualityKind.BACKFILL, gap.symbol, detail=detail, count=len(trades),
            first_missing=str(gap.first), last_missing=str(gap.last),
        )  # fmt: skip
        return len(trades)
