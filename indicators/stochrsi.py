"""STOCHRSI: fast stochastic of the RSI (TA-Lib STOCHRSI); ``fastd_matype`` 0 (SMA) or 1 (EMA)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from indicators._base import (
    FloatArray,
    IndicatorSpec,
    StreamingIndicator,
    as_columns,
    check_matype,
    check_period,
    register,
    run_batch,
)
from indicators._kernels import (
    any_nan,
    extreme_init,
    extreme_load,
    extreme_size,
    extreme_step,
    extreme_store,
    ma_init,
    ma_load,
    ma_size,
    ma_step,
    ma_store,
)
from indicators._wilder import HEADER, rsi_value, wilder_init, wilder_load, wilder_step, wilder_store
from indicators.rsi import _fast as rsi_fast
from indicators.stoch import fastk_value

NAME = "stochrsi"
_RSI = 5  # state: [fastk_period, count, o_min, o_fastd, unused, RSI block, max, min, fastd MA]
_MAX = _RSI + HEADER


def _init(timeperiod: int, fastk_period: int, fastd_period: int, fastd_matype: int) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod, 2)
    fastk = check_period(NAME, "fastk_period", fastk_period)
    fastd = check_period(NAME, "fastd_period", fastd_period)
    kind = check_matype(NAME, "fastd_matype", fastd_matype)
    o_min = _MAX + extreme_size(fastk)
    o_fastd = o_min + extreme_size(fastk)
    state = np.zeros(o_fastd + ma_size(kind, fastd))
    state[:4] = (fastk, 0, o_min, o_fastd)
    wilder_init(state, _RSI, period)
    extreme_init(state, _MAX, fastk)
    extreme_init(state, o_min, fastk)
    ma_init(state, o_fastd, kind, fastd)
    return state


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, fastk: FloatArray, fastd: FloatArray) -> None:
    n = int(state[0])
    count = int(state[1])
    o_min = int(state[2])
    o_d = int(state[3])
    s_rsi = wilder_load(state, _RSI)
    s_max = extreme_load(state, _MAX)
    s_min = extreme_load(state, o_min)
    s_d = ma_load(state, o_d)
    for i in range(real.shape[0]):
        x = real[i]
        fastk[i] = math.nan
        fastd[i] = math.nan
        if math.isnan(x):
            continue
        s_rsi, ready = wilder_step(s_rsi, x)
        if not ready:
            continue
        value = rsi_value(s_rsi[3], s_rsi[4])
        s_max, highest, _age = extreme_step(state, _MAX, s_max, value, True)
        s_min, lowest, _age = extreme_step(state, o_min, s_min, value, False)
        if count < n - 1:
            count += 1
            continue
        k = fastk_value(value, highest, lowest)
        s_d, d = ma_step(state, o_d, s_d, k)
        if not math.isnan(d):
            fastk[i] = k
            fastd[i] = d
    state[1] = count
    wilder_store(state, _RSI, s_rsi)
    extreme_store(state, _MAX, s_max)
    extreme_store(state, o_min, s_min)
    ma_store(state, o_d, s_d)


@njit(cache=True)
def _fast(state: FloatArray, real: FloatArray, fastk: FloatArray, fastd: FloatArray) -> None:
    """Batch STOCHRSI of a NaN-free series from a fresh state: direct RSI, extremes rescanned on exit."""
    n = int(state[0])
    period = int(state[_RSI])
    o_d = int(state[3])
    s_d = ma_load(state, o_d)
    rsi = np.empty(real.shape[0])
    rsi_fast(real, period, rsi)
    top_at = -1
    bottom_at = -1
    highest = 0.0
    lowest = 0.0
    for i in range(real.shape[0]):
        fastk[i] = math.nan
        fastd[i] = math.nan
        if i < period:
            continue
        value = rsi[i]
        trailing = i - n + 1
        start = trailing if trailing > period else period
        if top_at < start:
            top_at = start
            highest = rsi[start]
            for j in range(start + 1, i + 1):
                if rsi[j] >= highest:
                    highest = rsi[j]
                    top_at = j
        elif value >= highest:
            highest = value
            top_at = i
        if bottom_at < start:
            bottom_at = start
            lowest = rsi[start]
            for j in range(start + 1, i + 1):
                if rsi[j] <= lowest:
                    lowest = rsi[j]
                    bottom_at = j
        elif value <= lowest:
            lowest = value
            bottom_at = i
        if trailing < period:
            continue
        k = fastk_value(value, highest, lowest)
        s_d, d = ma_step(state, o_d, s_d, k)
        if not math.isnan(d):
            fastk[i] = k
            fastd[i] = d


def stochrsi(
    real: FloatArray, timeperiod: int = 14, fastk_period: int = 5, fastd_period: int = 3, fastd_matype: int = 0
) -> tuple[FloatArray, FloatArray]:
    """(fastk, fastd) in [0, 100]; NaN until both are defined."""
    state = _init(timeperiod, fastk_period, fastd_period, fastd_matype)
    columns = as_columns(NAME, ("real",), (real,))
    return run_batch(_run if any_nan(columns[0]) else _fast, state, columns, 2)  # type: ignore[return-value]


class STOCHRSI(StreamingIndicator):
    """Streaming STOCHRSI: ``STOCHRSI(timeperiod=14, ...).update(x)`` -> (fastk, fastd)."""

    name = NAME
    inputs = ("real",)
    outputs = ("fastk", "fastd")
    _kernel = staticmethod(_run)

    def __init__(
        self, *, timeperiod: int = 14, fastk_period: int = 5, fastd_period: int = 3, fastd_matype: int = 0
    ) -> None:
        self._setup(_init(timeperiod, fastk_period, fastd_period, fastd_matype))


register(
    IndicatorSpec(
        NAME,
        stochrsi,
        STOCHRSI,
        STOCHRSI.inputs,
        STOCHRSI.outputs,
        {"timeperiod": (2, 20), "fastk_period": (1, 15), "fastd_period": (1, 8), "fastd_matype": (0, 1)},
        "STOCHRSI",
    )
)
