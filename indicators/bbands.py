"""BBANDS: Bollinger bands, middle MA +/- nbdev * standard deviation (TA-Lib BBANDS).

``matype`` 0 (SMA) and 1 (EMA) are supported.  As in TA-Lib the deviation is
the population standard deviation of the last ``timeperiod`` values around
their simple mean, whichever the middle band's matype.
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
    check_float,
    check_matype,
    check_period,
    register,
    run_batch,
)
from indicators._kernels import (
    KIND_EMA,
    any_nan,
    ma_init,
    ma_load,
    ma_size,
    ma_step,
    ma_store,
    var_init,
    var_load,
    var_reseed_window,
    var_size,
    var_step,
    var_store,
)

NAME = "bbands"
_VAR = 4  # state: [nbdevup, nbdevdn, unused, ma_offset, variance block..., MA block]


def _init(timeperiod: int, nbdevup: float, nbdevdn: float, matype: int) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod, 2)
    kind = check_matype(NAME, "matype", matype)
    ma_offset = _VAR + var_size(period)
    state = np.zeros(ma_offset + ma_size(kind, period))
    state[0] = check_float(NAME, "nbdevup", nbdevup, -math.inf)
    state[1] = check_float(NAME, "nbdevdn", nbdevdn, -math.inf)
    state[2] = kind
    state[3] = ma_offset
    var_init(state, _VAR, period)
    ma_init(state, ma_offset, kind, period)
    return state


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, upper: FloatArray, middle: FloatArray, lower: FloatArray) -> None:
    up = state[0]
    down = state[1]
    o_ma = int(state[3])
    s_var = var_load(state, _VAR)
    s_ma = ma_load(state, o_ma)
    for i in range(real.shape[0]):
        x = real[i]
        upper[i] = math.nan
        middle[i] = math.nan
        lower[i] = math.nan
        if math.isnan(x):
            continue
        s_var, variance = var_step(state, _VAR, s_var, x)
        s_ma, mid = ma_step(state, o_ma, s_ma, x)
        if math.isnan(variance):
            continue
        deviation = math.sqrt(variance)
        middle[i] = mid
        upper[i] = mid + deviation * up
        lower[i] = mid - deviation * down
    var_store(state, _VAR, s_var)
    ma_store(state, o_ma, s_ma)


@njit(cache=True)
def _fast(
    real: FloatArray,
    n: int,
    ema: bool,
    k: float,
    up: float,
    down: float,
    upper: FloatArray,
    middle: FloatArray,
    lower: FloatArray,
) -> bool:
    """Batch BBANDS: :func:`var_step` and :func:`ma_step` arithmetic on direct indices, in one loop.

    Returns False (outputs unusable) when the input holds a NaN.
    """
    m = real.shape[0]
    for i in range(min(n - 1, m)):
        upper[i] = math.nan
        middle[i] = math.nan
        lower[i] = math.nan
    if m < n:
        return not any_nan(real)
    found = False
    shift = real[0]
    sum_d = 0.0
    sum_d2 = 0.0
    total = 0.0  # SMA running total; EMA seed sum, then EMA value
    for i in range(n - 1):
        x = real[i]
        d = x - shift
        found |= d != d
        sum_d += d
        sum_d2 += d * d
        total += x
    peak = 0.0
    reseed = 32 * n - 1  # var_step's ``since >= 32 * n``, counted in rows of the loop below
    now = real[n - 1 :]
    then = real[: m - n + 1]
    var = upper[n - 1 :]  # variance first, the band once the loop is done
    mid = middle[n - 1 :]
    for j in range(m - n + 1):  # non-negative indices: no wraparound branch
        x = now[j]
        d = x - shift
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
        var[j] = variance
        if ema and j > 0:
            total = ((x - total) * k) + total
            mid[j] = total
        elif ema:  # first full window: TA-Lib seeds the EMA with the SMA
            total = (total + x) / n
            mid[j] = total
        else:
            total = total + x
            mid[j] = total / n
            total -= then[j]
    low = lower[n - 1 :]
    for j in range(m - n + 1):  # vectorises
        deviation = math.sqrt(max(var[j], 0.0))
        centre = mid[j]
        var[j] = centre + deviation * up
        low[j] = centre - deviation * down
    return not found


def bbands(
    real: FloatArray, timeperiod: int = 20, nbdevup: float = 2.0, nbdevdn: float = 2.0, matype: int = 0
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(upperband, middleband, lowerband); NaN for the first ``timeperiod - 1`` values."""
    state = _init(timeperiod, nbdevup, nbdevdn, matype)
    (column,) = as_columns(NAME, ("real",), (real,))
    o_ma = int(state[3])
    outs = (np.empty(column.shape[0]), np.empty(column.shape[0]), np.empty(column.shape[0]))
    ema = int(state[o_ma]) == KIND_EMA
    if _fast(column, int(state[_VAR]), ema, state[o_ma + 4], state[0], state[1], *outs):
        return outs
    return run_batch(_run, state, (column,), 3)  # type: ignore[return-value]


class BBANDS(StreamingIndicator):
    """Streaming BBANDS: ``BBANDS(timeperiod=20, nbdevup=2.0, nbdevdn=2.0, matype=0).update(x)``."""

    name = NAME
    inputs = ("real",)
    outputs = ("upperband", "middleband", "lowerband")
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 20, nbdevup: float = 2.0, nbdevdn: float = 2.0, matype: int = 0) -> None:
        self._setup(_init(timeperiod, nbdevup, nbdevdn, matype))


register(
    IndicatorSpec(
        NAME,
        bbands,
        BBANDS,
        BBANDS.inputs,
        BBANDS.outputs,
        {"timeperiod": (2, 30), "nbdevup": (0.5, 3.0), "nbdevdn": (0.5, 3.0), "matype": (0, 1)},
        "BBANDS",
    )
)
