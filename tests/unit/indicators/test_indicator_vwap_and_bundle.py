"""VWAP against polars (rolling and session-anchored), and the fused bundle against the six indicators."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from indicator_series import assert_close, ohlcv

import indicators
from indicators.bundle import OUTPUTS, BundleParams


@given(data=ohlcv(), period=st.integers(1, 30))
def test_rolling_vwap_matches_polars(data: dict[str, np.ndarray], period: int) -> None:
    frame = pl.DataFrame({"price": data["close"], "volume": data["volume"]})
    expected = frame.select(
        (pl.col("price") * pl.col("volume")).rolling_sum(period) / pl.col("volume").rolling_sum(period)
    ).to_series()
    expected_array = expected.fill_null(np.nan).to_numpy().astype(np.float64)
    ours = indicators.vwap(data["close"], data["volume"], timeperiod=period)
    assert_close(ours, expected_array, f"vwap({period})")


@given(data=ohlcv(), session_length=st.integers(1, 40), offset=st.integers(0, 39))
def test_session_vwap_matches_polars_cumulative_sums_per_session(
    data: dict[str, np.ndarray], session_length: int, offset: int
) -> None:
    n = len(data["close"])
    timestamps = 1_700_000_000_000_000_000 + np.arange(n, dtype=np.int64) * 1_000_000_000
    sessions = indicators.session_ids(timestamps, session_length * 1_000_000_000, offset * 1_000_000_000)
    frame = pl.DataFrame({"price": data["close"], "volume": data["volume"], "session": sessions})
    expected = frame.select(
        (pl.col("price") * pl.col("volume")).cum_sum().over("session") / pl.col("volume").cum_sum().over("session")
    ).to_series()
    expected_array = expected.fill_null(np.nan).fill_nan(np.nan).to_numpy().astype(np.float64)
    ours = indicators.session_vwap(data["close"], data["volume"], sessions)
    assert_close(ours, expected_array, "session_vwap")


def test_session_ids_cut_utc_days_at_the_offset() -> None:
    day = 86_400_000_000_000
    stamps = np.array([0, day - 1, day, 2 * day + 5], dtype=np.int64)
    np.testing.assert_array_equal(indicators.session_ids(stamps), [0, 0, 1, 2])
    np.testing.assert_array_equal(indicators.session_ids(stamps, offset_ns=day // 2), [-1, 0, 0, 1])


@given(data=ohlcv(min_size=1, max_size=150), cuts=st.lists(st.integers(1, 149), max_size=4))
def test_bundle_equals_the_six_indicators_run_separately(data: dict[str, np.ndarray], cuts: list[int]) -> None:
    p = BundleParams(ema=5, rsi=4, macd_fast=3, macd_slow=6, macd_signal=2, bbands=5, nbdev=2.0, atr=4, vwap=6)
    h, lo, c, v = data["high"], data["low"], data["close"], data["volume"]
    expected = [
        indicators.ema(c, p.ema),
        indicators.rsi(c, p.rsi),
        *indicators.macd(c, p.macd_fast, p.macd_slow, p.macd_signal),
        *indicators.bbands(c, p.bbands, p.nbdev, p.nbdev),
        indicators.atr(h, lo, c, p.atr),
        indicators.vwap(c, v, p.vwap),
    ]
    bundle = indicators.Bundle(p)
    bounds = sorted({0, len(c), *[cut for cut in cuts if cut < len(c)]})
    parts = [bundle.update(h[a:b], lo[a:b], c[a:b], v[a:b]) for a, b in itertools.pairwise(bounds)]
    out = np.concatenate(parts, axis=1)
    assert out.shape == (len(OUTPUTS), len(c))
    for j, column in enumerate(expected):
        np.testing.assert_array_equal(out[j], column, err_msg=OUTPUTS[j])
    one = indicators.Bundle(p)
    rows = np.array([one.update(float(h[i]), float(lo[i]), float(c[i]), float(v[i])) for i in range(len(c))]).T
    np.testing.assert_array_equal(rows, out)
