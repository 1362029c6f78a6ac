"""VWAP: volume-weighted average price, rolling over ``timeperiod`` rows (TA-Lib has none).

vwap = sum(price * volume) / sum(volume) over the last ``timeperiod`` rows; NaN
for the first ``timeperiod - 1`` rows and when the window's volume is 0.  Pass
the trade price for ticks, or the typical price (high + low + close) / 3 for
bars.  The running sums are re-added exactly once per ``timeperiod`` rows, so
rounding drift stays bounded on endless streams.
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

NAME = "vwap"
_INPUTS = ("price", "volume")
HEADER = 5  # period, count, pos, sum_pv, sum_v; then ring_pv[n], ring_v[n]
VwapState = tuple[int, int, int, float, float]


def vwap_init(state: FloatArray, offset: int, period: int) -> None:
    """Write a fresh rolling-VWAP block (also used by the bundle)."""
    state[offset : offset + HEADER + 2 * period] = 0.0
    state[offset] = period


@njit(cache=True)
def vwap_load(state: FloatArray, o: int) -> VwapState:
    """Read a rolling-VWAP header."""
    return (int(state[o]), int(state[o + 1]), int(state[o + 2]), state[o + 3], state[o + 4])


@njit(cache=True)
def vwap_store(state: FloatArray, o: int, s: VwapState) -> None:
    """Write a rolling-VWAP header back."""
    state[o + 1] = s[1]
    state[o + 2] = s[2]
    state[o + 3] = s[3]
    state[o + 4] = s[4]


@njit(cache=True, inline="always")
def vwap_step(state: FloatArray, o: int, s: VwapState, price: float, volume: float) -> tuple[VwapState, float]:
    """Consume one (price, volume) row; output the rolling VWAP."""
    n, count, pos, sum_pv, sum_v = s
    base_pv = o + HEADER
    base_v = base_pv + n
    pv = price * volume
    sum_pv += pv - state[base_pv + pos]
    sum_v += volume - state[base_v + pos]
    state[base_pv + pos] = pv
    state[base_v + pos] = volume
    pos += 1
    if pos == n:
        pos = 0
        sum_pv = 0.0
        sum_v = 0.0
        for j in range(n):
            sum_pv += state[base_pv + j]
            sum_v += state[base_v + j]
    if count < n - 1:
        return (n, count + 1, pos, sum_pv, sum_v), math.nan
    return (n, count, pos, sum_pv, sum_v), sum_pv / sum_v if sum_v > 0.0 else math.nan


def _init(timeperiod: int) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod)
    state = np.zeros(HEADER + 2 * period)
    vwap_init(state, 0, period)
    return state


@njit(cache=True)
def _run(state: FloatArray, price: FloatArray, volume: FloatArray, out: FloatArray) -> None:
    s = vwap_load(state, 0)
    for i in range(price.shape[0]):
        p = price[i]
        v = volume[i]
        if math.isnan(p) or math.isnan(v):
            out[i] = math.nan
            continue
        s, out[i] = vwap_step(state, 0, s, p, v)
    vwap_store(state, 0, s)


def vwap(price: FloatArray, volume: FloatArray, timeperiod: int = 14) -> FloatArray:
    """Rolling VWAP over ``timeperiod`` rows; NaN for the first ``timeperiod - 1`` rows."""
    return run_batch(_run, _init(timeperiod), as_columns(NAME, _INPUTS, (price, volume)), 1)  # type: ignore[return-value]


class VWAP(StreamingIndicator):
    """Streaming rolling VWAP: ``VWAP(timeperiod=14).update(price, volume)``."""

    name = NAME
    inputs = _INPUTS
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 14) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, vwap, VWAP, _INPUTS, VWAP.outputs, {"timeperiod": (1, 40)}))
