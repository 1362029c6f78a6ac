"""``macd_cross``: buy when the MACD line crosses above its signal line, sell when below."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar, Self

from pydantic import model_validator

from nashipai.events import Bar, Side, Signal
from pipelines.strategies.base import IndicatorSpec, Strategy, StrategyParams
from pipelines.strategies.crossing import crossed_above, crossed_below
from pipelines.strategies.params import Period, require_less


class MacdCrossParams(StrategyParams):
    """MACD periods in bars (TA-Lib MACD); ``fast_period < slow_period``."""

    fast_period: Period = 12
    slow_period: Period = 26
    signal_period: Period = 9

    @model_validator(mode="after")
    def _fast_below_slow(self) -> Self:
        require_less(self, "fast_period", "slow_period")
        return self


class MacdCross(Strategy):
    """MACD line / signal line crossover on closes.

    Indicators: ``macd``, ``macd_signal``, ``macd_hist``. Strength: ``|macd_hist| / close``,
    the gap between the lines relative to the price.
    """

    name: ClassVar[str] = "macd_cross"
    Params: ClassVar[type[StrategyParams]] = MacdCrossParams
    params: MacdCrossParams

    def __init__(self, params: StrategyParams | None = None, instance: str | None = None) -> None:
        super().__init__(params, instance)
        self.previous_macd = math.nan
        self.previous_signal = math.nan

    def indicators(self) -> Mapping[str, IndicatorSpec]:
        params = self.params
        return {
            "macd": IndicatorSpec.of(
                "macd",
                ("macd", "macd_signal", "macd_hist"),
                fastperiod=params.fast_period,
                slowperiod=params.slow_period,
                signalperiod=params.signal_period,
            )
        }

    def on_bar(self, bar: Bar, indicators: Mapping[str, float]) -> Signal | None:
        line = indicators["macd"]
        signal_line = indicators["macd_signal"]
        previous_line, previous_signal = self.previous_macd, self.previous_signal
        self.previous_macd, self.previous_signal = line, signal_line
        strength = abs(line - signal_line) / abs(bar.close) if bar.close else abs(line - signal_line)
        if crossed_above(previous_line, previous_signal, line, signal_line):
            return self.signal(bar, Side.BUY, indicators, strength)
        if crossed_below(previous_line, previous_signal, line, signal_line):
            return self.signal(bar, Side.SELL, indicators, strength)
        return None
