"""The simulator's websocket side against a plain ``websockets`` client, as a connector sees it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import websockets
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.uri import parse_uri

from connectors.simulator import ModelParams, Simulator, SimulatorConfig, make_instrument

pytestmark = pytest.mark.integration
TRADE_KEYS = {"e", "E", "s", "t", "p", "q", "T", "m", "M"}


@pytest.fixture
async def simulator() -> AsyncIterator[Simulator]:
    config = SimulatorConfig(
        instruments=(make_instrument("BTC-USDT"), make_instrument("ETH-USDT")),
        model=ModelParams(rate=400),
        seed=11,
        ping_interval=0.2,
        ping_timeout=5.0,
    )
    async with Simulator(config) as sim:
        yield sim


async def recv_json(connection: websockets.ClientConnection, timeout: float = 5.0) -> Any:
    return json.loads(await asyncio.wait_for(connection.recv(), timeout))


async def test_subscribe_replies_with_its_id_then_streams_binance_trades(simulator: Simulator) -> None:
    async with websockets.connect(f"{simulator.ws_base_url}/ws") as connection:
        await connection.send('{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":1}')
        assert await recv_json(connection) == {"result": None, "id": 1}
        trades = [await recv_json(connection) for _ in range(60)]
    assert all(set(trade) == TRADE_KEYS for trade in trades)
    assert {(trade["e"], trade["s"], trade["M"]) for trade in trades} == {("trade", "BTCUSDT", True)}
    ids = [trade["t"] for trade in trades]
    assert ids == list(range(ids[0], ids[0] + 60))
    assert all(trade["E"] >= trade["T"] and isinstance(trade["m"], bool) for trade in trades)
    assert all(
        float(trade["p"]) > 0 and float(trade["q"]) > 0 and len(trade["p"].split(".")[1]) == 8 for trade in trades
    )


async def test_raw_stream_path_sends_book_tickers_without_a_request(simulator: Simulator) -> None:
    async with websockets.connect(f"{simulator.ws_base_url}/ws/ethusdt@bookTicker") as connection:
        quotes = [await recv_json(connection) for _ in range(30)]
    assert all(set(quote) == {"u", "s", "b", "B", "a", "A"} and quote["s"] == "ETHUSDT" for quote in quotes)
    assert all(float(quote["a"]) > float(quote["b"]) > 0 for quote in quotes)
    update_ids = [quote["u"] for quote in quotes]
    assert update_ids == sorted(update_ids) and len(set(update_ids)) == 30


async def test_combined_stream_wraps_each_payload_with_its_stream(simulator: Simulator) -> None:
    url = f"{simulator.ws_base_url}/stream?streams=btcusdt@trade/ethusdt@aggTrade"
    async with websockets.connect(url) as connection:
        messages = [await recv_json(connection) for _ in range(200)]
    by_stream: dict[str, list[int]] = {}
    for message in messages:
        assert set(message) == {"stream", "data"}
        data = message["data"]
        by_stream.setdefault(message["stream"], []).append(data["t"] if data["e"] == "trade" else data["a"])
    assert set(by_stream) == {"btcusdt@trade", "ethusdt@aggTrade"}
    for ids in by_stream.values():
        assert ids == list(range(ids[0], ids[0] + len(ids)))


async def test_unsubscribe_stops_the_stream(simulator: Simulator) -> None:
    async with websockets.connect(f"{simulator.ws_base_url}/ws/btcusdt@trade") as connection:
        await recv_json(connection)
        await connection.send('{"method":"UNSUBSCRIBE","params":["btcusdt@trade"],"id":2}')
        while (message := await recv_json(connection)) != {"result": None, "id": 2}:
            assert message["e"] == "trade"  # frames already on their way
        with pytest.raises(TimeoutError):
            await recv_json(connection, timeout=0.3)
        await connection.send('{"method":"LIST_SUBSCRIPTIONS","id":3}')
        assert await recv_json(connection) == {"result": [], "id": 3}


async def test_bad_request_gets_a_binance_error_and_the_connection_stays(simulator: Simulator) -> None:
    async with websockets.connect(f"{simulator.ws_base_url}/ws") as connection:
        await connection.send('{"method":"SUBSCRIBEX","params":["btcusdt@trade"],"id":4}')
        error = await recv_json(connection)
        assert error["id"] == 4 and error["error"]["code"] == 2 and error["error"]["msg"].startswith("Invalid request")
        await connection.send("not json")
        assert (await recv_json(connection))["error"]["code"] == 3
        await connection.send('{"method":"SET_PROPERTY","params":["combined",true],"id":5}')
        assert await recv_json(connection) == {"result": None, "id": 5}
        await connection.send('{"method":"SUBSCRIBE","params":["ethusdt@trade"],"id":6}')
        assert await recv_json(connection) == {"result": None, "id": 6}
        assert (await recv_json(connection))["stream"] == "ethusdt@trade"


async def test_unknown_path_is_refused_with_404(simulator: Simulator) -> None:
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(f"{simulator.ws_base_url}/api/v3/time"):
            pass
    assert refused.value.response.status_code == 404


async def test_server_sends_pings_and_answers_client_pings(simulator: Simulator) -> None:
    """A Sans-I/O client sees the raw frames: the server's pings, and the pong to its own ping."""
    protocol = ClientProtocol(parse_uri(f"{simulator.ws_base_url}/ws"))
    reader, writer = await asyncio.open_connection("127.0.0.1", simulator.ws_port)
    protocol.send_request(protocol.connect())
    writer.write(b"".join(protocol.data_to_send()))
    frames: list[Frame] = []
    pinged = False
    deadline = asyncio.get_running_loop().time() + 3
    while asyncio.get_running_loop().time() < deadline:
        if {Opcode.PING, Opcode.PONG} <= {frame.opcode for frame in frames}:
            break
        protocol.receive_data(await asyncio.wait_for(reader.read(65536), 3))
        frames.extend(event for event in protocol.events_received() if isinstance(event, Frame))
        if protocol.state is State.OPEN and not pinged:
            protocol.send_ping(b"client")
            writer.write(b"".join(protocol.data_to_send()))
            pinged = True
    writer.close()
    assert any(frame.opcode is Opcode.PING for frame in frames)
    assert any(frame.opcode is Opcode.PONG and frame.data == b"client" for frame in frames)


async def test_market_can_wait_for_the_first_subscriber_so_it_sees_trade_one() -> None:
    config = SimulatorConfig(model=ModelParams(rate=1000), start_on_subscribe=True, max_trades=100)
    async with Simulator(config) as simulator:
        await asyncio.sleep(0.2)
        assert simulator.stats().symbols["BTC-USDT"].trades_emitted == 0
        async with websockets.connect(f"{simulator.ws_base_url}/ws/btcusdt@trade") as connection:
            ids = [(await recv_json(connection))["t"] for _ in range(100)]
        assert ids == list(range(1, 101))
        assert simulator.stats().symbols["BTC-USDT"].trades_emitted == 100
