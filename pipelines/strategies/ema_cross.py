"""``ema_cross``: buy when the fast EMA crosses above the slow EMA, sell when it crosses below."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar, Self

from pydantic import model_validator

from nashipai.events import Bar, Side, Signal
from pipelines.strategies.base import IndicatorSpec, Strategy, StrategyParams
from pipelines.strategies.crossing import crossed_above, crossed_below, relative_gap
from pipelines.strategies.params import Period, require_less


class EmaCrossParams(StrategyParams):
    """EMA periods in bars; ``fast_period < slow_period``."""

    fast_period: Period = 12
    slow_period: Period = 26

    @model_validator(mode="after")
    def _fast_below_slow(self) -> Self:
        require_less(self, "fast_period", "slow_period")
        return self


class EmaCross(Strategy):
    """Fast/slow EMA crossover on closes.

    Indicators: ``ema_fast``, ``ema_slow``. Strength: the EMAs' relative gap
    ``|fast - slow| / slow`` on the signal bar.
    """

    name: ClassVar[str] = "ema_cross"
    Params: ClassVar[type[StrategyParams]] = EmaCrossParams
    params: EmaCrossParams

    def __init__(self, params: StrategyParams | None = None, instance: str | None = None) -> None:
        super().__init__(params, instance)
        self.previous_fast = math.nan
        self.previous_slow = math.nan

    def indicators(self) -> Mapping[str, IndicatorSpec]:
        params = self.params
        return {
            "ema_fast": IndicatorSpec.of("ema", ("ema_fast",), timeperiod=params.fast_period),
            "ema_slow": IndicatorSpec.of("ema", ("ema_slow",), timeperiod=params.slow_period),
        }

    def on_bar(self, bar: Bar, indicators: Mapping[str, float]) -> Signal | None:
        fast = indicators["ema_fast"]
        slow = indicators["ema_slow"]
        previous_fast, previous_slow = self.previous_fast, self.previous_slow
        self.previous_fast, self.previous_slow = fast, slow
        if crossed_above(previous_fast, previous_slow, fast, slow):
            return self.signal(bar, Side.BUY, indicators, relative_gap(fast, slow))
        if crossed_below(previous_fast, previous_slow, fast, slow):
            return self.signal(bar, Side.SELL, indicators, relative_gap(fast, slow))
        return None
