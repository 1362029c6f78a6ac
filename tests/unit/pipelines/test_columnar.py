"""The store's column-wise fast path accepts exactly what the msgspec path accepts."""

from __future__ import annotations

import pytest

from nashipai.events import Quote, Side, Trade, encode
from pipelines.columnar import decode_columns
from pipelines.decode import decode_batch
from pipelines.kafka_io import RawBatch
from tests.unit.pipelines.test_bars import BASE, random_trades


def _batch(values: list[bytes]) -> RawBatch:
    return RawBatch("md.trades", 0, values, list(range(len(values))), BASE)


def test_columns_hold_the_same_values_as_the_decoded_events() -> None:
    trades = random_trades(500, seed=4)
    batch = _batch([encode(trade) for trade in trades])
    frame = decode_columns(batch, Trade)
    assert frame is not None
    assert frame.frame.to_dicts() == [
        {field: getattr(trade, field) for field in Trade.__struct_fields__} for trade in decode_batch(batch).events
    ]
    pandas = frame.to_pandas()
    assert list(pandas.columns) == ["exchange", "symbol", "price", "size", "side", "trade_id", "ts_recv", "ts"]
    assert pandas["ts"].iloc[0].value == trades[0].ts_event


def test_quotes_have_a_fast_path_too() -> None:
    quote = Quote(exchange="okx", symbol="ETH-USDT", bid_price=1.0, bid_size=2.0, ask_price=1.5, ask_size=3.0,
                  ts_event=BASE, ts_recv=BASE + 1)
    frame = decode_columns(RawBatch("md.quotes", 0, [encode(quote)], [0], BASE), Quote)
    assert frame is not None and frame.frame.row(0, named=True)["ask_size"] == 3.0


@pytest.mark.parametrize("bad", [
    b"{broken",
    b'{"exchange":"binance","symbol":"BTC-USDT","price":"x","size":1.0,"side":"buy","trade_id":"1",'
    b'"ts_event":1,"ts_recv":1}',
    b'{"exchange":"binance","symbol":"BTC-USDT","price":1.0,"size":1.0,"side":"buy","ts_event":1,"ts_recv":1}',
    b'{"exchange":"binance","symbol":"BTC-USDT","price":1.0,"size":-1.0,"side":"buy","trade_id":"1",'
    b'"ts_event":1,"ts_recv":1}',
    b'{"exchange":"binance","symbol":"BTC-USDT","price":1.0,"size":1.0,"side":"short","trade_id":"1",'
    b'"ts_event":1,"ts_recv":1}',
    encode(Trade(exchange="binance", symbol="BTCUSDT", price=1.0, size=1.0, side=Side.BUY, trade_id="1",
                 ts_event=1, ts_recv=1)),
])
def test_any_doubtful_message_sends_the_batch_to_the_exact_path(bad: bytes) -> None:
    good = [encode(trade) for trade in random_trades(3, seed=9)]
    batch = _batch([good[0], bad, good[1], good[2]])
    assert decode_columns(batch, Trade) is None
    decoded = decode_batch(batch, Trade)
    assert len(decoded.events) == 3 and len(decoded.dead) == 1


def test_types_without_a_fast_path_return_none() -> None:
    from nashipai.events import Bar

    assert decode_columns(_batch([b"{}"]), Bar) is None
