"""MFI: money flow index, a volume-weighted RSI of the typical price (TA-Lib MFI).

A typical-price move within 1e-14 relative counts as no move (TA-Lib >= 0.6);
a side with no flow in the window sums to exactly 0 (counted, so running-sum
residue cannot fake one).
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
from indicators._kernels import is_zero, is_zero_scaled

NAME = "mfi"
_INPUTS = ("high", "low", "close", "volume")
_HEADER = 8  # period, count, pos, prev_tp, pos_sum, neg_sum, pos_flows, neg_flows; rings pos[n], neg[n]


def _init(timeperiod: int) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod, 2)
    state = np.zeros(_HEADER + 2 * period)
    state[0] = period
    return state


@njit(cache=True)
def _run(
    state: FloatArray, high: FloatArray, low: FloatArray, close: FloatArray, volume: FloatArray, out: FloatArray
) -> None:
    n = int(state[0])
    count = int(state[1])
    pos = int(state[2])
    prev_tp = state[3]
    pos_sum = state[4]
    neg_sum = state[5]
    pos_flows = int(state[6])
    neg_flows = int(state[7])
    ring_pos = state[_HEADER : _HEADER + n]
    ring_neg = state[_HEADER + n :]
    for i in range(high.shape[0]):
        h = high[i]
        lo = low[i]
        c = close[i]
        v = volume[i]
        out[i] = math.nan
        if math.isnan(h) or math.isnan(lo) or math.isnan(c) or math.isnan(v):
            continue
        tp = (h + lo + c) / 3.0
        if count == 0:
            prev_tp = tp
            count = 1
            continue
        if count > n:
            if ring_pos[pos] != 0.0:
                pos_sum -= ring_pos[pos]
                pos_flows -= 1
            if ring_neg[pos] != 0.0:
                neg_sum -= ring_neg[pos]
                neg_flows -= 1
        move = tp - prev_tp
        flat = is_zero_scaled(move, abs(tp) + abs(prev_tp))
        prev_tp = tp
        flow = tp * v
        ring_pos[pos] = 0.0
        ring_neg[pos] = 0.0
        if flat:
            pass
        elif move < 0:
            ring_neg[pos] = flow
            neg_sum += flow
            neg_flows += 1 if flow != 0.0 else 0
        elif move > 0:
            ring_pos[pos] = flow
            pos_sum += flow
            pos_flows += 1 if flow != 0.0 else 0
        if pos_flows == 0:
            pos_sum = 0.0
        if neg_flows == 0:
            neg_sum = 0.0
        pos += 1
        if pos == n:
            pos = 0
        if count < n:
            count += 1
            continue
        count = n + 1
        total = pos_sum + neg_sum
        out[i] = 0.0 if is_zero(total) else 100.0 * (pos_sum / total)
    state[1] = count
    state[2] = pos
    state[3] = prev_tp
    state[4] = pos_sum
    state[5] = neg_sum
    state[6] = pos_flows
    state[7] = neg_flows


def mfi(high: FloatArray, low: FloatArray, close: FloatArray, volume: FloatArray, timeperiod: int = 14) -> FloatArray:
    """Money flow index in [0, 100]; NaN for the first ``timeperiod`` values."""
    columns = as_columns(NAME, _INPUTS, (high, low, close, volume))
    return run_batch(_run, _init(timeperiod), columns, 1)  # type: ignore[return-value]


class MFI(StreamingIndicator):
    """Streaming MFI: ``MFI(timeperiod=14).update(high, low, close, volume)``."""

    name = NAME
    inputs = _INPUTS
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 14) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, mfi, MFI, _INPUTS, MFI.outputs, {"timeperiod": (2, 30)}, "MFI"))
