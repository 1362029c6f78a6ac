from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from connectors import ParseError, SymbolError, VenueError
from connectors.venues import bybit
from connectors.venues.common import Channel
from nashipai.events import Quote, Side, Trade

Wire = Callable[[str, str], bytes]
RECEIVED_NS = 1_718_000_000_999_000_000


def test_public_trade_is_a_trade_with_the_takers_side(wire: Wire) -> None:
    assert bybit.parse(wire("bybit", "public_trade.json"), RECEIVED_NS) == [
        Trade(
            exchange="bybit",
            symbol="BTC-USDT",
            price=67123.45,
            size=0.001,
            side=Side.SELL,
            trade_id="2290000000061666327",
            ts_event=1_718_000_000_123_000_000,
            ts_recv=RECEIVED_NS,
        )
    ]


def test_batched_public_trades_all_become_trades(wire: Wire) -> None:
    assert bybit.parse(wire("bybit", "public_trade_batch.json"), RECEIVED_NS) == [
        Trade(
            exchange="bybit",
            symbol="ETH-USDT",
            price=3678.10,
            size=0.25,
            side=Side.BUY,
            trade_id="2290000000012345671",
            ts_event=1_718_000_000_200_000_000,
            ts_recv=RECEIVED_NS,
        ),
        Trade(
            exchange="bybit",
            symbol="ETH-USDT",
            price=3678.11,
            size=1.5,
            side=Side.BUY,
            trade_id="2290000000012345675",
            ts_event=1_718_000_000_201_000_000,
            ts_recv=RECEIVED_NS,
        ),
    ]


def test_level_one_snapshot_is_a_quote_at_matching_engine_time(wire: Wire) -> None:
    assert bybit.parse(wire("bybit", "orderbook1_snapshot.json"), RECEIVED_NS) == [
        Quote(
            exchange="bybit",
            symbol="BTC-USDT",
            bid_price=67123.40,
            bid_size=1.234,
            ask_price=67123.50,
            ask_size=0.567,
            ts_event=1_718_000_000_298_000_000,  # cts
            ts_recv=RECEIVED_NS,
        )
    ]


def test_level_one_delta_with_both_sides_skips_deleted_levels(wire: Wire) -> None:
    assert bybit.parse(wire("bybit", "orderbook1_delta_both_sides.json"), RECEIVED_NS) == [
        Quote(
            exchange="bybit",
            symbol="BTC-USDT",
            bid_price=32499.20,
            bid_size=0.5,
            ask_price=32499.27,
            ask_size=0.011534,
            ts_event=1_699_764_797_600_000_000,  # no cts: ts
            ts_recv=RECEIVED_NS,
        )
    ]


def test_level_one_delta_missing_a_side_cannot_be_applied_without_state(wire: Wire) -> None:
    with pytest.raises(ParseError) as caught:
        bybit.parse(wire("bybit", "orderbook1_delta_one_side.json"), RECEIVED_NS)
    assert "delta without a live level on both sides" in caught.value.reason


def test_level_one_snapshot_of_an_empty_book_is_no_quote(wire: Wire) -> None:
    assert bybit.parse(wire("bybit", "orderbook1_empty.json"), RECEIVED_NS) == []


@pytest.mark.parametrize("name", ["subscribe_ack.json", "pong_spot.json", "pong_linear.json"])
def test_acks_and_pongs_are_no_events(wire: Wire, name: str) -> None:
    assert bybit.parse(wire("bybit", name), RECEIVED_NS) == []


def test_failed_subscription_raises_venue_error(wire: Wire) -> None:
    with pytest.raises(VenueError) as caught:
        bybit.parse(wire("bybit", "subscribe_error.json"), RECEIVED_NS)
    assert (caught.value.venue, caught.value.message) == ("bybit", "Invalid symbol :[publicTrade.XYZUSDT]")
    assert caught.value.should_retry is False


_TRADE = '"i":"1","T":1,"p":"1.5","v":"2","s":"BTCUSDT"'


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "not valid JSON"),
        (f'{{"topic":"publicTrade.BTCUSDT","type":"snapshot","data":[{{{_TRADE},"S":"Buy"}}]}}'.encode(), "`ts`"),
        (
            f'{{"topic":"publicTrade.BTCUSDT","ts":1,"type":"snapshot","data":[{{{_TRADE},"S":"buy"}}]}}'.encode(),
            "`$.data[0].S`",
        ),
        (
            b'{"topic":"publicTrade.BTCUSDT","ts":1,"type":"snapshot","data":[{"i":"1","T":-5,"p":"1","v":"1",'
            b'"s":"BTCUSDT","S":"Buy"}]}',
            ">= 0 - at `$.data[0].T`",
        ),
        (
            b'{"topic":"orderbook.1.BTCUSDT","ts":1,"type":"snapshot","data":{"s":"BTCUSDT","b":[["1"]],"a":[],"u":1}}',
            "`$.data.b[0]`",
        ),
        (
            b'{"topic":"orderbook.1.BTCUSDT","ts":1,"type":"partial","data":{"s":"BTCUSDT","b":[],"a":[],"u":1}}',
            "`$.type`",
        ),
        (
            b'{"topic":"tickers.BTCUSDT","ts":1,"type":"snapshot","data":{}}',
            "unexpected message (topic 'tickers.BTCUSDT')",
        ),
    ],
)
def test_malformed_input_raises_parse_error_with_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        bybit.parse(raw, RECEIVED_NS)
    assert reason in caught.value.reason


def test_symbols_map_both_ways() -> None:
    assert bybit.to_venue_symbol("BTC-USDT") == "BTCUSDT"
    assert bybit.from_venue_symbol("ETHUSDC") == "ETH-USDC"
    assert bybit.from_venue_symbol("MNTUSDE") == "MNT-USDE"
    with pytest.raises(SymbolError):
        bybit.from_venue_symbol("BTCQQQ")


def test_subscribe_requests_hold_at_most_ten_topics() -> None:
    symbols = [f"C{number}-USDT" for number in range(6)]
    messages = [json.loads(message) for message in bybit.subscribe_messages(symbols)]
    assert [len(message["args"]) for message in messages] == [10, 2]
    assert messages[0]["op"] == "subscribe"
    assert messages[0]["args"][:2] == ["publicTrade.C0USDT", "orderbook.1.C0USDT"]
    assert [message["req_id"] for message in messages] == ["subscribe-1", "subscribe-2"]
    [unsubscribe] = bybit.unsubscribe_messages(["BTC-USDT"], [Channel.QUOTES])
    assert json.loads(unsubscribe) == {"op": "unsubscribe", "args": ["orderbook.1.BTCUSDT"], "req_id": "unsubscribe-1"}
    assert json.loads(bybit.PING_MESSAGE or "") == {"op": "ping"}


def test_session_replays_without_errors(session: Callable[[str], list[bytes]]) -> None:
    events = [event for frame in session("bybit") for event in bybit.parse(frame, RECEIVED_NS)]
    assert [type(event).__name__ for event in events] == ["Quote", "Trade", "Quote"]
