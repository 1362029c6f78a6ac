"""KAMA: Kaufman adaptive moving average (TA-Lib KAMA, fast 2 / slow 30 constants)."""

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
from indicators._kernels import any_nan, is_zero

NAME = "kama"
_HEADER = 5  # period, count, pos, sum_roc1, prev_kama; then ring[period + 1]
_CONST_MAX = 2.0 / (30.0 + 1.0)
_CONST_DIFF = 2.0 / (2.0 + 1.0) - _CONST_MAX


def _init(timeperiod: int) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod, 2)
    state = np.zeros(_HEADER + period + 1)
    state[0] = period
    return state


@njit(cache=True)
def _smooth(sum_roc1: float, period_roc: float, prev: float, x: float) -> float:
    ratio = 1.0 if sum_roc1 <= period_roc or is_zero(sum_roc1) else abs(period_roc / sum_roc1)
    ratio = ratio * _CONST_DIFF + _CONST_MAX
    ratio *= ratio
    return (x - prev) * ratio + prev


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, out: FloatArray) -> None:
    n = int(state[0])
    size = n + 1
    count = int(state[1])
    pos = int(state[2])  # ring slot of x[t]; x[t-1] before it, x[t-n-1] == this slot
    sum_roc1 = state[3]
    prev_kama = state[4]
    for i in range(real.shape[0]):
        x = real[i]
        out[i] = math.nan
        if math.isnan(x):
            continue
        before = pos - 1 if pos > 0 else size - 1
        after = pos + 1 if pos + 1 < size else 0
        if count == 0:
            pass
        elif count < n:
            sum_roc1 += abs(state[_HEADER + before] - x)
        elif count == n:
            sum_roc1 += abs(state[_HEADER + before] - x)
            prev_kama = _smooth(sum_roc1, x - state[_HEADER + after], state[_HEADER + before], x)
            out[i] = prev_kama
        else:
            trailing = state[_HEADER + after]
            sum_roc1 -= abs(state[_HEADER + pos] - trailing)
            sum_roc1 += abs(x - state[_HEADER + before])
            prev_kama = _smooth(sum_roc1, x - trailing, prev_kama, x)
            out[i] = prev_kama
        if count <= n:
            count += 1
        state[_HEADER + pos] = x
        pos = after
    state[1] = count
    state[2] = pos
    state[3] = sum_roc1
    state[4] = prev_kama


@njit(cache=True)
def _fast(real: FloatArray, n: int, out: FloatArray) -> bool:
    """Batch KAMA: :func:`_run`'s arithmetic on direct indices; False (output unusable) on a NaN."""
    m = real.shape[0]
    for i in range(min(n, m)):
        out[i] = math.nan
    if m <= n:
        return not any_nan(real)
    found = math.isnan(real[0])
    sum_roc1 = 0.0
    for i in range(1, n + 1):
        step = real[i - 1] - real[i]
        found |= step != step
        sum_roc1 += abs(step)
    x = real[n]
    prev_kama = _smooth(sum_roc1, x - real[0], real[n - 1], x)
    out[n] = prev_kama
    now = real[n + 1 :]
    before = real[n : m - 1]
    trailing = real[1 : m - n]
    dropped = real[: m - n - 1]
    dst = out[n + 1 :]
    for j in range(m - n - 1):  # non-negative indices: no wraparound branch
        x = now[j]
        old = trailing[j]
        step = x - before[j]
        found |= step != step
        sum_roc1 -= abs(dropped[j] - old)
        sum_roc1 += abs(step)
        prev_kama = _smooth(sum_roc1, x - old, prev_kama, x)
        dst[j] = prev_kama
    return not found


def kama(real: FloatArray, timeperiod: int = 30) -> FloatArray:
    """Kaufman adaptive moving average; NaN for the first ``timeperiod`` values."""
    state = _init(timeperiod)
    (column,) = as_columns(NAME, ("real",), (real,))
    out = np.empty(column.shape[0])
    if _fast(column, int(state[0]), out):
        return out
    return run_batch(_run, state, (column,), 1)  # type: ignore[return-value]


class KAMA(StreamingIndicator):
    """Streaming KAMA: ``KAMA(timeperiod=30).update(x)``."""

    name = NAME
    inputs = ("real",)
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 30) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, kama, KAMA, KAMA.inputs, KAMA.outputs, {"timeperiod": (2, 40)}, "KAMA"))
