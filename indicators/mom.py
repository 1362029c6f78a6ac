"""MOM: momentum, x[t] - x[t - timeperiod] (TA-Lib MOM)."""

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

NAME = "mom"
_HEADER = 3  # period, count, pos; then ring[period]


def lag_init(name: str, timeperiod: int) -> FloatArray:
    """A fresh MOM / ROC state: header, then a ring of the last ``timeperiod`` values."""
    period = check_period(name, "timeperiod", timeperiod)
    state = np.zeros(_HEADER + period)
    state[0] = period
    return state


@njit(cache=True, inline="always")
def lag_run(state: FloatArray, real: FloatArray, out: FloatArray, pct: bool) -> None:
    """x[t] - x[t - n] (ROC with ``pct``: percent change, 0 when the old value is 0); the literal folds away."""
    n = int(state[0])
    count = int(state[1])
    pos = int(state[2])
    for i in range(real.shape[0]):
        x = real[i]
        if math.isnan(x):
            out[i] = math.nan
            continue
        if count < n:
            count += 1
            out[i] = math.nan
        else:
            old = state[_HEADER + pos]
            if pct:
                out[i] = ((x / old) - 1.0) * 100.0 if old != 0.0 else 0.0
            else:
                out[i] = x - old
        state[_HEADER + pos] = x
        pos += 1
        if pos == n:
            pos = 0
    state[1] = count
    state[2] = pos


def _init(timeperiod: int) -> FloatArray:
    return lag_init(NAME, timeperiod)


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, out: FloatArray) -> None:
    lag_run(state, real, out, False)


@njit(cache=True)
def _fast(real: FloatArray, n: int, out: FloatArray) -> bool:
    """Batch MOM with the NaN test fused in; returns False (output unusable) when the input holds a NaN.

    Slices keep every index non-negative, so numba emits no wraparound branch and the loop vectorises.
    """
    m = real.shape[0]
    for i in range(min(n, m)):
        out[i] = math.nan
    if m <= n:
        return not any_nan(real)
    found = False
    for i in range(m - n, n):  # values in neither slice below (only when m < 2n)
        found |= math.isnan(real[i])
    now = real[n:]
    then = real[: m - n]
    dst = out[n:]
    for j in range(m - n):
        value = now[j] - then[j]  # NaN whenever either input is
        dst[j] = value
        found |= value != value
    return not found


def mom(real: FloatArray, timeperiod: int = 10) -> FloatArray:
    """Momentum; NaN for the first ``timeperiod`` values."""
    state = _init(timeperiod)
    (column,) = as_columns(NAME, ("real",), (real,))
    out = np.empty(column.shape[0])
    if _fast(column, int(state[0]), out):
        return out
    return run_batch(_run, state, (column,), 1)  # type: ignore[return-value]


class MOM(StreamingIndicator):
    """Streaming MOM: ``MOM(timeperiod=10).update(x)``."""

    name = NAME
    inputs = ("real",)
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 10) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, mom, MOM, MOM.inputs, MOM.outputs, {"timeperiod": (1, 30)}, "MOM"))
