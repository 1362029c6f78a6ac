"""Simulated trades and histories for the simulator's unit tests."""

from __future__ import annotations

from connectors.simulator.history import TradeHistory
from connectors.simulator.model import SimTrade


def sim_trade(trade_id: int, time_ms: int, *, taker_buys: bool = True) -> SimTrade:
    """A trade of 0.0123 at 65000.5."""
    return SimTrade(trade_id=trade_id, price=65000.5, size=0.0123, buyer_is_maker=not taker_buys, time_ms=time_ms)


def history_of(times: list[int], capacity: int = 1000) -> TradeHistory:
    """Trades 1, 2, ... at ``times`` (milliseconds, non-decreasing)."""
    history = TradeHistory(capacity)
    history.extend([sim_trade(trade_id, time_ms) for trade_id, time_ms in enumerate(times, start=1)])
    return history
