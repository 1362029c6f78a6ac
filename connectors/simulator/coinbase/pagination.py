"""Coinbase Exchange cursor pagination over a symbol's trade history, pure.

Pages run newest first. ``after=X`` asks for older trades (ids below X), ``before=X`` for newer
ones: the trades immediately after X, ``X+1 .. X+limit``; no cursor gives the latest. Only the
retained history can be served: a ``before`` older than it starts at the oldest retained trade.
"""

from __future__ import annotations

from typing import Final

from connectors.simulator.history import TradeHistory
from connectors.simulator.model import SimTrade

DEFAULT_LIMIT: Final = 1000
MAX_LIMIT: Final = 1000


def trade_page(
    history: TradeHistory, limit: int, before: int | None = None, after: int | None = None
) -> list[SimTrade]:
    """Up to ``limit`` trades by the cursors, newest first.

    Raises:
        ValueError: both cursors given, or ``limit`` below 1.
    """
    if before is not None and after is not None:
        raise ValueError("before and after cannot be combined")
    if limit < 1:
        raise ValueError("limit must be at least 1")
    first, last = history.first, history.last
    if first is None or last is None:
        return []
    if after is not None:
        high = min(after - 1, last.trade_id)
        low = max(high - limit + 1, first.trade_id)
    elif before is not None:
        low = max(before + 1, first.trade_id)
        high = min(low + limit - 1, last.trade_id)
    else:
        high = last.trade_id
        low = max(high - limit + 1, first.trade_id)
    if high < low:
        return []
    return history.from_id(low, high - low + 1)[::-1]
