"""ATR: Wilder-smoothed average true range (TA-Lib ATR, unstable period 0)."""

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
from indicators._kernels import any_nan, true_range

NAME = "atr"
_INPUTS = ("high", "low", "close")
HEADER = 4  # period, count, prev_close, prev_atr (a running TR sum while warming up)
AtrState = tuple[int, int, float, float]


def atr_init(state: FloatArray, offset: int, period: int) -> None:
    """Write a fresh ATR block (also used by NATR and the bundle)."""
    state[offset : offset + HEADER] = (period, 0.0, 0.0, 0.0)


@njit(cache=True)
def atr_load(state: FloatArray, o: int) -> AtrState:
    """Read an ATR block."""
    return (int(state[o]), int(state[o + 1]), state[o + 2], state[o + 3])


@njit(cache=True)
def atr_store(state: FloatArray, o: int, s: AtrState) -> None:
    """Write an ATR block back."""
    state[o + 1] = s[1]
    state[o + 2] = s[2]
    state[o + 3] = s[3]


@njit(cache=True, inline="always")
def atr_step(s: AtrState, h: float, lo: float, c: float) -> tuple[AtrState, float]:
    """Consume one bar; output the ATR (NaN for the first ``period`` bars)."""
    n, count, prev_close, value = s
    if count == 0:
        return (n, 1, c, value), math.nan
    tr = true_range(h, lo, prev_close)
    if count > n:
        value = value * ((n - 1) / n) + tr * (1.0 / n)  # Wilder; no division on the carried chain
        return (n, count, c, value), value
    value += tr
    if count == n:
        value /= n
        return (n, count + 1, c, value), value
    return (n, count + 1, c, value), math.nan


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
        if math.isnan(h) or math.isnan(lo) or math.isnan(c):
            out[i] = math.nan
            continue
        s, out[i] = atr_step(s, h, lo, c)
    atr_store(state, 0, s)


@njit(cache=True)
def atr_fast(high: FloatArray, low: FloatArray, close: FloatArray, n: int, out: FloatArray) -> bool:
    """Batch ATR: :func:`atr_step`'s arithmetic, direct indexing; False (output unusable) if an input has a NaN."""
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
    out[n] = value
    a = (n - 1) / n
    b = 1.0 / n
    h = high[n + 1 :]
    lo = low[n + 1 :]
    prev = close[n : m - 1]
    dst = out[n + 1 :]
    for j in range(m - n - 1):  # non-negative indices: no wraparound branch
        x = h[j]
        y = lo[j]
        z = prev[j]
        found |= (x != x) | (y != y) | (z != z)
        value = value * a + true_range(x, y, z) * b
        dst[j] = value
    return not found


def atr(high: FloatArray, low: FloatArray, close: FloatArray, timeperiod: int = 14) -> FloatArray:
    """Average true range; NaN for the first ``timeperiod`` values."""
    state = _init(timeperiod)
    columns = as_columns(NAME, _INPUTS, (high, low, close))
    out = np.empty(columns[0].shape[0])
    if atr_fast(columns[0], columns[1], columns[2], int(state[0]), out):
        return out
    return run_batch(_run, state, columns, 1)  # type: ignore[return-value]


class ATR(StreamingIndicator):
    """Streaming ATR: ``ATR(timeperiod=14).update(high, low, close)``."""

    name = NAME
    inputs = _INPUTS
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 14) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, atr, ATR, _INPUTS, ATR.outputs, {"timeperiod": (1, 30)}, "ATR"))
