"""Benchmark the indicators: batch vs TA-Lib, streaming vs talipp, and the six-indicator bundle.

Run: ``.venv/bin/python bench/indicators.py [--points N] [--quick]``.  Prints figures only.
Batch: ns per point over ``--points`` values and the ratio to TA-Lib.  Streaming:
ns per update when fed 1, 100 or 1000 values per call, and the ratio of our
one-value update to talipp's ``add`` (talipp is measured on ``--talipp-points``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# This file is itself called indicators.py: keep its folder off sys.path so that
# `import indicators` finds the package at the repository root.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import numpy as np  # noqa: E402
import talib  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from talipp import indicators as tp  # noqa: E402
from talipp.ohlcv import OHLCV  # noqa: E402

import indicators  # noqa: E402
from indicators import REGISTRY  # noqa: E402

TALIPP: dict[str, Callable[[], Any]] = {
    "sma": lambda: tp.SMA(30),
    "ema": lambda: tp.EMA(30),
    "wma": lambda: tp.WMA(30),
    "dema": lambda: tp.DEMA(30),
    "tema": lambda: tp.TEMA(30),
    "kama": lambda: tp.KAMA(30, 2, 30),
    "rsi": lambda: tp.RSI(14),
    "macd": lambda: tp.MACD(12, 26, 9),
    "bbands": lambda: tp.BB(20, 2.0),
    "stddev": lambda: tp.StdDev(5),
    "roc": lambda: tp.ROC(10),
    "trix": lambda: tp.TRIX(30),
    "stochrsi": lambda: tp.StochRSI(14, 5, 3, 3),
    "atr": lambda: tp.ATR(14),
    "natr": lambda: tp.NATR(14),
    "adx": lambda: tp.ADX(14, 14),
    "cci": lambda: tp.CCI(14),
    "stoch": lambda: tp.Stoch(5, 3),
    "willr": lambda: tp.Williams(14),
    "obv": lambda: tp.OBV(),
    "ad": lambda: tp.AccuDist(),
    "aroon": lambda: tp.Aroon(14),
    "ultosc": lambda: tp.UO(7, 14, 28),
    "sar": lambda: tp.ParabolicSAR(0.02, 0.02, 0.2),
    "session_vwap": lambda: tp.VWAP(),
}


def make_data(n: int) -> dict[str, np.ndarray]:
    """A geometric random walk with OHLCV columns."""
    rng = np.random.default_rng(42)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))
    return {
        "real": close,
        "close": close,
        "price": close,
        "high": close * (1 + np.abs(rng.normal(0, 0.005, n))),
        "low": close * (1 - np.abs(rng.normal(0, 0.005, n))),
        "volume": rng.uniform(1.0, 1000.0, n),
        "session": (np.arange(n) // 10_000).astype(np.float64),
    }


def best_seconds(fn: Callable[[], object], repeat: int) -> float:
    """Best wall time of ``repeat`` runs (after one warm-up run)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def stream_ns(spec: Any, columns: list[np.ndarray], chunk: int, updates: int, repeat: int) -> float:
    """ns per value when the streaming state is fed ``chunk`` values per call."""
    if chunk == 1:
        rows = [tuple(float(c[i]) for c in columns) for i in range(updates)]

        def run() -> None:
            state = spec.stream()
            update = state.update
            for row in rows:
                update(*row)

    else:
        pieces = [[c[a : a + chunk] for c in columns] for a in range(0, updates, chunk)]

        def run() -> None:
            state = spec.stream()
            for piece in pieces:
                state.update(*piece)

    return best_seconds(run, repeat) / updates * 1e9


def talipp_ns(name: str, data: dict[str, np.ndarray], count: int) -> float | None:
    """ns per talipp ``add`` over ``count`` values, or None when talipp has no equivalent."""
    if name not in TALIPP:
        return None
    spec = REGISTRY[name]
    if spec.inputs == ("real",):
        values: list[Any] = data["close"][:count].tolist()
    else:
        values = [
            OHLCV(c, h, lo, c, v)
            for h, lo, c, v in zip(
                data["high"][:count], data["low"][:count], data["close"][:count], data["volume"][:count], strict=True
            )
        ]
    indicator = TALIPP[name]()
    start = time.perf_counter()
    for value in values:
        indicator.add(value)
    return (time.perf_counter() - start) / count * 1e9


def ratio(ours: float, other: float | None) -> str:
    """ours / other, formatted."""
    return "-" if other is None else f"{ours / other:.2f}x"


def indicator_table(data: dict[str, np.ndarray], args: argparse.Namespace) -> Table:
    """One row per indicator."""
    table = Table(title=f"indicators: batch on {args.points:,} points, streaming on {args.stream_points:,} updates")
    for header in ("indicator", "batch ns/pt", "TA-Lib ns/pt", "batch/TA-Lib", "stream 1 ns", "stream 100 ns/pt",
                   "stream 1000 ns/pt", "talipp ns/pt", "stream 1 / talipp"):  # fmt: skip
        table.add_column(header, justify="right")
    for name, spec in REGISTRY.items():
        columns = [data[label] for label in spec.inputs]
        batch = best_seconds(lambda spec=spec, columns=columns: spec.batch(*columns), args.repeat) / args.points * 1e9
        ta = None
        if spec.talib is not None:
            function = getattr(talib, spec.talib)
            ta = (
                best_seconds(lambda function=function, columns=columns: function(*columns), args.repeat)
                / args.points
                * 1e9
            )
        n_stream = args.stream_points
        one = stream_ns(spec, columns, 1, min(n_stream, args.talipp_points), args.repeat)
        hundred = stream_ns(spec, columns, 100, n_stream, args.repeat)
        thousand = stream_ns(spec, columns, 1000, n_stream, args.repeat)
        reference = talipp_ns(name, data, args.talipp_points)
        ta_text = "-" if ta is None else f"{ta:.2f}"
        talipp_text = "-" if reference is None else f"{reference:.0f}"
        table.add_row(
            name, f"{batch:.2f}", ta_text, ratio(batch, ta), f"{one:.0f}",
            f"{hundred:.1f}", f"{thousand:.1f}", talipp_text, ratio(one, reference),
        )  # fmt: skip
    return table


def bundle_table(data: dict[str, np.ndarray], args: argparse.Namespace) -> Table:
    """The fused EMA+RSI+MACD+BBANDS+ATR+VWAP bundle, ns per tick: checked ``update`` and the trusted path."""
    table = Table(title="bundle of six (EMA, RSI, MACD, BBANDS, ATR, VWAP), one instrument")
    table.add_column("ticks per update", justify="right")
    table.add_column("update ns/tick", justify="right")
    table.add_column("fast path ns/tick", justify="right")
    columns = [data["high"], data["low"], data["close"], data["volume"]]
    n = args.stream_points
    for chunk in (1, 100, 1000):
        count = min(n, args.talipp_points) if chunk == 1 else n
        if chunk == 1:
            rows = [tuple(float(c[i]) for c in columns) for i in range(count)]

            def run(rows: list[tuple[float, ...]] = rows) -> None:
                update = indicators.Bundle().update
                for row in rows:
                    update(*row)

            def fast(rows: list[tuple[float, ...]] = rows) -> None:
                update_one = indicators.Bundle().update_one
                for row in rows:
                    update_one(*row)

        else:
            pieces = [[c[a : a + chunk] for c in columns] for a in range(0, count, chunk)]
            out = np.empty((len(indicators.bundle.OUTPUTS), chunk))

            def run(pieces: list[list[np.ndarray]] = pieces) -> None:  # type: ignore[misc]
                state = indicators.Bundle()
                for piece in pieces:
                    state.update(*piece)

            def fast(pieces: list[list[np.ndarray]] = pieces, out: np.ndarray = out) -> None:  # type: ignore[misc]
                update_unchecked = indicators.Bundle().update_unchecked
                for high, low, close, volume in pieces:
                    update_unchecked(high, low, close, volume, out)

        checked = best_seconds(run, args.repeat) / count * 1e9
        trusted = best_seconds(fast, args.repeat) / count * 1e9
        table.add_row(str(chunk), f"{checked:.1f}", f"{trusted:.1f}")
    return table


def main() -> None:
    """Parse arguments, measure, print two rich tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=1_000_000, help="batch series length")
    parser.add_argument("--quick", action="store_true", help="100k points, fewer repeats")
    args = parser.parse_args()
    if args.quick:
        args.points = min(args.points, 100_000)
    args.repeat = 2 if args.quick else 3
    args.stream_points = min(args.points, 100_000)
    args.talipp_points = 5_000 if args.quick else 20_000
    data = make_data(args.points)
    console = Console(width=170)
    console.print(indicator_table(data, args))
    console.print(bundle_table(data, args))


if __name__ == "__main__":
    main()
