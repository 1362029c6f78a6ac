"""The simulator's Kraken dialect over HTTP: the real ccxt ``kraken`` client loads its markets and
pages its trades, trades hidden from the websockets included, and raw answers in Kraken's envelope."""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import ccxt
import ccxt.async_support as ccxt_async
import pytest

from connectors.simulator import (
    Simulator,
    kraken_client_config,
)
from connectors.simulator.model import SimTrade
from tests.integration.simulated import (
    assert_ccxt_trades_match,
    finished_market,
    hide_trades,
    history_trade,
    sorted_ids,
    two_symbol_market,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def simulator() -> AsyncIterator[Simulator]:
    async with two_symbol_market(seed=33) as sim:
        yield sim


@pytest.fixture
async def exchange(simulator: Simulator) -> AsyncIterator[Any]:
    client = ccxt_async.kraken(kraken_client_config(simulator.rest_base_url))
    yield client
    await client.close()


def first_trade_from(simulator: Simulator, symbol: str, since_ms: int) -> SimTrade:
    """The first trade ``fetch_trades(since=since_ms)`` returns: ccxt asks Kraken for the trades
    strictly after ``since_ms`` truncated to seconds, then keeps those at ``since_ms`` or later."""
    assert simulator.venue is not None
    start_ms = max(since_ms, since_ms // 1000 * 1000 + 1)
    return simulator.venue.books[symbol].history.between(start_ms, None, 1)[0]


def assert_matches_history(simulator: Simulator, symbol: str, trades: list[dict[str, Any]]) -> None:
    assert_ccxt_trades_match(simulator, symbol, trades)
    for trade in trades:
        expected = history_trade(simulator, symbol, int(trade["id"]))
        assert trade["type"] == "market" and trade["info"][6] == expected.trade_id


def cursor_of(trades: list[dict[str, Any]]) -> str:
    """The ``last`` cursor ccxt appends to the raw row of the page's last trade."""
    (cursor,) = [trade["info"][7] for trade in trades if len(trade["info"]) == 8]
    return str(cursor)


async def get(simulator: Simulator, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(simulator.rest_base_url + path) as response:
        return response.status, await response.text()


# -- ccxt ----------------------------------------------------------------------------------------


async def test_ccxt_loads_kraken_markets_with_unified_symbols_and_the_venue_precision(exchange: Any) -> None:
    markets = await exchange.load_markets()
    assert set(markets) == {"BTC/USDT", "ETH/USDT"} and set(exchange.currencies) == {"BTC", "ETH", "USDT"}
    btc = markets["BTC/USDT"]
    assert (btc["id"], btc["wsId"], btc["altname"], btc["base"], btc["quote"]) == (
        "BTCUSDT", "BTC/USDT", "BTCUSDT", "BTC", "USDT",
    )  # fmt: skip
    assert (btc["baseId"], btc["quoteId"], btc["margin"]) == ("BTC", "USDT", False) and btc["spot"] and btc["active"]
    assert btc["precision"] == {"amount": 1e-05, "price": 0.01}
    assert (btc["limits"]["amount"]["min"], btc["limits"]["cost"]["min"]) == (1e-05, 1.0)
    assert (btc["taker"], btc["maker"]) == (0.0026, 0.0016)
    assert exchange.currencies["BTC"]["id"] == "XXBT" and exchange.currencies["BTC"]["precision"] == 1e-10
    assert exchange.price_to_precision("ETH/USDT", 3200.123456) == "3200.123"
    assert abs(await exchange.fetch_time() - time.time() * 1000) < 2000


async def test_ccxt_fetches_the_trades_since_a_time_with_their_ids_sides_and_times(
    simulator: Simulator, exchange: Any
) -> None:
    assert simulator.venue is not None
    history = simulator.venue.books["ETH-USDT"].history
    middle = history.from_id(len(history) // 2, 1)[0]
    trades = await exchange.fetch_trades("ETH/USDT", since=middle.time_ms)
    first = first_trade_from(simulator, "ETH-USDT", middle.time_ms)
    assert sorted_ids(trades) == list(range(first.trade_id, first.trade_id + len(trades)))
    assert len(trades) > 20 and all(trade["timestamp"] >= middle.time_ms for trade in trades)
    assert_matches_history(simulator, "ETH-USDT", trades)

    latest = await exchange.fetch_trades("ETH/USDT", limit=10)
    assert len(latest) == 10 and sorted_ids(latest)[0] > first.trade_id
    assert_matches_history(simulator, "ETH-USDT", latest)


async def test_paging_by_the_last_cursor_continues_without_loss_or_repeat() -> None:
    # A finished market (a live one outruns pages of 7), dense enough that pages end inside milliseconds.
    async with finished_market(seed=5, trades=400) as simulator:
        client = ccxt_async.kraken(kraken_client_config(simulator.rest_base_url))
        walked: list[int] = []
        cursors: list[str] = []
        cursor = "0"  # seconds: from the oldest retained trade
        try:
            while page := await client.fetch_trades("BTC/USDT", limit=7, params={"since": cursor}):
                assert_matches_history(simulator, "BTC-USDT", page)
                walked += sorted_ids(page)
                cursor = cursor_of(page)
                cursors.append(cursor)
        finally:
            await client.close()
    assert walked == list(range(1, 401))
    assert int(cursors[-1]) // 1_000_000 == history_trade(simulator, "BTC-USDT", 400).time_ms
    assert sum(1 for cursor in cursors if int(cursor) % 1_000_000) >= 5  # pages that ended inside a millisecond


async def test_trades_hidden_from_websockets_by_skip_ids_are_fetched(simulator: Simulator, exchange: Any) -> None:
    first_missing, next_seen = await hide_trades(simulator, 9)

    since_ms = history_trade(simulator, "BTC-USDT", first_missing).time_ms
    trades = await exchange.fetch_trades("BTC/USDT", since=since_ms)  # a limit would be the count of the whole second
    ids = sorted_ids(trades)
    first = first_trade_from(simulator, "BTC-USDT", since_ms)
    assert ids == list(range(first.trade_id, first.trade_id + len(trades)))
    assert set(range(first_missing, next_seen)) <= set(ids)
    assert_matches_history(simulator, "BTC-USDT", trades)


async def test_ccxt_reports_kraken_errors(exchange: Any) -> None:
    await exchange.load_markets()
    with pytest.raises(ccxt.BadSymbol):
        await exchange.fetch_trades("DOGE/USDT")  # not a market: ccxt refuses before asking
    with pytest.raises(ccxt.ExchangeError, match="EQuery:Unknown asset pair"):
        await exchange.publicGetTrades({"pair": "DOGEUSDT"})
    with pytest.raises(ccxt.BadRequest, match="EGeneral:Invalid arguments"):
        await exchange.fetch_trades("BTC/USDT", params={"since": "yesterday"})
    with pytest.raises(ccxt.BadSymbol, match="EQuery:Unknown asset"):
        await exchange.publicGetAssets({"asset": "DOGE"})


# -- raw answers ---------------------------------------------------------------------------------


async def test_trades_answer_is_kraken_rows_keyed_by_the_pair_with_a_nanosecond_cursor(simulator: Simulator) -> None:
    status, text = await get(simulator, "/kraken/0/public/Trades?pair=xbtusdt&since=0&count=5")
    assert status == 200
    body = json.loads(text)
    assert body["error"] == [] and list(body["result"]) == ["BTCUSDT", "last"]
    rows = body["result"]["BTCUSDT"]
    assert [row[6] for row in rows] == [1, 2, 3, 4, 5] and all(len(row) == 7 for row in rows)
    assert len(re.findall(r',[0-9]{10}\.[0-9]{4},"[bs]","m","",', text)) == 5  # time: seconds, four decimals
    for row in rows:
        expected = history_trade(simulator, "BTC-USDT", row[6])
        assert (float(row[0]), float(row[1]), round(row[2] * 1000)) == (expected.price, expected.size, expected.time_ms)
        assert row[3] == ("s" if expected.buyer_is_maker else "b")
    last = int(body["result"]["last"])
    assert last // 1_000_000 == history_trade(simulator, "BTC-USDT", 5).time_ms
    status, text = await get(simulator, f"/kraken/0/public/Trades?pair=BTC/USDT&since={last}&count=3")
    assert [row[6] for row in json.loads(text)["result"]["BTCUSDT"]] == [6, 7, 8]
    status, text = await get(simulator, f"/kraken/0/public/Trades?pair=BTCUSDT&since={last + 10**15}")
    assert json.loads(text)["result"] == {"BTCUSDT": [], "last": str(last + 10**15)}  # nothing yet: same cursor


async def test_assets_pairs_and_time_answers(simulator: Simulator) -> None:
    status, text = await get(simulator, "/kraken/0/public/AssetPairs?pair=ETHUSDT,XBTUSDT")
    pairs = json.loads(text)["result"]
    assert status == 200 and list(pairs) == ["ETHUSDT", "BTCUSDT"]
    eth = pairs["ETHUSDT"]
    assert (eth["altname"], eth["wsname"], eth["base"], eth["quote"], eth["status"]) == (
        "ETHUSDT", "ETH/USDT", "XETH", "USDT", "online",
    )  # fmt: skip
    assert (eth["pair_decimals"], eth["lot_decimals"], eth["tick_size"], eth["ordermin"]) == (3, 4, "0.001", "0.0001")
    status, text = await get(simulator, "/kraken/0/public/Assets?asset=XBT,usdt")
    assert json.loads(text)["result"] == {
        "XXBT": {"aclass": "currency", "altname": "XBT", "decimals": 10, "display_decimals": 5, "status": "enabled"},
        "USDT": {"aclass": "currency", "altname": "USDT", "decimals": 8, "display_decimals": 5, "status": "enabled"},
    }
    status, text = await get(simulator, "/kraken/0/public/Time")
    result = json.loads(text)["result"]
    assert abs(result["unixtime"] - time.time()) < 2 and result["rfc1123"].endswith(" +0000")


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/kraken/0/public/Trades?pair=DOGEUSDT", 200, "EQuery:Unknown asset pair"),
        ("/kraken/0/public/Trades", 200, "EQuery:Unknown asset pair"),
        ("/kraken/0/public/AssetPairs?pair=BTCUSDT,DOGEUSDT", 200, "EQuery:Unknown asset pair"),
        ("/kraken/0/public/Assets?asset=DOGE", 200, "EQuery:Unknown asset"),
        ("/kraken/0/public/Trades?pair=BTCUSDT&count=0", 200, "EGeneral:Invalid arguments"),
        ("/kraken/0/public/Trades?pair=BTCUSDT&count=ten", 200, "EGeneral:Invalid arguments"),
        ("/kraken/0/public/Trades?pair=BTCUSDT&since=-1", 200, "EGeneral:Invalid arguments"),
        ("/kraken/0/public/Trades?pair=BTCUSDT&since=1700000000000000000.5", 200, "EGeneral:Invalid arguments"),
        ("/kraken/0/public/Depth?pair=BTCUSDT", 404, "EGeneral:Unknown method"),
    ],
)
async def test_refused_requests_get_kraken_errors(simulator: Simulator, path: str, status: int, message: str) -> None:
    got, text = await get(simulator, path)
    assert got == status and json.loads(text) == {"error": [message]}
