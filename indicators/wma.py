"""WMA: linearly weighted moving average, weights 1..n (TA-Lib WMA running sums)."""

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

NAME = "wma"
_HEADER = 5  # period, count, pos, period_sum, period_sub; then ring[period]


def _init(timeperiod: int) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod)
    state = np.zeros(_HEADER + period)
    state[0] = period
    return state


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, out: FloatArray) -> None:
    n = int(state[0])
    count = int(state[1])
    pos = int(state[2])
    period_sum = state[3]
    period_sub = state[4]
    divider = float((n * (n + 1)) >> 1)
    for i in range(real.shape[0]):
        x = real[i]
        if math.isnan(x):
            out[i] = math.nan
            continue
        if count < n - 1:
            period_sub += x
            count += 1
            period_sum += x * count
            out[i] = math.nan
        else:
            period_sub += x
            period_sub -= state[_HEADER + pos]  # x[t - n], 0.0 on the first output
            period_sum += x * n
            out[i] = period_sum / divider
            period_sum -= period_sub
        state[_HEADER + pos] = x
        pos += 1
        if pos == n:
            pos = 0
    state[1] = count
    state[2] = pos
    state[3] = period_sum
    state[4] = period_sub


def wma(real: FloatArray, timeperiod: int = 30) -> FloatArray:
    """Weighted moving average; NaN for the first ``timeperiod - 1`` values."""
    return run_batch(_run, _init(timeperiod), as_columns(NAME, ("real",), (real,)), 1)  # type: ignore[return-value]


class WMA(StreamingIndicator):
    """Streaming WMA: ``WMA(timeperiod=30).update(x)``."""

    name = NAME
    inputs = ("real",)
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 30) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, wma, WMA, WMA.inputs, WMA.outputs, {"timeperiod": (2, 40)}, "WMA"))
