"""``bollinger_breakout``: buy when the close crosses above the upper Bollinger band, sell when
it crosses below the lower band."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar

from nashipai.events import Bar, Side, Signal
from pipelines.strategies.base import IndicatorSpec, Strategy, StrategyParams
from pipelines.strategies.crossing import crossed_above, crossed_below
from pipelines.strategies.params import Multiplier, Period


class BollingerBreakoutParams(StrategyParams):
    """Band period in bars and width in population standard deviations (SMA middle band)."""

    period: Period = 20
    nbdev: Multiplier = 2.0


class BollingerBreakout(Strategy):
    """Close breaking out of the Bollinger bands (the bands include the current close).

    Indicators: ``bb_upper``, ``bb_middle``, ``bb_lower``. Strength: how far the close is
    beyond the band, in band widths (``upper - lower``).
    """

    name: ClassVar[str] = "bollinger_breakout"
    Params: ClassVar[type[StrategyParams]] = BollingerBreakoutParams
    params: BollingerBreakoutParams

    def __init__(self, params: StrategyParams | None = None, instance: str | None = None) -> None:
        super().__init__(params, instance)
        self.previous_close = math.nan
        self.previous_upper = math.nan
        self.previous_lower = math.nan

    def indicators(self) -> Mapping[str, IndicatorSpec]:
        params = self.params
        bands = IndicatorSpec.of(
            "bbands",
            ("bb_upper", "bb_middle", "bb_lower"),
            timeperiod=params.period,
            nbdevup=params.nbdev,
            nbdevdn=params.nbdev,
            matype=0,
        )
        return {"bbands": bands}

    def on_bar(self, bar: Bar, indicators: Mapping[str, float]) -> Signal | None:
        upper = indicators["bb_upper"]
        lower = indicators["bb_lower"]
        close = bar.close
        previous_close, previous_upper, previous_lower = self.previous_close, self.previous_upper, self.previous_lower
        self.previous_close, self.previous_upper, self.previous_lower = close, upper, lower
        width = upper - lower
        if crossed_above(previous_close, previous_upper, close, upper):
            return self.signal(bar, Side.BUY, indicators, _in_widths(close - upper, width))
        if crossed_below(previous_close, previous_lower, close, lower):
            return self.signal(bar, Side.SELL, indicators, _in_widths(lower - close, width))
        return None


def _in_widths(distance: float, width: float) -> float:
    return distance / width if width > 0.0 else 1.0
