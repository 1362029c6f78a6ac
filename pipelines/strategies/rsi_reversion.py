"""``rsi_reversion``: buy when RSI crosses up through ``oversold``, sell when it crosses down
through ``overbought``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar, Self

from pydantic import model_validator

from nashipai.events import Bar, Side, Signal
from pipelines.strategies.base import IndicatorSpec, Strategy, StrategyParams
from pipelines.strategies.crossing import crossed_above, crossed_below
from pipelines.strategies.params import Level, Period, require_less


class RsiReversionParams(StrategyParams):
    """RSI period in bars and thresholds in RSI points (0..100); ``oversold < overbought``."""

    period: Period = 14
    oversold: Level = 30.0
    overbought: Level = 70.0

    @model_validator(mode="after")
    def _oversold_below_overbought(self) -> Self:
        require_less(self, "oversold", "overbought")
        return self


class RsiReversion(Strategy):
    """RSI mean reversion on closes.

    A buy when RSI goes from at or below ``oversold`` to above it, a sell when it goes from at
    or above ``overbought`` to below it. Indicator: ``rsi``. Strength: how far RSI moved on the
    signal bar, in RSI points / 100.
    """

    name: ClassVar[str] = "rsi_reversion"
    Params: ClassVar[type[StrategyParams]] = RsiReversionParams
    params: RsiReversionParams

    def __init__(self, params: StrategyParams | None = None, instance: str | None = None) -> None:
        super().__init__(params, instance)
        self.previous_rsi = math.nan

    def indicators(self) -> Mapping[str, IndicatorSpec]:
        params = self.params
        return {"rsi": IndicatorSpec.of("rsi", ("rsi",), timeperiod=params.period)}

    def on_bar(self, bar: Bar, indicators: Mapping[str, float]) -> Signal | None:
        params = self.params
        rsi = indicators["rsi"]
        previous = self.previous_rsi
        self.previous_rsi = rsi
        if crossed_above(previous, params.oversold, rsi, params.oversold):
            return self.signal(bar, Side.BUY, indicators, abs(rsi - previous) / 100.0)
        if crossed_below(previous, params.overbought, rsi, params.overbought):
            return self.signal(bar, Side.SELL, indicators, abs(rsi - previous) / 100.0)
        return None
