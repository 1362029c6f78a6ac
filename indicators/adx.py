"""ADX: average directional movement index (TA-Lib ADX, unstable period 0).

DX = 100 * |+DI - -DI| / (+DI + -DI); the first ``timeperiod`` DX values are
averaged, later ones Wilder-smoothed.  A DX with zero TR or zero DI sum is
skipped, as in TA-Lib.
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
from indicators._directional import HEADER, dm_init, dm_load, dm_step, dm_store

NAME = "adx"
_INPUTS = ("high", "low", "close")
_ADX = HEADER  # then dx_count, adx (a DX sum while warming up)


def _init(timeperiod: int) -> FloatArray:
    state = np.zeros(HEADER + 2)
    dm_init(state, 0, check_period(NAME, "timeperiod", timeperiod, 2))
    return state


@njit(cache=True)
def _dx(plus_dm: float, minus_dm: float, tr: float) -> float:
    """DX, or NaN when TA-Lib would skip it."""
    if tr == 0.0:
        return math.nan
    minus_di = 100.0 * (minus_dm / tr)
    plus_di = 100.0 * (plus_dm / tr)
    total = minus_di + plus_di
    if total == 0.0:
        return math.nan
    return 100.0 * (abs(minus_di - plus_di) / total)


@njit(cache=True)
def _run(state: FloatArray, high: FloatArray, low: FloatArray, close: FloatArray, out: FloatArray) -> None:
    s = dm_load(state, 0)
    n = s[0]
    dx_count = int(state[_ADX])
    adx = state[_ADX + 1]
    for i in range(high.shape[0]):
        h = high[i]
        lo = low[i]
        c = close[i]
        out[i] = math.nan
        if math.isnan(h) or math.isnan(lo) or math.isnan(c):
            continue
        s, ready = dm_step(s, h, lo, c)
        if not ready:
            continue
        dx = _dx(s[5], s[6], s[7])
        if dx_count < n:
            if not math.isnan(dx):
                adx += dx
            dx_count += 1
            if dx_count == n:
                adx = adx / n
                out[i] = adx
        else:
            if not math.isnan(dx):
                adx = ((adx * (n - 1)) + dx) / n
            out[i] = adx
    dm_store(state, 0, s)
    state[_ADX] = dx_count
    state[_ADX + 1] = adx


def adx(high: FloatArray, low: FloatArray, close: FloatArray, timeperiod: int = 14) -> FloatArray:
    """ADX in [0, 100]; NaN for the first ``2 * timeperiod - 1`` values."""
    return run_batch(_run, _init(timeperiod), as_columns(NAME, _INPUTS, (high, low, close)), 1)  # type: ignore[return-value]


class ADX(StreamingIndicator):
    """Streaming ADX: ``ADX(timeperiod=14).update(high, low, close)``."""

    name = NAME
    inputs = _INPUTS
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 14) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, adx, ADX, _INPUTS, ADX.outputs, {"timeperiod": (2, 30)}, "ADX"))
