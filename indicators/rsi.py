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
from indicators._kernels import any_nan
from indicators._wilder import rsi_value, wilder_new, wilder_run

NAME = "rsi"


def _init(timeperiod: int) -> FloatArray:
    return wilder_new(check_period(NAME, "timeperiod", timeperiod, 2))


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, out: FloatArray) -> None:
    wilder_run(state, real, out, False)


@njit(cache=True)
def _fast(real: FloatArray, n: int, out: FloatArray) -> None:
    """Batch RSI of a NaN-free series: :func:`wilder_step`'s arithmetic with direct indexing."""
    m = real.shape[0]
    for i in range(min(n, m)):
        out[i] = math.nan
    if m <= n:
        return
    gain = 0.0
    loss = 0.0
    for i in range(1, n + 1):
        move = real[i] - real[i - 1]
        if move < 0:
            loss -= move
        else:
            gain += move
    loss /= n
    gain /= n
    out[n] = rsi_value(gain, loss)
    a = (n - 1) / n
    b = 1.0 / n
    for i in range(n + 1, m):
        move = real[i] - real[i - 1]
        loss *= a
        gain *= a
        if move < 0:
            loss -= move * b
        else:
            gain += move * b
        out[i] = rsi_value(gain, loss)


def rsi(real: FloatArray, timeperiod: int = 14) -> FloatArray:
    """Relative strength index in [0, 100]; NaN for the first ``timeperiod`` values."""
    state = _init(timeperiod)
    (column,) = as_columns(NAME, ("real",), (real,))
    if any_nan(column):
        return run_batch(_run, state, (column,), 1)  # type: ignore[return-value]
    out = np.empty(column.shape[0])
    _fast(column, int(state[0]), out)
    return out


class RSI(StreamingIndicator):
    """Streaming RSI: ``RSI(timeperiod=14).update(x)``."""

    name = NAME
    inputs = ("real",)
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 14) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, rsi, RSI, RSI.inputs, RSI.outputs, {"timeperiod": (2, 30)}, "RSI"))
