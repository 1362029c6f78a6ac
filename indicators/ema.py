"""EMA: exponential moving average, TA-Lib style (k = 2 / (n + 1), seeded with the SMA of the first n)."""

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
from indicators._kernels import ema_init, ema_size, ma_run

NAME = "ema"


def _init(timeperiod: int) -> FloatArray:
    period = check_period(NAME, "timeperiod", timeperiod, 2)
    state = np.zeros(ema_size())
    ema_init(state, 0, period)
    return state


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, out: FloatArray) -> None:
    ma_run(state, real, out, True)


def ema(real: FloatArray, timeperiod: int = 30) -> FloatArray:
    """Exponential moving average; NaN for the first ``timeperiod - 1`` values."""
    return run_batch(_run, _init(timeperiod), as_columns(NAME, ("real",), (real,)), 1)  # type: ignore[return-value]


class EMA(StreamingIndicator):
    """Streaming EMA: ``EMA(timeperiod=30).update(x)``."""

    name = NAME
    inputs = ("real",)
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 30) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, ema, EMA, EMA.inputs, EMA.outputs, {"timeperiod": (2, 40)}, "EMA"))
