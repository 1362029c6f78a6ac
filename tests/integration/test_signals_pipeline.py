"""The signal dataflow against the real Kafka and QuestDB.

One recorded stream of trades (three instruments, ~10 minutes of event time) is produced
once per namespace and run through the dataflow in several ways; every way must give the
same signals: in-process, as a 2-process Bytewax cluster, killed with SIGKILL and resumed,
and replayed as a backtest. Bars must equal polars' and signals a batch recomputation.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from bytewax.testing import run_main
from confluent_kafka import TopicPartition

from nashipai import kafka, questdb
from nashipai.config import Settings
from nashipai.events import Side, Trade
from nashipai.names import Topic, namespaced_table, namespaced_topic
from pipelines import signals, store
from pipelines.strategies.batch import batch_signals
from pipelines.strategies.config import StrategyConfig, loads_config
from tests.unit.pipelines.test_bars import polars_bars

SECOND = 1_000_000_000
BASE = 1_764_000_000 * SECOND
SYMBOLS = ("BTC-USDT", "ETH-USDT", "SOL-USDT")
STRATEGIES = """
[[strategy]]
name = "ema_fast"
class = "ema_cross"
timeframe = "1s"
instruments = ["*"]
params = { fast_period = 3, slow_period = 8 }

[[strategy]]
name = "rsi_fast"
class = "rsi_reversion"
timeframe = "1s"
instruments = ["binance:BTC-USDT", "binance:ETH-USDT"]
params = { period = 5, oversold = 40, overbought = 60 }

[[strategy]]
name = "macd_fast"
class = "macd_cross"
timeframe = "1s"
instruments = ["*"]
params = { fast_period = 3, slow_period = 6, signal_period = 3 }
"""


def recorded_trades(per_symbol: int = 6_000, seed: int = 5) -> list[Trade]:
    rng = random.Random(seed)
    trades = []
    for index, symbol in enumerate(SYMBOLS):
        ts, price = BASE, 100.0 * (index + 1)
        for i in range(per_symbol):
            ts += rng.randrange(1, 200) * 1_000_000
            price *= 1 + rng.gauss(0, 0.002)
            trades.append(Trade(exchange="binance", symbol=symbol, price=round(price, 4), size=rng.random() + 0.01,
                                side=Side.BUY if rng.random() < 0.5 else Side.SELL, trade_id=str(i + 1),
                                ts_event=ts, ts_recv=ts + 2_000_000))
    trades.sort(key=lambda trade: trade.ts_recv)
    return trades


TRADES = recorded_trades()


def configs() -> list[StrategyConfig]:
    return loads_config(STRATEGIES, "test-strategies.toml")


def options(namespace: str, run_id: str = "live") -> signals.SignalsOptions:
    return signals.SignalsOptions(strategies=tuple(configs()), timeframes=("1s", "1m"), quiet_timeout=None,
                                  run_id=run_id, namespace=namespace)


def produce(settings: Settings, namespace: str) -> None:
    producer = kafka.EventProducer(settings)
    producer.send_many(namespaced_topic(Topic.TRADES, namespace), TRADES)
    producer.flush()


def store_all(settings: Settings, namespace: str) -> None:
    """Run the store dataflow over what the namespace's topics hold now (bars, signals into QuestDB)."""
    run_main(store.build_flow(settings, namespace, stop_at_end=True))


def kafka_count(settings: Settings, topic: str) -> int:
    """Messages in a topic (sum of its partitions' high watermarks)."""
    client = kafka.consumer(settings, "count")
    try:
        partitions = client.list_topics(topic, timeout=10).topics[topic].partitions
        return sum(client.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in partitions)
    finally:
        client.close()


def signal_rows(settings: Settings, namespace: str, run_id: str = "live") -> set[tuple[object, ...]]:
    table = namespaced_table("signals", namespace)
    questdb.wait_for_wal(settings, table)
    rows = questdb.query(settings, f"SELECT signal_id, side, price, strength FROM {table} WHERE run_id = %s",
                         (run_id,))
    return {(signal_id, side, price, round(strength, 9)) for signal_id, side, price, strength in rows}


@pytest.fixture(scope="module")
def live_run(settings: Settings, stack: object) -> Iterator[tuple[str, set[tuple[object, ...]]]]:
    """The reference: one in-process run over the recorded trades."""
    import uuid

    namespace = f"s{uuid.uuid4().hex[:8]}"
    kafka.ensure_topics(settings, [namespaced_topic(topic, namespace) for topic in Topic])
    questdb.migrate(settings, namespace=namespace)
    produce(settings, namespace)
    run_main(signals.build_flow(settings, options(namespace), stop_at_end=True))
    store_all(settings, namespace)
    yield namespace, signal_rows(settings, namespace)


def test_bars_equal_polars_and_signals_equal_a_batch_recomputation(
    settings: Settings, live_run: tuple[str, set[tuple[object, ...]]]
) -> None:
    namespace, live = live_run
    table = namespaced_table("bars", namespace)
    questdb.wait_for_wal(settings, table)
    bars = questdb.query_frame(
        settings, f"SELECT exchange, symbol, timeframe, cast(ts AS LONG) * 1000 AS ts, open, high, low, close, "
                  f"volume, vwap, trade_count FROM {table} WHERE timeframe = '1s' ORDER BY symbol, ts")
    for symbol in SYMBOLS:
        expected = polars_bars([t for t in TRADES if t.symbol == symbol], "1s")
        got = bars.filter(pl.col("symbol") == symbol)
        assert got["ts"].to_list() == expected["ts"].to_list()
        assert got["trade_count"].to_list() == expected["trade_count"].cast(pl.Int64).to_list()
        for column in ("open", "high", "low", "close", "volume", "vwap"):
            assert got[column].to_list() == pytest.approx(expected[column].to_list(), rel=1e-9), column

    recomputed = {
        (s.signal_id, s.side, s.price, round(s.strength, 9))
        for config in configs()
        for s in batch_signals(bars, config)
    }
    assert len(live) > 100, "the recorded stream should trigger many signals"
    assert live == recomputed


def test_two_processes_give_the_same_signals_as_one(settings: Settings, namespace: str,
                                                     live_run: tuple[str, set[tuple[object, ...]]],
                                                     tmp_path: Path) -> None:
    produce(settings, namespace)
    config = tmp_path / "strategies.toml"
    config.write_text(STRATEGIES)
    addresses = "127.0.0.1:39431,127.0.0.1:39432"
    command = [sys.executable, "-m", "nashipai.cli", "pipeline", "signals", "--namespace", namespace,
               "--strategies", str(config), "--timeframes", "1s,1m", "--until-end", "--no-recovery",
               "--quiet-timeout", "0", "--addresses", addresses]
    processes = [subprocess.Popen([*command, "--process-id", str(i)], env=os.environ.copy(),
                                  stderr=subprocess.PIPE) for i in range(2)]
    for process in processes:
        _, stderr = process.communicate(timeout=180)
        assert process.returncode == 0, stderr.decode()[-3000:]
    store_all(settings, namespace)
    assert signal_rows(settings, namespace) == live_run[1]


def test_kill_9_and_restart_gives_the_same_signal_ids(settings: Settings, namespace: str,
                                                       live_run: tuple[str, set[tuple[object, ...]]],
                                                       tmp_path: Path) -> None:
    produce(settings, namespace)
    config = tmp_path / "strategies.toml"
    config.write_text(STRATEGIES)
    command = [sys.executable, "-m", "nashipai.cli", "pipeline", "signals", "--namespace", namespace,
               "--strategies", str(config), "--timeframes", "1s,1m", "--snapshot-interval", "0.2",
               "--quiet-timeout", "0"]
    expected = live_run[1]
    topic = namespaced_topic(Topic.SIGNALS, namespace)
    first = subprocess.Popen(command, env=os.environ.copy(), stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while kafka_count(settings, topic) < len(expected) // 4:
            assert time.monotonic() < deadline, "the dataflow produced too few signals"
            time.sleep(0.05)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert kafka_count(settings, topic) < len(expected), "the kill should come mid-stream"

    wanted = {row[0] for row in expected if not _last_bar(row)}
    second = subprocess.Popen(command, env=os.environ.copy(), stderr=subprocess.PIPE)
    try:
        # Without a quiet timeout the last bar of each instrument stays open in a live run.
        deadline = time.monotonic() + 120
        while kafka_count(settings, topic) < len(wanted) and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2)
    finally:
        second.terminate()
        second.communicate(timeout=30)
    store_all(settings, namespace)
    got = {row[0] for row in signal_rows(settings, namespace)}
    assert got == wanted


def _last_bar(row: tuple[object, ...]) -> bool:
    """Whether a signal is on an instrument's last bar (closed only at the end of a bounded run)."""
    signal_id = str(row[0])
    _strategy, _exchange, symbol, _timeframe, ts = signal_id.split(":")
    last = max(t.ts_event for t in TRADES if t.symbol == symbol)
    return int(ts) == last - last % SECOND


def test_replay_of_the_recorded_period_reproduces_the_live_signals(
    settings: Settings, live_run: tuple[str, set[tuple[object, ...]]]
) -> None:
    from datetime import UTC, datetime

    from pipelines.replay import replay_period

    namespace, live = live_run
    start = datetime.fromtimestamp(BASE / 1e9, UTC)
    end = datetime.fromtimestamp(max(t.ts_event for t in TRADES) / 1e9 + 1, UTC)
    summary = replay_period(settings, options(namespace, run_id="replay_test"), start, end)
    assert summary.row_count > 0
    assert signal_rows(settings, namespace, run_id="replay_test") == live
