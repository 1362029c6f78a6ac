from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from connectors import ParseError, SymbolError, VenueError
from connectors.venues import kraken
from connectors.venues.common import Channel
from nashipai.events import Quote, Side, Trade

Wire = Callable[[str, str], bytes]
RECEIVED_NS = 1_718_000_000_999_000_000


def test_trade_update_is_a_trade(wire: Wire) -> None:
    assert kraken.parse(wire("kraken", "trade_update.json"), RECEIVED_NS) == [
        Trade(
            exchange="kraken",
            symbol="MATIC-USD",
            price=0.5117,
            size=40.0,
            side=Side.SELL,
            trade_id="4665906",
            ts_event=1_695_628_177_708_706_000,  # "2023-09-25T07:49:37.708706Z"
            ts_recv=RECEIVED_NS,
        )
    ]


def test_trade_snapshot_yields_every_trade_in_order(wire: Wire) -> None:
    assert kraken.parse(wire("kraken", "trade_snapshot.json"), RECEIVED_NS) == [
        Trade(
            exchange="kraken",
            symbol="BTC-USD",
            price=67123.4,
            size=0.0015,
            side=Side.BUY,
            trade_id="78123455",
            ts_event=1_718_000_000_123_456_000,
            ts_recv=RECEIVED_NS,
        ),
        Trade(
            exchange="kraken",
            symbol="BTC-USD",
            price=67123.3,
            size=0.25,
            side=Side.SELL,
            trade_id="78123456",
            ts_event=1_718_000_000_123_457_000,
            ts_recv=RECEIVED_NS,
        ),
    ]


def test_ticker_without_timestamp_is_stamped_with_the_receive_time(wire: Wire) -> None:
    assert kraken.parse(wire("kraken", "ticker.json"), RECEIVED_NS) == [
        Quote(
            exchange="kraken",
            symbol="ALGO-USD",
            bid_price=0.10025,
            bid_size=740.0,
            ask_price=0.10035,
            ask_size=740.0,
            ts_event=RECEIVED_NS,
            ts_recv=RECEIVED_NS,
        )
    ]


def test_ticker_with_timestamp_uses_it(wire: Wire) -> None:
    [quote] = kraken.parse(wire("kraken", "ticker_with_timestamp.json"), RECEIVED_NS)
    assert quote == Quote(
        exchange="kraken",
        symbol="BTC-USD",
        bid_price=67123.3,
        bid_size=1.25,
        ask_price=67123.4,
        ask_size=0.5,
        ts_event=1_718_000_000_123_456_000,
        ts_recv=RECEIVED_NS,
    )


@pytest.mark.parametrize("name", ["status.json", "heartbeat.json", "pong.json", "subscribe_ack.json"])
def test_control_messages_are_no_events(wire: Wire, name: str) -> None:
    assert kraken.parse(wire("kraken", name), RECEIVED_NS) == []


@pytest.mark.parametrize(
    ("name", "message", "should_retry"),
    [
        ("subscribe_error.json", "Currency pair not supported BTC/ABC", False),
        ("rate_limit_error.json", "Exceeded msg rate", True),
    ],
)
def test_failed_request_raises_venue_error(wire: Wire, name: str, message: str, should_retry: bool) -> None:
    with pytest.raises(VenueError) as caught:
        kraken.parse(wire("kraken", name), RECEIVED_NS)
    assert (caught.value.venue, caught.value.message, caught.value.should_retry) == ("kraken", message, should_retry)


_TRADE = '"symbol":"BTC/USD","price":1.5,"qty":2.0,"ord_type":"market","trade_id":1'


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xff\xfe", "not valid JSON"),
        (f'{{"channel":"trade","type":"update","data":[{{{_TRADE},"side":"buy"}}]}}'.encode(), "`timestamp`"),
        (
            f'{{"channel":"trade","type":"update","data":[{{{_TRADE},"side":"hold","timestamp":"2023-09-25T07:49:37Z"}}]}}'.encode(),
            "`$.data[0].side`",
        ),
        (
            b'{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":"1.5","qty":2.0,'
            b'"ord_type":"market","trade_id":1,"timestamp":"2023-09-25T07:49:37Z"}]}',
            "Expected `float`, got `str` - at `$.data[0].price`",
        ),
        (
            f'{{"channel":"trade","type":"update","data":[{{{_TRADE},"side":"buy","timestamp":"1695628177"}}]}}'.encode(),
            "is not YYYY-MM-DDTHH:MM:SS",
        ),
        (b'{"channel":"book","type":"update","data":[]}', "unexpected message (channel 'book')"),
    ],
)
def test_malformed_input_raises_parse_error_with_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        kraken.parse(raw, RECEIVED_NS)
    assert reason in caught.value.reason


def test_symbols_map_both_ways() -> None:
    assert kraken.to_venue_symbol("BTC-USD") == "BTC/USD"
    assert kraken.from_venue_symbol("ETH/EUR") == "ETH-EUR"
    for bad in ("ETHEUR", "ETH/EUR/X", "eth/eur"):
        with pytest.raises(SymbolError):
            kraken.from_venue_symbol(bad)


def test_subscribe_messages_one_per_channel() -> None:
    assert [json.loads(message) for message in kraken.subscribe_messages(["BTC-USD", "ETH-USD"])] == [
        {
            "method": "subscribe",
            "params": {"channel": "trade", "symbol": ["BTC/USD", "ETH/USD"], "snapshot": True},
            "req_id": 1,
        },
        {
            "method": "subscribe",
            "params": {"channel": "ticker", "symbol": ["BTC/USD", "ETH/USD"], "event_trigger": "bbo"},
            "req_id": 2,
        },
    ]
    assert [json.loads(message) for message in kraken.unsubscribe_messages(["BTC-USD"], [Channel.TRADES])] == [
        {"method": "unsubscribe", "params": {"channel": "trade", "symbol": ["BTC/USD"]}, "req_id": 1},
    ]
    assert json.loads(kraken.PING_MESSAGE or "") == {"method": "ping"}


def test_session_replays_without_errors(session: Callable[[str], list[bytes]]) -> None:
    events = [event for frame in session("kraken") for event in kraken.parse(frame, RECEIVED_NS)]
    assert [type(event).__name__ for event in events] == ["Trade", "Trade", "Quote", "Trade"]
