"""TRANGE: true range, max(high, prev close) - min(low, prev close) (TA-Lib TRANGE)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from indicators._base import FloatArray, IndicatorSpec, StreamingIndicator, as_columns, register, run_batch
from indicators._kernels import true_range

NAME = "trange"
_INPUTS = ("high", "low", "close")


def _init() -> FloatArray:
    return np.array([0.0, 0.0])  # count, prev_close


@njit(cache=True)
def _run(state: FloatArray, high: FloatArray, low: FloatArray, close: FloatArray, out: FloatArray) -> None:
    count = state[0]
    prev_close = state[1]
    for i in range(high.shape[0]):
        h = high[i]
        lo = low[i]
        c = close[i]
        out[i] = math.nan
        if math.isnan(h) or math.isnan(lo) or math.isnan(c):
            continue
        if count > 0.0:
            out[i] = true_range(h, lo, prev_close)
        count = 1.0
        prev_close = c
    state[0] = count
    state[1] = prev_close


@njit(cache=True)
def _fast(high: FloatArray, low: FloatArray, close: FloatArray, out: FloatArray) -> bool:
    """Batch TRANGE with the NaN test fused in; returns False (output unusable) when an input holds a NaN."""
    m = high.shape[0]
    if m == 0:
        return True
    out[0] = math.nan
    found = math.isnan(high[0]) | math.isnan(low[0]) | math.isnan(close[m - 1])
    h = high[1:]
    lo = low[1:]
    prev = close[: m - 1]
    dst = out[1:]
    for j in range(m - 1):  # non-negative indices: no wraparound branch, the loop vectorises
        a = h[j]
        b = lo[j]
        c = prev[j]
        found |= (a != a) | (b != b) | (c != c)
        dst[j] = true_range(a, b, c)
    return not found


def trange(high: FloatArray, low: FloatArray, close: FloatArray) -> FloatArray:
    """True range; NaN for the first value."""
    columns = as_columns(NAME, _INPUTS, (high, low, close))
    out = np.empty(columns[0].shape[0])
    if _fast(columns[0], columns[1], columns[2], out):
        return out
    return run_batch(_run, _init(), columns, 1)  # type: ignore[return-value]


class TRANGE(StreamingIndicator):
    """Streaming TRANGE: ``TRANGE().update(high, low, close)``."""

    name = NAME
    inputs = _INPUTS
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self) -> None:
        self._setup(_init())


register(IndicatorSpec(NAME, trange, TRANGE, _INPUTS, TRANGE.outputs, {}, "TRANGE"))
