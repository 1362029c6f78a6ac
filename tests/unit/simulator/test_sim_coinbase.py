"""The simulator's Coinbase dialect, pure: message encoding (read back by the Coinbase connector),
subscription requests, rolling ticker statistics, cursor pagination, products and the ccxt config."""

from __future__ import annotations

import json
import math
import random

import msgspec
import pytest

from connectors.errors import ParseError, VenueError
from connectors.simulator import coinbase_client_config
from connectors.simulator.coinbase.day_stats import RollingDay
from connectors.simulator.coinbase.pagination import trade_page
from connectors.simulator.coinbase.products import currencies, increment, product
from connectors.simulator.coinbase.wire import (
    HEARTBEATS,
    MARKET_TRADES,
    SUBSCRIPTIONS,
    TICKER,
    UPDATE,
    HeartbeatEvent,
    SubscriptionsEvent,
    TickerEvent,
    encode_message,
    error_frame,
    formatter_for,
    go_time,
    timestamp_ns,
    trade_time,
)
from connectors.simulator.coinbase.ws_hub import malformed_frame
from connectors.simulator.coinbase.ws_protocol import CoinbaseSession, handle_request
from connectors.simulator.faults import MalformedVariant
from connectors.simulator.history import TradeHistory
from connectors.simulator.instruments import make_instrument
from connectors.simulator.model import MarketModel, ModelParams, SimQuote, SimTrade
from connectors.simulator.venue import SymbolBook, Venue
from connectors.venues import coinbase
from connectors.venues.timestamps import iso_to_ns
from nashipai.events import Quote, Side, Trade

T0 = 1_700_000_000_000  # 2023-11-14T22:13:20Z
BTC = make_instrument("BTC-USDT")
PRODUCTS = frozenset({"BTC-USDT", "ETH-USDT"})


def sim_trade(trade_id: int, price: float = 65000.5, *, taker_buys: bool = True, time_ms: int = T0) -> SimTrade:
    return SimTrade(trade_id=trade_id, price=price, size=0.0123, buyer_is_maker=not taker_buys, time_ms=time_ms)


def history_of(first: int, last: int, capacity: int = 1000) -> TradeHistory:
    history = TradeHistory(capacity)
    history.extend([sim_trade(trade_id, time_ms=T0 + trade_id) for trade_id in range(first, last + 1)])
    return history


# -- timestamps ---------------------------------------------------------------------------------


def test_timestamps_are_rfc3339_utc_and_read_back_exactly() -> None:
    ns = T0 * 1_000_000 + 396_251_350
    assert timestamp_ns(ns) == "2023-11-14T22:13:20.396251350Z"
    assert trade_time(T0 + 7) == "2023-11-14T22:13:20.007000Z"
    assert iso_to_ns(timestamp_ns(ns)) == ns and iso_to_ns(trade_time(T0 + 7)) == (T0 + 7) * 1_000_000
    assert go_time(ns, 91717.525857105) == "2023-11-14 22:13:20.396251350 +0000 UTC m=+91717.525857105"


# -- messages, read back by the connector ------------------------------------------------------


def test_framed_message_is_numbered_per_stamp_with_the_channel_first() -> None:
    message = encode_message(SUBSCRIPTIONS, "2023-11-14T22:13:20.000000001Z", [SubscriptionsEvent({TICKER: ["A-B"]})])
    first, second = message.stamp(0), message.stamp(41)
    assert first.startswith(b'{"channel":"subscriptions","client_id":"","timestamp":"')
    assert json.loads(second) == {
        "channel": "subscriptions", "client_id": "", "timestamp": "2023-11-14T22:13:20.000000001Z",
        "sequence_num": 41, "events": [{"subscriptions": {"ticker": ["A-B"]}}],
    }  # fmt: skip
    assert json.loads(first)["sequence_num"] == 0


def test_market_trades_go_newest_first_with_the_maker_side_and_parse_to_taker_trades() -> None:
    formatter = formatter_for(BTC)
    trades = [sim_trade(7, 65000.5, taker_buys=True), sim_trade(8, 64999.25, taker_buys=False, time_ms=T0 + 3)]
    frame = encode_message(MARKET_TRADES, timestamp_ns(T0 * 10**6), [formatter.trades_event(UPDATE, trades)]).stamp(5)
    wire = json.loads(frame)["events"][0]
    assert wire["type"] == "update"
    assert [(row["trade_id"], row["side"]) for row in wire["trades"]] == [("8", "BUY"), ("7", "SELL")]
    assert wire["trades"][1] == {
        "trade_id": "7", "product_id": "BTC-USDT", "price": "65000.50000000", "size": "0.01230000",
        "side": "SELL", "time": "2023-11-14T22:13:20.000000Z",
    }  # fmt: skip
    expected = [
        Trade(exchange="coinbase", symbol="BTC-USDT", price=65000.5, size=0.0123, side=Side.BUY, trade_id="7",
              ts_event=T0 * 10**6, ts_recv=1),
        Trade(exchange="coinbase", symbol="BTC-USDT", price=64999.25, size=0.0123, side=Side.SELL, trade_id="8",
              ts_event=(T0 + 3) * 10**6, ts_recv=1),
    ]  # fmt: skip
    assert coinbase.parse(frame, 1) == expected
    assert coinbase.parse_many([frame, frame], [1, 1]) == expected * 2


def test_ticker_parses_to_a_quote_stamped_with_the_message_time() -> None:
    day = RollingDay()
    day.add(T0, 100.0, 2.0)
    day.add(T0 + 5, 110.0, 1.5)
    quote = SimQuote(update_id=9, bid_price=64999.99, bid_size=0.5, ask_price=65000.01, ask_size=0.25, time_ms=T0)
    ticker = formatter_for(BTC).ticker(110.0, quote, day)
    assert (ticker.volume_24_h, ticker.low_24_h, ticker.high_24_h) == ("3.50000000", "100.00000000", "110.00000000")
    assert ticker.price_percent_chg_24_h == "10.00000000" and ticker.best_ask_quantity == "0.25000000"
    ns = T0 * 10**6 + 123
    frame = encode_message(TICKER, timestamp_ns(ns), [TickerEvent(UPDATE, [ticker])]).stamp(0)
    expected = Quote(
        exchange="coinbase", symbol="BTC-USDT", bid_price=64999.99, bid_size=0.5, ask_price=65000.01, ask_size=0.25,
        ts_event=ns, ts_recv=2,
    )  # fmt: skip
    assert coinbase.parse(frame, 2) == [expected] == coinbase.parse_many([frame], [2])


def test_control_messages_parse_to_nothing_and_errors_raise() -> None:
    stamp = timestamp_ns(T0 * 10**6)
    heartbeat = encode_message(HEARTBEATS, stamp, [HeartbeatEvent(go_time(T0 * 10**6, 1.5), 3)]).stamp(1)
    subscriptions = encode_message(SUBSCRIPTIONS, stamp, [SubscriptionsEvent({HEARTBEATS: [HEARTBEATS]})]).stamp(2)
    assert json.loads(heartbeat)["events"] == [{"current_time": go_time(T0 * 10**6, 1.5), "heartbeat_counter": 3}]
    assert coinbase.parse(heartbeat, 0) == [] == coinbase.parse_many([heartbeat, subscriptions], [0, 0])
    error = error_frame("Failed to subscribe: FOO-BAR is not a valid product")
    assert json.loads(error) == {"type": "error", "message": "Failed to subscribe: FOO-BAR is not a valid product"}
    with pytest.raises(VenueError, match="FOO-BAR is not a valid product"):
        coinbase.parse(error, 0)
    with pytest.raises(VenueError):
        coinbase.parse_many([heartbeat, error], [0, 0])


@pytest.mark.parametrize("variant", list(MalformedVariant))
def test_malformed_frames_are_refused_by_the_connector(variant: MalformedVariant) -> None:
    book = SymbolBook(MarketModel(BTC, ModelParams(), 1, T0), history_of(1, 3), None)
    frame = malformed_frame(book, variant, timestamp_ns(T0 * 10**6), 12)
    assert frame.startswith(b'{"channel":"market_trades"') and b'"sequence_num":12,' in frame
    if variant is MalformedVariant.MISSING_FIELD:
        assert "price" not in json.loads(frame)["events"][0]["trades"][0]
    else:
        with pytest.raises(msgspec.DecodeError):
            msgspec.json.decode(frame)
    with pytest.raises(ParseError):
        coinbase.parse(frame, 0)
    with pytest.raises(ParseError):
        coinbase.parse_many([frame], [0])


# -- subscription requests ---------------------------------------------------------------------


def test_subscribe_and_unsubscribe_one_channel_at_a_time() -> None:
    session = CoinbaseSession()
    request = (
        '{"type":"subscribe","product_ids":["BTC-USDT","ETH-USDT","BTC-USDT"],"channel":"market_trades","jwt":"x"}'
    )
    outcome = handle_request(request, session, PRODUCTS)
    assert (outcome.error, outcome.channel, outcome.subscribe, outcome.added) == (
        None, MARKET_TRADES, True, ("BTC-USDT", "ETH-USDT"),
    )  # fmt: skip
    assert handle_request(request, session, PRODUCTS).added == ()  # already there
    assert handle_request('{"type":"subscribe","channel":"heartbeats"}', session, PRODUCTS).added == (HEARTBEATS,)
    assert handle_request('{"type":"subscribe","product_ids":["ETH-USDT"],"channel":"ticker"}', session, PRODUCTS)
    assert session.subscriptions() == {
        MARKET_TRADES: ["BTC-USDT", "ETH-USDT"], TICKER: ["ETH-USDT"], HEARTBEATS: [HEARTBEATS],
    }  # fmt: skip
    removed = handle_request(
        '{"type":"unsubscribe","product_ids":["ETH-USDT"],"channel":"market_trades"}', session, PRODUCTS
    )
    assert (removed.subscribe, removed.removed) == (False, ("ETH-USDT",))
    everything = handle_request('{"type":"unsubscribe","channel":"ticker"}', session, PRODUCTS)
    assert everything.removed == ("ETH-USDT",)
    assert handle_request('{"type":"unsubscribe","channel":"heartbeats"}', session, PRODUCTS).removed == (HEARTBEATS,)
    assert session.subscriptions() == {MARKET_TRADES: ["BTC-USDT"]}


@pytest.mark.parametrize(
    ("request_text", "message"),
    [
        (
            '{"type":"subscribe","product_ids":["BTC-USDT","FOO-BAR"],"channel":"ticker"}',
            "FOO-BAR is not a valid product",
        ),
        ('{"type":"subscribe","product_ids":["BTC-USDT"],"channel":"level3"}', "channel 'level3' is not available"),
        ('{"type":"subscribe","product_ids":["BTC-USDT"]}', "no channel is not available"),
        ('{"type":"subscribe","channel":"market_trades"}', "market_trades needs product_ids"),
        ('{"type":"subscribe","channel":"market_trades","product_ids":"BTC-USDT"}', "Failed to parse request"),
        ('{"type":"hello","channel":"ticker"}', "Unsupported message type 'hello'"),
        ('{"type":"subscribe",', "malformed JSON"),
        ("[1, 2]", "Failed to parse request"),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(request_text: str, message: str) -> None:
    session = CoinbaseSession()
    outcome = handle_request(request_text, session, PRODUCTS)
    assert outcome.error is not None and message in outcome.error
    assert session.subscriptions() == {} and session.next_sequence == 0


def test_sequence_numbers_count_from_zero() -> None:
    session = CoinbaseSession()
    assert [session.take_sequence() for _ in range(3)] == [0, 1, 2] and session.next_sequence == 3


# -- rolling 24 h statistics -------------------------------------------------------------------


def test_rolling_day_matches_a_brute_force_window() -> None:
    rng = random.Random(5)
    day = RollingDay(window_ms=1_000)
    seen: list[tuple[int, float, float]] = []
    time_ms = T0
    for _ in range(2_000):
        time_ms += rng.choice([0, 1, 7, 40, 300])
        price, size = round(rng.uniform(90, 110), 2), round(rng.uniform(0.01, 2), 3)
        day.add(time_ms, price, size)
        seen.append((time_ms, price, size))
        window = [row for row in seen if row[0] > time_ms - 1_000]
        assert len(day) == len(window)
        assert (day.low, day.high, day.open) == (min(r[1] for r in window), max(r[1] for r in window), window[0][1])
        assert math.isclose(day.volume, sum(r[2] for r in window), abs_tol=1e-9)
    assert (day.low_all, day.high_all) == (min(r[1] for r in seen), max(r[1] for r in seen))
    assert math.isclose(day.change_percent(day.open * 1.5), 50.0)


def test_rolling_day_is_empty_before_the_first_trade() -> None:
    day = RollingDay()
    assert len(day) == 0 and day.volume == 0.0 and math.isnan(day.low) and math.isnan(day.high_all)
    with pytest.raises(ValueError):
        RollingDay(0)


# -- cursor pagination -------------------------------------------------------------------------


def ids(trades: list[SimTrade]) -> list[int]:
    return [trade.trade_id for trade in trades]


def test_pages_run_newest_first_by_cursor() -> None:
    history = history_of(1, 100)
    assert ids(trade_page(history, 5)) == [100, 99, 98, 97, 96]
    assert ids(trade_page(history, 5, before=10)) == [15, 14, 13, 12, 11]
    assert ids(trade_page(history, 5, after=10)) == [9, 8, 7, 6, 5]
    assert ids(trade_page(history, 5, before=97)) == [100, 99, 98]
    assert ids(trade_page(history, 5, after=3)) == [2, 1]
    assert trade_page(history, 5, before=100) == [] == trade_page(history, 5, after=1)
    assert ids(trade_page(history, 3, after=10**12)) == [100, 99, 98]
    assert trade_page(TradeHistory(10), 5) == []


def test_pages_are_bounded_by_the_retained_history() -> None:
    history = history_of(1, 300, capacity=100)  # ids 201..300 retained
    assert ids(trade_page(history, 3, before=5)) == [203, 202, 201]
    assert ids(trade_page(history, 3, after=202)) == [201]
    assert trade_page(history, 3, after=150) == []
    assert len(trade_page(history, 1000)) == 100


def test_pages_refuse_both_cursors_and_an_empty_limit() -> None:
    with pytest.raises(ValueError, match="combined"):
        trade_page(history_of(1, 10), 5, before=1, after=9)
    with pytest.raises(ValueError, match="limit"):
        trade_page(history_of(1, 10), 0)


def test_every_page_of_a_walk_backwards_joins_up() -> None:
    history = history_of(1, 1_000)
    cursor, walked = None, []
    while page := trade_page(history, 77, after=cursor):
        walked += ids(page)
        cursor = page[-1].trade_id
    assert walked == list(range(1_000, 0, -1))


# -- products, currencies, ccxt config ---------------------------------------------------------


def test_products_carry_the_instrument_increments() -> None:
    assert (increment(0.01), increment(1e-05), increment(1.0)) == ("0.01", "0.00001", "1")
    row = msgspec.to_builtins(product(BTC))
    keys = ("id", "base_currency", "quote_currency", "quote_increment", "base_increment")
    assert {key: row[key] for key in keys} == {
        "id": "BTC-USDT", "base_currency": "BTC", "quote_currency": "USDT", "quote_increment": "0.01",
        "base_increment": "0.00001",
    }  # fmt: skip
    assert (row["status"], row["trading_disabled"], row["display_name"]) == ("online", False, "BTC/USDT")
    codes = [(c.id, c.details.type) for c in currencies([BTC, make_instrument("ETH-USDT"), make_instrument("BTC-USD")])]
    assert codes == [("BTC", "crypto"), ("USDT", "crypto"), ("ETH", "crypto"), ("USD", "fiat")]


def test_ccxt_config_points_every_coinbaseexchange_url_at_the_simulator() -> None:
    import ccxt

    client = ccxt.coinbaseexchange(coinbase_client_config("http://127.0.0.1:1/", verbose_option=True))
    urls = [client.urls["api"]["public"], client.urls["api"]["private"], *client.urls["test"].values()]
    assert set(urls) == {"http://127.0.0.1:1/coinbase"}
    assert set(client.urls["api"]) == {"public", "private"} and set(client.urls["test"]) == {"public", "private"}
    assert client.enableRateLimit is False and client.options["verbose_option"] is True
    request = client.sign("products/{id}/trades", ["public"], "GET", {"id": "BTC-USDT", "before": 9})
    assert request["url"] == "http://127.0.0.1:1/coinbase/products/BTC-USDT/trades?before=9"


# -- the venue hands the Coinbase side what skip_ids withheld ----------------------------------


def test_step_carries_withheld_trades_before_the_broadcast_ones() -> None:
    sources = [
        MarketModel(make_instrument(symbol), ModelParams(rate=100), 1, T0) for symbol in ("BTC-USDT", "ETH-USDT")
    ]
    market = Venue(sources, history_size=1000)
    market.step(T0 + 1000)
    market.skip_ids(5, "BTC-USDT")
    withheld: list[int] = []
    steps_with_withheld = 0
    for millisecond in range(1001, 3000, 7):
        for update in market.step(T0 + millisecond):
            assert len(update.withheld) + len(update.trades) == len(update.quotes)
            all_ids = ids(update.withheld) + ids(update.trades)
            assert all_ids == list(range(all_ids[0], all_ids[0] + len(all_ids)))
            if update.book.instrument.symbol == "BTC-USDT":
                withheld += ids(update.withheld)
                steps_with_withheld += bool(update.withheld)
            else:
                assert update.withheld == []
    btc = market.books["BTC-USDT"].stats
    assert len(withheld) == 5 and withheld == list(range(withheld[0], withheld[0] + 5))
    assert btc.batches_skipped == steps_with_withheld >= 1 and market.books["ETH-USDT"].stats.batches_skipped == 0
