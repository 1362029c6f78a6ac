"""Snapshot/restore invariants for every registered indicator (talipp-style)."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from indicator_series import as_tuple, inputs_for, ohlcv, params_strategy

import indicators
from indicators import REGISTRY, IndicatorSpec

ALL_SPECS = list(REGISTRY.values())


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda spec: spec.name)
def test_snapshot_restore_then_continue_equals_an_uninterrupted_run(spec: IndicatorSpec) -> None:
    @given(data=ohlcv(min_size=2), params=params_strategy(spec), cut=st.floats(0.0, 1.0))
    def check(data: dict[str, np.ndarray], params: dict[str, Any], cut: float) -> None:
        columns = inputs_for(spec, data)
        split = int(cut * (len(columns[0]) - 1)) + 1
        uninterrupted = as_tuple(spec.stream(**params).update(*columns))
        first = spec.stream(**params)
        head = as_tuple(first.update(*[column[:split] for column in columns]))
        snapshot = pickle.loads(pickle.dumps(first.snapshot()))
        restored = indicators.restore(snapshot)
        tail = as_tuple(restored.update(*[column[split:] for column in columns]))
        for j, expected in enumerate(uninterrupted):
            np.testing.assert_array_equal(np.concatenate([head[j], tail[j]]), expected)

    check()


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda spec: spec.name)
def test_perturbing_the_last_input_then_restoring_gives_identical_output(spec: IndicatorSpec) -> None:
    @given(data=ohlcv(min_size=2), params=params_strategy(spec), factor=st.sampled_from([0.5, 1.5, 3.0]))
    def check(data: dict[str, np.ndarray], params: dict[str, Any], factor: float) -> None:
        columns = inputs_for(spec, data)
        state = spec.stream(**params)
        state.update(*[column[:-1] for column in columns])
        saved = state.snapshot()
        last = [float(column[-1]) for column in columns]
        expected = state.update(*last)
        state.restore(saved)
        state.update(*[value * factor for value in last])
        state.restore(saved)
        assert np.array_equal(np.asarray(state.update(*last)), np.asarray(expected), equal_nan=True)

    check()


def test_snapshot_is_plain_picklable_data_and_checks_the_indicator() -> None:
    state = indicators.MACD(fastperiod=3, slowperiod=5, signalperiod=2)
    state.update(np.linspace(1.0, 2.0, 20))
    name, array = state.snapshot()
    assert name == "macd"
    assert isinstance(array, np.ndarray) and array.dtype == np.float64
    with pytest.raises(ValueError, match="snapshot is for 'macd'"):
        indicators.RSI.from_snapshot((name, array))
    with pytest.raises(ValueError, match="unknown indicator"):
        indicators.restore(("nope", array))


def test_snapshot_is_a_copy_not_a_view_of_the_live_state() -> None:
    state = indicators.EMA(timeperiod=3)
    state.update(np.array([1.0, 2.0, 3.0]))
    _, array = state.snapshot()
    before = array.copy()
    state.update(10.0)
    np.testing.assert_array_equal(array, before)


def test_state_objects_pickle_through_their_snapshot() -> None:
    data = np.linspace(1.0, 3.0, 40)
    for state in (indicators.BBANDS(timeperiod=5), indicators.Bundle()):
        columns = [data] if isinstance(state, indicators.BBANDS) else [data * 1.01, data * 0.99, data, data]
        state.update(*[c[:25] for c in columns])
        clone = pickle.loads(pickle.dumps(state))
        np.testing.assert_array_equal(
            np.asarray(clone.update(*[c[25:] for c in columns])), np.asarray(state.update(*[c[25:] for c in columns]))
        )
