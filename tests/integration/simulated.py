"""Shared set-up of the simulator dialect tests: markets, their history, hidden trades."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import websockets

from connectors.simulator import FaultKind, FaultRequest, ModelParams, Simulator, SimulatorConfig, make_instrument
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


@contextlib.asynccontextmanager
async def finished_market(seed: int, trades: int) -> AsyncIterator[Simulator]:
    """A one-symbol (BTC-USDT) market that made ``trades`` trades fast and stopped: a fixed history to page."""
    async with Simulator(SimulatorConfig(model=ModelParams(rate=2000), seed=seed, max_trades=trades)) as sim:
        assert sim.venue is not None
        while not sim.venue.done:
            await asyncio.sleep(0.02)
        yield sim


async def hide_trades(simulator: Simulator, count: int) -> tuple[int, int]:
    """Hide ``count`` BTC-USDT trades from the websockets (``skip_ids``) while watching Binance's
    stream; returns the first hidden id and the next id seen."""
    async with websockets.connect(f"{simulator.ws_base_url}/ws/btcusdt@trade") as connection:
        seen = [json.loads(await asyncio.wait_for(connection.recv(), 5))["t"] for _ in range(5)]
        record = simulator.apply_fault(FaultRequest(kind=FaultKind.SKIP_IDS, count=count, symbol="BTC-USDT"))
        while len(seen) < 2 or seen[-1] == seen[-2] + 1:
            seen.append(json.loads(await asyncio.wait_for(connection.recv(), 5))["t"])
    first_missing, next_seen = seen[-2] + 1, seen[-1]
    assert record.affected == count and next_seen - first_missing == count
    return first_missing, next_seen


def assert_ccxt_trades_match(simulator: Simulator, symbol: str, trades: list[dict[str, Any]]) -> None:
    """Each ccxt trade is the simulator's trade of its id: symbol, price, amount, time, taker side."""
    for trade in trades:
        expected = history_trade(simulator, symbol, int(trade["id"]))
        assert trade["id"] == str(expected.trade_id) and trade["symbol"] == symbol.replace("-", "/")
        assert (trade["price"], trade["amount"]) == (expected.price, expected.size)
        assert trade["timestamp"] == expected.time_ms
        assert trade["side"] == ("sell" if expected.buyer_is_maker else "buy")


def sorted_ids(trades: list[dict[str, Any]]) -> list[int]:
    """The ids of ccxt trades, as integers, ascending."""
    return sorted(int(trade["id"]) for trade in trades)
