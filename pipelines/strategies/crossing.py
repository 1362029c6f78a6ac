"""Crossover tests shared by the built-in strategies.

A crossover compares the previous bar's pair with the current one (TradingView's
convention): ``a`` crosses above ``b`` when ``a <= b`` before and ``a > b`` now. Any NaN
(an indicator still warming up) means no crossover.
"""

from __future__ import annotations

import math


def crossed_above(previous_a: float, previous_b: float, a: float, b: float) -> bool:
    """``a`` went from at or below ``b`` to above it; False if any value is NaN."""
    return _finite(previous_a, previous_b, a, b) and previous_a <= previous_b and a > b


def crossed_below(previous_a: float, previous_b: float, a: float, b: float) -> bool:
    """``a`` went from at or above ``b`` to below it; False if any value is NaN."""
    return _finite(previous_a, previous_b, a, b) and previous_a >= previous_b and a < b


def relative_gap(a: float, b: float) -> float:
    """``|a - b| / |b|``: a deterministic, scale-free strength (``|a - b|`` when ``b`` is 0)."""
    scale = abs(b)
    return abs(a - b) / scale if scale > 0.0 else abs(a - b)


def _finite(previous_a: float, previous_b: float, a: float, b: float) -> bool:
    isfinite = math.isfinite
    return isfinite(previous_a) and isfinite(previous_b) and isfinite(a) and isfinite(b)
