"""MACD: fast EMA - slow EMA, its signal EMA and histogram (TA-Lib MACD).

TA-Lib quirk kept: the fast EMA starts ``slowperiod - fastperiod`` values late,
so that it is seeded with the SMA of the ``fastperiod`` values ending where the
slow EMA's seed ends.  Periods are swapped when ``slowperiod < fastperiod``.
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
from indicators._kernels import MA_HEADER, ema_init, ema_step, ma_load, ma_store

NAME = "macd"
_FAST = 2
_SLOW = _FAST + MA_HEADER
_SIGNAL = _SLOW + MA_HEADER  # state: [count, fast_delay, fast EMA, slow EMA, signal EMA]


def _init(fastperiod: int, slowperiod: int, signalperiod: int) -> FloatArray:
    fast = check_period(NAME, "fastperiod", fastperiod, 2)
    slow = check_period(NAME, "slowperiod", slowperiod, 2)
    signal = check_period(NAME, "signalperiod", signalperiod)
    if slow < fast:
        fast, slow = slow, fast
    state = np.zeros(_SIGNAL + MA_HEADER)
    state[1] = slow - fast
    ema_init(state, _FAST, fast)
    ema_init(state, _SLOW, slow)
    ema_init(state, _SIGNAL, signal)
    return state


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, macd: FloatArray, signal: FloatArray, hist: FloatArray) -> None:
    count = int(state[0])
    delay = int(state[1])
    s_fast = ma_load(state, _FAST)
    s_slow = ma_load(state, _SLOW)
    s_signal = ma_load(state, _SIGNAL)
    for i in range(real.shape[0]):
        x = real[i]
        macd[i] = math.nan
        signal[i] = math.nan
        hist[i] = math.nan
        if math.isnan(x):
            continue
        s_slow, slow = ema_step(state, _SLOW, s_slow, x)
        fast = math.nan
        if count >= delay:
            s_fast, fast = ema_step(state, _FAST, s_fast, x)
        else:
            count += 1
        if math.isnan(slow):
            continue
        line = fast - slow
        s_signal, sig = ema_step(state, _SIGNAL, s_signal, line)
        if not math.isnan(sig):
            macd[i] = line
            signal[i] = sig
            hist[i] = line - sig
    state[0] = count
    ma_store(state, _FAST, s_fast)
    ma_store(state, _SLOW, s_slow)
    ma_store(state, _SIGNAL, s_signal)


def macd(
    real: FloatArray, fastperiod: int = 12, slowperiod: int = 26, signalperiod: int = 9
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(macd, macdsignal, macdhist); NaN for the first ``slow + signal - 2`` values."""
    state = _init(fastperiod, slowperiod, signalperiod)
    return run_batch(_run, state, as_columns(NAME, ("real",), (real,)), 3)  # type: ignore[return-value]


class MACD(StreamingIndicator):
    """Streaming MACD: ``MACD(fastperiod=12, slowperiod=26, signalperiod=9).update(x)``."""

    name = NAME
    inputs = ("real",)
    outputs = ("macd", "macdsignal", "macdhist")
    _kernel = staticmethod(_run)

    def __init__(self, *, fastperiod: int = 12, slowperiod: int = 26, signalperiod: int = 9) -> None:
        self._setup(_init(fastperiod, slowperiod, signalperiod))


register(
    IndicatorSpec(
        NAME,
        macd,
        MACD,
        MACD.inputs,
        MACD.outputs,
        {"fastperiod": (2, 15), "slowperiod": (2, 30), "signalperiod": (1, 12)},
        "MACD",
    )
)
