"""Nashipai indicators: numba streaming and batch kernels with TA-Lib parity.

A standalone library (it imports nothing else of Nashipai).  Every indicator has

* a **batch** function, ``indicators.<name>(...)``, with TA-Lib's positional
  order, keyword names, output shapes and NaN warm-up
  (``indicators.macd(close, fastperiod=12, slowperiod=26, signalperiod=9)``);
* a **streaming** state class, ``indicators.<NAME>(**params)``, one per
  indicator and instrument, updated in O(1) per row (CCI: O(timeperiod)):
  ``state.update(x)`` for one row, ``state.update(array)`` for many;
  ``state.snapshot()`` returns ``(name, float64 array)`` plain data, and
  ``indicators.restore(snapshot)`` / ``<NAME>.from_snapshot(snapshot)`` rebuild it.

Batch output == streaming output == TA-Lib output (relative 1e-9, identical NaN
positions) for finite inputs; ``indicators.REGISTRY`` lists every indicator.

NaN policy: a row that holds a NaN in any input yields NaN in every output and
leaves the state untouched (the row is skipped), in batch and streaming alike.
For leading NaNs this is exactly TA-Lib's behaviour (the Python wrapper starts
after them); for NaNs inside a series TA-Lib lets them poison its running sums
for the rest of the output, whereas here only that row is NaN.

Moving-average types: ``matype`` / ``*_matype`` accept 0 (SMA) and 1 (EMA);
anything else raises ValueError.  Bad input (mismatched lengths, a period out of
range, non-numeric or non-1-D arrays) raises ValueError naming the indicator.

Kernels are ``@njit(cache=True)`` without fastmath and compile lazily, on the
first call of each indicator.
"""

from indicators._base import REGISTRY, IndicatorSpec, Snapshot, StreamingIndicator, restore
from indicators.ad import AD, ad
from indicators.adx import ADX, adx
from indicators.aroon import AROON, aroon
from indicators.atr import ATR, atr
from indicators.bbands import BBANDS, bbands
from indicators.bundle import Bundle, BundleParams
from indicators.cci import CCI, cci
from indicators.cmo import CMO, cmo
from indicators.dema import DEMA, dema
from indicators.ema import EMA, ema
from indicators.kama import KAMA, kama
from indicators.macd import MACD, macd
from indicators.mfi import MFI, mfi
from indicators.minus_di import MINUS_DI, minus_di
from indicators.mom import MOM, mom
from indicators.natr import NATR, natr
from indicators.obv import OBV, obv
from indicators.plus_di import PLUS_DI, plus_di
from indicators.ppo import PPO, ppo
from indicators.roc import ROC, roc
from indicators.rsi import RSI, rsi
from indicators.sar import SAR, sar
from indicators.session_vwap import SESSION_VWAP, session_ids, session_vwap
from indicators.sma import SMA, sma
from indicators.stddev import STDDEV, stddev
from indicators.stoch import STOCH, stoch
from indicators.stochrsi import STOCHRSI, stochrsi
from indicators.tema import TEMA, tema
from indicators.trange import TRANGE, trange
from indicators.trima import TRIMA, trima
from indicators.trix import TRIX, trix
from indicators.ultosc import ULTOSC, ultosc
from indicators.vwap import VWAP, vwap
from indicators.willr import WILLR, willr
from indicators.wma import WMA, wma

__all__ = [
    "AD", "ADX", "AROON", "ATR", "BBANDS", "CCI", "CMO", "DEMA", "EMA", "KAMA", "MACD", "MFI",
    "MINUS_DI", "MOM", "NATR", "OBV", "PLUS_DI", "PPO", "REGISTRY", "ROC", "RSI", "SAR",
    "SESSION_VWAP", "SMA", "STDDEV", "STOCH", "STOCHRSI", "TEMA", "TRANGE", "TRIMA", "TRIX",
    "ULTOSC", "VWAP", "WILLR", "WMA", "Bundle", "BundleParams", "IndicatorSpec", "Snapshot", "StreamingIndicator",
    "ad", "adx", "aroon", "atr", "bbands", "cci", "cmo", "dema", "ema", "kama", "macd", "mfi",
    "minus_di", "mom", "natr", "obv", "plus_di", "ppo", "restore", "roc", "rsi", "sar",
    "session_ids", "session_vwap", "sma", "stddev", "stoch", "stochrsi", "tema", "trange",
    "trima", "trix", "ultosc", "vwap", "willr", "wma",
]  # fmt: skip
