"""WILLR: Williams' %R, -100 * (highest high - close) / (highest high - lowest low) (TA-Lib WILLR)."""

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
from indicators._kernels import (
    any_nan,
    extreme_init,
    extreme_load,
    extreme_size,
    extreme_step,
    extreme_store,
    window_extremes,
)

NAME = "willr"
_INPUTS = ("high", "low", "close")
_MAX = 2  # state: [period, count, max block..., min block...]


def _init(timeperiod: int) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod, 2)
    state = np.zeros(_MAX + 2 * extreme_size(period))
    state[0] = period
    extreme_init(state, _MAX, period)
    extreme_init(state, _MAX + extreme_size(period), period)
    return state


@njit(cache=True)
def _run(state: FloatArray, high: FloatArray, low: FloatArray, close: FloatArray, out: FloatArray) -> None:
    n = int(state[0])
    count = int(state[1])
    o_min = _MAX + 4 + 2 * n
    s_max = extreme_load(state, _MAX)
    s_min = extreme_load(state, o_min)
    for i in range(high.shape[0]):
        h = high[i]
        lo = low[i]
        c = close[i]
        out[i] = math.nan
        if math.isnan(h) or math.isnan(lo) or math.isnan(c):
            continue
        s_max, highest, _age = extreme_step(state, _MAX, s_max, h, True)
        s_min, lowest, _age = extreme_step(state, o_min, s_min, lo, False)
        if count < n - 1:
            count += 1
            continue
        diff = (highest - lowest) / (-100.0)
        out[i] = (highest - c) / diff if diff != 0.0 else 0.0
    state[1] = count
    extreme_store(state, _MAX, s_max)
    extreme_store(state, o_min, s_min)


_CHUNK = 2048  # rows per block: scratch stays in L1/L2


@njit(cache=True)
def _fast(high: FloatArray, low: FloatArray, close: FloatArray, n: int, out: FloatArray) -> None:
    """Batch WILLR of a NaN-free series: window extremes by vectorised doubling, block by block."""
    m = high.shape[0]
    for i in range(min(n - 1, m)):
        out[i] = math.nan
    a = np.empty(_CHUNK + n)
    b = np.empty(_CHUNK + n)
    top = np.empty(_CHUNK)
    bottom = np.empty(_CHUNK)
    for first in range(n - 1, m, _CHUNK):
        count = min(_CHUNK, m - first)
        window_extremes(high, first, count, n, True, a, b, top)
        window_extremes(low, first, count, n, False, a, b, bottom)
        c = close[first : first + count]
        o = out[first : first + count]
        for j in range(count):
            highest = top[j]
            diff = (highest - bottom[j]) / (-100.0)
            o[j] = (highest - c[j]) / diff if diff != 0.0 else 0.0


def willr(high: FloatArray, low: FloatArray, close: FloatArray, timeperiod: int = 14) -> FloatArray:
    """Williams' %R in [-100, 0]; NaN for the first ``timeperiod - 1`` values."""
    state = _init(timeperiod)
    columns = as_columns(NAME, _INPUTS, (high, low, close))
    if any_nan(columns[0]) or any_nan(columns[1]) or any_nan(columns[2]):
        return run_batch(_run, state, columns, 1)  # type: ignore[return-value]
    out = np.empty(columns[0].shape[0])
    _fast(columns[0], columns[1], columns[2], int(state[0]), out)
    return out


class WILLR(StreamingIndicator):
    """Streaming WILLR: ``WILLR(timeperiod=14).update(high, low, close)``."""

    name = NAME
    inputs = _INPUTS
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 14) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, willr, WILLR, _INPUTS, WILLR.outputs, {"timeperiod": (2, 30)}, "WILLR"))
