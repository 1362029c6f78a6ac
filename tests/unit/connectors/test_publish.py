"""Routing to topics, keys and namespaces; the batch path with its gap and backfill reports."""

from __future__ import annotations

import asyncio

import pytest

from connectors.backfill import MISSED_IN_SEQUENCE_GAP, BackfillResult, Gap, SequenceGap, TradeTracker
from connectors.errors import ParseError, VenueError
from connectors.publish import FeedBatcher, FeedStats, Publisher, topics_for
from nashipai import metrics
from nashipai.events import Bar, DataQualityEvent, DataQualityKind, Quote, Side, Trade
from tests.unit.connectors.fakes import RecordingProducer

NS = "tns"


def trade(trade_id: int, symbol: str = "BTC-USDT") -> Trade:
    return Trade(exchange="binance", symbol=symbol, price=100.0, size=1.0, side=Side.SELL, trade_id=str(trade_id),
                 ts_event=1_000_000_000, ts_recv=1_250_000_000)  # fmt: skip


def quote() -> Quote:
    return Quote(exchange="binance", symbol="ETH-USDT", bid_price=1.0, bid_size=1.0, ask_price=2.0, ask_size=3.0,
                 ts_event=5, ts_recv=6)  # fmt: skip


@pytest.fixture
def producer() -> RecordingProducer:
    return RecordingProducer()


@pytest.fixture
def publisher(producer: RecordingProducer) -> Publisher:
    return Publisher(producer, "binance", NS)


def test_events_go_to_their_namespaced_topics_keyed_by_instrument(
    producer: RecordingProducer, publisher: Publisher
) -> None:
    before = metrics.MESSAGES.labels("binance", "trade")._value.get()
    publisher.publish([trade(1), quote(), trade(2)])
    assert producer.events("md.trades.tns", "Trade") == [trade(1), trade(2)]
    assert producer.keys("md.trades.tns") == [b"binance:BTC-USDT", b"binance:BTC-USDT"]
    assert producer.events("md.quotes.tns", "Quote") == [quote()]
    assert producer.keys("md.quotes.tns") == [b"binance:ETH-USDT"]
    assert publisher.counts.trades == 2 and publisher.counts.quotes == 1
    assert metrics.MESSAGES.labels("binance", "trade")._value.get() == before + 2
    assert sorted(topics_for(NS)) == sorted(publisher.all_topics())
    assert topics_for(None) == ["md.trades", "md.quotes", "md.data_quality", "dead_letter"]


def test_an_event_a_connector_does_not_publish_is_refused(publisher: Publisher) -> None:
    bar = Bar(exchange="binance", symbol="BTC-USDT", timeframe="1m", open=1, high=1, low=1, close=1, volume=0,
              vwap=1, trade_count=0, ts_event=0, ts_recv=0)  # fmt: skip
    with pytest.raises(KeyError, match="Bar"):
        publisher.publish([bar])


def test_dead_letters_keep_the_raw_payload_and_reason(producer: RecordingProducer, publisher: Publisher) -> None:
    publisher.dead_letter("binance: not valid JSON", b'{"e":"trade","p":"1.\xff', 42)
    (letter,) = producer.events("dead_letter.tns", "DeadLetter")
    assert letter.payload == '{"e":"trade","p":"1.\\xff' and letter.reason == "binance: not valid JSON"
    assert letter.source == "connector:binance" and letter.exchange == "binance" and letter.ts_recv == 42
    assert producer.keys("dead_letter.tns") == [b"connector:binance"]


def test_data_quality_events_are_keyed_to_the_symbol_or_the_connection(
    producer: RecordingProducer, publisher: Publisher
) -> None:
    publisher.data_quality(DataQualityKind.RECONNECT, detail="closed")
    publisher.data_quality(DataQualityKind.GAP, "BTC-USDT", count=3, first_missing="2", last_missing="4")
    reconnect, gap = producer.events("md.data_quality.tns", "DataQualityEvent")
    assert reconnect.symbol == "*" and reconnect.kind is DataQualityKind.RECONNECT and reconnect.ts_event > 0
    assert (gap.first_missing, gap.last_missing, gap.count) == ("2", "4", 3)
    assert producer.keys("md.data_quality.tns") == [b"binance:*", b"binance:BTC-USDT"]


def batcher(publisher: Publisher, queue: asyncio.Queue[Gap] | None = None) -> FeedBatcher:
    return FeedBatcher(publisher, TradeTracker(sequential=True), FeedStats(), queue)


def test_the_batch_is_published_on_flush_only(producer: RecordingProducer, publisher: Publisher) -> None:
    feed = batcher(publisher)
    feed.buffer += [trade(1), trade(2)]
    assert producer.sent == []
    feed.flush()
    feed.flush()
    assert len(producer.events("md.trades.tns", "Trade")) == 2 and feed.buffer == []


async def test_a_gap_is_reported_and_queued_for_backfill(producer: RecordingProducer, publisher: Publisher) -> None:
    queue: asyncio.Queue[Gap] = asyncio.Queue()
    feed = batcher(publisher, queue)
    feed.buffer += [trade(1), trade(2), trade(6), trade(7)]
    feed.flush()
    (gap,) = producer.events("md.data_quality.tns", "DataQualityEvent")
    assert (gap.kind, gap.symbol, gap.first_missing, gap.last_missing, gap.count) == (
        DataQualityKind.GAP, "BTC-USDT", "3", "5", 3,
    )  # fmt: skip
    assert queue.get_nowait() == Gap("BTC-USDT", 3, 5)
    assert feed.stats.gaps == 1 and feed.stats.missing == 3


def test_a_backfill_publishes_new_trades_and_reports_how_many(
    producer: RecordingProducer, publisher: Publisher
) -> None:
    feed = batcher(publisher)
    feed.buffer += [trade(1), trade(5)]
    feed.flush()
    feed.buffer.append(trade(3))  # arrived live meanwhile (a late frame)
    result = BackfillResult(Gap("BTC-USDT", 2, 4), trades=[trade(2), trade(3), trade(4)], complete=True)
    assert feed.apply_backfill(result) == 2
    assert sorted(int(t.trade_id) for t in producer.events("md.trades.tns", "Trade")) == [1, 2, 3, 4, 5]
    backfill = producer.events("md.data_quality.tns", "DataQualityEvent")[-1]
    assert backfill.kind is DataQualityKind.BACKFILL and backfill.count == 2 and "incomplete" not in backfill.detail
    assert feed.stats.backfilled == 2


def test_a_failed_backfill_says_so(producer: RecordingProducer, publisher: Publisher) -> None:
    feed = batcher(publisher)
    feed.apply_backfill(BackfillResult(Gap("BTC-USDT", 2, 4), error="NetworkError: reset"))
    (event,) = producer.events("md.data_quality.tns", "DataQualityEvent")
    assert event.count == 0 and "incomplete: NetworkError: reset" in event.detail


def test_an_open_gap_is_reported_only_when_something_was_missed(
    producer: RecordingProducer, publisher: Publisher
) -> None:
    feed = batcher(publisher)
    assert feed.apply_backfill(BackfillResult(Gap("BTC-USDT", 9), complete=True)) == 0
    assert producer.sent == []
    feed.apply_backfill(BackfillResult(Gap("BTC-USDT", 9), trades=[trade(9), trade(10)], complete=True))
    events: list[DataQualityEvent] = producer.events("md.data_quality.tns", "DataQualityEvent")
    assert [(e.kind, e.first_missing, e.last_missing, e.count) for e in events] == [
        (DataQualityKind.GAP, "9", "10", 2), (DataQualityKind.BACKFILL, "9", "10", 2),
    ]  # fmt: skip


async def test_message_number_jumps_queue_one_waiting_backfill_per_symbol(
    producer: RecordingProducer, publisher: Publisher
) -> None:
    queue: asyncio.Queue[Gap] = asyncio.Queue()
    feed = FeedBatcher(publisher, TradeTracker(sequential=False), FeedStats(), queue)
    feed.buffer += [trade(10), trade(12), trade(3, "ETH-USDT")]
    feed.flush()
    feed.sequence_gap(SequenceGap(7, 8))
    feed.sequence_gap(SequenceGap(10, 10))  # before a backfill started: the waiting ones cover it
    quality: list[DataQualityEvent] = producer.events("md.data_quality.tns", "DataQualityEvent")
    assert [(e.kind, e.symbol, e.first_missing, e.last_missing, e.count) for e in quality] == [
        (DataQualityKind.GAP, "*", "7", "8", 2), (DataQualityKind.GAP, "*", "10", "10", 1),
    ]  # fmt: skip
    waiting = [queue.get_nowait() for _ in range(queue.qsize())]
    assert [(gap.symbol, gap.first, gap.last, gap.cause) for gap in waiting] == [
        ("BTC-USDT", 13, None, MISSED_IN_SEQUENCE_GAP), ("ETH-USDT", 4, None, MISSED_IN_SEQUENCE_GAP),
    ]  # fmt: skip
    feed.resumes_queued.discard("BTC-USDT")  # the backfill worker took it
    feed.sequence_gap(SequenceGap(20, 20))
    assert [queue.get_nowait()] == [Gap("BTC-USDT", 13, cause=MISSED_IN_SEQUENCE_GAP)] and queue.empty()
    assert feed.stats.gaps == 3


def test_connector_errors_become_dead_letters(producer: RecordingProducer, publisher: Publisher) -> None:
    feed = batcher(publisher)
    feed.dead_letter(ParseError("binance: unknown message"), b"{}", 1)
    feed.dead_letter(VenueError("binance", "2", "Invalid request"), b'{"error":{}}', 2)
    letters = producer.events("dead_letter.tns", "DeadLetter")
    assert [letter.reason for letter in letters] == ["binance: unknown message", "binance error 2: Invalid request"]
    assert feed.stats.decode_errors == 1
