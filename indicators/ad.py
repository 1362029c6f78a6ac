"""AD: Chaikin accumulation/distribution line (TA-Lib AD)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from indicators._base import FloatArray, IndicatorSpec, StreamingIndicator, as_columns, register, run_batch

NAME = "ad"
_INPUTS = ("high", "low", "close", "volume")


def _init() -> FloatArray:
    return np.zeros(1)  # ad


@njit(cache=True)
def _run(
    state: FloatArray, high: FloatArray, low: FloatArray, close: FloatArray, volume: FloatArray, out: FloatArray
) -> None:
    ad = state[0]
    for i in range(high.shape[0]):
        h = high[i]
        lo = low[i]
        c = close[i]
        v = volume[i]
        if math.isnan(h) or math.isnan(lo) or math.isnan(c) or math.isnan(v):
            out[i] = math.nan
            continue
        spread = h - lo
        if spread > 0.0:
            ad += (((c - lo) - (h - c)) / spread) * v
        out[i] = ad
    state[0] = ad


def ad(high: FloatArray, low: FloatArray, close: FloatArray, volume: FloatArray) -> FloatArray:
    """Accumulation/distribution line; no warm-up."""
    return run_batch(_run, _init(), as_columns(NAME, _INPUTS, (high, low, close, volume)), 1)  # type: ignore[return-value]


class AD(StreamingIndicator):
    """Streaming AD: ``AD().update(high, low, close, volume)``."""

    name = NAME
    inputs = _INPUTS
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self) -> None:
        self._setup(_init())


register(IndicatorSpec(NAME, ad, AD, _INPUTS, AD.outputs, {}, "AD"))
