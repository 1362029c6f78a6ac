"""Wilder gain/loss averaging shared by RSI and CMO (TA-Lib's RSI/CMO loops).

State: ``[period, count, prev_value, prev_gain, prev_loss]``.  The first
``period`` differences are summed and divided; after that each difference
updates ``avg = avg * ((period - 1) / period) + move * (1 / period)`` (TA-Lib
divides ``avg * (period - 1) + move`` by ``period``: same to ~1e-15 relative, but a
division on the carried chain costs ~15 cycles a row).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from indicators._base import FloatArray

HEADER = 5
WilderState = tuple[int, int, float, float, float]


def wilder_init(state: FloatArray, offset: int, period: int) -> None:
    """Write a fresh gain/loss block."""
    state[offset : offset + HEADER] = (period, 0.0, 0.0, 0.0, 0.0)


def wilder_new(period: int) -> FloatArray:
    """A fresh RSI / CMO state: one gain/loss block."""
    state = np.zeros(HEADER)
    wilder_init(state, 0, period)
    return state


@njit(cache=True)
def wilder_load(state: FloatArray, o: int) -> WilderState:
    """Read a gain/loss header."""
    return (int(state[o]), int(state[o + 1]), state[o + 2], state[o + 3], state[o + 4])


@njit(cache=True)
def wilder_store(state: FloatArray, o: int, s: WilderState) -> None:
    """Write a gain/loss header back."""
    state[o + 1] = s[1]
    state[o + 2] = s[2]
    state[o + 3] = s[3]
    state[o + 4] = s[4]


@njit(cache=True, inline="always")
def wilder_step(s: WilderState, x: float) -> tuple[WilderState, bool]:
    """Consume ``x``; return (state, True when prev_gain/prev_loss are ready)."""
    n, count, prev_value, gain, loss = s
    move = x - prev_value
    if count == 0:
        return (n, 1, x, gain, loss), False
    if count <= n:
        if move < 0:
            loss -= move
        else:
            gain += move
        if count == n:
            loss /= n
            gain /= n
        return (n, count + 1, x, gain, loss), count == n
    a = (n - 1) / n  # avg * (n - 1) / n + move / n, with no division on the carried chains
    b = 1.0 / n
    loss *= a
    gain *= a
    if move < 0:
        loss -= move * b
    else:
        gain += move * b
    return (n, count, x, gain, loss), True


@njit(cache=True)
def rsi_value(gain: float, loss: float) -> float:
    """100 * gain / (gain + loss), 0 when the sum is exactly 0 (TA-Lib >= 0.6)."""
    total = gain + loss
    return 0.0 if total == 0.0 else 100.0 * (gain / total)


@njit(cache=True)
def cmo_value(gain: float, loss: float) -> float:
    """100 * (gain - loss) / (gain + loss), 0 when the sum is exactly 0 (TA-Lib >= 0.6)."""
    total = gain + loss
    return 0.0 if total == 0.0 else 100.0 * ((gain - loss) / total)


@njit(cache=True, inline="always")
def wilder_run(state: FloatArray, real: FloatArray, out: FloatArray, cmo: bool) -> None:
    """The RSI / CMO (``cmo``) kernel body; callers pass a literal, so the branch folds away."""
    s = wilder_load(state, 0)
    for i in range(real.shape[0]):
        x = real[i]
        out[i] = math.nan
        if math.isnan(x):
            continue
        s, ready = wilder_step(s, x)
        if ready:
            out[i] = cmo_value(s[3], s[4]) if cmo else rsi_value(s[3], s[4])
    wilder_store(state, 0, s)
