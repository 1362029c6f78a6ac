from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import ccxt
import msgspec
import pytest

from connectors import ConnectionLost, ParseError, SymbolError, VenueError
from connectors.ccxt_pro import (
    CcxtProSource,
    connector_error,
    events_from_tickers,
    events_from_trades,
    from_ccxt_symbol,
    quote_from_ccxt,
    to_ccxt_symbol,
    trade_from_ccxt,
)
from connectors.venues.common import Channel
from nashipai.events import DeadLetter, Quote, Side, Trade

RECEIVED_NS = 1_718_000_000_999_000_000

CCXT_TRADE: dict[str, Any] = {
    "info": {"raw": "exchange payload"},
    "id": "987654321",
    "timestamp": 1718000000123,
    "datetime": "2024-06-10T06:13:20.123Z",
    "symbol": "BTC/USDT",
    "order": None,
    "type": None,
    "side": "sell",
    "takerOrMaker": None,
    "price": 67123.45,
    "amount": 0.012,
    "cost": 805.4814,
    "fee": None,
    "fees": [],
}
CCXT_TICKER: dict[str, Any] = {
    "symbol": "ETH/USDC",
    "timestamp": 1718000000456,
    "datetime": "2024-06-10T06:13:20.456Z",
    "bid": 3678.1,
    "bidVolume": 12.5,
    "ask": 3678.2,
    "askVolume": 3.25,
    "info": {},
}


def test_ccxt_trade_becomes_a_trade() -> None:
    assert trade_from_ccxt("kucoin", CCXT_TRADE, RECEIVED_NS) == Trade(
        exchange="kucoin",
        symbol="BTC-USDT",
        price=67123.45,
        size=0.012,
        side=Side.SELL,
        trade_id="987654321",
        ts_event=1_718_000_000_123_000_000,
        ts_recv=RECEIVED_NS,
    )


def test_ccxt_trade_without_id_or_time_gets_a_deterministic_id_and_the_receive_time() -> None:
    trade = trade_from_ccxt("gate", {**CCXT_TRADE, "id": None, "timestamp": None}, RECEIVED_NS)
    assert (trade.trade_id, trade.ts_event) == ("None:67123.45:0.012", RECEIVED_NS)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"side": None}, "side None"),
        ({"price": 0}, "price 0"),
        ({"price": "1.5"}, "price '1.5'"),
        ({"amount": -1.0}, "amount -1.0"),
        ({"timestamp": "soon"}, "timestamp 'soon'"),
        ({"symbol": "BTC/USDT:USDT"}, "'BTC/USDT:USDT'"),
    ],
)
def test_unusable_ccxt_trade_raises_parse_error(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        trade_from_ccxt("kucoin", {**CCXT_TRADE, **change}, RECEIVED_NS)
    assert reason in caught.value.reason


def test_ccxt_ticker_becomes_a_quote() -> None:
    assert quote_from_ccxt("kucoin", CCXT_TICKER, RECEIVED_NS) == Quote(
        exchange="kucoin",
        symbol="ETH-USDC",
        bid_price=3678.1,
        bid_size=12.5,
        ask_price=3678.2,
        ask_size=3.25,
        ts_event=1_718_000_000_456_000_000,
        ts_recv=RECEIVED_NS,
    )


def test_ccxt_ticker_without_bid_is_no_quote_and_without_sizes_has_zero_sizes() -> None:
    assert quote_from_ccxt("kucoin", {**CCXT_TICKER, "bid": None}, RECEIVED_NS) is None
    quote = quote_from_ccxt("kucoin", {**CCXT_TICKER, "bidVolume": None, "askVolume": None}, RECEIVED_NS)
    assert quote is not None
    assert (quote.bid_size, quote.ask_size) == (0.0, 0.0)


def test_bad_items_become_dead_letters_in_the_stream() -> None:
    events = events_from_trades("kucoin", [CCXT_TRADE, {**CCXT_TRADE, "side": "hold"}], RECEIVED_NS)
    assert isinstance(events[0], Trade)
    letter = events[1]
    assert isinstance(letter, DeadLetter)
    assert (letter.source, letter.exchange, letter.ts_recv) == ("connector:ccxt:kucoin", "kucoin", RECEIVED_NS)
    assert "side 'hold'" in letter.reason
    assert msgspec.json.decode(letter.payload)["side"] == "hold"
    tickers = events_from_tickers(
        "kucoin", [CCXT_TICKER, {**CCXT_TICKER, "ask": None}, {**CCXT_TICKER, "bid": -1}], RECEIVED_NS
    )
    assert [type(event) for event in tickers] == [Quote, DeadLetter]


def test_symbols_map_both_ways() -> None:
    assert to_ccxt_symbol("BTC-USDT") == "BTC/USDT"
    assert from_ccxt_symbol("SOL/EUR") == "SOL-EUR"
    for bad in ("BTC/USDT:USDT", "BTCUSDT", "btc/usdt"):
        with pytest.raises(SymbolError):
            from_ccxt_symbol(bad)


@pytest.mark.parametrize(
    ("exc", "kind", "should_retry"),
    [
        (ccxt.NetworkError("reset"), ConnectionLost, True),
        (ccxt.RequestTimeout("slow"), ConnectionLost, True),
        (ccxt.RateLimitExceeded("429"), ConnectionLost, True),
        (ccxt.ExchangeError("nope"), VenueError, False),
        (ccxt.AuthenticationError("key"), VenueError, False),
        (ccxt.BadSymbol("XYZ/ABC"), SymbolError, False),
    ],
)
def test_ccxt_errors_map_to_the_hierarchy(exc: ccxt.BaseError, kind: type[Exception], should_retry: bool) -> None:
    error = connector_error("kucoin", exc)
    assert isinstance(error, kind)
    assert error.should_retry is should_retry
    if isinstance(error, VenueError):
        assert (error.venue, error.code) == ("kucoin", type(exc).__name__)


class FakeExchange:
    """Enough of a ccxt.pro exchange: scripted watch results, then a failure."""

    def __init__(self, has: Mapping[str, bool], trades: list[Any], tickers: list[Any]) -> None:
        self.has = has
        self.trades = trades
        self.tickers = tickers
        self.calls: list[tuple[str, object]] = []
        self.closed = False

    async def _next(self, script: list[Any]) -> Any:
        await asyncio.sleep(0)
        if not script:
            await asyncio.sleep(3600)
        item = script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    async def watch_trades_for_symbols(self, symbols: list[str]) -> Any:
        self.calls.append(("watch_trades_for_symbols", symbols))
        return await self._next(self.trades)

    async def watch_trades(self, symbol: str) -> Any:
        self.calls.append(("watch_trades", symbol))
        return await self._next(self.trades)

    async def watch_bids_asks(self, symbols: list[str]) -> Any:
        self.calls.append(("watch_bids_asks", symbols))
        return await self._next(self.tickers)

    async def watch_ticker(self, symbol: str) -> Any:
        self.calls.append(("watch_ticker", symbol))
        return await self._next(self.tickers)

    async def close(self) -> None:
        self.closed = True


async def test_source_yields_event_lists_then_raises_the_mapped_error() -> None:
    exchange = FakeExchange(
        {"watchTradesForSymbols": True, "watchBidsAsks": True},
        trades=[[CCXT_TRADE], ccxt.NetworkError("connection reset")],
        tickers=[{"ETH/USDC": CCXT_TICKER}],
    )
    source = CcxtProSource("kucoin", ["BTC-USDT", "ETH-USDC"], exchange=exchange, clock=lambda: RECEIVED_NS)
    received = []
    with pytest.raises(ConnectionLost, match="connection reset"):
        async for events in source.stream():
            received.append(events)
    await source.close()
    assert sorted(type(events[0]).__name__ for events in received) == ["Quote", "Trade"]
    assert ("watch_trades_for_symbols", ["BTC/USDT", "ETH/USDC"]) in exchange.calls
    assert exchange.closed


async def test_source_falls_back_to_one_watch_per_symbol() -> None:
    exchange = FakeExchange({}, trades=[[CCXT_TRADE]], tickers=[])
    source = CcxtProSource("kucoin", ["BTC-USDT"], [Channel.TRADES], exchange=exchange, clock=lambda: RECEIVED_NS)
    stream = source.stream()
    events = await anext(stream)
    await stream.aclose()
    assert events == [trade_from_ccxt("kucoin", CCXT_TRADE, RECEIVED_NS)]
    assert exchange.calls[0] == ("watch_trades", "BTC/USDT")


def test_unknown_exchange_id_is_refused() -> None:
    with pytest.raises(KeyError, match="no exchange 'nosuchexchange'"):
        CcxtProSource("nosuchexchange", ["BTC-USDT"])
