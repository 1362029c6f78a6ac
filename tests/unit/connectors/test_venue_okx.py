from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from connectors import ParseError, SymbolError, VenueError
from connectors.venues import okx
from connectors.venues.common import Channel
from nashipai.events import Quote, Side, Trade

Wire = Callable[[str, str], bytes]
RECEIVED_NS = 1_718_000_000_999_000_000


def test_trade_is_a_trade_with_the_takers_side(wire: Wire) -> None:
    assert okx.parse(wire("okx", "trades.json"), RECEIVED_NS) == [
        Trade(
            exchange="okx",
            symbol="BTC-USDT",
            price=42219.9,
            size=0.12060306,
            side=Side.BUY,
            trade_id="130639474",
            ts_event=1_630_048_897_897_000_000,
            ts_recv=RECEIVED_NS,
        )
    ]


def test_batched_trades_all_become_trades(wire: Wire) -> None:
    assert okx.parse(wire("okx", "trades_batch.json"), RECEIVED_NS) == [
        Trade(
            exchange="okx",
            symbol="ETH-USDT",
            price=3678.1,
            size=0.5,
            side=Side.SELL,
            trade_id="580120001",
            ts_event=1_718_000_000_123_000_000,
            ts_recv=RECEIVED_NS,
        ),
        Trade(
            exchange="okx",
            symbol="ETH-USDT",
            price=3678.0,
            size=2.0,
            side=Side.SELL,
            trade_id="580120003",
            ts_event=1_718_000_000_124_000_000,
            ts_recv=RECEIVED_NS,
        ),
    ]


#: The quote of fixtures/okx/bbo_tbt.json.
BBO_QUOTE = Quote(
    exchange="okx",
    symbol="BTC-USDT",
    bid_price=42219.8,
    bid_size=1.2,
    ask_price=42219.9,
    ask_size=0.5,
    ts_event=1_630_048_897_900_000_000,
    ts_recv=RECEIVED_NS,
)


def test_bbo_tbt_is_a_quote_for_the_subscribed_instrument(wire: Wire) -> None:
    assert okx.parse(wire("okx", "bbo_tbt.json"), RECEIVED_NS) == [BBO_QUOTE]


def test_bbo_levels_are_read_by_price_and_size_whatever_follows() -> None:
    """A level's two trailing fields (liquidated, orders) are skipped, not checked: a level of two
    or of five fields gives the same quote as the documented four, batched or not."""
    levels = ('["42219.9","0.5"]', '["42219.9","0.5","0","3","extra"]')
    frames = [
        b'{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[%s],"bids":[["42219.8","1.2","0","5"]],'
        b'"ts":"1630048897900"}]}' % level.encode()
        for level in levels
    ]
    assert [okx.parse(frame, RECEIVED_NS) for frame in frames] == [[BBO_QUOTE], [BBO_QUOTE]]
    assert okx.parse_many(frames, [RECEIVED_NS] * 2) == [BBO_QUOTE, BBO_QUOTE]


@pytest.mark.parametrize("name", ["subscribe_ack.json", "channel_conn_count.json", "pong.txt"])
def test_control_messages_are_no_events(wire: Wire, name: str) -> None:
    assert okx.parse(wire("okx", name), RECEIVED_NS) == []
    assert okx.parse(wire("okx", name).decode(), RECEIVED_NS) == []


@pytest.mark.parametrize(
    ("name", "code", "should_retry"),
    [("error.json", "60012", False), ("notice.json", "64008", True)],
)
def test_error_and_notice_raise_venue_error(wire: Wire, name: str, code: str, should_retry: bool) -> None:
    with pytest.raises(VenueError) as caught:
        okx.parse(wire("okx", name), RECEIVED_NS)
    assert (caught.value.venue, caught.value.code, caught.value.should_retry) == ("okx", code, should_retry)
    assert caught.value.message.startswith(("Invalid request", "The connection will soon be closed"))


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"ping", "not valid JSON"),
        (
            b'{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1",'
            b'"side":"buy","ts":"1"}]}',
            "missing required field `sz`",
        ),
        (
            b'{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1",'
            b'"sz":"1","side":"buy","ts":"yesterday"}]}',
            "`$.data[0].ts`",
        ),
        (
            b'{"arg":{"channel":"trades","instId":"BTC-USDT-SWAP"},"data":[{"instId":"BTC-USDT-SWAP","tradeId":"1",'
            b'"px":"1","sz":"1","side":"buy","ts":"1"}]}',
            "'BTC-USDT-SWAP'",
        ),
        (
            b'{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["1"]],"bids":[],"ts":"1"}]}',
            "`$.data[0].asks[0]`",
        ),
        (
            b'{"arg":{"channel":"books5","instId":"BTC-USDT"},"data":[]}',
            "unexpected message (event None, channel 'books5')",
        ),
        (b'{"event":"login","code":"0"}', "unexpected message (event 'login'"),
    ],
)
def test_malformed_input_raises_parse_error_with_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        okx.parse(raw, RECEIVED_NS)
    assert reason in caught.value.reason


def test_symbols_map_both_ways() -> None:
    assert okx.to_venue_symbol("BTC-USDT") == "BTC-USDT"
    assert okx.from_venue_symbol("ETH-USDC") == "ETH-USDC"
    with pytest.raises(SymbolError):
        okx.from_venue_symbol("BTC-USD-240628")


def test_subscribe_message_lists_every_channel_and_instrument() -> None:
    [message] = okx.subscribe_messages(["BTC-USDT", "ETH-USDT"])
    assert json.loads(message) == {
        "op": "subscribe",
        "args": [
            {"channel": "trades", "instId": "BTC-USDT"},
            {"channel": "bbo-tbt", "instId": "BTC-USDT"},
            {"channel": "trades", "instId": "ETH-USDT"},
            {"channel": "bbo-tbt", "instId": "ETH-USDT"},
        ],
    }
    [unsubscribe] = okx.unsubscribe_messages(["BTC-USDT"], [Channel.TRADES])
    assert json.loads(unsubscribe) == {"op": "unsubscribe", "args": [{"channel": "trades", "instId": "BTC-USDT"}]}
    assert (okx.PING_MESSAGE, okx.PING_INTERVAL) == ("ping", 25.0)


def test_session_replays_without_errors(session: Callable[[str], list[bytes]]) -> None:
    events = [event for frame in session("okx") for event in okx.parse(frame, RECEIVED_NS)]
    assert [type(event).__name__ for event in events] == ["Quote", "Trade"]
