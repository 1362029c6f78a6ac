"""TRANGE: true range, max(high, prev close) - min(low, prev close) (TA-Lib TRANGE)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from indicators._base import FloatArray, IndicatorSpec, StreamingIndicator, as_columns, register, run_batch
from indicators._kernels import any_nan, true_range

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
def _fast(high: FloatArray, low: FloatArray, close: FloatArray, out: FloatArray) -> None:
    if high.shape[0] > 0:
        out[0] = math.nan
    for i in range(1, high.shape[0]):
        out[i] = true_range(high[i], low[i], close[i - 1])


def trange(high: FloatArray, low: FloatArray, close: FloatArray) -> FloatArray:
    """True range; NaN for the first value."""
    columns = as_columns(NAME, _INPUTS, (high, low, close))
    if any_nan(columns[0]) or any_nan(columns[1]) or any_nan(columns[2]):
        return run_batch(_run, _init(), columns, 1)  # type: ignore[return-value]
    out = np.empty(columns[0].shape[0])
    _fast(columns[0], columns[1], columns[2], out)
    return out


class TRANGE(StreamingIndicator):
    """Streaming TRANGE: ``TRANGE().update(high, low, close)``."""

    name = NAME
    inputs = _INPUTS
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self) -> None:
        self._setup(_init())


register(IndicatorSpec(NAME, trange, TRANGE, _INPUTS, TRANGE.outputs, {}, "TRANGE"))
