"""CMO: Chande momentum oscillator with Wilder averaging (TA-Lib CMO)."""

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
from indicators._wilder import wilder_new, wilder_run

NAME = "cmo"


def _init(timeperiod: int) -> FloatArray:
    return wilder_new(check_period(NAME, "timeperiod", timeperiod, 2))


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, out: FloatArray) -> None:
    wilder_run(state, real, out, True)


def cmo(real: FloatArray, timeperiod: int = 14) -> FloatArray:
    """Chande momentum oscillator in [-100, 100]; NaN for the first ``timeperiod`` values."""
    return run_batch(_run, _init(timeperiod), as_columns(NAME, ("real",), (real,)), 1)  # type: ignore[return-value]


class CMO(StreamingIndicator):
    """Streaming CMO: ``CMO(timeperiod=14).update(x)``."""

    name = NAME
    inputs = ("real",)
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, timeperiod: int = 14) -> None:
        self._setup(_init(timeperiod))


register(IndicatorSpec(NAME, cmo, CMO, CMO.inputs, CMO.outputs, {"timeperiod": (2, 30)}, "CMO"))
