"""Connector benchmarks: prints figures, asserts nothing.

Section 1, ``bench_decode``: decode + normalise cost per websocket message for every native venue,
trade and L1 messages in the venue's wire format (the test fixtures), frame by frame (``parse``)
and in batches of 256 frames (``parse_many``, what the runner calls), against ``json.loads`` plus
building the same event as a dict by hand, measured in the same run. Target: <= 1 µs an event:
a message carrying one event (every L1 message, most trade messages) in <= 1 µs, one batching k
trades (Coinbase, Bybit, OKX) in <= k µs, so the table gives ``parse_many`` ns per event too.

Section 2, ``bench_runner``: the runner's whole path per message after the socket: ``parse_many``,
de-duplication and gap check (``TradeTracker``), encoding and producing (``Publisher``), into a
producer that drops the bytes, and with ``--kafka`` into the real producer of the local stack.

Section 3, ``bench_store`` (with ``--kafka``): sustained rows/s from Kafka into QuestDB through
the store dataflow (column-wise fast path), against the same trades decoded with msgspec and
written row by row with ``Sender.row`` in the same run. Target: >= 300k rows/s.

Run: ``.venv/bin/python bench/connectors.py [--messages 200000] [--kafka]`` (or ``-m bench.connectors``);
``--kafka`` uses the test stack of ``tests/conftest.py`` (its ports), which must be up.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

# Run as a script, this file's folder comes first on sys.path and its name shadows the connectors
# package; drop that entry before importing it.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repo root (for tests.conftest)

from connectors.backfill import TradeTracker
from connectors.publish import Publisher
from connectors.registry import VENUES

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "unit" / "connectors" / "fixtures"
TARGET_NS = 1_000.0
BATCH = 256


def _iso_ns(text: str) -> int:
    # What a plain-Python decoder would do: datetime parsing, microseconds at best.
    return int(datetime.fromisoformat(text[:26].rstrip("Z") + "+00:00").timestamp() * 1e9)


def _ref_binance_trade(raw: bytes) -> list[dict[str, Any]]:
    message = json.loads(raw)
    data = message.get("data", message)
    base_quote = data["s"][:-4] + "-" + data["s"][-4:]
    return [
        {
            "exchange": "binance",
            "symbol": base_quote,
            "price": float(data["p"]),
            "size": float(data["q"]),
            "side": "sell" if data["m"] else "buy",
            "trade_id": str(data["t"]),
            "ts_event": data["T"] * 1_000_000,
        }
    ]


def _ref_binance_book(raw: bytes) -> list[dict[str, Any]]:
    message = json.loads(raw)
    data = message.get("data", message)
    return [
        {
            "exchange": "binance",
            "symbol": data["s"][:-4] + "-" + data["s"][-4:],
            "bid_price": float(data["b"]),
            "bid_size": float(data["B"]),
            "ask_price": float(data["a"]),
            "ask_size": float(data["A"]),
        }
    ]


def _ref_coinbase_trades(raw: bytes) -> list[dict[str, Any]]:
    return [
        {
            "exchange": "coinbase",
            "symbol": trade["product_id"],
            "price": float(trade["price"]),
            "size": float(trade["size"]),
            "side": "sell" if trade["side"] == "BUY" else "buy",
            "trade_id": trade["trade_id"],
            "ts_event": _iso_ns(trade["time"]),
        }
        for event in json.loads(raw)["events"]
        for trade in reversed(event["trades"])
    ]


def _ref_coinbase_ticker(raw: bytes) -> list[dict[str, Any]]:
    message = json.loads(raw)
    ts_event = _iso_ns(message["timestamp"])
    return [
        {
            "exchange": "coinbase",
            "symbol": ticker["product_id"],
            "bid_price": float(ticker["best_bid"]),
            "bid_size": float(ticker["best_bid_quantity"]),
            "ask_price": float(ticker["best_ask"]),
            "ask_size": float(ticker["best_ask_quantity"]),
            "ts_event": ts_event,
        }
        for event in message["events"]
        for ticker in event["tickers"]
    ]


def _ref_kraken_trade(raw: bytes) -> list[dict[str, Any]]:
    return [
        {
            "exchange": "kraken",
            "symbol": trade["symbol"].replace("/", "-"),
            "price": float(trade["price"]),
            "size": float(trade["qty"]),
            "side": trade["side"],
            "trade_id": str(trade["trade_id"]),
            "ts_event": _iso_ns(trade["timestamp"]),
        }
        for trade in json.loads(raw)["data"]
    ]


def _ref_kraken_ticker(raw: bytes) -> list[dict[str, Any]]:
    return [
        {
            "exchange": "kraken",
            "symbol": ticker["symbol"].replace("/", "-"),
            "bid_price": float(ticker["bid"]),
            "bid_size": float(ticker["bid_qty"]),
            "ask_price": float(ticker["ask"]),
            "ask_size": float(ticker["ask_qty"]),
        }
        for ticker in json.loads(raw)["data"]
    ]


def _ref_bybit_trade(raw: bytes) -> list[dict[str, Any]]:
    return [
        {
            "exchange": "bybit",
            "symbol": trade["s"][:-4] + "-" + trade["s"][-4:],
            "price": float(trade["p"]),
            "size": float(trade["v"]),
            "side": "buy" if trade["S"] == "Buy" else "sell",
            "trade_id": trade["i"],
            "ts_event": trade["T"] * 1_000_000,
        }
        for trade in json.loads(raw)["data"]
    ]


def _ref_bybit_book(raw: bytes) -> list[dict[str, Any]]:
    message = json.loads(raw)
    data = message["data"]
    return [
        {
            "exchange": "bybit",
            "symbol": data["s"][:-4] + "-" + data["s"][-4:],
            "bid_price": float(data["b"][0][0]),
            "bid_size": float(data["b"][0][1]),
            "ask_price": float(data["a"][0][0]),
            "ask_size": float(data["a"][0][1]),
            "ts_event": message.get("cts", message["ts"]) * 1_000_000,
        }
    ]


def _ref_okx_trades(raw: bytes) -> list[dict[str, Any]]:
    return [
        {
            "exchange": "okx",
            "symbol": trade["instId"],
            "price": float(trade["px"]),
            "size": float(trade["sz"]),
            "side": trade["side"],
            "trade_id": trade["tradeId"],
            "ts_event": int(trade["ts"]) * 1_000_000,
        }
        for trade in json.loads(raw)["data"]
    ]


def _ref_okx_bbo(raw: bytes) -> list[dict[str, Any]]:
    message = json.loads(raw)
    return [
        {
            "exchange": "okx",
            "symbol": message["arg"]["instId"],
            "bid_price": float(bbo["bids"][0][0]),
            "bid_size": float(bbo["bids"][0][1]),
            "ask_price": float(bbo["asks"][0][0]),
            "ask_size": float(bbo["asks"][0][1]),
            "ts_event": int(bbo["ts"]) * 1_000_000,
        }
        for bbo in message["data"]
    ]


@dataclass(frozen=True)
class Case:
    venue: str
    label: str
    fixture: str
    reference: Callable[[bytes], list[dict[str, Any]]]


CASES = (
    Case("binance", "trade (combined)", "combined_trade.json", _ref_binance_trade),
    Case("binance", "trade (raw)", "trade.json", _ref_binance_trade),
    Case("binance", "bookTicker L1 (combined)", "combined_book_ticker.json", _ref_binance_book),
    Case("coinbase", "market_trades (1 trade)", "market_trades_update.json", _ref_coinbase_trades),
    Case("coinbase", "market_trades (2 trades)", "market_trades_snapshot.json", _ref_coinbase_trades),
    Case("coinbase", "ticker L1", "ticker.json", _ref_coinbase_ticker),
    Case("kraken", "trade (1)", "trade_update.json", _ref_kraken_trade),
    Case("kraken", "ticker L1", "ticker.json", _ref_kraken_ticker),
    Case("bybit", "publicTrade (1)", "public_trade.json", _ref_bybit_trade),
    Case("bybit", "publicTrade (2)", "public_trade_batch.json", _ref_bybit_trade),
    Case("bybit", "orderbook.1 L1", "orderbook1_snapshot.json", _ref_bybit_book),
    Case("okx", "trades (1)", "trades.json", _ref_okx_trades),
    Case("okx", "trades (2)", "trades_batch.json", _ref_okx_trades),
    Case("okx", "bbo-tbt L1", "bbo_tbt.json", _ref_okx_bbo),
)


ROUNDS = 100  # a shared or noisy machine spoils some rounds: many short ones find the quiet gaps


def _round_size(messages: int) -> int:
    return max(BATCH, messages * 3 // ROUNDS // BATCH * BATCH)  # 3 x messages in all, whole batches


def _best_ns(run: Callable[[list[bytes]], None], raw: bytes, messages: int) -> float:
    """Best of :data:`ROUNDS` runs of ``run`` over :func:`_round_size` copies of ``raw``, in ns a message."""
    size = _round_size(messages)
    batch = [raw] * size
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter_ns()
        run(batch)
        best = min(best, (time.perf_counter_ns() - start) / size)
    return best


def _parse_loop(parse: Callable[[bytes, int], object], received_ns: int) -> Callable[[list[bytes]], None]:
    def run(batch: list[bytes]) -> None:
        for message in batch:
            parse(message, received_ns)

    return run


def _reference_loop(reference: Callable[[bytes], object]) -> Callable[[list[bytes]], None]:
    def run(batch: list[bytes]) -> None:
        for message in batch:
            reference(message)

    return run


def _many_loop(
    parse_many: Callable[[list[bytes], list[int]], object], received_ns: int, size: int = BATCH
) -> Callable[[list[bytes]], None]:
    times = [received_ns] * size

    def run(batch: list[bytes]) -> None:
        for start in range(0, len(batch), size):
            chunk = batch[start : start + size]
            parse_many(chunk, times[: len(chunk)])

    return run


def bench_decode(messages: int) -> Table:
    """Section 1: decode + normalise ns per message (and per event) for every venue, with the
    json.loads reference; the target is judged per event (a message of k events gets k µs)."""
    table = Table(
        title=f"Connector decode + normalise, best of {ROUNDS} x {_round_size(messages):,} messages",
        caption=f"parse_many in batches of {BATCH} frames; <= 1 µs is judged per event (k events: k µs)",
    )
    columns = ("venue", "message", "events", "parse\nns/msg", "parse_many\nns/msg", "parse_many\nns/event",
               "json.loads+dict\nns/msg", "speed-up", "<= 1 µs\n/event")  # fmt: skip
    for column in columns:
        text = column in ("venue", "message")
        table.add_column(column, justify="left" if text else "right", no_wrap=text)
    received_ns = time.time_ns()
    for case in CASES:
        venue = VENUES[case.venue]
        raw = (FIXTURES / case.venue / case.fixture).read_bytes().rstrip(b"\n")
        events = len(venue.parse(raw, received_ns))
        single = _best_ns(_parse_loop(venue.parse, received_ns), raw, messages)
        ours = _best_ns(_many_loop(venue.parse_many, received_ns), raw, messages)
        reference = _best_ns(_reference_loop(case.reference), raw, messages)
        table.add_row(
            case.venue,
            case.label,
            str(events),
            f"{single:,.0f}",
            f"{ours:,.0f}",
            f"{ours / events:,.0f}",
            f"{reference:,.0f}",
            f"{reference / ours:.1f}x",
            "yes" if ours <= TARGET_NS * events else "no",
        )
    return table


class _NullProducer:
    def send_raw(self, topic: str, value: bytes, key: bytes | None = None) -> None:
        pass

    def flush(self, timeout: float = 30.0) -> None:
        pass


def _binance_session(messages: int) -> list[bytes]:
    """Combined trade frames with consecutive ids (and a bookTicker every fourth frame)."""
    trade = (FIXTURES / "binance" / "combined_trade.json").read_bytes().rstrip(b"\n")
    book = (FIXTURES / "binance" / "combined_book_ticker.json").read_bytes().rstrip(b"\n")
    frames = []
    for index in range(messages):
        if index % 4 == 3:
            frames.append(book)
        else:
            frames.append(trade.replace(b'"t":3600000001', b'"t":%d' % (index + 1)))
    return frames


def bench_runner(messages: int, kafka: bool) -> Table:
    """Section 2: parse_many + TradeTracker + Publisher per message, in the runner's batches."""
    table = Table(title=f"Runner path after the socket (Binance combined, 3 trades : 1 quote), {messages:,} messages")
    for column in ("producer", "parse_many ns/msg", "+ dedup/gaps ns/msg", "+ encode/produce ns/msg", "total msg/s"):
        table.add_column(column, justify="left" if column == "producer" else "right")
    frames = _binance_session(messages)
    producers: list[tuple[str, Any]] = [("none (bytes dropped)", _NullProducer())]
    if kafka:
        from nashipai.config import load_settings
        from nashipai.kafka import EventProducer, ensure_topics

        settings = load_settings()
        ensure_topics(settings, ["md.trades.bench", "md.quotes.bench"])
        producers.append((f"Kafka {settings.bootstrap_servers}", EventProducer(settings)))
    venue = VENUES["binance"]
    gc.collect()
    gc.freeze()  # the 200,000 frames held here are not the runner's heap: keep them out of GC passes
    for label, producer in producers:
        publisher = Publisher(producer, "binance", "bench")
        tracker = TradeTracker(sequential=True)
        stages = [0, 0, 0]
        for start in range(0, messages, BATCH):
            batch = frames[start : start + BATCH]
            times = [time.time_ns()] * len(batch)
            t0 = time.perf_counter_ns()
            events = venue.parse_many(batch, times)
            t1 = time.perf_counter_ns()
            kept, _gaps = tracker.admit_live(events)
            t2 = time.perf_counter_ns()
            publisher.publish(kept)
            t3 = time.perf_counter_ns()
            stages[0] += t1 - t0
            stages[1] += t2 - t1
            stages[2] += t3 - t2
        producer.flush(60.0)
        total = sum(stages) / messages
        table.add_row(label, *(f"{stage / messages:,.0f}" for stage in stages), f"{1e9 / total:,.0f}")
    if kafka:
        from nashipai.kafka import admin

        client = admin(settings)  # kept alive until the deletions are done
        for future in client.delete_topics(["md.trades.bench", "md.quotes.bench"]).values():
            future.result(30)
    return table


def bench_store(rows: int) -> Table:
    """Section 3: Kafka -> QuestDB rows/s through the store dataflow, and a row-by-row reference."""
    import random
    import uuid

    from bytewax.testing import run_main

    from nashipai import questdb
    from nashipai.config import load_settings
    from nashipai.events import Trade, decoder_for, encode
    from nashipai.kafka import EventProducer
    from nashipai.names import TRADES, Topic, namespaced_table, namespaced_topic
    from nashipai.namespaces import create_namespace, drop_namespace
    from pipelines import store

    settings = load_settings()
    rng = random.Random(1)
    base = time.time_ns()
    trades = [Trade(exchange="binance", symbol=f"S{i % 50}-USDT", price=100 + rng.random(), size=rng.random(),
                    side="buy" if i % 2 else "sell", trade_id=str(i), ts_event=base + i * 1000, ts_recv=base + i * 1000)
              for i in range(rows)]

    namespaces: list[str] = []

    def store_run(count: int) -> tuple[float, int, str]:
        """Seconds for the store dataflow over ``count`` trades in a fresh namespace, and the rows stored."""
        namespace = f"bench{uuid.uuid4().hex[:6]}"
        create_namespace(settings, namespace)
        namespaces.append(namespace)
        producer = EventProducer(settings)
        producer.send_many(namespaced_topic(Topic.TRADES, namespace), trades[:count])
        producer.flush(120)
        start = time.perf_counter()
        run_main(store.build_flow(settings, namespace, stop_at_end=True))
        seconds = time.perf_counter() - start
        name = namespaced_table("trades", namespace)
        questdb.wait_for_wal(settings, name, timeout=300)
        stored = int(questdb.query(settings, f"SELECT count() FROM {name}")[0][0])
        return seconds, stored, name

    # Two runs, small and full: their difference cancels the start-up (consumers, watermarks,
    # first compilation) and leaves the sustained rate.
    small_s, _, _ = store_run(rows // 10)
    flow_s, stored, table_name = store_run(rows)
    sustained = (rows - rows // 10) / max(flow_s - small_s, 1e-9)

    values = [encode(trade) for trade in trades]
    decoder = decoder_for(Trade)
    reference_table = f"{table_name}_ref"
    questdb.query(settings, TRADES.ddl(reference_table))
    start = time.perf_counter()
    with questdb.ilp_sender(settings, auto_flush_rows=50_000) as sender:
        questdb.write_events(sender, (decoder.decode(value) for value in values), table_name=reference_table)
    reference_s = time.perf_counter() - start
    capacity_s, capacity_table = _ilp_capacity(settings, values, f"{table_name}_cap")
    for name in (reference_table, capacity_table):
        questdb.query(settings, f"DROP TABLE {name}")
    for namespace in namespaces:
        drop_namespace(settings, namespace)

    table = Table(title=f"Kafka -> QuestDB, {rows:,} trades (target >= 300,000 rows/s)")
    for column in ("path", "seconds", "rows/s", "ratio"):
        table.add_column(column, justify="left" if column == "path" else "right")
    table.add_row("store dataflow, sustained (difference of a 10% and a full run)", f"{flow_s - small_s:.2f}",
                  f"{sustained:,.0f}", f"{sustained / (rows / reference_s):.2f}x")
    table.add_row("store dataflow, end to end incl. start-up (Kafka read, polars columns, Sender.dataframe)",
                  f"{flow_s:.2f}", f"{rows / flow_s:,.0f}", f"{reference_s / flow_s:.2f}x")
    table.add_row("QuestDB's side: prebuilt frames, Sender.dataframe + acknowledged flush only", f"{capacity_s:.2f}",
                  f"{rows / capacity_s:,.0f}", f"{reference_s / capacity_s:.2f}x")
    table.add_row("reference: msgspec decode + Sender.row (no Kafka read)", f"{reference_s:.2f}",
                  f"{rows / reference_s:,.0f}", "1.00x")
    table.caption = f"rows in QuestDB after the dataflow: {stored:,} (flow time includes start-up and Kafka reads)"
    return table


def _ilp_capacity(settings: Any, values: list[bytes], table_name: str) -> tuple[float, str]:
    """Seconds to send the rows as frames built beforehand: what QuestDB and the wire take alone."""
    from questdb import Sender

    from nashipai import questdb
    from nashipai.events import Trade
    from nashipai.names import TRADES
    from pipelines.columnar import decode_columns
    from pipelines.kafka_io import RawBatch

    questdb.query(settings, TRADES.ddl(table_name))
    chunk = 100_000  # under the client's 100 MiB buffer limit
    frames = []
    for start in range(0, len(values), chunk):
        part = values[start : start + chunk]
        columns = decode_columns(RawBatch("md.trades", 0, part, list(range(len(part))), 0), Trade)
        assert columns is not None
        frames.append(columns.to_pandas())
    elapsed = 0.0
    with Sender.from_conf(questdb.ilp_conf(settings, auto_flush=False)) as sender:
        for frame in frames:
            start_time = time.perf_counter()
            sender.dataframe(frame, table_name=table_name, symbols=list(TRADES.symbols), at="ts")
            sender.flush()
            elapsed += time.perf_counter() - start_time
    return elapsed, table_name


def main() -> None:
    """Run every section and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=200_000, help="messages per measurement")
    parser.add_argument("--kafka", action="store_true", help="also measure against the local stack's Kafka and QuestDB")
    parser.add_argument("--store-rows", type=int, default=1_000_000, help="rows for the Kafka -> QuestDB section")
    arguments = parser.parse_args()
    if arguments.kafka:
        import tests.conftest  # noqa: F401  (points the environment at the test stack, as bench/pipeline.py)
    console = Console(width=140)
    console.print(bench_decode(arguments.messages))
    console.print(bench_runner(arguments.messages, arguments.kafka))
    if arguments.kafka:
        console.print(bench_store(arguments.store_rows))


if __name__ == "__main__":
    main()
