"""TEMA: triple exponential moving average, 3*E1 - 3*E2 + E3 (TA-Lib TEMA)."""

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
from indicators._kernels import MA_HEADER, ema_init, ema_step, ma_load, ma_store

NAME = "tema"
_O2 = MA_HEADER
_O3 = 2 * MA_HEADER


def _init(timeperiod: int) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod, 2)
    state = np.zeros(3 * MA_HEADER)
    for offset in (0, _O2, _O3):
        ema_init(state, offset, period)
    return state


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, out: FloatArray) -> None:
    s1 = ma_load(state, 0)
    s2 = ma_load(state, _O2)
    s3 = ma_load(state, _O3)
    for i in range(real.shape[0]):
        x = real[i]
        out[i] = math.nan
        if math.isnan(x):
            continue
        s1, e1 = ema_step(state, 0, s1, x)
        if math.isnan(e1):
            continue
        s2, e2 = ema_step(state, _O2, s2, e1)
        if math.isnan(e2):
            continue
        s3, e3 = ema_step(state, _O3, s3, e2)
        if not math.isnan(e3):
            out[i] = e3 + ((3.0 * e1) - (3.0 * e2))
    ma_store(state, 0, s1)
    ma_store(state, _O2, s2)
    ma_store(state, _O3, s3)


def tema(real: FloatArray, timeperiod: int = 30) -> FloatArray:
    """Triple EMA; NaN for the first ``3 * (timeperiod - 1)`` values."""
    return run_batch(_run, _init(timeperiod), as_columns(NAME, ("real",), (real,)), 1)  # type: ignore[return-value]


class TEMA(StreamingIndicator):
    """Streaming TEMA: ``TEMA(timeperiod=30).update(x)``."""

    name = NAME
    inputs = ("real",)
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 30) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, tema, TEMA, TEMA.inputs, TEMA.outputs, {"timeperiod": (2, 25)}, "TEMA"))
