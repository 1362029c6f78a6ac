"""STDDEV: population standard deviation times ``nbdev`` (TA-Lib STDDEV)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from indicators._base import (
    FloatArray,
    IndicatorSpec,
    StreamingIndicator,
    as_columns,
    check_float,
    check_period,
    register,
    run_batch,
)
from indicators._kernels import var_init, var_load, var_size, var_step, var_store

NAME = "stddev"


def _init(timeperiod: int, nbdev: float) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod, 2)
    state = np.zeros(1 + var_size(period))
    state[0] = check_float(NAME, "nbdev", nbdev, -math.inf)
    var_init(state, 1, period)
    return state


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, out: FloatArray) -> None:
    nbdev = state[0]
    s = var_load(state, 1)
    for i in range(real.shape[0]):
        x = real[i]
        out[i] = math.nan
        if math.isnan(x):
            continue
        s, variance = var_step(state, 1, s, x)
        if not math.isnan(variance):
            out[i] = math.sqrt(variance) * nbdev
    var_store(state, 1, s)


def stddev(real: FloatArray, timeperiod: int = 5, nbdev: float = 1.0) -> FloatArray:
    """Rolling standard deviation; NaN for the first ``timeperiod - 1`` values."""
    state = _init(timeperiod, nbdev)
    return run_batch(_run, state, as_columns(NAME, ("real",), (real,)), 1)  # type: ignore[return-value]


class STDDEV(StreamingIndicator):
    """Streaming STDDEV: ``STDDEV(timeperiod=5, nbdev=1.0).update(x)``."""

    name = NAME
    inputs = ("real",)
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 5, nbdev: float = 1.0) -> None:
        self._setup(_init(timeperiod, nbdev))


_RANGES = {"timeperiod": (2, 30), "nbdev": (0.5, 3.0)}
register(IndicatorSpec(NAME, stddev, STDDEV, STDDEV.inputs, STDDEV.outputs, _RANGES, "STDDEV"))
