"""Drive one strategy bar by bar with its streaming indicator states.

This is the rule the dataflow applies per (instrument, timeframe), packaged so the dataflow,
the tests and a notebook share it: each spec's state is updated with the bar fields its
``inputs`` name, the outputs are mapped to the spec's ``outputs`` names, and the strategy
decides. A runner pickles (strategy state plus indicator snapshots) for recovery.
"""

from __future__ import annotations

from typing import Any

from nashipai.events import Bar, Signal
from pipelines.strategies.base import BAR_FIELDS, Strategy


class StrategyRunner:
    """One strategy instance and its indicator states, for one instrument and timeframe."""

    def __init__(self, strategy: Strategy) -> None:
        self.strategy = strategy
        # (bar fields fed, output names, state): plain data, so the runner pickles even when a
        # spec's factory is a lambda.
        self.feeds: list[tuple[tuple[str, ...], tuple[str, ...], Any]] = [
            (BAR_FIELDS[spec.inputs], spec.outputs, spec.factory()) for spec in strategy.indicators().values()
        ]

    def update(self, bar: Bar) -> dict[str, float]:
        """Update every indicator state with ``bar``; the values by output name (NaN in warm-up)."""
        values: dict[str, float] = {}
        for fields, outputs, state in self.feeds:
            # A bar's fields are floats: the one-row fast path needs no checks.
            if len(fields) == 1:
                result = state.update_one(getattr(bar, fields[0]))
            else:
                result = state.update_one(*[getattr(bar, field) for field in fields])
            if len(outputs) == 1:
                values[outputs[0]] = result
            else:
                values.update(zip(outputs, result, strict=True))
        return values

    def on_bar(self, bar: Bar) -> Signal | None:
        """Update the indicators with a closed bar and let the strategy decide."""
        return self.strategy.on_bar(bar, self.update(bar))
