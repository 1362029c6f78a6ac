"""SMA: simple moving average of the last ``timeperiod`` values (TA-Lib SMA)."""

from __future__ import annotations

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
from indicators._kernels import ma_run, sma_init, sma_size

NAME = "sma"


def _init(timeperiod: int) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod)
    state = np.zeros(sma_size(period))
    sma_init(state, 0, period)
    return state


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, out: FloatArray) -> None:
    ma_run(state, real, out, False)


def sma(real: FloatArray, timeperiod: int = 30) -> FloatArray:
    """Simple moving average; NaN for the first ``timeperiod - 1`` values."""
    return run_batch(_run, _init(timeperiod), as_columns(NAME, ("real",), (real,)), 1)  # type: ignore[return-value]


class SMA(StreamingIndicator):
    """Streaming SMA: ``SMA(timeperiod=30).update(x)``."""

    name = NAME
    inputs = ("real",)
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 30) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, sma, SMA, SMA.inputs, SMA.outputs, {"timeperiod": (1, 40)}, "SMA"))
