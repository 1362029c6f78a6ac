"""STOCH: slow stochastic oscillator (TA-Lib STOCH).

fastk = 100 * (close - lowest low) / (highest high - lowest low) over
``fastk_period`` bars (0 when the range is 0); slowk = MA(fastk, slowk_period);
slowd = MA(slowk, slowd_period).  Both matypes support 0 (SMA) and 1 (EMA).
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
    is_zero_scaled,
    ma_init,
    ma_load,
    ma_size,
    ma_step,
    ma_store,
)

NAME = "stoch"
_INPUTS = ("high", "low", "close")
_BLOCKS = 6  # state: [fastk_period, count, o_min, o_slowk, o_slowd, unused, blocks...]


@njit(cache=True)
def fastk_value(close: float, highest: float, lowest: float) -> float:
    """TA-Lib's fast %K: (close - lowest) / ((highest - lowest) / 100), 0 on a (relatively) flat range."""
    if is_zero_scaled(highest - lowest, abs(highest) + abs(lowest)):
        return 0.0
    diff = (highest - lowest) / 100.0
    return (close - lowest) / diff if diff != 0.0 else 0.0


def _init(fastk_period: int, slowk_period: int, slowk_matype: int, slowd_period: int, slowd_matype: int) -> FloatArray:
    fastk = check_period(NAME, "fastk_period", fastk_period)
    slowk = check_period(NAME, "slowk_period", slowk_period)
    slowd = check_period(NAME, "slowd_period", slowd_period)
    kind_k = check_matype(NAME, "slowk_matype", slowk_matype)
    kind_d = check_matype(NAME, "slowd_matype", slowd_matype)
    o_min = _BLOCKS + extreme_size(fastk)
    o_slowk = o_min + extreme_size(fastk)
    o_slowd = o_slowk + ma_size(kind_k, slowk)
    state = np.zeros(o_slowd + ma_size(kind_d, slowd))
    state[:5] = (fastk, 0, o_min, o_slowk, o_slowd)
    extreme_init(state, _BLOCKS, fastk)
    extreme_init(state, o_min, fastk)
    ma_init(state, o_slowk, kind_k, slowk)
    ma_init(state, o_slowd, kind_d, slowd)
    return state


@njit(cache=True)
def _run(
    state: FloatArray, high: FloatArray, low: FloatArray, close: FloatArray, slowk: FloatArray, slowd: FloatArray
) -> None:
    n = int(state[0])
    count = int(state[1])
    o_min = int(state[2])
    o_k = int(state[3])
    o_d = int(state[4])
    s_max = extreme_load(state, _BLOCKS)
    s_min = extreme_load(state, o_min)
    s_k = ma_load(state, o_k)
    s_d = ma_load(state, o_d)
    for i in range(high.shape[0]):
        h = high[i]
        lo = low[i]
        c = close[i]
        slowk[i] = math.nan
        slowd[i] = math.nan
        if math.isnan(h) or math.isnan(lo) or math.isnan(c):
            continue
        s_max, highest, _age = extreme_step(state, _BLOCKS, s_max, h, True)
        s_min, lowest, _age = extreme_step(state, o_min, s_min, lo, False)
        if count < n - 1:
            count += 1
            continue
        s_k, k = ma_step(state, o_k, s_k, fastk_value(c, highest, lowest))
        if math.isnan(k):
            continue
        s_d, d = ma_step(state, o_d, s_d, k)
        if not math.isnan(d):
            slowk[i] = k
            slowd[i] = d
    state[1] = count
    extreme_store(state, _BLOCKS, s_max)
    extreme_store(state, o_min, s_min)
    ma_store(state, o_k, s_k)
    ma_store(state, o_d, s_d)


@njit(cache=True)
def _fast(
    state: FloatArray, high: FloatArray, low: FloatArray, close: FloatArray, slowk: FloatArray, slowd: FloatArray
) -> None:
    """Batch STOCH of a NaN-free series from a fresh state: extremes rescanned only when they leave the window."""
    n = int(state[0])
    o_k = int(state[3])
    o_d = int(state[4])
    s_k = ma_load(state, o_k)
    s_d = ma_load(state, o_d)
    top_at = -1
    bottom_at = -1
    highest = 0.0
    lowest = 0.0
    for i in range(high.shape[0]):
        slowk[i] = math.nan
        slowd[i] = math.nan
        trailing = i - n + 1
        start = trailing if trailing > 0 else 0
        h = high[i]
        if top_at < start:
            top_at = start
            highest = high[start]
            for j in range(start + 1, i + 1):
                if high[j] >= highest:
                    highest = high[j]
                    top_at = j
        elif h >= highest:
            highest = h
            top_at = i
        lo = low[i]
        if bottom_at < start:
            bottom_at = start
            lowest = low[start]
            for j in range(start + 1, i + 1):
                if low[j] <= lowest:
                    lowest = low[j]
                    bottom_at = j
        elif lo <= lowest:
            lowest = lo
            bottom_at = i
        if trailing < 0:
            continue
        s_k, k = ma_step(state, o_k, s_k, fastk_value(close[i], highest, lowest))
        if math.isnan(k):
            continue
        s_d, d = ma_step(state, o_d, s_d, k)
        if not math.isnan(d):
            slowk[i] = k
            slowd[i] = d


def stoch(
    high: FloatArray,
    low: FloatArray,
    close: FloatArray,
    fastk_period: int = 5,
    slowk_period: int = 3,
    slowk_matype: int = 0,
    slowd_period: int = 3,
    slowd_matype: int = 0,
) -> tuple[FloatArray, FloatArray]:
    """(slowk, slowd); NaN until both are defined."""
    state = _init(fastk_period, slowk_period, slowk_matype, slowd_period, slowd_matype)
    columns = as_columns(NAME, _INPUTS, (high, low, close))
    kernel = _run if any_nan(columns[0]) or any_nan(columns[1]) or any_nan(columns[2]) else _fast
    return run_batch(kernel, state, columns, 2)  # type: ignore[return-value]


class STOCH(StreamingIndicator):
    """Streaming STOCH: ``STOCH(fastk_period=5, ...).update(high, low, close)`` -> (slowk, slowd)."""

    name = NAME
    inputs = _INPUTS
    outputs = ("slowk", "slowd")
    _kernel = staticmethod(_run)

    def __init__(
        self,
        *,
        fastk_period: int = 5,
        slowk_period: int = 3,
        slowk_matype: int = 0,
        slowd_period: int = 3,
        slowd_matype: int = 0,
    ) -> None:
        self._setup(_init(fastk_period, slowk_period, slowk_matype, slowd_period, slowd_matype))


register(
    IndicatorSpec(
        NAME,
        stoch,
        STOCH,
        _INPUTS,
        STOCH.outputs,
        {
            "fastk_period": (1, 20),
            "slowk_period": (1, 10),
            "slowk_matype": (0, 1),
            "slowd_period": (1, 10),
            "slowd_matype": (0, 1),
        },
        "STOCH",
    )
)
