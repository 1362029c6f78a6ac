"""MINUS_DI: minus directional indicator, 100 * smoothed minus DM / smoothed TR (TA-Lib MINUS_DI)."""

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
from indicators._directional import HEADER, directional_index, dm_init, dm_load, dm_step, dm_store

NAME = "minus_di"
_INPUTS = ("high", "low", "close")


def _init(timeperiod: int) -> FloatArray:
    state = np.zeros(HEADER)
    dm_init(state, 0, check_period(NAME, "timeperiod", timeperiod, 2))
    return state


@njit(cache=True)
def _run(state: FloatArray, high: FloatArray, low: FloatArray, close: FloatArray, out: FloatArray) -> None:
    s = dm_load(state, 0)
    for i in range(high.shape[0]):
        h = high[i]
        lo = low[i]
        c = close[i]
        out[i] = math.nan
        if math.isnan(h) or math.isnan(lo) or math.isnan(c):
            continue
        s, ready = dm_step(s, h, lo, c)
        if ready:
            out[i] = directional_index(s[6], s[7])
    dm_store(state, 0, s)


def minus_di(high: FloatArray, low: FloatArray, close: FloatArray, timeperiod: int = 14) -> FloatArray:
    """-DI in [0, 100]; NaN for the first ``timeperiod`` values."""
    return run_batch(_run, _init(timeperiod), as_columns(NAME, _INPUTS, (high, low, close)), 1)  # type: ignore[return-value]


class MINUS_DI(StreamingIndicator):  # noqa: N801 - TA-Lib name
    """Streaming MINUS_DI: ``MINUS_DI(timeperiod=14).update(high, low, close)``."""

    name = NAME
    inputs = _INPUTS
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 14) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, minus_di, MINUS_DI, _INPUTS, MINUS_DI.outputs, {"timeperiod": (2, 30)}, "MINUS_DI"))
