"""Peer reference: the bars + EMA-cross signal job written with Quix Streams.

Consumes ``md.trades.<ns>`` (msgspec JSON trades keyed ``exchange:symbol``), builds 1 s tumbling
event-time OHLCV bars per key with Quix Streams' windowing (event time = the trade's ``ts_event``),
runs an EMA cross (fast/slow periods) on each closed bar in plain Python (state in the Quix
state store) and produces a signal dict to an output topic. Stops once ``expected`` input
messages have been processed. Used by ``bench/pipeline.py``; prints nothing, asserts nothing.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from typing import Any


def run(bootstrap: str, input_topic: str, output_topic: str, expected: int,
        fast_period: int = 3, slow_period: int = 8) -> dict[str, float]:
    """Run the job until ``expected`` input messages are processed; returns timings (s) and counts."""
    from quixstreams import Application, State

    fast_alpha = 2.0 / (fast_period + 1)
    slow_alpha = 2.0 / (slow_period + 1)
    seen = {"count": 0, "first": 0.0, "last": 0.0, "signals": 0, "bars": 0}

    def processed(_topic: str, _partition: int, _offset: int) -> None:
        seen["count"] += 1
        if seen["count"] == 1:
            seen["first"] = time.perf_counter()
        if seen["count"] >= expected:
            seen["last"] = time.perf_counter()
            app.stop()

    app = Application(
        broker_address=bootstrap,
        consumer_group=f"peer-qs-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        state_dir=tempfile.mkdtemp(prefix="qs-state-"),
        use_changelog_topics=False,
        loglevel="WARNING",
        commit_interval=5.0,
        on_message_processed=processed,
    )

    def event_time(value: Any, _headers: Any, _timestamp: float, _kind: Any) -> int:
        return value["ts_event"] // 1_000_000

    trades = app.topic(input_topic, value_deserializer="json", timestamp_extractor=event_time)
    signals = app.topic(output_topic, value_serializer="json")

    def init(trade: dict[str, Any]) -> dict[str, float]:
        price, size = trade["price"], trade["size"]
        return {"open": price, "high": price, "low": price, "close": price, "volume": size,
                "notional": price * size, "count": 1}

    def reduce(bar: dict[str, float], trade: dict[str, Any]) -> dict[str, float]:
        price, size = trade["price"], trade["size"]
        bar["high"] = max(bar["high"], price)
        bar["low"] = min(bar["low"], price)
        bar["close"] = price
        bar["volume"] += size
        bar["notional"] += price * size
        bar["count"] += 1
        return bar

    def ema_cross(window: dict[str, Any], state: State) -> dict[str, Any] | None:
        seen["bars"] += 1
        close = window["value"]["close"]
        count = state.get("n", 0) + 1
        fast = state.get("fast", close)
        slow = state.get("slow", close)
        previous = fast - slow
        fast += fast_alpha * (close - fast)
        slow += slow_alpha * (close - slow)
        state.set("n", count)
        state.set("fast", fast)
        state.set("slow", slow)
        if count <= slow_period:
            return None
        current = fast - slow
        if previous <= 0 < current or previous >= 0 > current:
            seen["signals"] += 1
            return {"side": "buy" if current > 0 else "sell", "price": close, "fast": fast, "slow": slow,
                    "ts_event": window["start"] * 1_000_000, "ts_recv": time.time_ns()}
        return None

    sdf = app.dataframe(trades)
    sdf = sdf.tumbling_window(duration_ms=1000, grace_ms=0).reduce(reduce, init).final()
    sdf = sdf.apply(ema_cross, stateful=True).filter(lambda value: value is not None)
    sdf.to_topic(signals)

    start = time.perf_counter()
    app.run()
    end = time.perf_counter()
    return {"total_s": end - start, "steady_s": (seen["last"] or end) - (seen["first"] or start),
            "processed": seen["count"], "bars": seen["bars"], "signals": seen["signals"]}


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser()
    parser.add_argument("bootstrap")
    parser.add_argument("input_topic")
    parser.add_argument("output_topic")
    parser.add_argument("expected", type=int)
    args = parser.parse_args()
    print(json.dumps(run(args.bootstrap, args.input_topic, args.output_topic, args.expected)))
