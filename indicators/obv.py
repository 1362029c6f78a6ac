"""OBV: on-balance volume, cumulative volume signed by the close's direction (TA-Lib OBV)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from indicators._base import FloatArray, IndicatorSpec, StreamingIndicator, as_columns, register, run_batch

NAME = "obv"
_INPUTS = ("real", "volume")


def _init() -> FloatArray:
    return np.zeros(3)  # started, prev_real, obv


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, volume: FloatArray, out: FloatArray) -> None:
    started = state[0]
    prev = state[1]
    obv = state[2]
    for i in range(real.shape[0]):
        x = real[i]
        v = volume[i]
        if math.isnan(x) or math.isnan(v):
            out[i] = math.nan
            continue
        if started == 0.0:
            started = 1.0
            obv = v
        elif x > prev:
            obv += v
        elif x < prev:
            obv -= v
        out[i] = obv
        prev = x
    state[0] = started
    state[1] = prev
    state[2] = obv


def obv(real: FloatArray, volume: FloatArray) -> FloatArray:
    """On-balance volume, starting at the first volume; no warm-up."""
    return run_batch(_run, _init(), as_columns(NAME, _INPUTS, (real, volume)), 1)  # type: ignore[return-value]


class OBV(StreamingIndicator):
    """Streaming OBV: ``OBV().update(close, volume)``."""

    name = NAME
    inputs = _INPUTS
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self) -> None:
        self._setup(_init())


register(IndicatorSpec(NAME, obv, OBV, _INPUTS, OBV.outputs, {}, "OBV"))
