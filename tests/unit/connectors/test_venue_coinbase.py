from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from connectors import ParseError, SymbolError, VenueError
from connectors.venues import coinbase
from connectors.venues.common import Channel
from nashipai.events import Quote, Side, Trade

Wire = Callable[[str, str], bytes]
RECEIVED_NS = 1_718_000_000_999_000_000


def test_trade_snapshot_is_emitted_oldest_first_with_the_takers_side(wire: Wire) -> None:
    assert coinbase.parse(wire("coinbase", "market_trades_snapshot.json"), RECEIVED_NS) == [
        Trade(
            exchange="coinbase",
            symbol="ETH-USD",
            price=1260.01,
            size=0.3,
            side=Side.SELL,  # wire side BUY is the maker's: the taker sold
            trade_id="000000001",
            ts_event=1_565_815_347_265_000_000,  # "2019-08-14T20:42:27.265Z"
            ts_recv=RECEIVED_NS,
        ),
        Trade(
            exchange="coinbase",
            symbol="ETH-USD",
            price=1260.02,
            size=0.1,
            side=Side.BUY,
            trade_id="000000002",
            ts_event=1_675_973_975_396_251_000,  # "2023-02-09T20:19:35.396251Z"
            ts_recv=RECEIVED_NS,
        ),
    ]


def test_trade_time_keeps_all_nine_fractional_digits(wire: Wire) -> None:
    [trade] = coinbase.parse(wire("coinbase", "market_trades_update.json"), RECEIVED_NS)
    assert trade == Trade(
        exchange="coinbase",
        symbol="BTC-USD",
        price=67123.45,
        size=0.00012345,
        side=Side.SELL,
        trade_id="657843211",
        ts_event=1_718_000_000_123_456_789,
        ts_recv=RECEIVED_NS,
    )


def test_ticker_is_a_quote_stamped_with_the_message_time(wire: Wire) -> None:
    assert coinbase.parse(wire("coinbase", "ticker.json"), RECEIVED_NS) == [
        Quote(
            exchange="coinbase",
            symbol="BTC-USD",
            bid_price=21931.98,
            bid_size=0.02,
            ask_price=21933.98,
            ask_size=0.015,
            ts_event=1_675_974_637_167_359_596,  # "2023-02-09T20:30:37.167359596Z"
            ts_recv=RECEIVED_NS,
        )
    ]


@pytest.mark.parametrize("name", ["heartbeats.json", "subscriptions.json"])
def test_control_channels_are_no_events(wire: Wire, name: str) -> None:
    assert coinbase.parse(wire("coinbase", name), RECEIVED_NS) == []


def test_error_message_raises_venue_error(wire: Wire) -> None:
    with pytest.raises(VenueError) as caught:
        coinbase.parse(wire("coinbase", "error.json"), RECEIVED_NS)
    assert (caught.value.venue, caught.value.code, caught.value.message) == (
        "coinbase",
        "",
        "failure to subscribe",
    )


def test_pretty_printed_messages_take_the_slow_path_to_the_same_events(wire: Wire) -> None:
    for name in ("market_trades_snapshot.json", "ticker.json"):
        raw = wire("coinbase", name)
        assert coinbase.parse(json.dumps(json.loads(raw), indent=1), RECEIVED_NS) == coinbase.parse(raw, RECEIVED_NS)


def _trades_message(trade: str) -> bytes:
    return (
        '{"channel":"market_trades","client_id":"","timestamp":"2023-02-09T20:19:35.39625135Z",'
        f'"sequence_num":0,"events":[{{"type":"update","trades":[{trade}]}}]}}'
    ).encode()


_GOOD = '"trade_id":"1","product_id":"BTC-USD","price":"1.5","size":"2"'


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{", "not valid JSON"),
        (_trades_message(f'{{{_GOOD},"side":"BUY"}}'), "missing required field `time`"),
        (_trades_message(f'{{{_GOOD},"side":"BID","time":"2023-02-09T20:19:35Z"}}'), "`$.events[0].trades[0].side`"),
        (_trades_message(f'{{{_GOOD},"side":"BUY","time":"2023-02-09 20:19:35Z"}}'), "is not YYYY-MM-DDTHH:MM:SS"),
        (_trades_message(f'{{{_GOOD},"side":"BUY","time":"2023-02-09T20:19:35.1234567890Z"}}'), "1 to 9 digits"),
        (_trades_message(f'{{{_GOOD},"side":"BUY","time":"2023-02-09T20:19:35+01:00"}}'), "is not UTC"),
        (_trades_message(f'{{{_GOOD},"side":"BUY","time":"2023-02-30T20:19:35Z"}}'), "day is out of range"),
        (
            _trades_message(
                '{"trade_id":"1","product_id":"BTC-USD-PERP","price":"1","size":"1","side":"BUY",'
                '"time":"2023-02-09T20:19:35Z"}'
            ),
            "'BTC-USD-PERP'",
        ),
        (b'{"channel":"level2","events":[]}', "unexpected message (channel 'level2'"),
    ],
)
def test_malformed_input_raises_parse_error_with_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        coinbase.parse(raw, RECEIVED_NS)
    assert reason in caught.value.reason


def test_symbols_map_both_ways() -> None:
    assert coinbase.to_venue_symbol("BTC-USD") == "BTC-USD"
    assert coinbase.from_venue_symbol("ETH-EUR") == "ETH-EUR"
    with pytest.raises(SymbolError):
        coinbase.to_venue_symbol("BTC/USD")
    with pytest.raises(SymbolError):
        coinbase.from_venue_symbol("btc-usd")


def test_subscribe_messages_one_per_channel_then_heartbeats() -> None:
    assert [json.loads(message) for message in coinbase.subscribe_messages(["BTC-USD", "ETH-USD"])] == [
        {"type": "subscribe", "product_ids": ["BTC-USD", "ETH-USD"], "channel": "market_trades"},
        {"type": "subscribe", "product_ids": ["BTC-USD", "ETH-USD"], "channel": "ticker"},
        {"type": "subscribe", "channel": "heartbeats"},
    ]
    assert [json.loads(message) for message in coinbase.unsubscribe_messages(["BTC-USD"], [Channel.QUOTES])] == [
        {"type": "unsubscribe", "product_ids": ["BTC-USD"], "channel": "ticker"},
    ]


def test_session_replays_without_errors(session: Callable[[str], list[bytes]]) -> None:
    events = [event for frame in session("coinbase") for event in coinbase.parse(frame, RECEIVED_NS)]
    assert [type(event).__name__ for event in events] == ["Trade", "Trade", "Quote", "Trade"]
    assert [event.trade_id for event in events if isinstance(event, Trade)] == ["500000001", "500000002", "500000003"]


def test_parse_many_numbered_gives_every_frames_sequence_number(session: Callable[[str], list[bytes]]) -> None:
    frames = session("coinbase")
    times = [RECEIVED_NS + index for index in range(len(frames))]
    events, numbers = coinbase.parse_many_numbered(frames, times)
    assert numbers == [0, 1, 2, 3, 4]
    assert events == coinbase.parse_many(frames, times)
    assert events == [event for frame, ns in zip(frames, times, strict=True) for event in coinbase.parse(frame, ns)]


def test_the_slow_path_gives_the_same_numbers_and_skips_frames_without_one(wire: Wire) -> None:
    trades = wire("coinbase", "market_trades_snapshot.json")
    pretty = json.dumps(json.loads(wire("coinbase", "heartbeats.json")), indent=1).encode()  # not JSON lines
    numbers = [coinbase.sequence_number(trades), coinbase.sequence_number(pretty)]
    assert None not in numbers
    events, got = coinbase.parse_many_numbered([trades, pretty], [RECEIVED_NS, RECEIVED_NS])
    assert got == numbers and len(events) == 2
    assert coinbase.sequence_number(wire("coinbase", "error.json")) is None
    assert coinbase.sequence_number(b'{"channel":"ticker"') is None
