"""Bundle: EMA, RSI, MACD, BBANDS, ATR and rolling VWAP of one instrument in one fused kernel.

One numba call per chunk updates all six states, so a dataflow that feeds 100+
ticks at a time pays the ~300 ns call overhead once, not six times.  Outputs
are identical to the six indicators run separately (same blocks, same order).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

import numpy as np
from numba import njit

from indicators._base import (
    _SCALAR_TYPES,
    FloatArray,
    Output,
    StreamingIndicator,
    as_columns,
    check_float,
    check_period,
)
from indicators._kernels import (
    MA_HEADER,
    MaState,
    ema_init,
    ema_step,
    ma_load,
    ma_size,
    ma_store,
    sma_init,
    sma_step,
    var_init,
    var_load,
    var_size,
    var_step,
    var_store,
)
from indicators._wilder import HEADER as WILDER_HEADER
from indicators._wilder import rsi_value, wilder_init, wilder_load, wilder_step, wilder_store
from indicators.atr import HEADER as ATR_HEADER
from indicators.atr import atr_init, atr_load, atr_step, atr_store
from indicators.vwap import HEADER as VWAP_HEADER
from indicators.vwap import vwap_init, vwap_load, vwap_step, vwap_store

OUTPUTS = ("ema", "rsi", "macd", "macdsignal", "macdhist", "upperband", "middleband", "lowerband", "atr", "vwap")
_LAYOUT = 14  # header: 11 block offsets, macd count, macd delay, nbdev


@dataclass(frozen=True)
class BundleParams:
    """Periods of the six indicators (TA-Lib defaults except the BBANDS/VWAP windows)."""

    ema: int = 30
    rsi: int = 14
    macd_fast: int = 12
    macd_slow: int = 26
    macd_signal: int = 9
    bbands: int = 20
    nbdev: float = 2.0
    atr: int = 14
    vwap: int = 20


def _init(p: BundleParams) -> FloatArray:
    fast, slow = sorted(
        (check_period("bundle", "macd_fast", p.macd_fast, 2), check_period("bundle", "macd_slow", p.macd_slow, 2))
    )
    bb = check_period("bundle", "bbands", p.bbands, 2)
    vw = check_period("bundle", "vwap", p.vwap)
    sizes = [MA_HEADER, WILDER_HEADER, MA_HEADER, MA_HEADER, MA_HEADER, var_size(bb), ma_size(0, bb), ATR_HEADER]
    sizes.append(VWAP_HEADER + 2 * vw)
    offsets = np.cumsum([_LAYOUT, *sizes[:-1]])
    state = np.zeros(_LAYOUT + sum(sizes))
    state[: len(offsets)] = offsets
    state[11] = 0.0
    state[12] = slow - fast
    state[13] = check_float("bundle", "nbdev", p.nbdev, -math.inf)
    o = [int(x) for x in offsets]
    ema_init(state, o[0], check_period("bundle", "ema", p.ema, 2))
    wilder_init(state, o[1], check_period("bundle", "rsi", p.rsi, 2))
    ema_init(state, o[2], fast)
    ema_init(state, o[3], slow)
    ema_init(state, o[4], check_period("bundle", "macd_signal", p.macd_signal))
    var_init(state, o[5], bb)
    sma_init(state, o[6], bb)
    atr_init(state, o[7], check_period("bundle", "atr", p.atr))
    vwap_init(state, o[8], vw)
    return state


_MacdState = tuple[MaState, MaState, MaState]


@njit(cache=True, inline="always")
def _macd_row(
    state: FloatArray,
    o: tuple[int, int, int],
    s: _MacdState,
    count: int,
    delay: int,
    x: float,
    out: FloatArray,
    i: int,
) -> tuple[_MacdState, int]:
    s_fast, s_slow, s_sig = s
    s_slow, slow = ema_step(state, o[1], s_slow, x)
    fast = math.nan
    if count >= delay:
        s_fast, fast = ema_step(state, o[0], s_fast, x)
    else:
        count += 1
    if not math.isnan(slow):
        line = fast - slow
        s_sig, sig = ema_step(state, o[2], s_sig, line)
        if not math.isnan(sig):
            out[2, i] = line
            out[3, i] = sig
            out[4, i] = line - sig
    return (s_fast, s_slow, s_sig), count


@njit(cache=True)
def _run(
    state: FloatArray, high: FloatArray, low: FloatArray, close: FloatArray, volume: FloatArray, out: FloatArray
) -> None:
    o0, o1, o2, o3, o4 = int(state[0]), int(state[1]), int(state[2]), int(state[3]), int(state[4])
    o5, o6, o7, o8 = int(state[5]), int(state[6]), int(state[7]), int(state[8])
    count, delay, nbdev = int(state[11]), int(state[12]), state[13]
    s_ema, s_rsi = ma_load(state, o0), wilder_load(state, o1)
    s_macd = (ma_load(state, o2), ma_load(state, o3), ma_load(state, o4))
    s_var, s_mid, s_atr, s_vwap = var_load(state, o5), ma_load(state, o6), atr_load(state, o7), vwap_load(state, o8)
    for i in range(close.shape[0]):
        h, lo, c, v = high[i], low[i], close[i], volume[i]
        for j in range(10):
            out[j, i] = math.nan
        if not math.isnan(c):
            s_ema, out[0, i] = ema_step(state, o0, s_ema, c)
            s_rsi, ready = wilder_step(s_rsi, c)
            if ready:
                out[1, i] = rsi_value(s_rsi[3], s_rsi[4])
            s_macd, count = _macd_row(state, (o2, o3, o4), s_macd, count, delay, c, out, i)
            s_var, variance = var_step(state, o5, s_var, c)
            s_mid, mid = sma_step(state, o6, s_mid, c)
            if not math.isnan(variance):
                deviation = math.sqrt(variance) * nbdev
                out[5, i], out[6, i], out[7, i] = mid + deviation, mid, mid - deviation
            if not (math.isnan(h) or math.isnan(lo)):
                s_atr, out[8, i] = atr_step(s_atr, h, lo, c)
            if not math.isnan(v):
                s_vwap, out[9, i] = vwap_step(state, o8, s_vwap, c, v)
    state[11] = count
    ma_store(state, o0, s_ema)
    wilder_store(state, o1, s_rsi)
    ma_store(state, o2, s_macd[0])
    ma_store(state, o3, s_macd[1])
    ma_store(state, o4, s_macd[2])
    var_store(state, o5, s_var)
    ma_store(state, o6, s_mid)
    atr_store(state, o7, s_atr)
    vwap_store(state, o8, s_vwap)


@njit(cache=True)
def _run_one(
    state: FloatArray, row: FloatArray, out: FloatArray, high: float, low: float, close: float, volume: float
) -> tuple[float, float, float, float, float, float, float, float, float, float]:
    """One tick through :func:`_run` via preallocated buffers; the ten outputs as a tuple."""
    row[0] = high
    row[1] = low
    row[2] = close
    row[3] = volume
    _run(state, row[0:1], row[1:2], row[2:3], row[3:4], out)
    return (
        out[0, 0], out[1, 0], out[2, 0], out[3, 0], out[4, 0], out[5, 0], out[6, 0], out[7, 0], out[8, 0], out[9, 0]
    )  # fmt: skip


class Bundle(StreamingIndicator):
    """Six indicators of one instrument, updated together: ``Bundle().update(high, low, close, volume)``.

    Returns a (10, n) float64 array, rows in :data:`OUTPUTS` order, for arrays
    (a tuple of 10 floats for one row).  A NaN close skips the row for every
    indicator; a NaN high/low skips only ATR, a NaN volume only VWAP.  The BBANDS
    middle band is an SMA (matype 0); VWAP uses the close as the price.

    Hot loops: pass a preallocated ``out=`` array, or call :attr:`update_unchecked`
    (no validation at all, one numba dispatch) with arrays you know are right.
    """

    name = "bundle"
    inputs = ("high", "low", "close", "volume")
    outputs = OUTPUTS
    _kernel = staticmethod(_run)

    update_unchecked: Callable[[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray], None]
    """``update_unchecked(high, low, close, volume, out)``: the trusted fast path.

    Inputs must be equal-length 1-D float64 arrays and ``out`` a float64 array of
    shape ``(10, n)``; nothing is checked (a wrong shape can corrupt memory, as
    with any unchecked numba kernel).  Writes the outputs into ``out``, returns None.
    """

    def __init__(self, params: BundleParams | None = None) -> None:
        self._setup(_init(params or BundleParams()))

    def _setup(self, state: FloatArray) -> None:
        self._state = state
        one = cast(Callable[..., tuple[float, ...]], _run_one)
        self.update_one = partial(one, state, np.empty(4), np.empty((10, 1)))
        self.update_unchecked = partial(cast(Callable[..., None], _run), state)

    def update(self, *values: Any, out: FloatArray | None = None) -> Output:
        """As :meth:`StreamingIndicator.update`; ``out`` (arrays only) receives the (10, n) outputs."""
        if out is None and values and type(values[0]) in _SCALAR_TYPES and len(values) == 4:
            return self.update_one(*values)
        return self.update_many(*values, out=out)

    def update_many(self, *arrays: object, out: FloatArray | None = None) -> FloatArray:
        """Consume equal-length arrays (high, low, close, volume); return a (10, n) array.

        Raises:
            ValueError: bad inputs, or an ``out`` that is not a float64 array of shape (10, n).
        """
        columns = as_columns(self.name, self.inputs, arrays)
        n = columns[0].shape[0]
        if out is None:
            out = np.empty((len(OUTPUTS), n))
        elif type(out) is not np.ndarray or out.dtype != np.float64 or out.shape != (len(OUTPUTS), n):
            raise ValueError(f"bundle: out must be a float64 array of shape (10, {n})")
        self.update_unchecked(columns[0], columns[1], columns[2], columns[3], out)
        return out
