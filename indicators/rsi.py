"""RSI: Wilder's relative strength index (TA-Lib RSI, unstable period 0)."""

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
from indicators._wilder import HEADER, wilder_init, wilder_load, wilder_step, wilder_store

NAME = "rsi"


def _init(timeperiod: int) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod, 2)
    state = np.zeros(HEADER)
    wilder_init(state, 0, period)
    return state


@njit(cache=True)
def rsi_value(gain: float, loss: float) -> float:
    """100 * gain / (gain + loss), 0 when the sum is exactly 0 (TA-Lib >= 0.6)."""
    total = gain + loss
    return 0.0 if total == 0.0 else 100.0 * (gain / total)


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, out: FloatArray) -> None:
    s = wilder_load(state, 0)
    for i in range(real.shape[0]):
        x = real[i]
        out[i] = math.nan
        if math.isnan(x):
            continue
        s, ready = wilder_step(s, x)
        if ready:
            out[i] = rsi_value(s[3], s[4])
    wilder_store(state, 0, s)


def rsi(real: FloatArray, timeperiod: int = 14) -> FloatArray:
    """Relative strength index in [0, 100]; NaN for the first ``timeperiod`` values."""
    return run_batch(_run, _init(timeperiod), as_columns(NAME, ("real",), (real,)), 1)  # type: ignore[return-value]


class RSI(StreamingIndicator):
    """Streaming RSI: ``RSI(timeperiod=14).update(x)``."""

    name = NAME
    inputs = ("real",)
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 14) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, rsi, RSI, RSI.inputs, RSI.outputs, {"timeperiod": (2, 30)}, "RSI"))
