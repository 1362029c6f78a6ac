"""AROON: bars since the highest high / lowest low in the last ``timeperiod + 1`` bars (TA-Lib AROON).

aroonup = 100 / n * (n - bars since highest high); ties go to the most recent bar.
"""

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
from indicators._kernels import extreme_init, extreme_load, extreme_size, extreme_step, extreme_store

NAME = "aroon"
_INPUTS = ("high", "low")
_MAX = 2  # state: [period, count, max block..., min block...]


def _init(timeperiod: int) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod, 2)
    state = np.zeros(_MAX + 2 * extreme_size(period + 1))
    state[0] = period
    extreme_init(state, _MAX, period + 1)
    extreme_init(state, _MAX + extreme_size(period + 1), period + 1)
    return state


@njit(cache=True)
def _run(state: FloatArray, high: FloatArray, low: FloatArray, down: FloatArray, up: FloatArray) -> None:
    n = int(state[0])
    count = int(state[1])
    o_min = _MAX + 4 + 2 * (n + 1)
    factor = 100.0 / n
    s_max = extreme_load(state, _MAX)
    s_min = extreme_load(state, o_min)
    for i in range(high.shape[0]):
        h = high[i]
        lo = low[i]
        down[i] = math.nan
        up[i] = math.nan
        if math.isnan(h) or math.isnan(lo):
            continue
        s_max, _value, high_age = extreme_step(state, _MAX, s_max, h, True)
        s_min, _value, low_age = extreme_step(state, o_min, s_min, lo, False)
        if count < n:
            count += 1
            continue
        up[i] = factor * (n - high_age)
        down[i] = factor * (n - low_age)
    state[1] = count
    extreme_store(state, _MAX, s_max)
    extreme_store(state, o_min, s_min)


def aroon(high: FloatArray, low: FloatArray, timeperiod: int = 14) -> tuple[FloatArray, FloatArray]:
    """(aroondown, aroonup) in [0, 100]; NaN for the first ``timeperiod`` values."""
    return run_batch(_run, _init(timeperiod), as_columns(NAME, _INPUTS, (high, low)), 2)  # type: ignore[return-value]


class AROON(StreamingIndicator):
    """Streaming AROON: ``AROON(timeperiod=14).update(high, low)`` -> (aroondown, aroonup)."""

    name = NAME
    inputs = _INPUTS
    outputs = ("aroondown", "aroonup")
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 14) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, aroon, AROON, _INPUTS, AROON.outputs, {"timeperiod": (2, 30)}, "AROON"))
