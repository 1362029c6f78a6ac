"""Fault injection: gaps a backfill can close, dropped and stalled connections, malformed frames."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import ccxt.async_support as ccxt_async
import pytest
import websockets

from connectors.simulator import (
    FaultKind,
    FaultRequest,
    MalformedVariant,
    ModelParams,
    Simulator,
    SimulatorConfig,
    SimulatorThread,
    binance_client_config,
    make_instrument,
)
from connectors.simulator.faults import parse_fault_spec

pytestmark = pytest.mark.integration


@pytest.fixture
async def simulator() -> AsyncIterator[Simulator]:
    config = SimulatorConfig(instruments=(make_instrument("BTC-USDT"),), model=ModelParams(rate=300), seed=2)
    async with Simulator(config) as sim:
        yield sim


async def post_fault(simulator: Simulator, body: dict[str, Any]) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{simulator.rest_base_url}/sim/faults", json=body) as response,
    ):
        return response.status, await response.json()


async def recv(connection: websockets.ClientConnection, timeout: float = 5.0) -> str | bytes:
    return await asyncio.wait_for(connection.recv(), timeout)


async def test_skip_ids_leaves_a_gap_that_a_rest_backfill_recovers(simulator: Simulator) -> None:
    async with websockets.connect(f"{simulator.ws_base_url}/ws/btcusdt@trade") as connection:
        seen = [json.loads(await recv(connection))["t"] for _ in range(5)]
        status, record = await post_fault(simulator, {"kind": "skip_ids", "count": 7, "symbol": "BTC-USDT"})
        assert status == 200 and record["affected"] == 7 and record["request"]["kind"] == "skip_ids"
        while len(seen) < 2 or seen[-1] == seen[-2] + 1:
            seen.append(json.loads(await recv(connection))["t"])
    first_missing, next_seen = seen[-2] + 1, seen[-1]
    assert next_seen - first_missing == 7
    # ccxt sends historicalTrades only with an API key header; the simulator does not check it
    config = binance_client_config(simulator.rest_base_url, simulator.ws_base_url) | {"apiKey": "simulator"}
    client = ccxt_async.binance(config)
    try:
        recovered = await client.fetch_trades("BTC/USDT", limit=7, params={"fromId": first_missing})
        historical = await client.fetch_trades(
            "BTC/USDT", limit=7, params={"fromId": first_missing, "fetchTradesMethod": "publicGetHistoricalTrades"}
        )
    finally:
        await client.close()
    expected = [str(trade_id) for trade_id in range(first_missing, next_seen)]
    assert [trade["id"] for trade in recovered] == expected
    assert [trade["id"] for trade in historical] == expected
    stats = simulator.stats().symbols["BTC-USDT"]
    assert stats.trades_skipped == 7 and stats.trades_emitted >= next_seen


async def test_drop_closes_every_connection_abruptly(simulator: Simulator) -> None:
    first = await websockets.connect(f"{simulator.ws_base_url}/ws/btcusdt@trade")
    second = await websockets.connect(f"{simulator.ws_base_url}/stream?streams=btcusdt@bookTicker")
    await recv(first)
    await recv(second)
    assert simulator.apply_fault(FaultRequest(kind=FaultKind.DROP)).affected == 2
    for connection in (first, second):
        with pytest.raises(websockets.ConnectionClosedError) as closed:
            while True:
                await recv(connection)
        assert closed.value.rcvd is None  # no close frame: the TCP connection was cut
    await asyncio.sleep(0.05)
    assert simulator.stats().connections == 0
    async with websockets.connect(f"{simulator.ws_base_url}/ws/btcusdt@trade") as again:
        assert json.loads(await recv(again))["e"] == "trade"


async def test_drop_with_a_close_code_sends_a_close_frame(simulator: Simulator) -> None:
    async with websockets.connect(f"{simulator.ws_base_url}/ws/btcusdt@trade") as connection:
        await recv(connection)
        simulator.apply_fault(FaultRequest(kind=FaultKind.DROP, close_code=1001))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await recv(connection)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001


@pytest.mark.parametrize("variant", list(MalformedVariant))
async def test_malformed_frame_reaches_subscribers_and_the_stream_goes_on(
    simulator: Simulator, variant: MalformedVariant
) -> None:
    async with websockets.connect(f"{simulator.ws_base_url}/ws/btcusdt@trade") as connection:
        await recv(connection)
        assert simulator.apply_fault(FaultRequest(kind=FaultKind.MALFORMED, variant=variant)).affected == 1
        bad = None
        for _ in range(1000):
            frame = await recv(connection)
            try:
                payload = json.loads(frame)
            except json.JSONDecodeError:
                bad = frame
                break
            if "p" not in payload:
                bad = frame
                break
        assert bad is not None
        if variant is MalformedVariant.MISSING_FIELD:
            assert set(json.loads(bad)) == {"e", "E", "s", "t", "q", "T", "m", "M"}
        assert json.loads(await recv(connection))["e"] == "trade"


@pytest.mark.parametrize("backlog", [False, True])
async def test_stall_keeps_the_socket_open_but_silent(simulator: Simulator, backlog: bool) -> None:
    url = f"{simulator.ws_base_url}/ws/btcusdt@trade"
    async with websockets.connect(url, max_queue=None) as connection:
        await recv(connection)
        status, _ = await post_fault(simulator, {"kind": "stall", "seconds": 0.6, "backlog": backlog})
        assert status == 200
        last_id, silence = json.loads(await recv(connection))["t"], 0.0
        while silence < 0.45:  # frames already in flight, then the stall
            started = time.monotonic()
            next_id = json.loads(await recv(connection))["t"]
            silence = time.monotonic() - started
            if silence < 0.45:
                last_id = next_id
        await asyncio.wait_for(await connection.ping(), 2)  # the socket stayed open
    assert (next_id == last_id + 1) is backlog  # lost during the stall unless backlog


async def test_scheduled_fault_and_bad_fault_request() -> None:
    config = SimulatorConfig(model=ModelParams(rate=100), faults=(parse_fault_spec("skip_ids:3@100ms/100ms"),))
    async with Simulator(config) as simulator:
        await asyncio.sleep(0.35)
        assert len(simulator.stats().faults) >= 2
        assert (await post_fault(simulator, {"kind": "explode"}))[0] == 400
        status, body = await post_fault(simulator, {"kind": "skip_ids", "symbol": "DOGE-USDT"})
        assert status == 400 and body["code"] == -1121


def test_simulator_thread_serves_synchronous_callers() -> None:
    with SimulatorThread(SimulatorConfig(model=ModelParams(rate=200))) as simulator:
        with urllib.request.urlopen(f"{simulator.rest_base_url}/api/v3/time", timeout=5) as response:
            assert abs(json.load(response)["serverTime"] - time.time() * 1000) < 2000
        time.sleep(0.2)
        record = simulator.apply_fault(FaultRequest(kind=FaultKind.SKIP_IDS, count=2))
        assert record.affected == 4
        assert simulator.stats().symbols["BTC-USDT"].trades_emitted > 0
    final = simulator.stop()
    assert len(final.faults) == 1
