"""The simulator's OKX dialect over HTTP: the real ccxt ``okx`` client loads its spot markets and
pages its trades backwards by id, trades hidden from the websockets included, and raw answers in
OKX's envelope."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import ccxt
import ccxt.async_support as ccxt_async
import pytest

from connectors.simulator import (
    Simulator,
    okx_client_config,
)
from tests.integration.simulated import (
    assert_ccxt_trades_match,
    finished_market,
    hide_trades,
    history_trade,
    sorted_ids,
    two_symbol_market,
)

pytestmark = pytest.mark.integration

BY_ID = {"method": "publicGetMarketHistoryTrades", "type": "1"}


@pytest.fixture
async def simulator() -> AsyncIterator[Simulator]:
    async with two_symbol_market(seed=41) as sim:
        yield sim


@pytest.fixture
async def exchange(simulator: Simulator) -> AsyncIterator[Any]:
    client = ccxt_async.okx(okx_client_config(simulator.rest_base_url))
    yield client
    await client.close()


def assert_matches_history(simulator: Simulator, symbol: str, trades: list[dict[str, Any]]) -> None:
    assert_ccxt_trades_match(simulator, symbol, trades)
    assert all(trade["info"]["instId"] == symbol and trade["info"]["source"] == "0" for trade in trades)


async def get(simulator: Simulator, path: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.get(simulator.rest_base_url + path) as response:
        return response.status, json.loads(await response.text())


# -- ccxt ----------------------------------------------------------------------------------------


async def test_ccxt_loads_okx_spot_markets_with_the_venue_precision(exchange: Any) -> None:
    markets = await exchange.load_markets()
    assert set(markets) == {"BTC/USDT", "ETH/USDT"}
    btc = markets["BTC/USDT"]
    assert (btc["id"], btc["base"], btc["quote"], btc["baseId"], btc["quoteId"]) == (
        "BTC-USDT", "BTC", "USDT", "BTC", "USDT",
    )  # fmt: skip
    assert btc["spot"] and btc["active"] and not btc["margin"] and not btc["contract"] and btc["type"] == "spot"
    assert btc["precision"] == {"amount": 1e-05, "price": 0.01}
    assert btc["limits"]["amount"]["min"] == 1e-05
    assert exchange.price_to_precision("ETH/USDT", 3200.123456) == "3200.123"
    assert abs(await exchange.fetch_time() - time.time() * 1000) < 2000


async def test_ccxt_fetches_the_hundred_trades_below_an_id_with_exact_values(
    simulator: Simulator, exchange: Any
) -> None:
    assert simulator.venue is not None
    history = simulator.venue.books["BTC-USDT"].history
    for _ in range(100):  # enough history below the cursor: 100 trades and some before them
        if len(history) > 130:
            break
        await asyncio.sleep(0.05)
    after = len(history) - 10  # ids run from 1, none trimmed
    trades = await exchange.fetch_trades("BTC/USDT", limit=100, params={**BY_ID, "after": str(after)})
    assert sorted_ids(trades) == list(range(after - 100, after))
    assert [trade["timestamp"] for trade in trades] == sorted(trade["timestamp"] for trade in trades)
    assert_matches_history(simulator, "BTC-USDT", trades)
    assert {trade["side"] for trade in trades} == {"buy", "sell"}

    latest = await exchange.fetch_trades("ETH/USDT", limit=10)  # market/trades: the latest
    assert len(latest) == 10 and sorted_ids(latest)[-1] >= after
    assert_matches_history(simulator, "ETH-USDT", latest)


async def test_paging_back_by_the_oldest_id_walks_the_history_without_loss_or_repeat() -> None:
    async with finished_market(seed=6, trades=450) as simulator:
        client = ccxt_async.okx(okx_client_config(simulator.rest_base_url))
        walked: list[int] = []
        pages: list[int] = []
        cursor = 451  # one past the last trade
        try:
            while page := await client.fetch_trades("BTC/USDT", limit=100, params={**BY_ID, "after": str(cursor)}):
                assert_matches_history(simulator, "BTC-USDT", page)
                walked += sorted_ids(page)[::-1]
                pages.append(len(page))
                cursor = min(int(trade["id"]) for trade in page)
        finally:
            await client.close()
    assert walked == list(range(450, 0, -1))
    assert pages == [100, 100, 100, 100, 50]


async def test_trades_hidden_from_websockets_by_skip_ids_are_fetched(simulator: Simulator, exchange: Any) -> None:
    first_missing, next_seen = await hide_trades(simulator, 9)

    trades = await exchange.fetch_trades("BTC/USDT", limit=100, params={**BY_ID, "after": str(next_seen)})
    assert sorted_ids(trades) == list(range(next_seen - 100, next_seen))
    assert set(range(first_missing, next_seen)) <= set(sorted_ids(trades))
    assert_matches_history(simulator, "BTC-USDT", trades)


async def test_ccxt_reports_okx_errors(exchange: Any) -> None:
    await exchange.load_markets()
    with pytest.raises(ccxt.BadSymbol):
        await exchange.fetch_trades("DOGE/USDT")  # not a market: ccxt refuses before asking
    with pytest.raises(ccxt.BadSymbol, match="51001"):
        await exchange.publicGetMarketHistoryTrades({"instId": "DOGE-USDT"})
    with pytest.raises(ccxt.BadRequest, match="51000"):
        await exchange.fetch_trades("BTC/USDT", params={**BY_ID, "after": "yesterday"})
    with pytest.raises(ccxt.BadRequest, match="50014"):
        await exchange.publicGetMarketTrades({})


# -- raw answers ---------------------------------------------------------------------------------


async def test_history_trades_answer_is_okx_rows_newest_first_by_id_or_time(simulator: Simulator) -> None:
    status, body = await get(simulator, "/okx/api/v5/market/history-trades?instId=BTC-USDT&after=9&limit=5")
    assert status == 200 and (body["code"], body["msg"]) == ("0", "")
    assert [row["tradeId"] for row in body["data"]] == ["8", "7", "6", "5", "4"]
    for row in body["data"]:
        expected = history_trade(simulator, "BTC-USDT", int(row["tradeId"]))
        assert set(row) == {"instId", "side", "sz", "px", "source", "tradeId", "ts"}
        assert (float(row["px"]), float(row["sz"]), int(row["ts"])) == (expected.price, expected.size, expected.time_ms)
        assert row["side"] == ("sell" if expected.buyer_is_maker else "buy") and row["instId"] == "BTC-USDT"
    status, body = await get(simulator, "/okx/api/v5/market/history-trades?instId=BTC-USDT&after=9&before=6")
    assert [row["tradeId"] for row in body["data"]] == ["8", "7"]
    status, body = await get(simulator, "/okx/api/v5/market/history-trades?instId=BTC-USDT&before=1&limit=3")
    assert simulator.venue is not None
    last = simulator.venue.books["BTC-USDT"].history.last
    assert last is not None and int(body["data"][0]["tradeId"]) >= last.trade_id  # before alone: the newest
    ts = history_trade(simulator, "BTC-USDT", 20).time_ms
    status, body = await get(simulator, f"/okx/api/v5/market/history-trades?instId=BTC-USDT&type=2&after={ts}")
    assert all(int(row["ts"]) < ts for row in body["data"]) and int(body["data"][0]["tradeId"]) < 20


async def test_instruments_and_time_answers(simulator: Simulator) -> None:
    status, body = await get(simulator, "/okx/api/v5/public/instruments?instType=SPOT")
    assert status == 200 and [row["instId"] for row in body["data"]] == ["BTC-USDT", "ETH-USDT"]
    eth = body["data"][1]
    assert (eth["instType"], eth["baseCcy"], eth["quoteCcy"], eth["tickSz"], eth["lotSz"], eth["state"]) == (
        "SPOT", "ETH", "USDT", "0.001", "0.0001", "live",
    )  # fmt: skip
    status, body = await get(simulator, "/okx/api/v5/public/instruments?instType=SPOT&instId=ETH-USDT")
    assert [row["instId"] for row in body["data"]] == ["ETH-USDT"]
    assert (await get(simulator, "/okx/api/v5/public/instruments?instType=SWAP"))[1]["data"] == []
    status, body = await get(simulator, "/okx/api/v5/public/time")
    assert abs(int(body["data"][0]["ts"]) - time.time() * 1000) < 2000


@pytest.mark.parametrize(
    ("path", "status", "code", "message"),
    [
        ("/okx/api/v5/market/trades?instId=DOGE-USDT", 200, "51001", "Instrument ID does not exist"),
        ("/okx/api/v5/market/history-trades?instId=BTCUSDT", 200, "51001", "Instrument ID does not exist"),
        ("/okx/api/v5/public/instruments?instType=SPOT&instId=X-Y", 200, "51001", "Instrument ID does not exist"),
        ("/okx/api/v5/market/trades", 400, "50014", "Parameter instId can not be empty."),
        ("/okx/api/v5/public/instruments", 400, "50014", "Parameter instType can not be empty."),
        ("/okx/api/v5/public/instruments?instType=spot", 400, "51000", "Parameter instType error"),
        ("/okx/api/v5/market/history-trades?instId=BTC-USDT&type=3", 400, "51000", "Parameter type error"),
        ("/okx/api/v5/market/history-trades?instId=BTC-USDT&before=-1", 400, "51000", "Parameter before error"),
        ("/okx/api/v5/market/trades?instId=BTC-USDT&limit=0", 400, "51000", "Parameter limit error"),
        ("/okx/api/v5/market/books?instId=BTC-USDT", 404, "404", "Not Found"),
    ],
)
async def test_refused_requests_get_okx_errors(
    simulator: Simulator, path: str, status: int, code: str, message: str
) -> None:
    got, body = await get(simulator, path)
    assert got == status and body == {"code": code, "msg": message, "data": []}
