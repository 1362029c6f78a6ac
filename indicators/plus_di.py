"""PLUS_DI: plus directional indicator, 100 * smoothed plus DM / smoothed TR (TA-Lib PLUS_DI)."""

from __future__ import annotations

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
from indicators._directional import di_init, di_run

NAME = "plus_di"
_INPUTS = ("high", "low", "close")


def _init(timeperiod: int) -> FloatArray:
    return di_init(check_period(NAME, "timeperiod", timeperiod, 2))


@njit(cache=True)
def _run(state: FloatArray, high: FloatArray, low: FloatArray, close: FloatArray, out: FloatArray) -> None:
    di_run(state, high, low, close, out, True)


def plus_di(high: FloatArray, low: FloatArray, close: FloatArray, timeperiod: int = 14) -> FloatArray:
    """+DI in [0, 100]; NaN for the first ``timeperiod`` values."""
    return run_batch(_run, _init(timeperiod), as_columns(NAME, _INPUTS, (high, low, close)), 1)  # type: ignore[return-value]


class PLUS_DI(StreamingIndicator):  # noqa: N801 - TA-Lib name
    """Streaming PLUS_DI: ``PLUS_DI(timeperiod=14).update(high, low, close)``."""

    name = NAME
    inputs = _INPUTS
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 14) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, plus_di, PLUS_DI, _INPUTS, PLUS_DI.outputs, {"timeperiod": (2, 30)}, "PLUS_DI"))
