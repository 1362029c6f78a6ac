from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from connectors import ParseError, SymbolError, VenueError
from connectors.venues import binance
from connectors.venues.common import Channel
from nashipai.events import Quote, Side, Trade

Wire = Callable[[str, str], bytes]
RECEIVED_NS = 1_718_000_000_999_000_000


def test_raw_trade_is_a_trade_with_the_takers_side(wire: Wire) -> None:
    assert binance.parse(wire("binance", "trade.json"), RECEIVED_NS) == [
        Trade(
            exchange="binance",
            symbol="BNB-BTC",
            price=0.001,
            size=100.0,
            side=Side.SELL,  # m: buyer is maker -> the taker sold
            trade_id="12345",
            ts_event=1_672_515_782_134_000_000,
            ts_recv=RECEIVED_NS,
        )
    ]


def test_combined_trade_is_unwrapped(wire: Wire) -> None:
    assert binance.parse(wire("binance", "combined_trade.json"), RECEIVED_NS) == [
        Trade(
            exchange="binance",
            symbol="BTC-USDT",
            price=67123.45,
            size=0.012,
            side=Side.BUY,
            trade_id="3600000001",
            ts_event=1_718_000_000_123_000_000,
            ts_recv=RECEIVED_NS,
        )
    ]


def test_text_frames_parse_like_bytes(wire: Wire) -> None:
    raw = wire("binance", "combined_trade.json")
    assert binance.parse(raw.decode(), RECEIVED_NS) == binance.parse(raw, RECEIVED_NS)


@pytest.mark.parametrize("name", ["book_ticker.json", "combined_book_ticker.json"])
def test_book_ticker_is_a_quote_stamped_with_the_receive_time(wire: Wire, name: str) -> None:
    expected = {
        "book_ticker.json": Quote(
            exchange="binance",
            symbol="BNB-USDT",
            bid_price=25.3519,
            bid_size=31.21,
            ask_price=25.3652,
            ask_size=40.66,
            ts_event=RECEIVED_NS,
            ts_recv=RECEIVED_NS,
        ),
        "combined_book_ticker.json": Quote(
            exchange="binance",
            symbol="BTC-USDT",
            bid_price=67123.44,
            bid_size=1.5,
            ask_price=67123.45,
            ask_size=0.25,
            ts_event=RECEIVED_NS,
            ts_recv=RECEIVED_NS,
        ),
    }
    assert binance.parse(wire("binance", name), RECEIVED_NS) == [expected[name]]


def test_pretty_printed_messages_take_the_slow_path_to_the_same_events(wire: Wire) -> None:
    for name in ("trade.json", "combined_trade.json", "book_ticker.json", "combined_book_ticker.json"):
        raw = wire("binance", name)
        pretty = json.dumps(json.loads(raw), indent=2)
        assert binance.parse(pretty, RECEIVED_NS) == binance.parse(raw, RECEIVED_NS)


def test_subscription_ack_is_no_event(wire: Wire) -> None:
    assert binance.parse(wire("binance", "subscribe_ack.json"), RECEIVED_NS) == []


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("error.json", "2", "Invalid request: unknown variable"),
        ("error_legacy.json", "0", "Unknown property"),
    ],
)
def test_error_response_raises_venue_error(wire: Wire, name: str, code: str, message: str) -> None:
    with pytest.raises(VenueError) as caught:
        binance.parse(wire("binance", name), RECEIVED_NS)
    assert (caught.value.venue, caught.value.code, caught.value.message) == ("binance", code, message)
    assert caught.value.should_retry is False


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", "not valid JSON"),
        (b'{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"1","T":1,"m":true}', "missing required field `q`"),
        (b'{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"1","q":"1","T":1,"m":"yes"}', "`$.m`"),
        (b'{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"0","q":"1","T":1,"m":true}', "> 0.0 - at `$.p`"),
        (b'{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"abc","q":"1","T":1,"m":true}', "`$.p`"),
        (b'{"e":"trade","E":1,"s":"BTCXYZ","t":1,"p":"1","q":"1","T":1,"m":true}', "'BTCXYZ'"),
        (b'{"stream":"btcusdt@trade","data":{"e":"trade"}}', "missing required field"),
        (b'{"stream":"btcusdt@depth","data":{}}', "unexpected stream 'btcusdt@depth'"),
        (b'{"e":"aggTrade","E":1,"s":"BTCUSDT"}', "unknown message (event type 'aggTrade')"),
        (b"[1, 2]", "Expected `object`, got `array`"),
    ],
)
def test_malformed_input_raises_parse_error_with_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        binance.parse(raw, RECEIVED_NS)
    assert reason in caught.value.reason
    assert caught.value.raw == raw
    assert caught.value.should_retry is False


def test_symbols_map_both_ways() -> None:
    assert binance.to_venue_symbol("BTC-USDT") == "BTCUSDT"
    assert binance.from_venue_symbol("ETHBTC") == "ETH-BTC"
    assert binance.from_venue_symbol("BTCFDUSD") == "BTC-FDUSD"
    assert binance.from_venue_symbol("SOLTRY") == "SOL-TRY"
    assert binance.from_venue_symbol("btcusdc") == "BTC-USDC"


def test_subscribed_symbol_with_an_unlisted_quote_is_remembered() -> None:
    assert binance.to_venue_symbol("FOO-QQQ") == "FOOQQQ"
    assert binance.from_venue_symbol("FOOQQQ") == "FOO-QQQ"


@pytest.mark.parametrize("venue_symbol", ["BTCXYZ", "USDT", ""])
def test_unknown_quote_asset_is_a_symbol_error(venue_symbol: str) -> None:
    with pytest.raises(SymbolError):
        binance.from_venue_symbol(venue_symbol)


@pytest.mark.parametrize("symbol", ["BTCUSDT", "btc-usdt", "BTC/USDT", "BTC-USDT-SWAP"])
def test_non_normalised_symbol_is_refused(symbol: str) -> None:
    with pytest.raises(SymbolError):
        binance.to_venue_symbol(symbol)


def test_subscribe_message_names_every_stream() -> None:
    [message] = binance.subscribe_messages(["BTC-USDT", "ETH-BTC"])
    assert json.loads(message) == {
        "method": "SUBSCRIBE",
        "params": ["btcusdt@trade", "btcusdt@bookTicker", "ethbtc@trade", "ethbtc@bookTicker"],
        "id": 1,
    }
    [trades_only] = binance.unsubscribe_messages(["BTC-USDT"], [Channel.TRADES])
    assert json.loads(trades_only) == {"method": "UNSUBSCRIBE", "params": ["btcusdt@trade"], "id": 2}


def test_session_replays_without_errors(session: Callable[[str], list[bytes]]) -> None:
    events = [event for frame in session("binance") for event in binance.parse(frame, RECEIVED_NS)]
    assert [type(event).__name__ for event in events] == ["Trade", "Quote", "Trade", "Trade", "Quote"]
    assert [event.trade_id for event in events if isinstance(event, Trade)] == [
        "3600000001",
        "1500000002",
        "3600000002",
    ]


def test_parse_many_gives_the_events_of_parse_grouped_by_kind(session: Callable[[str], list[bytes]]) -> None:
    frames = session("binance")
    times = [RECEIVED_NS + index for index in range(len(frames))]
    one_by_one = [event for raw, ns in zip(frames, times, strict=True) for event in binance.parse(raw, ns)]
    many = binance.parse_many(frames, times)
    assert sorted(many, key=repr) == sorted(one_by_one, key=repr)
    assert [e for e in many if isinstance(e, Trade)] == [e for e in one_by_one if isinstance(e, Trade)]
    assert [e for e in many if isinstance(e, Quote)] == [e for e in one_by_one if isinstance(e, Quote)]


def test_parse_many_refuses_a_batch_with_a_broken_frame(session: Callable[[str], list[bytes]]) -> None:
    frames = [frame for frame in session("binance") if b"@trade" in frame]
    truncated = b'{"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT","t":1,"p":"1.0'
    for broken in ([truncated, *frames], [*frames, frames[0][:-1]]):
        with pytest.raises(ParseError):
            binance.parse_many(broken, [RECEIVED_NS] * len(broken))
    with pytest.raises(VenueError):
        binance.parse_many([b'{"error":{"code":2,"msg":"Invalid request"},"id":1}'], [RECEIVED_NS])
