"""The simulator's REST side: Binance's shapes and errors, and the real ccxt binance client against it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import ccxt.async_support as ccxt_async
import pytest

from connectors.simulator import (
    ModelParams,
    Simulator,
    SimulatorConfig,
    binance_client_config,
    make_instrument,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def simulator() -> AsyncIterator[Simulator]:
    config = SimulatorConfig(
        instruments=(make_instrument("BTC-USDT"), make_instrument("SOL-USDT", 150.0)),
        model=ModelParams(rate=500),
        seed=3,
    )
    async with Simulator(config) as sim:
        await asyncio.sleep(0.3)  # let some trades happen
        yield sim


@pytest.fixture
async def exchange(simulator: Simulator) -> AsyncIterator[Any]:
    client = ccxt_async.binance(binance_client_config(simulator.rest_base_url, simulator.ws_base_url))
    yield client
    await client.close()


async def get(simulator: Simulator, path: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.get(simulator.rest_base_url + path) as response:
        return response.status, await response.json()


def walk_urls(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from walk_urls(item)
    elif isinstance(value, str):
        yield value


async def test_ccxt_loads_markets_with_venue_precision_and_limits(exchange: Any) -> None:
    markets = await exchange.load_markets()
    assert set(markets) == {"BTC/USDT", "SOL/USDT"}
    btc = markets["BTC/USDT"]
    assert (btc["id"], btc["spot"], btc["active"], btc["type"]) == ("BTCUSDT", True, True, "spot")
    assert btc["precision"] == {"amount": 1e-05, "price": 0.01, "base": 1e-08, "quote": 1e-08}
    assert btc["limits"]["cost"]["min"] == 5.0 and btc["limits"]["amount"]["min"] == 1e-05
    assert exchange.amount_to_precision("BTC/USDT", 0.123456789) == "0.12345"
    assert exchange.price_to_precision("SOL/USDT", 150.123436) == "150.1234"


async def test_ccxt_fetches_time_trades_ohlcv_ticker_and_book(exchange: Any) -> None:
    assert abs(await exchange.fetch_time() - time.time() * 1000) < 2000
    trades = await exchange.fetch_trades("BTC/USDT", limit=50)
    assert len(trades) == 50
    ids = [int(trade["id"]) for trade in trades]
    assert ids == list(range(ids[0], ids[0] + 50))
    assert {trade["side"] for trade in trades} <= {"buy", "sell"} and all(trade["price"] > 0 for trade in trades)
    recent = await exchange.fetch_trades("BTC/USDT", limit=5, params={"fetchTradesMethod": "publicGetTrades"})
    assert len(recent) == 5
    candles = await exchange.fetch_ohlcv("BTC/USDT", "1s", limit=3)
    assert 1 <= len(candles) <= 3 and all(low <= high for _, _, high, low, _, _ in candles)
    assert sum(candle[5] for candle in await exchange.fetch_ohlcv("BTC/USDT", "1m")) > 0
    ticker = await exchange.fetch_ticker("BTC/USDT")
    assert ticker["bid"] < ticker["ask"] and ticker["last"] > 0
    book = await exchange.fetch_order_book("BTC/USDT", limit=5)
    assert len(book["bids"]) == 5 and book["bids"][0][0] < book["asks"][0][0]
    bids_asks = await exchange.fetch_bids_asks(["BTC/USDT", "SOL/USDT"])
    assert set(bids_asks) == {"BTC/USDT", "SOL/USDT"}


async def test_ccxt_since_queries_agg_trades_by_time(exchange: Any) -> None:
    since = int(time.time() * 1000) - 200
    trades = await exchange.fetch_trades("SOL/USDT", since=since, limit=20)
    assert trades and all(trade["timestamp"] >= since for trade in trades)


def test_ccxt_config_leaves_no_url_pointing_at_binance() -> None:
    import ccxt
    import ccxt.pro

    config = binance_client_config("http://127.0.0.1:1", "ws://127.0.0.1:2")
    for client in (ccxt.binance(config), ccxt.pro.binance(config)):
        urls = list(walk_urls(client.urls["api"]))
        assert urls and all(url.startswith(("http://127.0.0.1:1/", "ws://127.0.0.1:2/")) for url in urls), urls


async def test_ccxt_pro_watch_trades_through_the_simulator(simulator: Simulator) -> None:
    import ccxt.pro

    client = ccxt.pro.binance(binance_client_config(simulator.rest_base_url, simulator.ws_base_url))
    try:
        trades = await asyncio.wait_for(client.watch_trades("BTC/USDT"), 10)
        assert trades and trades[0]["symbol"] == "BTC/USDT" and trades[0]["price"] > 0
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/api/v3/trades?symbol=FOOBAR", -1121),
        ("/api/v3/trades", -1102),
        ("/api/v3/trades?symbol=BTCUSDT&limit=abc", -1100),
        ("/api/v3/trades?symbol=BTCUSDT&limit=5000", -1130),
        ("/api/v3/klines?symbol=BTCUSDT&interval=7m", -1120),
        ("/api/v3/aggTrades?symbol=BTCUSDT&fromId=1&startTime=1", -1128),
        ("/api/v3/aggTrades?symbol=BTCUSDT&startTime=1&endTime=99999999", -1127),
        ("/api/v3/exchangeInfo?symbol=NOPE", -1121),
    ],
)
async def test_bad_requests_get_binance_errors(simulator: Simulator, path: str, code: int) -> None:
    status, body = await get(simulator, path)
    assert status == 400 and body["code"] == code and isinstance(body["msg"], str)


async def test_exchange_info_and_history_endpoints(simulator: Simulator) -> None:
    _, info = await get(simulator, '/api/v3/exchangeInfo?symbols=["SOLUSDT"]')
    (sol,) = info["symbols"]
    assert (sol["symbol"], sol["status"], sol["baseAsset"], sol["quoteAsset"]) == ("SOLUSDT", "TRADING", "SOL", "USDT")
    assert {f["filterType"] for f in sol["filters"]} >= {"PRICE_FILTER", "LOT_SIZE", "NOTIONAL"}
    assert sol["permissionSets"] == [["SPOT"]]
    _, rows = await get(simulator, "/api/v3/historicalTrades?symbol=SOLUSDT&fromId=3&limit=4")
    assert [row["id"] for row in rows] == [3, 4, 5, 6]
    assert set(rows[0]) == {"id", "price", "qty", "quoteQty", "time", "isBuyerMaker", "isBestMatch"}
    assert await get(simulator, "/api/v3/ping") == (200, {})


async def test_stats_count_every_trade_generated() -> None:
    config = SimulatorConfig(model=ModelParams(rate=5000), seed=5, max_trades=1500)
    async with Simulator(config) as simulator:
        await asyncio.wait_for(simulator.wait_done(), 10)
        _, stats = await get(simulator, "/sim/stats")
        for symbol, venue_id in (("BTC-USDT", "BTCUSDT"), ("ETH-USDT", "ETHUSDT")):
            assert stats["symbols"][symbol]["trades_emitted"] == 1500
            assert stats["symbols"][symbol]["last_trade_id"] == 1500
            first = await get(simulator, f"/api/v3/historicalTrades?symbol={venue_id}&fromId=1&limit=1000")
            rest = await get(simulator, f"/api/v3/historicalTrades?symbol={venue_id}&fromId=1001&limit=1000")
            ids = [row["id"] for row in first[1] + rest[1]]
            assert ids == list(range(1, 1501))
        assert stats["done"] is True
        await asyncio.sleep(0.1)
        assert simulator.stats().symbols["BTC-USDT"].trades_emitted == 1500  # nothing after the bound
    final = simulator.stats()
    assert final.symbols["ETH-USDT"].trades_emitted == 1500
