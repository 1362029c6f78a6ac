"""The runner's pure parts (backoff) and its loop against a scripted local websocket server."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from websockets.asyncio.server import ServerConnection, serve

from connectors.backfill import Backfiller
from connectors.backoff import Backoff, race
from connectors.errors import VenueError
from connectors.publish import Publisher
from connectors.registry import get_venue
from connectors.runner import Connector, RunnerOptions
from nashipai.events import DataQualityKind
from tests.unit.connectors.fakes import NewestFirstClient, RecordingProducer, ccxt_trade

OPTIONS = RunnerOptions(stale_after=5.0, backoff_initial=0.01, backoff_cap=0.05, seed=3, ensure_topics=False,
                        flush_interval=0.001)  # fmt: skip


def test_backoff_doubles_up_to_the_cap_with_seeded_jitter() -> None:
    backoff = Backoff(initial=1.0, cap=8.0, jitter=0.5, rng=random.Random(42))
    delays = [backoff.next_delay(now=0.0) for _ in range(6)]
    expected_rng = random.Random(42)
    expected = [base * (1 - 0.5 * expected_rng.random()) for base in (1.0, 2.0, 4.0, 8.0, 8.0, 8.0)]
    assert delays == pytest.approx(expected)
    assert all(base / 2 < delay <= base for delay, base in zip(delays, (1, 2, 4, 8, 8, 8), strict=True))


def test_backoff_without_jitter_is_exact_and_resets_after_a_healthy_connection() -> None:
    backoff = Backoff(initial=0.5, cap=30.0, jitter=0.0, healthy_after=10.0)
    assert [backoff.next_delay(0.0) for _ in range(3)] == [0.5, 1.0, 2.0]
    backoff.connected(100.0)
    assert backoff.next_delay(105.0) == 4.0  # a short-lived connection does not count as healthy
    backoff.connected(200.0)
    assert backoff.next_delay(210.0) == 0.5 and backoff.attempts == 1


def test_backoff_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        Backoff(initial=5.0, cap=1.0)
    assert Backoff(initial=1.0, cap=2.0, jitter=0.0, rng=random.Random(0)).next_delay(0) == 1.0
    backoff = Backoff(initial=1.0, cap=2.0, jitter=0.0)
    backoff.attempts = 10_000
    assert backoff.next_delay(0.0) == 2.0  # no overflow after many attempts


async def test_race_returns_on_stop_and_reraises_the_first_failure() -> None:
    stop = asyncio.Event()

    async def forever() -> None:
        await asyncio.Event().wait()

    async def quick() -> None:
        return None

    async def fails() -> None:
        await asyncio.sleep(0.01)
        raise RuntimeError("boom")

    asyncio.get_running_loop().call_later(0.02, stop.set)
    await race(stop, [forever(), quick()])  # a coroutine that returns does not end the race
    with pytest.raises(RuntimeError, match="boom"):
        await race(asyncio.Event(), [forever(), fails()])


def binance_trade(trade_id: int) -> str:
    data = {"e": "trade", "E": 1, "s": "BTCUSDT", "t": trade_id, "p": "100.5", "q": "0.1", "T": 1_700_000_000_000,
            "m": False, "M": True}  # fmt: skip
    return json.dumps({"stream": "btcusdt@trade", "data": data}, separators=(",", ":"))


Script = Callable[[ServerConnection, int], Awaitable[None]]


@pytest.fixture
async def server() -> AsyncIterator[Callable[[Script], Awaitable[tuple[str, list[list[str]]]]]]:
    """Starts a websocket server running ``script(connection, n)`` on its n-th connection (from 0)."""
    servers = []

    async def start(script: Script, ack: str | None = '{"result":null,"id":1}') -> tuple[str, list[list[str]]]:
        received: list[list[str]] = []

        async def handler(connection: ServerConnection) -> None:
            index = len(received)
            received.append([str(await connection.recv())])  # the subscribe frame comes first
            if ack is not None:
                await connection.send(ack)
            await script(connection, index)

        instance = await serve(handler, "127.0.0.1", 0)
        servers.append(instance)
        port = next(iter(instance.sockets)).getsockname()[1]
        return f"ws://127.0.0.1:{port}/stream", received

    yield start
    for instance in servers:
        instance.close()
        await instance.wait_closed()


def connector(url: str, producer: RecordingProducer, options: RunnerOptions = OPTIONS) -> Connector:
    publisher = Publisher(producer, "binance", "ns")
    return Connector(publisher, ["BTC-USDT"], venue=get_venue("binance"), url=url, options=options)


async def run_until(connector: Connector, done: Callable[[], bool], timeout: float = 5.0) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(connector.run(stop))
    async with asyncio.timeout(timeout):
        while not done() and not task.done():
            await asyncio.sleep(0.005)
    stop.set()
    await task


async def test_reconnect_resubscribes_after_server_close_and_finds_the_gap(server: Callable[..., Awaitable]) -> None:
    async def script(connection: ServerConnection, index: int) -> None:
        ids = [1, 2] if index == 0 else [6, 7]
        for trade_id in ids:
            await connection.send(binance_trade(trade_id))
        if index == 0:
            await connection.close(1001, "going away")
        else:
            await connection.wait_closed()

    url, received = await server(script)
    producer = RecordingProducer()
    feed = connector(url, producer)
    await run_until(feed, lambda: len(producer.events("md.trades.ns", "Trade")) == 4)
    assert len(received) == 2 and received[0] == received[1]
    assert json.loads(received[1][0]) == {"method": "SUBSCRIBE", "params": ["btcusdt@trade", "btcusdt@bookTicker"],
                                          "id": 1}  # fmt: skip
    quality = producer.events("md.data_quality.ns", "DataQualityEvent")
    assert [event.kind for event in quality] == [DataQualityKind.RECONNECT, DataQualityKind.GAP]
    assert "1001" in quality[0].detail
    assert (quality[1].first_missing, quality[1].last_missing) == ("3", "5")
    assert feed.stats.reconnects == 1 and producer.flushed == 0


async def test_silence_is_reported_stale_and_reconnected(server: Callable[..., Awaitable]) -> None:
    async def script(connection: ServerConnection, index: int) -> None:
        await connection.send(binance_trade(index + 1))
        await connection.wait_closed()  # then nothing, connection open

    url, received = await server(script)
    producer = RecordingProducer()
    options = RunnerOptions(stale_after=0.2, backoff_initial=0.01, backoff_cap=0.02, ensure_topics=False)
    feed = connector(url, producer, options)
    await run_until(feed, lambda: feed.stats.reconnects >= 1)
    kinds = [event.kind for event in producer.events("md.data_quality.ns", "DataQualityEvent")]
    assert kinds[:2] == [DataQualityKind.STALE, DataQualityKind.RECONNECT]
    stale = producer.events("md.data_quality.ns", "DataQualityEvent")[0]
    assert stale.count >= 200 and len(received) >= 2


async def test_parse_errors_are_dead_lettered_and_the_stream_continues(server: Callable[..., Awaitable]) -> None:
    async def script(connection: ServerConnection, index: int) -> None:
        await connection.send(binance_trade(1))
        await connection.send('{"stream":"btcusdt@trade","data":{"e":"trade"')
        await connection.send(binance_trade(2))
        await connection.wait_closed()

    url, _received = await server(script)
    producer = RecordingProducer()
    feed = connector(url, producer)
    await run_until(feed, lambda: len(producer.events("md.trades.ns", "Trade")) == 2)
    (letter,) = producer.events("dead_letter.ns", "DeadLetter")
    assert letter.payload == '{"stream":"btcusdt@trade","data":{"e":"trade"' and "JSON" in letter.reason
    assert feed.stats.decode_errors == 1 and feed.stats.reconnects == 0


async def test_a_venue_error_that_cannot_be_retried_stops_the_run(server: Callable[..., Awaitable]) -> None:
    async def script(connection: ServerConnection, index: int) -> None:
        await connection.send('{"error":{"code":2,"msg":"Invalid request: unknown stream"},"id":1}')
        await connection.wait_closed()

    url, received = await server(script)
    producer = RecordingProducer()
    with pytest.raises(VenueError, match="unknown stream"):
        await run_until(connector(url, producer), lambda: False)
    assert len(received) == 1
    (letter,) = producer.events("dead_letter.ns", "DeadLetter")
    assert "Invalid request" in letter.reason


def coinbase_trade(sequence_num: int, trade_id: int) -> str:
    trade = {"trade_id": str(trade_id), "product_id": "BTC-USD", "price": "100.5", "size": "0.1", "side": "SELL",
             "time": "2024-06-10T06:13:20.123456Z"}  # fmt: skip
    return json.dumps({"channel": "market_trades", "client_id": "", "timestamp": "2024-06-10T06:13:20.2Z",
                       "sequence_num": sequence_num, "events": [{"type": "update", "trades": [trade]}]})  # fmt: skip


async def test_a_jump_in_coinbase_message_numbers_is_a_gap_of_the_connection(server: Callable[..., Awaitable]) -> None:
    async def script(connection: ServerConnection, index: int) -> None:
        await connection.send(coinbase_trade(1, 10))
        await connection.send(coinbase_trade(2, 11))
        await asyncio.sleep(0.05)  # another batch: the jump is found across batches too
        await connection.send(coinbase_trade(5, 14))
        await connection.send('{"channel":"market_trades","sequence_num":')  # dead-lettered, read frame by frame
        await connection.send(coinbase_trade(6, 15))
        await connection.wait_closed()

    url, _received = await server(script, ack=None)
    producer = RecordingProducer()
    feed = Connector(Publisher(producer, "coinbase", "ns"), ["BTC-USD"], venue=get_venue("coinbase"), url=url,
                     options=OPTIONS)  # fmt: skip
    await run_until(feed, lambda: len(producer.events("md.trades.ns", "Trade")) == 4)
    (gap,) = producer.events("md.data_quality.ns", "DataQualityEvent")
    assert (gap.kind, gap.symbol, gap.first_missing, gap.last_missing, gap.count) == (DataQualityKind.GAP, "*", "3",
                                                                                        "4", 2)  # fmt: skip
    assert "2 messages lost" in gap.detail and feed.stats.gaps == 1 and feed.stats.decode_errors == 1


def okx_trade(trade_id: int) -> str:
    trade = {"instId": "BTC-USDT", "tradeId": str(trade_id), "px": "100.5", "sz": "0.1", "side": "buy",
             "ts": str(1_700_000_000_000 + trade_id), "count": "1", "source": "0", "seqId": trade_id}  # fmt: skip
    return json.dumps({"arg": {"channel": "trades", "instId": "BTC-USDT"}, "data": [trade]})


async def test_after_a_reconnect_a_venue_whose_ids_skip_backfills_from_its_newest_id(
    server: Callable[..., Awaitable],
) -> None:
    async def script(connection: ServerConnection, index: int) -> None:
        for trade_id in [10, 12] if index == 0 else [20]:
            await connection.send(okx_trade(trade_id))
        if index == 0:
            await connection.close(1001, "going away")
        else:
            await connection.wait_closed()

    url, _received = await server(script, ack=None)
    producer = RecordingProducer()
    history = NewestFirstClient([ccxt_trade(i) for i in (*range(1, 13), 14, 17, 19)])  # 13..19 traded while away
    feed = Connector(Publisher(producer, "okx", "ns"), ["BTC-USDT"], venue=get_venue("okx"), url=url, options=OPTIONS,
                     backfiller=Backfiller("okx", "okx", client=history))  # fmt: skip
    await run_until(feed, lambda: feed.stats.backfilled == 3)
    published = [int(t.trade_id) for t in producer.events("md.trades.ns", "Trade")]
    assert sorted(published) == [10, 12, 14, 17, 19, 20]  # the backfill may land before or after 20 comes live
    quality = producer.events("md.data_quality.ns", "DataQualityEvent")
    assert [(e.kind, e.first_missing, e.last_missing, e.count) for e in quality] == [
        (DataQualityKind.RECONNECT, None, None, 1), (DataQualityKind.GAP, "13", "19", 3),
        (DataQualityKind.BACKFILL, "13", "19", 3),
    ]  # fmt: skip
