"""TRIMA: triangular moving average, an SMA of an SMA (TA-Lib TRIMA)."""

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
from indicators._kernels import ma_load, ma_store, sma_init, sma_size, sma_step

NAME = "trima"


def _periods(period: int) -> tuple[int, int]:
    if period % 2:
        return (period + 1) // 2, (period + 1) // 2
    return period // 2, period // 2 + 1


def _init(timeperiod: int) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod)
    first, second = _periods(period)
    state = np.zeros(1 + sma_size(first) + sma_size(second))
    state[0] = 1 + sma_size(first)  # offset of the second SMA block
    sma_init(state, 1, first)
    sma_init(state, int(state[0]), second)
    return state


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, out: FloatArray) -> None:
    o2 = int(state[0])
    s1 = ma_load(state, 1)
    s2 = ma_load(state, o2)
    for i in range(real.shape[0]):
        x = real[i]
        out[i] = math.nan
        if math.isnan(x):
            continue
        s1, m1 = sma_step(state, 1, s1, x)
        if not math.isnan(m1):
            s2, out[i] = sma_step(state, o2, s2, m1)
    ma_store(state, 1, s1)
    ma_store(state, o2, s2)


def trima(real: FloatArray, timeperiod: int = 30) -> FloatArray:
    """Triangular moving average; NaN for the first ``timeperiod - 1`` values."""
    return run_batch(_run, _init(timeperiod), as_columns(NAME, ("real",), (real,)), 1)  # type: ignore[return-value]


class TRIMA(StreamingIndicator):
    """Streaming TRIMA: ``TRIMA(timeperiod=30).update(x)``."""

    name = NAME
    inputs = ("real",)
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 30) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, trima, TRIMA, TRIMA.inputs, TRIMA.outputs, {"timeperiod": (2, 40)}, "TRIMA"))
