"""Market data end to end: simulator -> connector -> Kafka -> tick dataflow -> QuestDB, with faults.

N comes from the simulator's own count; QuestDB must end with exactly N distinct trades even
though the connection was dropped and trades were hidden from the websocket mid-stream. On
Binance the hidden trades show as a jump in trade ids; on Coinbase, whose trade ids are not
promised consecutive, as a jump in the connection's message numbers (``sequence_num``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
from bytewax.testing import run_main

from connectors.runner import RunnerOptions, run_connector
from connectors.simulator import (
    FaultKind,
    FaultRequest,
    ModelParams,
    Simulator,
    SimulatorConfig,
    binance_client_config,
    coinbase_client_config,
    make_instrument,
)
from nashipai import questdb
from nashipai.config import Settings
from nashipai.names import namespaced_table
from pipelines import store

SYMBOLS = ("BTC-USDT", "ETH-USDT")
OPTIONS = RunnerOptions(stale_after=5.0, backoff_initial=0.05, backoff_cap=0.5, reconnect_tail_wait=0.5, seed=1,
                        ensure_topics=False)


async def _wait_for(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def _binance(simulator: Simulator) -> tuple[str, dict[str, Any]]:
    return f"{simulator.ws_base_url}/stream", binance_client_config(simulator.rest_base_url, simulator.ws_base_url)


def _coinbase(simulator: Simulator) -> tuple[str, dict[str, Any]]:
    return f"{simulator.ws_base_url}/coinbase", coinbase_client_config(simulator.rest_base_url)


@pytest.mark.parametrize(("exchange", "endpoints", "gap_symbol"), [
    ("binance", _binance, SYMBOLS[0]),  # a trade-id jump is a gap of its symbol
    ("coinbase", _coinbase, "*"),  # a message-number jump is a gap of the connection
])  # fmt: skip
async def test_simulated_trades_reach_questdb_exactly_once_through_drop_and_gap(
    settings: Settings,
    namespace: str,
    exchange: str,
    endpoints: Callable[[Simulator], tuple[str, dict[str, Any]]],
    gap_symbol: str,
) -> None:
    per_symbol = 1_500
    config = SimulatorConfig(
        instruments=tuple(make_instrument(symbol) for symbol in SYMBOLS), model=ModelParams(rate=500), seed=5,
        max_trades=per_symbol, start_on_subscribe=True,
    )
    async with Simulator(config) as simulator:
        stop = asyncio.Event()
        url, rest_config = endpoints(simulator)
        task = asyncio.create_task(run_connector(
            settings, exchange, list(SYMBOLS), url=url, namespace=namespace, rest_config=rest_config,
            stop_event=stop, options=OPTIONS,
        ))
        last = lambda: simulator.stats().symbols[SYMBOLS[0]].last_trade_id  # noqa: E731
        await _wait_for(lambda: last() >= 300, 20)
        simulator.apply_fault(FaultRequest(kind=FaultKind.DROP))
        # Hide trades only once the connector is back: hidden while it is away, they are a
        # reconnect's backfill, and a Coinbase message-number jump is seen on a live connection only.
        await _wait_for(lambda: simulator.stats().connections_total >= 2, 20)
        resumed = last()
        await _wait_for(lambda: last() >= max(700, resumed + 100), 20)
        simulator.apply_fault(FaultRequest(kind=FaultKind.SKIP_IDS, count=50))
        await asyncio.wait_for(simulator.wait_done(), 30)
        emitted = sum(stats.trades_emitted for stats in simulator.stats().symbols.values())
        # Give the connector's REST backfill time to close the gap, then stop it (it flushes Kafka).
        await asyncio.sleep(4)
        stop.set()
        stats = await asyncio.wait_for(task, 30)
    assert emitted == 2 * per_symbol
    assert stats.reconnects >= 1 and stats.gaps >= 1

    run_main(store.build_flow(settings, namespace, stop_at_end=True))
    table = namespaced_table("trades", namespace)
    questdb.wait_for_wal(settings, table)
    rows = questdb.query(settings, f"SELECT symbol, count(), count_distinct(trade_id), min(cast(trade_id AS LONG)), "
                                   f"max(cast(trade_id AS LONG)) FROM {table} ORDER BY symbol")
    assert rows == [(symbol, per_symbol, per_symbol, 1, per_symbol) for symbol in sorted(SYMBOLS)]
    quality = questdb.query(settings, f"SELECT kind, symbol, count() FROM {namespaced_table('data_quality', namespace)}"
                                      " ORDER BY kind, symbol")
    assert {kind for kind, _symbol, _count in quality} >= {"reconnect", "gap", "backfill"}
    assert ("gap", gap_symbol) in {(kind, symbol) for kind, symbol, _count in quality}

