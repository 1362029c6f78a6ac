"""Wilder's directional movement block shared by PLUS_DI, MINUS_DI and ADX.

State ``[period, count, prev_high, prev_low, prev_close, plus_dm, minus_dm, tr]``.
The first ``period - 1`` moves are summed, later ones smoothed as
``x = x - x / period + move`` exactly as TA-Lib's DI/ADX loops do.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from indicators._base import FloatArray
from indicators._kernels import true_range

HEADER = 8
DmState = tuple[int, int, float, float, float, float, float, float]


def dm_init(state: FloatArray, offset: int, period: int) -> None:
    """Write a fresh directional-movement block."""
    state[offset : offset + HEADER] = 0.0
    state[offset] = period


@njit(cache=True)
def dm_load(state: FloatArray, o: int) -> DmState:
    """Read a directional-movement block."""
    return (
        int(state[o]),
        int(state[o + 1]),
        state[o + 2],
        state[o + 3],
        state[o + 4],
        state[o + 5],
        state[o + 6],
        state[o + 7],
    )


@njit(cache=True)
def dm_store(state: FloatArray, o: int, s: DmState) -> None:
    """Write a directional-movement block back."""
    state[o + 1] = s[1]
    state[o + 2] = s[2]
    state[o + 3] = s[3]
    state[o + 4] = s[4]
    state[o + 5] = s[5]
    state[o + 6] = s[6]
    state[o + 7] = s[7]


@njit(cache=True, inline="always")
def dm_step(s: DmState, h: float, lo: float, c: float) -> tuple[DmState, bool]:
    """Consume one bar; return (state, True when the smoothed sums are ready)."""
    n, count, prev_high, prev_low, prev_close, plus_dm, minus_dm, tr = s
    if count == 0:
        return (n, 1, h, lo, c, plus_dm, minus_dm, tr), False
    diff_p = h - prev_high
    diff_m = prev_low - lo
    range_ = true_range(h, lo, prev_close)
    if count < n:
        if diff_m > 0 and diff_p < diff_m:
            minus_dm += diff_m
        elif diff_p > 0 and diff_p > diff_m:
            plus_dm += diff_p
        tr += range_
        return (n, count + 1, h, lo, c, plus_dm, minus_dm, tr), False
    minus_dm -= minus_dm / n
    plus_dm -= plus_dm / n
    if diff_m > 0 and diff_p < diff_m:
        minus_dm += diff_m
    elif diff_p > 0 and diff_p > diff_m:
        plus_dm += diff_p
    tr = tr - (tr / n) + range_
    return (n, count + 1, h, lo, c, plus_dm, minus_dm, tr), True


@njit(cache=True)
def directional_index(dm: float, tr: float) -> float:
    """100 * dm / tr, 0 when tr is exactly 0."""
    return 0.0 if tr == 0.0 else 100.0 * (dm / tr)


def di_init(period: int) -> FloatArray:
    """A fresh PLUS_DI / MINUS_DI state: one directional-movement block."""
    state = np.zeros(HEADER)
    dm_init(state, 0, period)
    return state


@njit(cache=True, inline="always")
def di_run(
    state: FloatArray, high: FloatArray, low: FloatArray, close: FloatArray, out: FloatArray, plus: bool
) -> None:
    """The PLUS_DI (``plus``) / MINUS_DI kernel body; callers pass a literal, so the branch folds away."""
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
            out[i] = directional_index(s[5] if plus else s[6], s[7])
    dm_store(state, 0, s)
