"""EMA: exponential moving average, TA-Lib style (k = 2 / (n + 1), seeded with the SMA of the first n)."""

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
from indicators._kernels import ema_init, ema_size, ema_step, ma_load, ma_store

NAME = "ema"


def _init(timeperiod: int) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod, 2)
    state = np.zeros(ema_size())
    ema_init(state, 0, period)
    return state


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, out: FloatArray) -> None:
    s = ma_load(state, 0)
    for i in range(real.shape[0]):
        x = real[i]
        if math.isnan(x):
            out[i] = math.nan
            continue
        s, out[i] = ema_step(state, 0, s, x)
    ma_store(state, 0, s)


def ema(real: FloatArray, timeperiod: int = 30) -> FloatArray:
    """Exponential moving average; NaN for the first ``timeperiod - 1`` values."""
    return run_batch(_run, _init(timeperiod), as_columns(NAME, ("real",), (real,)), 1)  # type: ignore[return-value]


class EMA(StreamingIndicator):
    """Streaming EMA: ``EMA(timeperiod=30).update(x)``."""

    name = NAME
    inputs = ("real",)
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 30) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, ema, EMA, EMA.inputs, EMA.outputs, {"timeperiod": (2, 40)}, "EMA"))
