"""Bar factories shared by the strategy tests."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import polars as pl

from nashipai.events import Bar, Signal
from pipelines.strategies import Strategy, StrategyRunner

MINUTE_NS = 60_000_000_000


def make_bar(
    close: float,
    index: int,
    *,
    high: float | None = None,
    low: float | None = None,
    volume: float = 1.0,
    exchange: str = "binance",
    symbol: str = "BTC-USDT",
    timeframe: str = "1m",
) -> Bar:
    """The ``index``-th 1m bar of an instrument (open at index minutes), closing at ``close``."""
    close = float(close)
    high = max(close, high) if high is not None else close
    low = min(close, low) if low is not None else close
    return Bar(
        exchange=exchange,
        symbol=symbol,
        timeframe=timeframe,
        open=close,
        high=high,
        low=low,
        close=close,
        volume=volume,
        vwap=(high + low + close) / 3,
        trade_count=3,
        ts_event=index * MINUTE_NS,
        ts_recv=index * MINUTE_NS + 59_000_000_000,
    )


def closes_to_bars(closes: Sequence[float], **kwargs: Any) -> list[Bar]:
    """One bar per close, a minute apart."""
    return [make_bar(close, index, **kwargs) for index, close in enumerate(closes)]


def random_bars(
    seed: int, n: int, *, grid: float = 0.0, exchange: str = "binance", symbol: str = "BTC-USDT"
) -> list[Bar]:
    """A seeded random walk of ``n`` bars with flat stretches; closes rounded to ``grid`` if > 0."""
    rng = np.random.default_rng(seed)
    steps = rng.normal(0.0, 1.0, n) * (rng.random(n) > 0.15)  # ~15% flat bars
    closes = 100.0 + np.cumsum(steps)
    if grid > 0:
        closes = np.round(closes / grid) * grid
    spreads = rng.random((2, n))
    return [
        make_bar(
            float(close),
            index,
            high=float(close + spreads[0, index]),
            low=float(close - spreads[1, index]),
            volume=float(rng.integers(1, 100)),
            exchange=exchange,
            symbol=symbol,
        )
        for index, close in enumerate(closes)
    ]


def stream(strategy: Strategy, bars: Iterable[Bar]) -> list[Signal]:
    """The signals of ``strategy`` fed bar by bar through its streaming indicator states."""
    runner = StrategyRunner(strategy)
    return [signal for bar in bars if (signal := runner.on_bar(bar)) is not None]


def bars_frame(bars: Sequence[Bar]) -> pl.DataFrame:
    """Bars as the polars frame ``batch_signals`` reads (``ts`` in integer ns)."""
    fields = ("exchange", "symbol", "timeframe", "open", "high", "low", "close", "volume", "vwap", "trade_count")
    columns: dict[str, list[object]] = {field: [getattr(bar, field) for bar in bars] for field in fields}
    columns["ts"] = [bar.ts_event for bar in bars]
    columns["ts_recv"] = [bar.ts_recv for bar in bars]
    return pl.DataFrame(columns)


def assert_same_signals(actual: Sequence[Signal], expected: Sequence[Signal], rel: float = 1e-9) -> None:
    """Equal ids, sides, prices and times; strengths and indicator values within ``rel``."""
    assert [s.signal_id for s in actual] == [s.signal_id for s in expected]
    for got, want in zip(actual, expected, strict=True):
        assert (got.side, got.price, got.ts_event, got.ts_recv, got.strategy) == (
            want.side,
            want.price,
            want.ts_event,
            want.ts_recv,
            want.strategy,
        )
        assert math.isclose(got.strength, want.strength, rel_tol=rel, abs_tol=1e-15)
        assert got.indicators.keys() == want.indicators.keys()
        for name, value in got.indicators.items():
            assert math.isclose(value, want.indicators[name], rel_tol=rel, abs_tol=1e-12), name
