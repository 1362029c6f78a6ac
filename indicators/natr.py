"""NATR: ATR as a percentage of the close, 100 * ATR / close (TA-Lib NATR).

Deliberate difference: for ``timeperiod=1`` TA-Lib returns the raw true range
(not normalised); here NATR(1) is 100 * TRANGE / close like every other period.
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
from indicators._kernels import any_nan, is_zero, true_range
from indicators.atr import HEADER, atr_init, atr_load, atr_step, atr_store

NAME = "natr"
_INPUTS = ("high", "low", "close")


def _init(timeperiod: int) -> FloatArray:
    state = np.zeros(HEADER)
    atr_init(state, 0, check_period(NAME, "timeperiod", timeperiod))
    return state


@njit(cache=True)
def _run(state: FloatArray, high: FloatArray, low: FloatArray, close: FloatArray, out: FloatArray) -> None:
    s = atr_load(state, 0)
    for i in range(high.shape[0]):
        h = high[i]
        lo = low[i]
        c = close[i]
        out[i] = math.nan
        if math.isnan(h) or math.isnan(lo) or math.isnan(c):
            continue
        s, value = atr_step(s, h, lo, c)
        if not math.isnan(value):
            out[i] = 0.0 if is_zero(c) else (value / c) * 100.0
    atr_store(state, 0, s)


@njit(cache=True)
def _fast(high: FloatArray, low: FloatArray, close: FloatArray, n: int, out: FloatArray) -> bool:
    """Batch NATR: :func:`atr_step`'s arithmetic, normalised in the same pass; False if an input has a NaN."""
    m = high.shape[0]
    for i in range(min(n, m)):
        out[i] = math.nan
    if m <= n:
        return not (any_nan(high) or any_nan(low) or any_nan(close))
    found = math.isnan(close[m - 1])
    for i in range(n + 1):
        found |= math.isnan(high[i]) | math.isnan(low[i]) | math.isnan(close[i])
    value = 0.0
    for i in range(1, n + 1):
        value += true_range(high[i], low[i], close[i - 1])
    value /= n
    c = close[n]
    out[n] = 0.0 if is_zero(c) else (value / c) * 100.0
    a = (n - 1) / n
    b = 1.0 / n
    h = high[n + 1 :]
    lo = low[n + 1 :]
    prev = close[n : m - 1]
    now = close[n + 1 :]
    dst = out[n + 1 :]
    for j in range(m - n - 1):  # non-negative indices: no wraparound branch
        x = h[j]
        y = lo[j]
        z = prev[j]
        found |= (x != x) | (y != y) | (z != z)
        value = value * a + true_range(x, y, z) * b
        c = now[j]
        dst[j] = 0.0 if is_zero(c) else (value / c) * 100.0
    return not found


def natr(high: FloatArray, low: FloatArray, close: FloatArray, timeperiod: int = 14) -> FloatArray:
    """Normalised ATR in percent (0 when the close is TA-Lib zero); NaN for the first ``timeperiod``."""
    state = _init(timeperiod)
    columns = as_columns(NAME, _INPUTS, (high, low, close))
    out = np.empty(columns[0].shape[0])
    n = int(state[0])
    if _fast(columns[0], columns[1], columns[2], n, out):
        return out
    return run_batch(_run, state, columns, 1)  # type: ignore[return-value]


class NATR(StreamingIndicator):
    """Streaming NATR: ``NATR(timeperiod=14).update(high, low, close)``."""

    name = NAME
    inputs = _INPUTS
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 14) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, natr, NATR, _INPUTS, NATR.outputs, {"timeperiod": (2, 30)}, "NATR"))
