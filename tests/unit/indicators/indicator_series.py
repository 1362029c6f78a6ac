"""Hypothesis strategies for the indicator tests: OHLCV random walks with flat stretches.

Series are built from a drawn seed with numpy (fast to generate, and the seed
shrinks), at magnitudes from 1e-6 to 1e9, rounded to a tick grid so that equal
highs and lows (ties) occur, with an optional perfectly flat stretch.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from hypothesis import strategies as st

from indicators import IndicatorSpec

SCALES = (1e-6, 1.0, 100.0, 1e9)


@st.composite
def ohlcv(draw: st.DrawFn, min_size: int = 1, max_size: int = 120) -> dict[str, np.ndarray]:
    """A dict of float64 columns: open, high, low, close, volume, real, price."""
    n = draw(st.integers(min_size, max_size))
    seed = draw(st.integers(0, 2**32 - 1))
    scale = draw(st.sampled_from(SCALES))
    volatility = draw(st.sampled_from((0.0005, 0.01, 0.05)))
    rng = np.random.default_rng(seed)
    close = scale * np.exp(np.cumsum(rng.normal(0.0, volatility, n)))
    if draw(st.booleans()) and n > 2:
        start = draw(st.integers(0, n - 2))
        length = draw(st.integers(1, n - start))
        close[start : start + length] = close[start]
    tick = scale * 1e-4
    spread_high = np.abs(rng.normal(0.0, volatility / 2, n)) * close
    spread_low = np.abs(rng.normal(0.0, volatility / 2, n)) * close
    high = np.round((close + spread_high) / tick) * tick
    low = np.round((close - spread_low) / tick) * tick
    close = np.clip(np.round(close / tick) * tick, low, high)
    volume = np.round(rng.uniform(0.0, 1000.0, n))
    return {"high": high, "low": low, "close": close, "volume": volume, "real": close, "price": close}


def params_strategy(spec: IndicatorSpec) -> st.SearchStrategy[dict[str, Any]]:
    """Parameters drawn from the ranges the indicator registered."""
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for name, (low, high) in spec.params.items():
        if isinstance(low, int) and isinstance(high, int):
            fields[name] = st.integers(low, high)
        else:
            fields[name] = st.floats(low, high, allow_nan=False).map(lambda value: round(value, 4))
    return st.fixed_dictionaries(fields)


def inputs_for(spec: IndicatorSpec, data: dict[str, np.ndarray]) -> list[np.ndarray]:
    """The columns an indicator takes, in its positional order (session labels: one per 25 rows)."""
    if "session" in spec.inputs:
        data = {**data, "session": (np.arange(len(data["close"])) // 25).astype(np.float64)}
    return [data[name] for name in spec.inputs]


def as_tuple(result: Any) -> tuple[np.ndarray, ...]:
    """Normalise a single array or a tuple of arrays to a tuple."""
    return result if isinstance(result, tuple) else (result,)


def assert_close(actual: np.ndarray, expected: np.ndarray, label: str) -> None:
    """Identical NaN positions, then |a - e| <= 1e-9 * |e| + 1e-12 * max(1, max |e|)."""
    nan_actual = np.isnan(actual)
    nan_expected = np.isnan(expected)
    assert np.array_equal(nan_actual, nan_expected), (
        f"{label}: NaN positions differ: ours {np.flatnonzero(nan_actual)[:10]} vs {np.flatnonzero(nan_expected)[:10]}"
    )
    mask = ~nan_expected
    if not mask.any():
        return
    a = actual[mask]
    e = expected[mask]
    tolerance = 1e-9 * np.abs(e) + 1e-12 * max(1.0, float(np.max(np.abs(e))))
    worst = int(np.argmax(np.abs(a - e) - tolerance))
    assert np.all(np.abs(a - e) <= tolerance), (
        f"{label}: mismatch at valid position {worst}: ours {a[worst]!r} vs expected {e[worst]!r}"
    )


def stream_by_value(state: Any, columns: list[np.ndarray]) -> tuple[np.ndarray, ...]:
    """Feed rows one at a time as Python floats, collecting every output."""
    rows = [state.update(*[float(column[i]) for column in columns]) for i in range(len(columns[0]))]
    if rows and isinstance(rows[0], tuple):
        return tuple(np.array([row[j] for row in rows]) for j in range(len(rows[0])))
    return (np.array(rows, dtype=np.float64),)


def stream_in_chunks(state: Any, columns: list[np.ndarray], cuts: list[int]) -> tuple[np.ndarray, ...]:
    """Feed rows as array chunks split at ``cuts``; concatenate the outputs."""
    n = len(columns[0])
    bounds = sorted({0, n, *[c for c in cuts if 0 < c < n]})
    parts = [as_tuple(state.update(*[column[a:b] for column in columns])) for a, b in itertools.pairwise(bounds)]
    if not parts:
        return as_tuple(state.update(*[column[:0] for column in columns]))
    return tuple(np.concatenate([part[j] for part in parts]) for j in range(len(parts[0])))
