"""AROON: bars since the highest high / lowest low in the last ``timeperiod + 1`` bars (TA-Lib AROON).

aroonup = 100 / n * (n - bars since highest high); ties go to the most recent bar.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from indicators._base import (
    FloatArray,
    IndicatorSpec,
    StreamingIndicator,
    as_columns,
    check_period,
    register,
    run_batch,
)
from indicators._kernels import any_nan, extreme_init, extreme_load, extreme_size, extreme_step, extreme_store

NAME = "aroon"
_INPUTS = ("high", "low")
_MAX = 2  # state: [period, count, max block..., min block...]


def _init(timeperiod: int) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod, 2)
    state = np.zeros(_MAX + 2 * extreme_size(period + 1))
    state[0] = period
    extreme_init(state, _MAX, period + 1)
    extreme_init(state, _MAX + extreme_size(period + 1), period + 1)
    return state


@njit(cache=True)
def _run(state: FloatArray, high: FloatArray, low: FloatArray, down: FloatArray, up: FloatArray) -> None:
    n = int(state[0])
    count = int(state[1])
    o_min = _MAX + 4 + 2 * (n + 1)
    factor = 100.0 / n
    s_max = extreme_load(state, _MAX)
    s_min = extreme_load(state, o_min)
    for i in range(high.shape[0]):
        h = high[i]
        lo = low[i]
        down[i] = math.nan
        up[i] = math.nan
        if math.isnan(h) or math.isnan(lo):
            continue
        s_max, _value, high_age = extreme_step(state, _MAX, s_max, h, True)
        s_min, _value, low_age = extreme_step(state, o_min, s_min, lo, False)
        if count < n:
            count += 1
            continue
        up[i] = factor * (n - high_age)
        down[i] = factor * (n - low_age)
    state[1] = count
    extreme_store(state, _MAX, s_max)
    extreme_store(state, o_min, s_min)


@njit(cache=True)
def _fast(high: FloatArray, low: FloatArray, n: int, down: FloatArray, up: FloatArray) -> None:
    """Batch AROON of a NaN-free series: extremes rescanned only when they leave the window (TA-Lib)."""
    factor = 100.0 / n
    top_at = -1
    bottom_at = -1
    highest = 0.0
    lowest = 0.0
    for i in range(high.shape[0]):
        trailing = i - n
        start = trailing if trailing > 0 else 0
        h = high[i]
        if top_at < start:
            top_at = start
            highest = high[start]
            for k in range(start + 1, i + 1):
                if high[k] >= highest:
                    highest = high[k]
                    top_at = k
        elif h >= highest:
            highest = h
            top_at = i
        lo = low[i]
        if bottom_at < start:
            bottom_at = start
            lowest = low[start]
            for k in range(start + 1, i + 1):
                if low[k] <= lowest:
                    lowest = low[k]
                    bottom_at = k
        elif lo <= lowest:
            lowest = lo
            bottom_at = i
        if trailing < 0:
            down[i] = math.nan
            up[i] = math.nan
            continue
        up[i] = factor * (n - (i - top_at))
        down[i] = factor * (n - (i - bottom_at))


def aroon(high: FloatArray, low: FloatArray, timeperiod: int = 14) -> tuple[FloatArray, FloatArray]:
    """(aroondown, aroonup) in [0, 100]; NaN for the first ``timeperiod`` values."""
    state = _init(timeperiod)
    columns = as_columns(NAME, _INPUTS, (high, low))
    if any_nan(columns[0]) or any_nan(columns[1]):
        return run_batch(_run, state, columns, 2)  # type: ignore[return-value]
    down = np.empty(columns[0].shape[0])
    up = np.empty(columns[0].shape[0])
    _fast(columns[0], columns[1], int(state[0]), down, up)
    return down, up


class AROON(StreamingIndicator):
    """Streaming AROON: ``AROON(timeperiod=14).update(high, low)`` -> (aroondown, aroonup)."""

    name = NAME
    inputs = _INPUTS
    outputs = ("aroondown", "aroonup")
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 14) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, aroon, AROON, _INPUTS, AROON.outputs, {"timeperiod": (2, 30)}, "AROON"))
