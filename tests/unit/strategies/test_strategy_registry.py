"""Finding strategy classes: built-ins by short name, anything else by dotted path."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from strategy_bars import closes_to_bars, stream

from nashipai.events import Bar, Side, Signal
from pipelines.strategies import (
    BUILTINS,
    IndicatorSpec,
    Strategy,
    StrategyLoadError,
    StrategyParams,
    load_strategy_class,
    loads_config,
)
from pipelines.strategies.params import Period


class AboveSmaParams(StrategyParams):
    period: Period = 3


class AboveSma(Strategy):
    """A custom strategy living outside the package: buys every bar that closes above its SMA."""

    name = "above_sma"
    Params = AboveSmaParams
    params: AboveSmaParams

    def indicators(self) -> Mapping[str, IndicatorSpec]:
        return {"sma": IndicatorSpec.of("sma", ("sma",), timeperiod=self.params.period)}

    def on_bar(self, bar: Bar, indicators: Mapping[str, float]) -> Signal | None:
        return self.signal(bar, Side.BUY, indicators) if bar.close > indicators["sma"] else None


class Namespace:
    Nested = AboveSma


class AbstractOne(Strategy):
    name = "abstract_one"


def test_builtins_are_found_by_short_name() -> None:
    assert sorted(BUILTINS) == ["bollinger_breakout", "ema_cross", "macd_cross", "rsi_reversion"]
    assert all(load_strategy_class(name) is cls for name, cls in BUILTINS.items())


@pytest.mark.parametrize("separator", [":", "."])
def test_a_custom_strategy_loads_by_dotted_path(separator: str) -> None:
    assert load_strategy_class(f"{__name__}{separator}AboveSma") is AboveSma
    assert load_strategy_class(f"{__name__}:Namespace.Nested") is AboveSma


def test_a_custom_strategy_runs_from_config() -> None:
    text = f"""
[[strategy]]
name = "mine"
class = "{__name__}:AboveSma"
timeframe = "1m"
instruments = ["*"]
params = {{ period = 2 }}
"""
    (config,) = loads_config(text)
    signals = stream(config.build(), closes_to_bars([10, 10, 11, 10]))
    assert [signal.signal_id for signal in signals] == ["mine:binance:BTC-USDT:1m:120000000000"]


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("ema", "unknown strategy 'ema'; built-ins are bollinger_breakout, ema_cross"),
        ("not_a_module_xyz:Thing", "cannot import module 'not_a_module_xyz'"),
        (f"{__name__}:Missing", "has no attribute 'Missing'"),
        (f"{__name__}:AboveSmaParams", "is not a Strategy subclass"),
        (f"{__name__}:AbstractOne", "is abstract"),
        ("pipelines.strategies.base:Strategy", "is abstract"),
        (":AboveSma", "invalid dotted path"),
    ],
)
def test_bad_references_are_refused_with_the_reason(reference: str, message: str) -> None:
    with pytest.raises(StrategyLoadError, match=message):
        load_strategy_class(reference)
