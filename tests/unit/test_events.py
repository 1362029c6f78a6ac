"""Every event round-trips through JSON; malformed JSON gives an error naming the field."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from nashipai.events import (
    EVENT_TYPES,
    Bar,
    DataQualityEvent,
    DataQualityKind,
    DeadLetter,
    Event,
    OrderRequest,
    OrderStatus,
    OrderType,
    OrderUpdate,
    Quote,
    Side,
    Signal,
    Trade,
    decode,
    encode,
    instrument_error,
    payload_text,
)

NS = 1_764_000_000_123_456_789

SAMPLES: list[Event] = [
    Trade(exchange="binance", symbol="BTC-USDT", price=97_000.5, size=0.0012, side=Side.SELL,
          trade_id="4242", ts_event=NS, ts_recv=NS + 1_500_000),
    Quote(exchange="okx", symbol="ETH-USDT", bid_price=3000.1, bid_size=1.5, ask_price=3000.2, ask_size=0.25,
          ts_event=NS, ts_recv=NS + 1),
    Bar(exchange="binance", symbol="BTC-USDT", timeframe="1m", open=1.0, high=2.0, low=0.5, close=1.5,
        volume=10.0, vwap=1.25, trade_count=7, revision=1, ts_event=NS - NS % 60_000_000_000, ts_recv=NS),
    Signal(signal_id="ema_cross:binance:BTC-USDT:1m:1764000000000000000", strategy="ema_cross",
           exchange="binance", symbol="BTC-USDT", timeframe="1m", side=Side.BUY, price=97_000.0,
           indicators={"ema_fast": 1.0, "ema_slow": 0.9}, lineage={"md.trades/0": 12}, ts_event=NS, ts_recv=NS),
    OrderRequest(client_order_id="np-abc", bot="bot1", signal_id="s1", exchange="binance", symbol="BTC-USDT",
                 side=Side.BUY, order_type=OrderType.LIMIT, quantity=Decimal("0.00100000"),
                 limit_price=Decimal("97000.01"), ts_event=NS, ts_recv=NS),
    OrderUpdate(client_order_id="np-abc", exchange_order_id="123", bot="bot1", exchange="binance",
                symbol="BTC-USDT", side=Side.BUY, status=OrderStatus.PARTIALLY_FILLED, quantity=Decimal("0.001"),
                filled_quantity=Decimal("0.0005"), average_price=Decimal("97000.01"),
                last_fill_quantity=Decimal("0.0005"), last_fill_price=Decimal("97000.01"), fill_id="f1",
                fee=Decimal("0.0000005"), fee_currency="BTC", ts_event=NS, ts_recv=NS),
    DataQualityEvent(exchange="binance", symbol="BTC-USDT", kind=DataQualityKind.GAP, detail="ids skipped",
                     count=5, first_missing="101", last_missing="105", ts_event=NS, ts_recv=NS),
    DeadLetter(source="connector:binance", reason="not JSON", payload="{oops", exchange="binance", ts_recv=NS),
]


def test_samples_cover_every_event_type() -> None:
    assert {type(sample).__name__ for sample in SAMPLES} == set(EVENT_TYPES)


@pytest.mark.parametrize("event", SAMPLES, ids=lambda event: type(event).__name__)
def test_event_round_trips_through_json(event: Event) -> None:
    assert decode(type(event), encode(event)) == event


def test_decimal_money_is_a_json_string_and_stays_exact() -> None:
    order = SAMPLES[4]
    assert b'"quantity":"0.00100000"' in encode(order)
    assert decode(OrderRequest, encode(order)).quantity == Decimal("0.00100000")


def test_wrong_type_names_the_field() -> None:
    raw = encode(SAMPLES[0]).replace(b'"price":97000.5', b'"price":"high"')
    with pytest.raises(msgspec.ValidationError, match=r"\$\.price"):
        decode(Trade, raw)


def test_missing_field_names_the_field() -> None:
    raw = b'{"exchange":"binance","symbol":"BTC-USDT","price":1.0,"size":1.0,"side":"buy","ts_event":1,"ts_recv":1}'
    with pytest.raises(msgspec.ValidationError, match="trade_id"):
        decode(Trade, raw)


@pytest.mark.parametrize(("exchange", "symbol", "problem"), [
    ("binance", "BTCUSDT", "symbol 'BTCUSDT'"),
    ("binance", "btc-usdt", "symbol 'btc-usdt'"),
    ("Binance", "BTC-USDT", "exchange 'Binance'"),
])
def test_unnormalised_instrument_is_named(exchange: str, symbol: str, problem: str) -> None:
    error = instrument_error(exchange, symbol)
    assert error is not None and error.startswith(problem)
    assert instrument_error("binance", "BTC-USDT") is None


def test_a_valid_instrument_checked_again_is_valid_and_its_near_misses_are_not() -> None:
    # Valid pairs are remembered (the streams repeat a few); nothing else may slip through with them.
    for _ in range(2):
        assert instrument_error("okx", "ETH-USDT") is None
        assert instrument_error("okx", "ETHUSDT") is not None
        assert instrument_error("OKX", "ETH-USDT") is not None
        assert instrument_error("okx", "ETH-USDT ") is not None


def test_unknown_side_is_refused() -> None:
    raw = encode(SAMPLES[0]).replace(b'"sell"', b'"short"')
    with pytest.raises(msgspec.ValidationError, match=r"\$\.side"):
        decode(Trade, raw)


def test_not_json_is_a_decode_error() -> None:
    with pytest.raises(msgspec.DecodeError):
        decode(Trade, b"{not json")


def test_payload_text_keeps_bad_utf8_visible() -> None:
    assert payload_text(b"ok\xff") == "ok\\xff"
