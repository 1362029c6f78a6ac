"""Streaming (value by value and in chunks) == batch == TA-Lib, for every registered indicator."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import talib
from hypothesis import given
from hypothesis import strategies as st
from indicator_series import (
    as_tuple,
    assert_close,
    inputs_for,
    ohlcv,
    params_strategy,
    stream_by_value,
    stream_in_chunks,
)

from indicators import REGISTRY, IndicatorSpec

TALIB_SPECS = [spec for spec in REGISTRY.values() if spec.talib is not None]
ALL_SPECS = list(REGISTRY.values())


def test_registry_covers_at_least_24_talib_indicators_plus_vwap() -> None:
    assert len(TALIB_SPECS) >= 24
    assert {"vwap", "session_vwap"} <= REGISTRY.keys()


@pytest.mark.parametrize("spec", TALIB_SPECS, ids=lambda spec: spec.name)
def test_batch_matches_talib(spec: IndicatorSpec) -> None:
    @given(data=ohlcv(), params=params_strategy(spec))
    def check(data: dict[str, np.ndarray], params: dict[str, Any]) -> None:
        columns = inputs_for(spec, data)
        ours = as_tuple(spec.batch(*columns, **params))
        reference = as_tuple(getattr(talib, spec.talib)(*columns, **params))
        assert len(ours) == len(reference)
        for j, (a, e) in enumerate(zip(ours, reference, strict=True)):
            assert_close(a, e, f"{spec.name}{params} output {spec.outputs[j]}")

    check()


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda spec: spec.name)
def test_streaming_matches_batch_value_by_value_and_in_chunks(spec: IndicatorSpec) -> None:
    @given(data=ohlcv(), params=params_strategy(spec), cuts=st.lists(st.integers(1, 119), max_size=6))
    def check(data: dict[str, np.ndarray], params: dict[str, Any], cuts: list[int]) -> None:
        columns = inputs_for(spec, data)
        batch = as_tuple(spec.batch(*columns, **params))
        by_value = stream_by_value(spec.stream(**params), columns)
        chunked = stream_in_chunks(spec.stream(**params), columns, cuts)
        for j, expected in enumerate(batch):
            np.testing.assert_array_equal(by_value[j], expected, err_msg=f"{spec.name} value by value")
            np.testing.assert_array_equal(chunked[j], expected, err_msg=f"{spec.name} in chunks {cuts}")

    check()


@pytest.mark.parametrize("spec", TALIB_SPECS, ids=lambda spec: spec.name)
def test_default_parameters_match_talib_on_a_long_series(spec: IndicatorSpec) -> None:
    rng = np.random.default_rng(7)
    n = 3000
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))
    data = {
        "real": close,
        "close": close,
        "high": close * (1 + np.abs(rng.normal(0, 0.005, n))),
        "low": close * (1 - np.abs(rng.normal(0, 0.005, n))),
        "volume": rng.uniform(1.0, 1000.0, n),
    }
    columns = [data[name] for name in spec.inputs]
    ours = as_tuple(spec.batch(*columns))
    reference = as_tuple(getattr(talib, spec.talib)(*columns))
    for j, (a, e) in enumerate(zip(ours, reference, strict=True)):
        assert_close(a, e, f"{spec.name} defaults output {spec.outputs[j]}")


@pytest.mark.parametrize("name", ["stddev", "bbands", "kama"])
@pytest.mark.parametrize("timeperiod", [2, 5, 20, 30])
def test_batch_fast_path_equals_streaming_on_long_series_with_reanchoring(name: str, timeperiod: int) -> None:
    # 5000 rows: past 32 * timeperiod (periodic re-anchor of the variance) and with
    # flat runs and a level jump (re-anchor on cancellation), in the ring-slot order.
    rng = np.random.default_rng(timeperiod)
    close = 1e6 + np.cumsum(rng.normal(0.0, 1e-3, 5000))
    close[1000:1100] = close[1000]
    close[2500:] += 1e4
    close[3000:3050] = 7.0
    spec = REGISTRY[name]
    variants = [{"timeperiod": timeperiod}]
    if name == "bbands":
        variants.append({"timeperiod": timeperiod, "matype": 1})
    for params in variants:
        batch = as_tuple(spec.batch(close, **params))
        streamed = as_tuple(spec.stream(**params).update(close))
        for j, expected in enumerate(batch):
            np.testing.assert_array_equal(streamed[j], expected, err_msg=f"{name}{params}")
