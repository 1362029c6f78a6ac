"""ULTOSC: Williams' ultimate oscillator over three periods (TA-Lib ULTOSC).

The periods are sorted, so whatever their order the shortest gets weight 4,
the middle 2 and the longest 1, as in TA-Lib.
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
from indicators._kernels import is_zero, true_range

NAME = "ultosc"
_INPUTS = ("high", "low", "close")
_HEADER = 12  # p1, p2, p3 (shortest first), count, pos, a1, a2, a3, b1, b2, b3, prev_close


def _init(timeperiod1: int, timeperiod2: int, timeperiod3: int) -> FloatArray:
    periods = sorted(
        check_period(NAME, f"timeperiod{i + 1}", p) for i, p in enumerate((timeperiod1, timeperiod2, timeperiod3))
    )
    state = np.zeros(_HEADER + 2 * periods[2])
    state[:3] = periods
    return state


@njit(cache=True)
def _trailing(pos: int, period: int, size: int) -> int:
    slot = pos - period + 1
    return slot + size if slot < 0 else slot


@njit(cache=True)
def _run(state: FloatArray, high: FloatArray, low: FloatArray, close: FloatArray, out: FloatArray) -> None:
    p1, p2, p3 = int(state[0]), int(state[1]), int(state[2])
    count, pos = int(state[3]), int(state[4])
    a1, a2, a3, b1, b2, b3 = state[5], state[6], state[7], state[8], state[9], state[10]
    prev_close = state[11]
    ring_a = state[_HEADER : _HEADER + p3]
    ring_b = state[_HEADER + p3 :]
    for i in range(high.shape[0]):
        h, lo, c = high[i], low[i], close[i]
        out[i] = math.nan
        if math.isnan(h) or math.isnan(lo) or math.isnan(c):
            continue
        if count == 0:
            count = 1
            prev_close = c
            continue
        term_a = c - (lo if lo < prev_close else prev_close)
        term_b = true_range(h, lo, prev_close)
        prev_close = c
        ring_a[pos] = term_a
        ring_b[pos] = term_b
        if count < p3:
            if count >= p3 - p1 + 1:
                a1 += term_a
                b1 += term_b
            if count >= p3 - p2 + 1:
                a2 += term_a
                b2 += term_b
            a3 += term_a
            b3 += term_b
            count += 1
        else:
            a1 += term_a
            a2 += term_a
            a3 += term_a
            b1 += term_b
            b2 += term_b
            b3 += term_b
            value = 0.0
            if not is_zero(b1):
                value += 4.0 * (a1 / b1)
            if not is_zero(b2):
                value += 2.0 * (a2 / b2)
            if not is_zero(b3):
                value += a3 / b3
            out[i] = 100.0 * (value / 7.0)
            slot = _trailing(pos, p1, p3)
            a1 -= ring_a[slot]
            b1 -= ring_b[slot]
            slot = _trailing(pos, p2, p3)
            a2 -= ring_a[slot]
            b2 -= ring_b[slot]
            slot = _trailing(pos, p3, p3)
            a3 -= ring_a[slot]
            b3 -= ring_b[slot]
        pos += 1
        if pos == p3:
            pos = 0
    state[3], state[4] = count, pos
    state[5], state[6], state[7], state[8], state[9], state[10] = a1, a2, a3, b1, b2, b3
    state[11] = prev_close


def ultosc(
    high: FloatArray,
    low: FloatArray,
    close: FloatArray,
    timeperiod1: int = 7,
    timeperiod2: int = 14,
    timeperiod3: int = 28,
) -> FloatArray:
    """Ultimate oscillator in [0, 100]; NaN for the first max(timeperiods) values."""
    state = _init(timeperiod1, timeperiod2, timeperiod3)
    return run_batch(_run, state, as_columns(NAME, _INPUTS, (high, low, close)), 1)  # type: ignore[return-value]


class ULTOSC(StreamingIndicator):
    """Streaming ULTOSC: ``ULTOSC(timeperiod1=7, timeperiod2=14, timeperiod3=28).update(high, low, close)``."""

    name = NAME
    inputs = _INPUTS
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod1: int = 7, timeperiod2: int = 14, timeperiod3: int = 28) -> None:
        self._setup(_init(timeperiod1, timeperiod2, timeperiod3))


register(
    IndicatorSpec(
        NAME,
        ultosc,
        ULTOSC,
        _INPUTS,
        ULTOSC.outputs,
        {"timeperiod1": (1, 10), "timeperiod2": (1, 20), "timeperiod3": (1, 30)},
        "ULTOSC",
    )
)
