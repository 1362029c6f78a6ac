"""Strategies: classes with parameters and ``on_bar(bar, indicators) -> Signal | None``.

* :mod:`~pipelines.strategies.base`: the interface (``Strategy``, ``StrategyParams``, ``IndicatorSpec``);
* one module per built-in (``ema_cross``, ``rsi_reversion``, ``macd_cross``, ``bollinger_breakout``)
  and :mod:`~pipelines.strategies.registry` to find classes by short name or dotted path;
* :mod:`~pipelines.strategies.config`: the TOML config (``load_config``, ``default_config``);
* :mod:`~pipelines.strategies.streaming`: ``StrategyRunner``, a strategy plus its indicator states;
* :mod:`~pipelines.strategies.batch`: ``batch_signals``, the same signals recomputed over stored bars;
* :mod:`~pipelines.strategies.timeframes`: ``"5m"`` <-> nanoseconds.
"""

from pipelines.strategies.base import BAR_FIELDS, IndicatorSpec, Strategy, StrategyParams, signal_id
from pipelines.strategies.batch import batch_signals
from pipelines.strategies.config import (
    DEFAULT_CONFIG_PATH,
    StrategyConfig,
    StrategyConfigError,
    default_config,
    load_config,
    loads_config,
)
from pipelines.strategies.params import ParamError
from pipelines.strategies.registry import BUILTINS, StrategyLoadError, load_strategy_class
from pipelines.strategies.streaming import StrategyRunner
from pipelines.strategies.timeframes import COMMON_TIMEFRAMES, format_timeframe, parse_timeframe

__all__ = [
    "BAR_FIELDS",
    "BUILTINS",
    "COMMON_TIMEFRAMES",
    "DEFAULT_CONFIG_PATH",
    "IndicatorSpec",
    "ParamError",
    "Strategy",
    "StrategyConfig",
    "StrategyConfigError",
    "StrategyLoadError",
    "StrategyParams",
    "StrategyRunner",
    "batch_signals",
    "default_config",
    "format_timeframe",
    "load_config",
    "load_strategy_class",
    "loads_config",
    "parse_timeframe",
    "signal_id",
]
