"""The kernel's producer, consumer and QuestDB writer against the real services."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable

import pytest

from nashipai import kafka, questdb
from nashipai.config import Settings
from nashipai.events import Side, Trade
from nashipai.names import TRADES, Table
from nashipai.services import LocalStack

BASE_NS = 1_764_000_000_000_000_000


def make_trades(count: int, seed: int = 7) -> list[Trade]:
    rng = random.Random(seed)
    symbols = ["BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT"]
    return [
        Trade(
            exchange="binance",
            symbol=symbols[i % len(symbols)],
            price=round(100 + rng.random() * 10, 4),
            size=round(rng.random(), 6),
            side=Side.BUY if rng.random() < 0.5 else Side.SELL,
            trade_id=str(i),
            ts_event=BASE_NS + i * 1_000_000 + rng.randrange(1000) * 1000,
            ts_recv=BASE_NS + i * 1_000_000 + 5_000_000,
        )
        for i in range(count)
    ]


def test_ten_thousand_trades_round_trip_through_kafka(settings: Settings, topic_factory: Callable[..., str]) -> None:
    topic = topic_factory("trades")
    trades = make_trades(10_000)
    producer = kafka.EventProducer(settings)
    producer.send_many(topic, trades)
    producer.flush()

    client = kafka.consumer(settings, f"test-{uuid.uuid4().hex[:8]}", [topic])
    try:
        received = list(kafka.consume_events(client, Trade, 10_000, timeout=60))
    finally:
        client.close()
    assert len(received) == 10_000
    # Order holds per key (one instrument on one partition), so compare per instrument.
    by_symbol = lambda items: {s: [t for t in items if t.symbol == s] for s in {t.symbol for t in items}}  # noqa: E731
    assert by_symbol(received) == by_symbol(trades)


def test_ten_thousand_trades_land_in_questdb_once_even_when_written_twice(
    settings: Settings, questdb_table: Callable[[Table], str]
) -> None:
    table = questdb_table(TRADES)
    trades = make_trades(10_000, seed=11)
    with questdb.ilp_sender(settings) as sender:
        assert questdb.write_events(sender, trades, table_name=table) == 10_000
    questdb.wait_for_wal(settings, table)
    assert questdb.query(settings, f"SELECT count() FROM {table}")[0][0] == 10_000

    with questdb.ilp_sender(settings) as sender:
        questdb.write_events(sender, trades, table_name=table)
    questdb.wait_for_wal(settings, table)
    assert questdb.query(settings, f"SELECT count() FROM {table}")[0][0] == 10_000

    row = questdb.query(
        settings, f"SELECT exchange, symbol, price, size, side, trade_id FROM {table} WHERE trade_id = '1234'"
    )
    expected = trades[1234]
    assert row == [(expected.exchange, expected.symbol, expected.price, expected.size, expected.side, "1234")]


def test_read_only_user_cannot_write(settings: Settings, questdb_table: Callable[[Table], str]) -> None:
    import psycopg
    import pytest

    table = questdb_table(TRADES)
    with pytest.raises(psycopg.Error, match="permission denied"):
        questdb.query(settings, f"DROP TABLE {table}", readonly=True)


def test_a_delivery_kafka_refuses_is_raised_by_flush(settings: Settings, stack: LocalStack) -> None:
    # Topics are never auto-created: a send to a missing one times out, and flush says so
    # rather than returning as if the events were durable.
    producer = kafka.EventProducer(settings, **{"message.timeout.ms": 1_500})
    producer.send_many(f"missing.{uuid.uuid4().hex[:8]}", make_trades(3))
    with pytest.raises(kafka.DeliveryError, match="3 deliveries failed"):
        producer.flush(timeout=20)
    producer.flush(timeout=5)  # failures are reported once
