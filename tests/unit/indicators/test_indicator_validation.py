"""Bad input raises ValueError naming the indicator and what is wrong."""

from __future__ import annotations

import numpy as np
import pytest

import indicators

CLOSE = np.linspace(1.0, 2.0, 50)


def test_period_below_minimum_is_rejected_with_the_parameter_name() -> None:
    with pytest.raises(ValueError, match=r"sma: timeperiod must be >= 1, got 0"):
        indicators.sma(CLOSE, timeperiod=0)
    with pytest.raises(ValueError, match=r"rsi: timeperiod must be >= 2, got 1"):
        indicators.RSI(timeperiod=1)
    with pytest.raises(ValueError, match=r"macd: signalperiod must be >= 1, got -3"):
        indicators.macd(CLOSE, signalperiod=-3)


def test_non_integer_period_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"ema: timeperiod must be an int, got float"):
        indicators.ema(CLOSE, timeperiod=3.5)  # type: ignore[arg-type]


def test_unsupported_matype_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"bbands: matype must be 0 \(SMA\) or 1 \(EMA\), got 3"):
        indicators.bbands(CLOSE, matype=3)


def test_mismatched_lengths_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"atr: inputs have mismatched lengths \(high=50, low=49\)"):
        indicators.atr(CLOSE, CLOSE[:-1], CLOSE)
    with pytest.raises(ValueError, match="mismatched lengths"):
        indicators.STOCH().update(CLOSE, CLOSE, CLOSE[:3])


def test_wrong_dimensions_and_dtypes_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"sma: real must be 1-D, got 2-D"):
        indicators.sma(np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"sma: real must be a numeric array, got dtype <U1"):
        indicators.sma(np.array(["a", "b"]))
    with pytest.raises(ValueError, match=r"willr: expected 3 inputs \(high, low, close\), got 2"):
        indicators.WILLR().update(CLOSE, CLOSE)


def test_integer_and_float32_arrays_are_accepted_as_float64() -> None:
    np.testing.assert_array_equal(indicators.sma(np.arange(10), 3), indicators.sma(np.arange(10.0), 3))
    np.testing.assert_allclose(indicators.sma(CLOSE.astype(np.float32), 3), indicators.sma(CLOSE, 3), rtol=1e-6)


def test_acceleration_must_be_non_negative() -> None:
    with pytest.raises(ValueError, match=r"sar: acceleration must be >= 0.0, got -0.1"):
        indicators.sar(CLOSE, CLOSE, acceleration=-0.1)
