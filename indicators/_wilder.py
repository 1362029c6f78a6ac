"""Wilder gain/loss averaging shared by RSI and CMO (TA-Lib's RSI/CMO loops).

State: ``[period, count, prev_value, prev_gain, prev_loss]``.  The first
``period`` differences are summed and divided; after that each difference
updates ``avg = avg * ((period - 1) / period) + move * (1 / period)`` (TA-Lib
divides ``avg * (period - 1) + move`` by ``period``: same to ~1e-15 relative, but a
division on the carried chain costs ~15 cycles a row).
"""

from __future__ import annotations

from numba import njit

from indicators._base import FloatArray

HEADER = 5
WilderState = tuple[int, int, float, float, float]


def wilder_init(state: FloatArray, offset: int, period: int) -> None:
    """Write a fresh gain/loss block."""
    state[offset : offset + HEADER] = (period, 0.0, 0.0, 0.0, 0.0)


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
