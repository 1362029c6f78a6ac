"""TRIX: 1-period rate of change (percent) of a triple-smoothed EMA (TA-Lib TRIX)."""

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
from indicators._kernels import MA_HEADER, ema_init, ema_step, ma_load, ma_store

NAME = "trix"
_O2 = MA_HEADER
_O3 = 2 * MA_HEADER
_PREV = 3 * MA_HEADER  # previous triple EMA, NaN until there is one


def _init(timeperiod: int) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod)
    state = np.zeros(3 * MA_HEADER + 1)
    for offset in (0, _O2, _O3):
        ema_init(state, offset, period)
    state[_PREV] = math.nan
    return state


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, out: FloatArray) -> None:
    s1 = ma_load(state, 0)
    s2 = ma_load(state, _O2)
    s3 = ma_load(state, _O3)
    prev = state[_PREV]
    for i in range(real.shape[0]):
        x = real[i]
        out[i] = math.nan
        if math.isnan(x):
            continue
        s1, e1 = ema_step(state, 0, s1, x)
        if math.isnan(e1):
            continue
        s2, e2 = ema_step(state, _O2, s2, e1)
        if math.isnan(e2):
            continue
        s3, e3 = ema_step(state, _O3, s3, e2)
        if math.isnan(e3):
            continue
        if not math.isnan(prev):
            out[i] = ((e3 / prev) - 1.0) * 100.0 if prev != 0.0 else 0.0
        prev = e3
    ma_store(state, 0, s1)
    ma_store(state, _O2, s2)
    ma_store(state, _O3, s3)
    state[_PREV] = prev


def trix(real: FloatArray, timeperiod: int = 30) -> FloatArray:
    """TRIX; NaN for the first ``3 * (timeperiod - 1) + 1`` values."""
    return run_batch(_run, _init(timeperiod), as_columns(NAME, ("real",), (real,)), 1)  # type: ignore[return-value]


class TRIX(StreamingIndicator):
    """Streaming TRIX: ``TRIX(timeperiod=30).update(x)``."""

    name = NAME
    inputs = ("real",)
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 30) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, trix, TRIX, TRIX.inputs, TRIX.outputs, {"timeperiod": (1, 25)}, "TRIX"))
