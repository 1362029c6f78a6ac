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
from indicators._kernels import any_nan, var_init, var_load, var_reseed_window, var_size, var_step, var_store

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


@njit(cache=True)
def _fast(real: FloatArray, n: int, nbdev: float, out: FloatArray) -> bool:
    """Batch STDDEV: :func:`var_step`'s arithmetic on direct indices; False (output unusable) on a NaN."""
    m = real.shape[0]
    for i in range(min(n - 1, m)):
        out[i] = math.nan
    if m < n:
        return not any_nan(real)
    found = False
    shift = real[0]
    sum_d = 0.0
    sum_d2 = 0.0
    for i in range(n - 1):
        d = real[i] - shift
        found |= d != d
        sum_d += d
        sum_d2 += d * d
    peak = 0.0
    reseed = 32 * n - 1  # var_step's ``since >= 32 * n``, counted in rows of the loop below
    now = real[n - 1 :]
    then = real[: m - n + 1]
    dst = out[n - 1 :]
    for j in range(m - n + 1):  # non-negative indices: no wraparound branch
        d = now[j] - shift
        found |= d != d
        sum_d += d
        sum_d2 += d * d
        mean_d = sum_d / n
        mean_d2 = sum_d2 / n
        variance = mean_d2 - mean_d * mean_d
        peak = max(peak, mean_d2)
        if variance < 1e-6 * peak or j >= reseed:
            shift, sum_d, sum_d2 = var_reseed_window(real, j + n - 1, n)
            mean_d = sum_d / n
            variance = sum_d2 / n - mean_d * mean_d
            reseed = j + 32 * n
            peak = sum_d2 / n
        trailing = then[j] - shift
        sum_d -= trailing
        sum_d2 -= trailing * trailing
        dst[j] = variance
    for j in range(m - n + 1):  # vectorises
        dst[j] = math.sqrt(max(dst[j], 0.0)) * nbdev
    return not found


def stddev(real: FloatArray, timeperiod: int = 5, nbdev: float = 1.0) -> FloatArray:
    """Rolling standard deviation; NaN for the first ``timeperiod - 1`` values."""
    state = _init(timeperiod, nbdev)
    (column,) = as_columns(NAME, ("real",), (real,))
    out = np.empty(column.shape[0])
    if _fast(column, int(state[1]), state[0], out):
        return out
    return run_batch(_run, state, (column,), 1)  # type: ignore[return-value]


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
