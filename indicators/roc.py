"""ROC: rate of change in percent, (x[t] / x[t - timeperiod] - 1) * 100 (TA-Lib ROC)."""

from __future__ import annotations

from numba import njit

from indicators._base import (
    FloatArray,
    IndicatorSpec,
    StreamingIndicator,
    as_columns,
    register,
    run_batch,
)
from indicators.mom import lag_init, lag_run

NAME = "roc"


def _init(timeperiod: int) -> FloatArray:
    return lag_init(NAME, timeperiod)


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, out: FloatArray) -> None:
    lag_run(state, real, out, True)


def roc(real: FloatArray, timeperiod: int = 10) -> FloatArray:
    """Rate of change (percent, 0 when the old value is 0); NaN for the first ``timeperiod`` values."""
    return run_batch(_run, _init(timeperiod), as_columns(NAME, ("real",), (real,)), 1)  # type: ignore[return-value]


class ROC(StreamingIndicator):
    """Streaming ROC: ``ROC(timeperiod=10).update(x)``."""

    name = NAME
    inputs = ("real",)
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 10) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, roc, ROC, ROC.inputs, ROC.outputs, {"timeperiod": (1, 30)}, "ROC"))
