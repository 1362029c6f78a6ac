"""The simulator's Coinbase dialect: a real websocket client read by the Coinbase connector's parsers,
faults seen in ``sequence_num``, and the real ccxt ``coinbaseexchange`` client over its REST side."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any

import aiohttp
import ccxt.async_support as ccxt_async
import pytest
import websockets

from connectors.backfill import SequenceTracker
from connectors.errors import ParseError, VenueError
from connectors.simulator import (
    FaultKind,
    FaultRequest,
    MalformedVariant,
    ModelParams,
    Simulator,
    SimulatorConfig,
    coinbase_client_config,
)
from connectors.simulator.model import SimTrade
from connectors.venues import coinbase
from nashipai.events import Quote, Side, Trade
from tests.integration.simulated import SYMBOLS, history_trade, two_symbol_market

pytestmark = pytest.mark.integration


@pytest.fixture
async def simulator() -> AsyncIterator[Simulator]:
    async with two_symbol_market(seed=21) as sim:
        yield sim


@pytest.fixture
async def exchange(simulator: Simulator) -> AsyncIterator[Any]:
    client = ccxt_async.coinbaseexchange(coinbase_client_config(simulator.rest_base_url))
    yield client
    await client.close()


def connect(simulator: Simulator) -> websockets.connect:
    return websockets.connect(f"{simulator.ws_base_url}/coinbase", max_size=None)


async def recv(connection: websockets.ClientConnection, timeout: float = 5.0) -> bytes:
    return await asyncio.wait_for(connection.recv(decode=False), timeout)


async def send_all(connection: websockets.ClientConnection, messages: Iterable[str]) -> None:
    for message in messages:
        await connection.send(message)


def subscribe(channel: str, *product_ids: str, kind: str = "subscribe") -> str:
    return json.dumps({"type": kind, "channel": channel, "product_ids": list(product_ids)})


def taker_side(trade: SimTrade) -> Side:
    return Side.SELL if trade.buyer_is_maker else Side.BUY


def trade_ids(frame: bytes) -> list[int]:
    """Ids of a market_trades message's trades, oldest first."""
    return [int(trade["trade_id"]) for trade in reversed(json.loads(frame)["events"][0]["trades"])]


def numbers(frames: list[bytes]) -> list[int]:
    return [json.loads(frame)["sequence_num"] for frame in frames]


def assert_matches_history(simulator: Simulator, trades: list[Trade]) -> None:
    for trade in trades:
        expected = history_trade(simulator, trade.symbol, int(trade.trade_id))
        assert (trade.price, trade.size, trade.side) == (expected.price, expected.size, taker_side(expected))
        assert trade.ts_event == expected.time_ms * 1_000_000 and trade.exchange == "coinbase"


# -- websocket ---------------------------------------------------------------------------------


async def test_connector_subscription_streams_numbered_messages_its_parsers_read(simulator: Simulator) -> None:
    frames: list[bytes] = []
    async with connect(simulator) as connection:
        await send_all(connection, coinbase.subscribe_messages(SYMBOLS))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(b'"channel":"heartbeats"' in frame for frame in frames):
            frames.append(await recv(connection))
    assert numbers(frames) == list(range(len(frames)))
    messages = [json.loads(frame) for frame in frames]
    assert all(set(message) == {"channel", "client_id", "timestamp", "sequence_num", "events"} for message in messages)
    assert [m["events"] for m in messages if m["channel"] == "subscriptions"] == [
        [{"subscriptions": {"market_trades": SYMBOLS}}],
        [{"subscriptions": {"market_trades": SYMBOLS, "ticker": SYMBOLS}}],
        [{"subscriptions": {"market_trades": SYMBOLS, "ticker": SYMBOLS, "heartbeats": ["heartbeats"]}}],
    ]
    snapshots = [m["events"][0] for m in messages if m["channel"] == "market_trades" and m["sequence_num"] < 2]
    assert [(event["type"], len(event["trades"])) for event in snapshots] == [("snapshot", 50), ("snapshot", 50)]
    (heartbeat,) = [m["events"] for m in messages if m["channel"] == "heartbeats"]
    assert isinstance(heartbeat[0]["heartbeat_counter"], int) and " +0000 UTC m=+" in heartbeat[0]["current_time"]

    one_by_one = [event for frame in frames for event in coinbase.parse(frame, 7)]
    assert coinbase.parse_many(frames, [7] * len(frames)) == one_by_one
    assert coinbase.parse_many_numbered(frames, [7] * len(frames)) == (one_by_one, list(range(len(frames))))
    trades = [event for event in one_by_one if isinstance(event, Trade)]
    quotes = [event for event in one_by_one if isinstance(event, Quote)]
    assert_matches_history(simulator, trades)
    for symbol in SYMBOLS:
        ids = [int(trade.trade_id) for trade in trades if trade.symbol == symbol]
        assert len(ids) > 60 and ids == list(range(ids[0], ids[0] + len(ids)))  # snapshot, then every update
        symbol_quotes = [quote for quote in quotes if quote.symbol == symbol]
        assert len(symbol_quotes) > 10 and all(q.bid_price < q.ask_price for q in symbol_quotes)


async def test_coinbase_and_binance_subscribers_see_the_same_trades(simulator: Simulator) -> None:
    binance_trades: dict[int, tuple[float, float, Side]] = {}
    coinbase_trades: dict[int, tuple[float, float, Side]] = {}
    async with (
        websockets.connect(f"{simulator.ws_base_url}/ws/btcusdt@trade") as binance_connection,
        connect(simulator) as coinbase_connection,
    ):
        await coinbase_connection.send(subscribe("market_trades", "BTC-USDT"))
        while len(binance_trades) < 100:
            payload = json.loads(await recv(binance_connection))
            side = Side.SELL if payload["m"] else Side.BUY
            binance_trades[payload["t"]] = (float(payload["p"]), float(payload["q"]), side)
        while not coinbase_trades or max(coinbase_trades) < max(binance_trades):
            for event in coinbase.parse(await recv(coinbase_connection), 0):
                assert isinstance(event, Trade)
                coinbase_trades[int(event.trade_id)] = (event.price, event.size, event.side)
    common = set(binance_trades) & set(coinbase_trades)
    assert len(common) >= 90 and {i: binance_trades[i] for i in common} == {i: coinbase_trades[i] for i in common}


async def test_unsubscribe_answers_subscriptions_and_stops_the_channel(simulator: Simulator) -> None:
    async with connect(simulator) as connection:
        await connection.send(subscribe("market_trades", "ETH-USDT"))
        frames = [await recv(connection) for _ in range(5)]  # snapshot, subscriptions, updates
        await connection.send(subscribe("market_trades", kind="unsubscribe"))
        while b'"channel":"subscriptions"' not in frames[-1]:
            frames.append(await recv(connection))
        with pytest.raises(TimeoutError):
            await recv(connection, timeout=0.4)
    assert json.loads(frames[-1])["events"] == [{"subscriptions": {}}]
    assert numbers(frames) == list(range(len(frames)))


async def test_bad_requests_get_unnumbered_coinbase_errors(simulator: Simulator) -> None:
    async with connect(simulator) as connection:
        await connection.send(subscribe("market_trades", "BTC-USDT", "DOGE-USDT"))
        await connection.send(subscribe("level2", "BTC-USDT"))
        await connection.send("{not json")
        errors = [json.loads(await recv(connection)) for _ in range(3)]
        await connection.send('{"type":"subscribe","channel":"heartbeats"}')
        reply = json.loads(await recv(connection))
    assert [set(error) for error in errors] == [{"type", "message"}] * 3
    assert {error["type"] for error in errors} == {"error"}
    assert "DOGE-USDT is not a valid product" in errors[0]["message"]
    assert "'level2' is not available" in errors[1]["message"] and "malformed JSON" in errors[2]["message"]
    for error in errors:
        with pytest.raises(VenueError):
            coinbase.parse(json.dumps(error), 0)
    assert (reply["channel"], reply["sequence_num"]) == ("subscriptions", 0)
    assert reply["events"] == [{"subscriptions": {"heartbeats": ["heartbeats"]}}]


async def test_unknown_coinbase_path_is_refused_with_404(simulator: Simulator) -> None:
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(f"{simulator.ws_base_url}/coinbase/ws"):
            pass
    assert refused.value.response.status_code == 404


async def test_market_waiting_for_a_subscriber_starts_on_a_coinbase_subscription() -> None:
    config = SimulatorConfig(model=ModelParams(rate=1000), start_on_subscribe=True, max_trades=100)
    async with Simulator(config) as simulator, connect(simulator) as connection:
        await asyncio.sleep(0.2)
        await connection.send(subscribe("market_trades", "BTC-USDT"))
        snapshot = json.loads(await recv(connection))
        assert snapshot["events"] == [{"type": "snapshot", "trades": []}]
        ids: list[int] = []
        while len(ids) < 100:
            frame = await recv(connection)
            if b'"channel":"market_trades"' in frame:
                ids += trade_ids(frame)
    assert ids == list(range(1, 101))


# -- faults ------------------------------------------------------------------------------------


async def post_fault(simulator: Simulator, body: dict[str, Any]) -> Any:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{simulator.rest_base_url}/sim/faults", json=body) as response,
    ):
        assert response.status == 200
        return await response.json()


async def read_until_id_gap(connection: websockets.ClientConnection, frames: list[bytes]) -> tuple[int, int]:
    """Read market_trades updates into ``frames`` until trade ids jump; returns the frame index after the gap."""
    while True:
        frame = await recv(connection)
        previous = trade_ids(frames[-1])[-1]
        frames.append(frame)
        first = trade_ids(frame)[0]
        if first != previous + 1:
            return len(frames) - 1, first - previous - 1


async def test_skip_ids_jumps_sequence_num_once_per_withheld_message(simulator: Simulator, exchange: Any) -> None:
    assert simulator.venue is not None
    stats = simulator.venue.books["BTC-USDT"].stats
    async with connect(simulator) as connection:
        await connection.send(subscribe("market_trades", "BTC-USDT"))
        frames = [await recv(connection)]
        assert json.loads(frames[0])["events"][0]["type"] == "snapshot"
        await recv(connection)  # subscriptions
        frames = [await recv(connection) for _ in range(3)]
        await post_fault(simulator, {"kind": "skip_ids", "count": 1, "symbol": "BTC-USDT"})
        after_one, missing_one = await read_until_id_gap(connection, frames)
        batches = stats.batches_skipped
        record = await post_fault(simulator, {"kind": "skip_ids", "count": 25, "symbol": "BTC-USDT"})
        after_many, missing_many = await read_until_id_gap(connection, frames)
        frames += [await recv(connection) for _ in range(3)]
    sequence = numbers(frames)
    assert (missing_one, missing_many, record["affected"]) == (1, 25, 25)
    assert sequence[after_one] - sequence[after_one - 1] == 2  # the one message with the withheld trade
    withheld_messages = stats.batches_skipped - batches
    assert 1 <= withheld_messages <= 25
    assert sequence[after_many] - sequence[after_many - 1] == 1 + withheld_messages
    gaps = SequenceTracker().observe(coinbase.parse_many_numbered(frames, [0] * len(frames))[1])
    assert [gap.size for gap in gaps] == [1, withheld_messages]  # as the connector sees them, and no other hole
    seen = {trade_id for frame in frames for trade_id in trade_ids(frame)}
    first_missing = trade_ids(frames[after_many - 1])[-1] + 1
    withheld = list(range(first_missing, first_missing + 25))
    assert not seen & set(withheld)

    recovered = await exchange.fetch_trades("BTC/USDT", limit=25, params={"before": first_missing - 1})
    assert [int(trade["id"]) for trade in recovered] == withheld
    for trade in recovered:
        expected = history_trade(simulator, "BTC-USDT", int(trade["id"]))
        assert (trade["price"], trade["amount"], trade["timestamp"]) == (
            expected.price,
            expected.size,
            expected.time_ms,
        )
        assert trade["side"] == taker_side(expected)


async def collect_for(connection: websockets.ClientConnection, seconds: float) -> list[tuple[float, bytes]]:
    """Every frame that arrives within ``seconds``, with its arrival time."""
    timed: list[tuple[float, bytes]] = []
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        try:
            frame = await recv(connection, timeout=left)
        except TimeoutError:
            break
        timed.append((time.monotonic(), frame))
    return timed


def longest_silence(timed: list[tuple[float, bytes]]) -> tuple[int, float]:
    """Index of the frame that ended the longest pause, and the pause in seconds."""
    pauses = [(later[0] - earlier[0], index + 1) for index, (earlier, later) in enumerate(itertools.pairwise(timed))]
    pause, index = max(pauses)
    return index, pause


async def test_stall_without_backlog_loses_numbered_messages_and_with_backlog_keeps_them(
    simulator: Simulator,
) -> None:
    async with connect(simulator) as connection:
        await connection.send(subscribe("ticker", "BTC-USDT"))
        timed = await collect_for(connection, 0.2)
        simulator.apply_fault(FaultRequest(kind=FaultKind.STALL, seconds=0.4, backlog=False))
        lossy = timed + await collect_for(connection, 0.8)
        simulator.apply_fault(FaultRequest(kind=FaultKind.STALL, seconds=0.4, backlog=True))
        kept = await collect_for(connection, 0.8)
    resumed, pause = longest_silence(lossy)
    sequence = numbers([frame for _, frame in lossy])
    assert pause > 0.3 and sequence[resumed] - sequence[resumed - 1] > 1  # the stalled ones were numbered, then lost
    assert [b - a for a, b in itertools.pairwise(sequence)].count(1) == len(sequence) - 2  # that hole only
    kept = lossy[-1:] + kept
    assert longest_silence(kept)[1] > 0.3
    sequence = numbers([frame for _, frame in kept])
    assert sequence == list(range(sequence[0], sequence[0] + len(sequence)))  # held back, then delivered


async def test_drop_closes_coinbase_connections(simulator: Simulator) -> None:
    async with connect(simulator) as connection:
        await connection.send(subscribe("market_trades", "BTC-USDT"))
        await recv(connection)
        record = simulator.apply_fault(FaultRequest(kind=FaultKind.DROP, close_code=1001))
        assert record.affected == 1
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await recv(connection)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001


@pytest.mark.parametrize("variant", list(MalformedVariant))
async def test_malformed_fault_sends_a_numbered_frame_the_connector_refuses(
    simulator: Simulator, variant: MalformedVariant
) -> None:
    async with connect(simulator) as connection:
        await connection.send(subscribe("market_trades", "ETH-USDT"))
        frames = [await recv(connection) for _ in range(3)]
        record = simulator.apply_fault(FaultRequest(kind=FaultKind.MALFORMED, variant=variant, symbol="ETH-USDT"))
        assert record.affected == 1
        refused: list[int] = []
        while not refused:
            frames.append(await recv(connection))
            try:
                coinbase.parse(frames[-1], 0)
            except ParseError:
                refused.append(len(frames) - 1)
        frames.append(await recv(connection))
    (index,) = refused
    numbered = [int(frame.split(b'"sequence_num":')[1].split(b",")[0]) for frame in frames]
    assert numbered == list(range(len(frames))) and index >= 3


# -- REST and ccxt -----------------------------------------------------------------------------


async def get(simulator: Simulator, path: str) -> tuple[int, Any, dict[str, str]]:
    async with aiohttp.ClientSession() as session, session.get(simulator.rest_base_url + path) as response:
        return response.status, await response.json(), {key.lower(): value for key, value in response.headers.items()}


async def test_ccxt_loads_coinbase_markets_with_the_venue_increments(exchange: Any) -> None:
    markets = await exchange.load_markets()
    assert set(markets) == {"BTC/USDT", "ETH/USDT"} and set(exchange.currencies) == {"BTC", "ETH", "USDT"}
    btc = markets["BTC/USDT"]
    assert (btc["id"], btc["spot"], btc["active"], btc["base"], btc["quote"]) == ("BTC-USDT", True, True, "BTC", "USDT")
    assert btc["precision"] == {"amount": 1e-05, "price": 0.01} and btc["limits"]["cost"]["min"] == 1.0
    assert exchange.price_to_precision("ETH/USDT", 3200.123456) == "3200.123"
    assert abs(await exchange.fetch_time() - time.time() * 1000) < 2000


async def test_ccxt_pages_trades_by_before_and_after(simulator: Simulator, exchange: Any) -> None:
    assert simulator.venue is not None
    cursor = simulator.venue.books["ETH-USDT"].stats.last_trade_id - 40
    newer = await exchange.fetch_trades("ETH/USDT", limit=20, params={"before": cursor})
    assert sorted(int(trade["id"]) for trade in newer) == list(range(cursor + 1, cursor + 21))
    older = await exchange.fetch_trades("ETH/USDT", limit=20, params={"after": cursor})
    assert sorted(int(trade["id"]) for trade in older) == list(range(cursor - 20, cursor))
    for trade in newer + older:
        expected = history_trade(simulator, "ETH-USDT", int(trade["id"]))
        assert (trade["symbol"], trade["price"], trade["amount"]) == ("ETH/USDT", expected.price, expected.size)
        assert (trade["timestamp"], trade["side"]) == (expected.time_ms, taker_side(expected))
    latest = await exchange.fetch_trades("ETH/USDT", limit=10)
    assert len(latest) == 10 and min(int(trade["id"]) for trade in latest) > cursor + 20


async def test_trades_page_carries_coinbase_rows_and_cursor_headers(simulator: Simulator) -> None:
    status, rows, headers = await get(simulator, "/coinbase/products/BTC-USDT/trades?limit=3&before=10")
    assert status == 200 and [row["trade_id"] for row in rows] == [13, 12, 11]
    assert (headers["cb-before"], headers["cb-after"]) == ("13", "11")
    assert all(set(row) == {"trade_id", "side", "size", "price", "time"} for row in rows)
    expected = history_trade(simulator, "BTC-USDT", 12)
    assert rows[1]["side"] == ("buy" if expected.buyer_is_maker else "sell")
    assert (float(rows[1]["price"]), float(rows[1]["size"])) == (expected.price, expected.size)
    status, rows, headers = await get(simulator, "/coinbase/products/BTC-USDT/trades")
    assert status == 200 and len(rows) == int(headers["cb-before"]) - int(headers["cb-after"]) + 1
    status, body, _ = await get(simulator, "/coinbase/time")
    assert status == 200 and abs(body["epoch"] - time.time()) < 2 and body["iso"].endswith("Z")
    status, body, _ = await get(simulator, "/coinbase/products/eth-usdt")
    assert status == 200 and body["id"] == "ETH-USDT" and body["status"] == "online"


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/coinbase/products/DOGE-USDT/trades", 404, "NotFound"),
        ("/coinbase/products/DOGE-USDT", 404, "NotFound"),
        ("/coinbase/products/BTC-USDT/book", 404, "NotFound"),
        ("/coinbase/products/BTC-USDT/trades?limit=0", 400, "Invalid limit"),
        ("/coinbase/products/BTC-USDT/trades?limit=1001", 400, "Invalid limit"),
        ("/coinbase/products/BTC-USDT/trades?limit=abc", 400, "Invalid limit"),
        ("/coinbase/products/BTC-USDT/trades?after=-5", 400, "Invalid after"),
        ("/coinbase/products/BTC-USDT/trades?before=1.5", 400, "Invalid before"),
        ("/coinbase/products/BTC-USDT/trades?before=1&after=9", 400, "cannot be combined"),
    ],
)
async def test_rest_errors_are_coinbase_messages(simulator: Simulator, path: str, status: int, message: str) -> None:
    got, body, _ = await get(simulator, path)
    assert got == status and set(body) == {"message"} and message in body["message"]


async def test_ccxt_reports_coinbase_errors(exchange: Any) -> None:
    import ccxt

    await exchange.load_markets()
    with pytest.raises(ccxt.ExchangeError, match="Invalid limit"):
        await exchange.fetch_trades("BTC/USDT", limit=5000)
    with pytest.raises(ccxt.OrderNotFound, match="NotFound"):  # ccxt maps Coinbase's "NotFound" so
        await exchange.publicGetProductsIdTrades({"id": "DOGE-USDT"})
