"""REST backfill with the real ccxt clients against the simulator, one venue dialect each.

Binance and Coinbase page forward by trade id (``fromId``; ``before``), OKX back from the
newest trade (``after``), Kraken by time from the last trade seen (``since``, then Kraken's
``last`` cursor). Each must return exactly the trades the simulator made inside the gap,
including those a ``skip_ids`` fault kept off the websockets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from connectors.backfill import Backfiller, Gap
from connectors.registry import get_venue
from connectors.simulator import (
    FaultKind,
    FaultRequest,
    ModelParams,
    Simulator,
    SimulatorConfig,
    binance_client_config,
    coinbase_client_config,
    kraken_client_config,
    make_instrument,
    okx_client_config,
)
from nashipai.events import Side

pytestmark = pytest.mark.integration

SYMBOL = "BTC-USDT"
CONFIGS: dict[str, Callable[[Simulator], dict[str, Any]]] = {
    "binance": lambda sim: binance_client_config(sim.rest_base_url, sim.ws_base_url),
    "coinbase": lambda sim: coinbase_client_config(sim.rest_base_url),
    "kraken": lambda sim: kraken_client_config(sim.rest_base_url),
    "okx": lambda sim: okx_client_config(sim.rest_base_url),
}


@pytest.mark.parametrize("exchange", sorted(CONFIGS))
async def test_a_gap_is_backfilled_with_exactly_the_simulators_trades(exchange: str) -> None:
    config = SimulatorConfig(instruments=(make_instrument(SYMBOL),), model=ModelParams(rate=800), seed=9)
    async with Simulator(config) as simulator:
        book = simulator.venue.books[SYMBOL] if simulator.venue is not None else None
        assert book is not None
        while book.stats.last_trade_id < 200:
            await asyncio.sleep(0.05)
        simulator.apply_fault(FaultRequest(kind=FaultKind.SKIP_IDS, count=300, symbol=SYMBOL))
        while book.stats.last_trade_id < 1_700:  # more than a page (the backfill asks 1,000 at a time)
            await asyncio.sleep(0.05)
        first, last = 150, 1_600
        before = book.history.from_id(first - 1, 1)[0]
        expected = book.history.from_id(first, last - first + 1)
        venue = get_venue(exchange)
        backfiller = Backfiller(exchange, venue.CCXT_ID, CONFIGS[exchange](simulator))
        try:
            result = await backfiller.fetch(Gap(SYMBOL, first, last, after_ns=before.time_ms * 1_000_000))
        finally:
            await backfiller.close()
    assert result.complete and result.error is None and result.dead_letters == []
    got = [trade for trade in result.trades if first <= int(trade.trade_id) <= last]
    assert book.stats.trades_skipped == 300 and len(expected) == last - first + 1
    assert [(int(t.trade_id), t.price, t.size, t.side, t.ts_event, t.exchange, t.symbol) for t in got] == [
        (trade.trade_id, trade.price, trade.size, Side.SELL if trade.buyer_is_maker else Side.BUY,
         trade.time_ms * 1_000_000, exchange, SYMBOL)
        for trade in expected
    ]  # fmt: skip
