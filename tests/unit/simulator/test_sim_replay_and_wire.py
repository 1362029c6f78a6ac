"""Replay of recorded trades, and the Binance payloads the simulator encodes."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from connectors.simulator.instruments import make_instrument
from connectors.simulator.model import SimQuote, SimTrade
from connectors.simulator.replay import ReplayFormatError, load_recording, replay_sources
from connectors.simulator.wire import WireFormatter, combined
from nashipai.events import Side, Trade, encode

T0 = 1_700_000_000_000


def write_recording(path: Path) -> Path:
    kernel = Trade(
        exchange="binance", symbol="ETH-USDT", price=3000.5, size=0.2, side=Side.SELL,
        trade_id="991", ts_event=(T0 + 500) * 1_000_000, ts_recv=(T0 + 501) * 1_000_000,
    )  # fmt: skip
    lines = [
        b'{"e":"trade","E":1,"s":"BTCUSDT","t":77,"p":"65000.10","q":"0.01","T":%d,"m":false,"M":true}' % T0,
        b"",
        encode(kernel),
        b'{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":80,"p":"65000.20",'
        b'"q":"0.02","T":%d,"m":true,"M":true}}' % (T0 + 1000),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_recording_in_all_three_forms(tmp_path: Path) -> None:
    recording = load_recording(write_recording(tmp_path / "trades.jsonl"))
    assert sorted(recording) == ["BTC-USDT", "ETH-USDT"]
    eth = recording["ETH-USDT"][0]
    assert (eth.price, eth.size, eth.buyer_is_maker, eth.time_ms) == (3000.5, 0.2, True, T0 + 500)
    assert [trade.price for trade in recording["BTC-USDT"]] == [65000.10, 65000.20]


def test_replay_renumbers_ids_and_scales_time(tmp_path: Path) -> None:
    sources = replay_sources(write_recording(tmp_path / "trades.jsonl"), start_ms=5_000, speed=2.0)
    btc = next(source for source in sources if source.instrument.symbol == "BTC-USDT")
    assert btc.next_time_ms == 5_000
    first = btc.advance_to(5_000)
    assert [trade.trade_id for trade, _ in first] == [1]
    assert btc.next_time_ms == 5_500  # 1000 ms recorded, played at speed 2
    (trade, quote), *_ = btc.advance_to(6_000)
    assert trade.trade_id == 2 and trade.buyer_is_maker and quote.bid_price == trade.price < quote.ask_price
    assert btc.advance_to(10**12) == [] and btc.next_time_ms == float("inf")


def test_bad_replay_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"e":"trade","s":"BTCUSDT","p":"1","q":"1","T":1,"m":true}\n{"s":"BTCUSDT"}\n')
    with pytest.raises(ReplayFormatError, match="line 2"):
        load_recording(path)


def test_trade_and_book_ticker_payloads() -> None:
    formatter = WireFormatter(make_instrument("BTC-USDT"))
    trade = SimTrade(trade_id=12, price=65000.01, size=0.00123, buyer_is_maker=True, time_ms=T0)
    payload = msgspec.json.decode(formatter.trades([trade], T0 + 3)[0])
    assert payload == {
        "e": "trade", "E": T0 + 3, "s": "BTCUSDT", "t": 12, "p": "65000.01000000", "q": "0.00123000",
        "T": T0, "m": True, "M": True,
    }  # fmt: skip
    aggregate = msgspec.json.decode(formatter.agg_trades([trade], T0 + 3)[0])
    assert (aggregate["e"], aggregate["a"], aggregate["f"], aggregate["l"]) == ("aggTrade", 12, 12, 12)
    quote = SimQuote(update_id=4, bid_price=65000.0, bid_size=1.5, ask_price=65000.02, ask_size=0.25, time_ms=T0)
    ticker = msgspec.json.decode(formatter.book_tickers([quote])[0])
    assert ticker == {"u": 4, "s": "BTCUSDT", "b": "65000.00000000", "B": "1.50000000", "a": "65000.02000000",
                      "A": "0.25000000"}  # fmt: skip
    wrapped = msgspec.json.decode(combined("btcusdt@bookTicker", formatter.book_tickers([quote])[0]))
    assert wrapped == {"stream": "btcusdt@bookTicker", "data": ticker}
