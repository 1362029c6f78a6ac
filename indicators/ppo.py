"""PPO: percentage price oscillator, 100 * (fast MA - slow MA) / slow MA (TA-Lib PPO).

``matype`` 0 (SMA) and 1 (EMA, TA-Lib's default) are supported.  Unlike MACD,
TA-Lib's PPO runs both MAs from the first value; the periods are swapped when
``slowperiod < fastperiod``.
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
    check_matype,
    check_period,
    register,
    run_batch,
)
from indicators._kernels import is_zero, ma_init, ma_load, ma_size, ma_step, ma_store

NAME = "ppo"
_FAST = 1  # state: [slow_offset, fast MA..., slow MA...]


def _init(fastperiod: int, slowperiod: int, matype: int) -> FloatArray:
    fast = check_period(NAME, "fastperiod", fastperiod, 2)
    slow = check_period(NAME, "slowperiod", slowperiod, 2)
    kind = check_matype(NAME, "matype", matype)
    if slow < fast:
        fast, slow = slow, fast
    slow_offset = _FAST + ma_size(kind, fast)
    state = np.zeros(slow_offset + ma_size(kind, slow))
    state[0] = slow_offset
    ma_init(state, _FAST, kind, fast)
    ma_init(state, slow_offset, kind, slow)
    return state


@njit(cache=True)
def _run(state: FloatArray, real: FloatArray, out: FloatArray) -> None:
    o_slow = int(state[0])
    s_fast = ma_load(state, _FAST)
    s_slow = ma_load(state, o_slow)
    for i in range(real.shape[0]):
        x = real[i]
        out[i] = math.nan
        if math.isnan(x):
            continue
        s_slow, slow = ma_step(state, o_slow, s_slow, x)
        s_fast, fast = ma_step(state, _FAST, s_fast, x)
        if not math.isnan(slow):
            out[i] = 0.0 if is_zero(slow) else ((fast - slow) / slow) * 100.0
    ma_store(state, _FAST, s_fast)
    ma_store(state, o_slow, s_slow)


def ppo(real: FloatArray, fastperiod: int = 12, slowperiod: int = 26, matype: int = 1) -> FloatArray:
    """Percentage price oscillator; NaN for the first ``slowperiod - 1`` values."""
    state = _init(fastperiod, slowperiod, matype)
    return run_batch(_run, state, as_columns(NAME, ("real",), (real,)), 1)  # type: ignore[return-value]


class PPO(StreamingIndicator):
    """Streaming PPO: ``PPO(fastperiod=12, slowperiod=26, matype=1).update(x)``."""

    name = NAME
    inputs = ("real",)
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self, *, fastperiod: int = 12, slowperiod: int = 26, matype: int = 1) -> None:
        self._setup(_init(fastperiod, slowperiod, matype))


register(
    IndicatorSpec(
        NAME,
        ppo,
        PPO,
        PPO.inputs,
        PPO.outputs,
        {"fastperiod": (2, 15), "slowperiod": (2, 30), "matype": (0, 1)},
        "PPO",
    )
)
