"""The tick dataflow against the real Kafka and QuestDB: exact counts, dead letters, crash and resume."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import uuid

import pytest
from bytewax.testing import run_main
from questdb import QuestDBError

from nashipai import kafka, questdb
from nashipai.config import Settings
from nashipai.events import DeadLetter, Quote, Trade
from nashipai.names import Topic, namespaced_table, namespaced_topic
from pipelines import questdb_sink, store
from tests.integration.test_kernel_roundtrip import BASE_NS, make_trades


def _quotes(count: int) -> list[Quote]:
    return [
        Quote(exchange="binance", symbol="BTC-USDT", bid_price=100.0 + i, bid_size=1.0, ask_price=100.5 + i,
              ask_size=2.0, ts_event=BASE_NS + i * 1_000, ts_recv=BASE_NS + i * 1_000 + 10)
        for i in range(count)
    ]


def test_every_trade_and_quote_lands_once_and_bad_messages_go_to_dead_letter(
    settings: Settings, namespace: str
) -> None:
    producer = kafka.EventProducer(settings)
    producer.send_many(namespaced_topic(Topic.TRADES, namespace), make_trades(20_000))
    producer.send_many(namespaced_topic(Topic.QUOTES, namespace), _quotes(3_000))
    producer.send_raw(namespaced_topic(Topic.TRADES, namespace), b'{"exchange":"binance","price":"x"}', b"bad")
    producer.send_raw(namespaced_topic(Topic.TRADES, namespace), b"\xff not json", b"bad")
    producer.flush()

    run_main(store.build_flow(settings, namespace, stop_at_end=True))

    trades_table = namespaced_table("trades", namespace)
    quotes_table = namespaced_table("quotes", namespace)
    questdb.wait_for_wal(settings, trades_table)
    questdb.wait_for_wal(settings, quotes_table)
    assert questdb.query(settings, f"SELECT count() FROM {trades_table}")[0][0] == 20_000
    assert questdb.query(settings, f"SELECT count() FROM {quotes_table}")[0][0] == 3_000

    client = kafka.consumer(settings, f"test-{uuid.uuid4().hex[:6]}", [namespaced_topic(Topic.DEAD_LETTER, namespace)])
    try:
        letters = list(kafka.consume_events(client, DeadLetter, 2, timeout=30))
    finally:
        client.close()
    reasons = sorted(letter.reason for letter in letters)
    assert "not a valid Trade" in reasons[0] and "not a valid Trade" in reasons[1]
    assert any("$.price" in reason for reason in reasons)
    assert {letter.payload for letter in letters} == {'{"exchange":"binance","price":"x"}', "\\xff not json"}


def _start_store(namespace: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "nashipai.cli", "pipeline", "store", "--namespace", namespace,
               "--snapshot-interval", "0.2"]
    return subprocess.Popen(command, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_kill_9_mid_stream_and_restart_leaves_exactly_n_distinct_rows(settings: Settings, namespace: str) -> None:
    total = 60_000
    trades = make_trades(total, seed=3)
    topic = namespaced_topic(Topic.TRADES, namespace)
    table = namespaced_table("trades", namespace)
    producer = kafka.EventProducer(settings)
    producer.send_many(topic, trades[: total // 2])
    producer.flush()

    first = _start_store(namespace)
    try:
        questdb.wait_for_rows(settings, table, 2_000, timeout=60)
    finally:
        first.send_signal(signal.SIGKILL)  # no warning, no flush, no final snapshot
        first.wait()
    questdb.wait_for_wal(settings, table)
    rows_at_crash = questdb.query(settings, f"SELECT count() FROM {table}")[0][0]
    assert rows_at_crash < total
    producer.send_many(topic, trades[total // 2:])  # the stream goes on while the dataflow is down
    producer.flush()

    second = _start_store(namespace)
    try:
        count = questdb.wait_for_rows(settings, table, total, timeout=120)
        questdb.wait_for_wal(settings, table)
    finally:
        second.terminate()
        _, stderr = second.communicate(timeout=30)
    assert count == total, stderr.decode()[-2000:]
    distinct = questdb.query(settings, f"SELECT count_distinct(trade_id), count() FROM {table}")[0]
    assert distinct == (total, total)


@pytest.mark.parametrize("rows", [10, 3 * questdb_sink.FLUSH_ROWS + 7])
def test_rows_questdb_refuses_stop_the_sink_instead_of_vanishing(settings: Settings, rows: int) -> None:
    # A price column of the wrong type: QuestDB answers the ILP request with an error. Small
    # writes fail at the snapshot; large ones in a background flush, reported by the next
    # write or the snapshot. Either way the epoch is never committed.
    name = f"test_refused_{uuid.uuid4().hex[:10]}"
    questdb.query(settings, f"CREATE TABLE {name} (exchange SYMBOL, symbol SYMBOL, price VARCHAR, size DOUBLE, "
                            "side SYMBOL, trade_id VARCHAR, ts_recv TIMESTAMP, ts TIMESTAMP) TIMESTAMP(ts) "
                            "PARTITION BY DAY WAL")
    writer = questdb_sink.QuestDBSink(settings, {Trade: name}).build_part("questdb", "0", None)
    trades = make_trades(rows)
    try:
        with pytest.raises(QuestDBError, match="price"):
            for start in range(0, rows, 20_000):
                writer.write_batch([trades[start : start + 20_000]])
            writer.snapshot()
    finally:
        with contextlib.suppress(QuestDBError):
            writer.close()
        questdb.query(settings, f"DROP TABLE IF EXISTS {name}")


def test_the_snapshot_returns_once_every_row_is_acknowledged(settings: Settings, namespace: str) -> None:
    rows = 2 * questdb_sink.FLUSH_ROWS + 123
    table = namespaced_table("trades", namespace)
    writer = questdb_sink.QuestDBSink(settings, {Trade: table}).build_part("questdb", "0", None)
    trades = make_trades(rows)
    for start in range(0, rows, 25_000):
        writer.write_batch([trades[start : start + 25_000]])
    writer.snapshot()
    questdb.wait_for_wal(settings, table)
    assert questdb.query(settings, f"SELECT count() FROM {table}")[0][0] == rows
    writer.close()
