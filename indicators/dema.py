"""DEMA: double exponential moving average, 2 * EMA(x) - EMA(EMA(x)) (TA-Lib DEMA)."""

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

NAME = "dema"


def _init(timeperiod: int) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod, 2)
    state = np.zeros(2 * MA_HEADER)
    ema_init(state, 0, period)
    ema_init(state, MA_HEADER, period)
    return state


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, out: FloatArray) -> None:
    s1 = ma_load(state, 0)
    s2 = ma_load(state, MA_HEADER)
    for i in range(real.shape[0]):
        x = real[i]
        out[i] = math.nan
        if math.isnan(x):
            continue
        s1, e1 = ema_step(state, 0, s1, x)
        if math.isnan(e1):
            continue
        s2, e2 = ema_step(state, MA_HEADER, s2, e1)
        if not math.isnan(e2):
            out[i] = (2.0 * e1) - e2
    ma_store(state, 0, s1)
    ma_store(state, MA_HEADER, s2)


def dema(real: FloatArray, timeperiod: int = 30) -> FloatArray:
    """Double EMA; NaN for the first ``2 * (timeperiod - 1)`` values."""
    return run_batch(_run, _init(timeperiod), as_columns(NAME, ("real",), (real,)), 1)  # type: ignore[return-value]


class DEMA(StreamingIndicator):
    """Streaming DEMA: ``DEMA(timeperiod=30).update(x)``."""

    name = NAME
    inputs = ("real",)
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 30) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, dema, DEMA, DEMA.inputs, DEMA.outputs, {"timeperiod": (2, 30)}, "DEMA"))
