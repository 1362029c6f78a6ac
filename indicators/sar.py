"""SAR: Wilder's parabolic stop and reverse (TA-Lib SAR).

The first direction comes from the first two bars' directional movement, as
TA-Lib does; ``acceleration`` is capped at ``maximum``.
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
    register,
    run_batch,
)

NAME = "sar"
_INPUTS = ("high", "low")
_HEADER = 9  # acceleration, maximum, count, is_long, af, ep, sar, new_high, new_low


def _init(acceleration: float, maximum: float) -> FloatArray:
    accel = check_float(NAME, "acceleration", acceleration)
    limit = check_float(NAME, "maximum", maximum)
    state = np.zeros(_HEADER)
    state[0] = min(accel, limit)
    state[1] = limit
    return state


@njit(cache=True)
def _long_step(
    af: float, ep: float, sar: float, prev_high: float, prev_low: float, h: float, lo: float, accel: float, limit: float
) -> tuple[bool, float, float, float, float]:
    """One bar while long: (still long, af, ep, sar for the next bar, output)."""
    if lo <= sar:
        sar = max(ep, prev_high, h)
        output = sar
        af = accel
        ep = lo
        sar = sar + af * (ep - sar)
        return False, af, ep, max(sar, prev_high, h), output
    output = sar
    if h > ep:
        ep = h
        af = min(af + accel, limit)
    sar = sar + af * (ep - sar)
    return True, af, ep, min(sar, prev_low, lo), output


@njit(cache=True)
def _short_step(
    af: float, ep: float, sar: float, prev_high: float, prev_low: float, h: float, lo: float, accel: float, limit: float
) -> tuple[bool, float, float, float, float]:
    """One bar while short: (now long, af, ep, sar for the next bar, output)."""
    if h >= sar:
        sar = min(ep, prev_low, lo)
        output = sar
        af = accel
        ep = h
        sar = sar + af * (ep - sar)
        return True, af, ep, min(sar, prev_low, lo), output
    output = sar
    if lo < ep:
        ep = lo
        af = min(af + accel, limit)
    sar = sar + af * (ep - sar)
    return False, af, ep, max(sar, prev_high, h), output


@njit(cache=True)
def _run(state: FloatArray, high: FloatArray, low: FloatArray, out: FloatArray) -> None:
    accel, limit = state[0], state[1]
    count = int(state[2])
    is_long = state[3] == 1.0
    af, ep, sar, new_high, new_low = state[4], state[5], state[6], state[7], state[8]
    for i in range(high.shape[0]):
        h, lo = high[i], low[i]
        out[i] = math.nan
        if math.isnan(h) or math.isnan(lo):
            continue
        if count == 0:
            count = 1
            new_high, new_low = h, lo
            continue
        if count == 1:
            count = 2
            diff_p = h - new_high
            diff_m = new_low - lo
            is_long = not (diff_m > 0 and diff_p < diff_m)
            af = accel
            ep, sar = (h, new_low) if is_long else (lo, new_high)
            new_high, new_low = h, lo
        prev_high, prev_low = new_high, new_low
        new_high, new_low = h, lo
        if is_long:
            is_long, af, ep, sar, out[i] = _long_step(af, ep, sar, prev_high, prev_low, h, lo, accel, limit)
        else:
            is_long, af, ep, sar, out[i] = _short_step(af, ep, sar, prev_high, prev_low, h, lo, accel, limit)
    state[2] = count
    state[3] = 1.0 if is_long else 0.0
    state[4], state[5], state[6], state[7], state[8] = af, ep, sar, new_high, new_low


def sar(high: FloatArray, low: FloatArray, acceleration: float = 0.02, maximum: float = 0.2) -> FloatArray:
    """Parabolic SAR; NaN for the first value."""
    state = _init(acceleration, maximum)
    return run_batch(_run, state, as_columns(NAME, _INPUTS, (high, low)), 1)  # type: ignore[return-value]


class SAR(StreamingIndicator):
    """Streaming SAR: ``SAR(acceleration=0.02, maximum=0.2).update(high, low)``."""

    name = NAME
    inputs = _INPUTS
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, acceleration: float = 0.02, maximum: float = 0.2) -> None:
        self._setup(_init(acceleration, maximum))


register(
    IndicatorSpec(NAME, sar, SAR, _INPUTS, SAR.outputs, {"acceleration": (0.01, 0.1), "maximum": (0.1, 0.5)}, "SAR")
)
