"""The strategy interface: a class with parameters and ``on_bar(bar, indicators) -> Signal | None``.

A strategy instance serves one instrument and one timeframe. It declares the streaming
indicators it needs (:meth:`Strategy.indicators`); the dataflow keeps their states (inside
Bytewax state, so recovery snapshots carry them), updates them with each closed bar and
passes the current values to :meth:`Strategy.on_bar`. Instances are pickled into recovery
snapshots, so keep what they hold plain (numbers, indicator states).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar, Final, Literal

from pydantic import BaseModel, ConfigDict

import indicators
from nashipai.events import Bar, SideName, Signal

#: Which bar fields feed an indicator, in TA-Lib's positional order.
BarInput = Literal["close", "hlc", "hlcv", "cv"]

#: The bar fields behind each :data:`BarInput`, in the order they are passed to ``update``.
BAR_FIELDS: Final[Mapping[BarInput, tuple[str, ...]]] = {
    "close": ("close",),
    "hlc": ("high", "low", "close"),
    "hlcv": ("high", "low", "close", "volume"),
    "cv": ("close", "volume"),
}


class StrategyParams(BaseModel):
    """Base of every strategy's parameters: validated, unknown keys refused, no type coercion
    (``"12"`` is not an int; an int is accepted where a float is expected)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator a strategy needs.

    ``factory`` builds a fresh streaming state (e.g. ``lambda: indicators.EMA(timeperiod=12)``);
    ``inputs`` says which bar fields feed it; ``outputs`` names its outputs (one name for a
    single-output indicator, e.g. ``("ema_fast",)``; ``("macd", "macd_signal", "macd_hist")``).
    ``batch``, when given, computes the same outputs over whole columns (the bar fields of
    ``inputs`` as float64 arrays, positionally) and returns an array or a tuple of arrays;
    :func:`pipelines.strategies.batch.batch_signals` uses it. Build specs of library
    indicators with :meth:`of`, which derives both from one set of parameters.
    """

    factory: Callable[[], Any]
    outputs: tuple[str, ...]
    inputs: BarInput = "close"
    batch: Callable[..., Any] | None = None

    @classmethod
    def of(cls, indicator: str, outputs: tuple[str, ...], inputs: BarInput = "close", **params: Any) -> IndicatorSpec:
        """The spec of ``indicators.REGISTRY[indicator]`` with ``params`` (TA-Lib keyword names).

        ``IndicatorSpec.of("ema", ("ema_fast",), timeperiod=12)`` streams with
        ``indicators.EMA(timeperiod=12)`` and batches with ``indicators.ema(close, timeperiod=12)``.

        Raises:
            ValueError: unknown indicator, or ``inputs`` / ``outputs`` of the wrong arity.
        """
        entry = indicators.REGISTRY.get(indicator)
        if entry is None:
            raise ValueError(f"unknown indicator {indicator!r}; known: {', '.join(sorted(indicators.REGISTRY))}")
        if len(BAR_FIELDS[inputs]) != len(entry.inputs):
            raise ValueError(f"{indicator}: takes {len(entry.inputs)} inputs {entry.inputs}, not {inputs!r}")
        if len(outputs) != len(entry.outputs):
            raise ValueError(f"{indicator}: has {len(entry.outputs)} outputs {entry.outputs}, got names {outputs}")
        return cls(partial(entry.stream, **params), outputs, inputs, partial(entry.batch, **params))


def signal_id(strategy: str, exchange: str, symbol: str, timeframe: str, bar_ts: int) -> str:
    """The deterministic id of a signal: the same bar and strategy always give the same id."""
    return f"{strategy}:{exchange}:{symbol}:{timeframe}:{bar_ts}"


class Strategy(ABC):
    """Base of every strategy. Subclasses set ``name`` and ``Params`` and implement two methods."""

    name: ClassVar[str]
    Params: ClassVar[type[StrategyParams]] = StrategyParams

    def __init__(self, params: StrategyParams | None = None, instance: str | None = None) -> None:
        """``params`` must be an instance of this class's ``Params`` (default: its defaults).

        Raises:
            TypeError: ``params`` is of another model.
        """
        if params is None:
            params = self.Params()
        elif not isinstance(params, self.Params):
            raise TypeError(f"{type(self).__name__} needs {self.Params.__name__}, got {type(params).__name__}")
        self.params = params
        # The name used in signal ids: two configured instances of one class must differ.
        self.instance = instance or self.name

    @abstractmethod
    def indicators(self) -> Mapping[str, IndicatorSpec]:
        """The indicators this strategy needs, by a key of its choosing."""

    @abstractmethod
    def on_bar(self, bar: Bar, indicators: Mapping[str, float]) -> Signal | None:
        """Decide on a closed bar; ``indicators`` maps each output name to its value (NaN in warm-up)."""

    def signal(self, bar: Bar, side: SideName, indicators: Mapping[str, float], strength: float = 1.0) -> Signal:
        """A signal on ``bar`` with its deterministic id (the dataflow adds lineage and times)."""
        return Signal(
            signal_id=signal_id(self.instance, bar.exchange, bar.symbol, bar.timeframe, bar.ts_event),
            strategy=self.instance,
            exchange=bar.exchange,
            symbol=bar.symbol,
            timeframe=bar.timeframe,
            side=side,
            strength=strength,
            price=bar.close,
            indicators=dict(indicators),
            ts_event=bar.ts_event,
            ts_recv=bar.ts_recv,
            run_id=bar.run_id,
        )
