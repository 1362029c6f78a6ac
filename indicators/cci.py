"""CCI: commodity channel index (TA-Lib CCI).

(tp - mean(tp)) / (0.015 * mean |tp - mean(tp)|) with tp = (high + low + close) / 3
over ``timeperiod`` bars; 0 when either term is (relatively) 0.  The mean absolute deviation
has no exact O(1) update, so each update costs O(timeperiod), as in TA-Lib.
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
from indicators._kernels import is_zero_scaled

NAME = "cci"
_INPUTS = ("high", "low", "close")
_HEADER = 3  # period, count, pos; then ring[period] of typical prices


def _init(timeperiod: int) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod, 2)
    state = np.zeros(_HEADER + period)
    state[0] = period
    return state


@njit(cache=True)
def _run(state: FloatArray, high: FloatArray, low: FloatArray, close: FloatArray, out: FloatArray) -> None:
    n = int(state[0])
    count = int(state[1])
    pos = int(state[2])
    ring = state[_HEADER:]
    for i in range(high.shape[0]):
        h = high[i]
        lo = low[i]
        c = close[i]
        out[i] = math.nan
        if math.isnan(h) or math.isnan(lo) or math.isnan(c):
            continue
        last = (h + lo + c) / 3.0
        ring[pos] = last
        pos += 1
        if pos == n:
            pos = 0
        if count < n - 1:
            count += 1
            continue
        average = 0.0
        for j in range(n):
            average += ring[j]
        average /= n
        deviation = 0.0
        for j in range(n):
            deviation += abs(ring[j] - average)
        diff = last - average
        flat = is_zero_scaled(diff, abs(last) + abs(average)) or deviation == 0.0
        out[i] = 0.0 if flat else diff / (0.015 * (deviation / n))
    state[1] = count
    state[2] = pos


def cci(high: FloatArray, low: FloatArray, close: FloatArray, timeperiod: int = 14) -> FloatArray:
    """Commodity channel index; NaN for the first ``timeperiod - 1`` values."""
    return run_batch(_run, _init(timeperiod), as_columns(NAME, _INPUTS, (high, low, close)), 1)  # type: ignore[return-value]


class CCI(StreamingIndicator):
    """Streaming CCI: ``CCI(timeperiod=14).update(high, low, close)``."""

    name = NAME
    inputs = _INPUTS
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 14) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, cci, CCI, _INPUTS, CCI.outputs, {"timeperiod": (2, 30)}, "CCI"))
