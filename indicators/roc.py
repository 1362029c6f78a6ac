"""ROC: rate of change in percent, (x[t] / x[t - timeperiod] - 1) * 100 (TA-Lib ROC)."""

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

NAME = "roc"
_HEADER = 3  # period, count, pos; then ring[period]


def _init(timeperiod: int) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod)
    state = np.zeros(_HEADER + period)
    state[0] = period
    return state


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, out: FloatArray) -> None:
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
            out[i] = ((x / old) - 1.0) * 100.0 if old != 0.0 else 0.0
        state[_HEADER + pos] = x
        pos += 1
        if pos == n:
            pos = 0
    state[1] = count
    state[2] = pos


def roc(real: FloatArray, timeperiod: int = 10) -> FloatArray:
    """Rate of change (percent, 0 when the old value is 0); NaN for the first ``timeperiod`` values."""
    return run_batch(_run, _init(timeperiod), as_columns(NAME, ("real",), (real,)), 1)  # type: ignore[return-value]


class ROC(StreamingIndicator):
    """Streaming ROC: ``ROC(timeperiod=10).update(x)``."""

    name = NAME
    inputs = ("real",)
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 10) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, roc, ROC, ROC.inputs, ROC.outputs, {"timeperiod": (1, 30)}, "ROC"))
