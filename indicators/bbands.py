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
    ma_init,
    ma_load,
    ma_size,
    ma_step,
    ma_store,
    var_init,
    var_load,
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


def bbands(
    real: FloatArray, timeperiod: int = 20, nbdevup: float = 2.0, nbdevdn: float = 2.0, matype: int = 0
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(upperband, middleband, lowerband); NaN for the first ``timeperiod - 1`` values."""
    state = _init(timeperiod, nbdevup, nbdevdn, matype)
    return run_batch(_run, state, as_columns(NAME, ("real",), (real,)), 3)  # type: ignore[return-value]


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
