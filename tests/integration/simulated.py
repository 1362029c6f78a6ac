"""Shared set-up of the simulator dialect tests: a running two-symbol market and its history."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from connectors.simulator import ModelParams, Simulator, SimulatorConfig, make_instrument
from connectors.simulator.model import SimTrade

SYMBOLS = ["BTC-USDT", "ETH-USDT"]


@contextlib.asynccontextmanager
async def two_symbol_market(seed: int) -> AsyncIterator[Simulator]:
    """The simulator over :data:`SYMBOLS` at 300 trades/s each, with 0.6 s of history made."""
    config = SimulatorConfig(
        instruments=tuple(make_instrument(symbol) for symbol in SYMBOLS), model=ModelParams(rate=300), seed=seed
    )
    async with Simulator(config) as sim:
        await asyncio.sleep(0.6)  # some history for the snapshots and the REST pages
        yield sim


def history_trade(simulator: Simulator, symbol: str, trade_id: int) -> SimTrade:
    """The simulator's trade ``trade_id`` of ``symbol``."""
    assert simulator.venue is not None
    (trade,) = simulator.venue.books[symbol].history.from_id(trade_id, 1)
    assert trade.trade_id == trade_id
    return trade
