"""Binance spot wire formats the simulator sends: websocket stream payloads and REST rows.

Field names are Binance's own; prices and quantities travel as fixed-point strings with eight
decimals, times as integer milliseconds. Each payload is encoded once per stream and tick and
the same bytes go to every subscriber.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from connectors.simulator.instruments import DecimalText, Instrument
from connectors.simulator.model import SimQuote, SimTrade

TRADE = "trade"
AGG_TRADE = "aggTrade"
BOOK_TICKER = "bookTicker"
#: Stream kinds the simulator publishes, as in ``btcusdt@trade``.
STREAM_KINDS: tuple[str, ...] = (TRADE, AGG_TRADE, BOOK_TICKER)


class TradePayload(msgspec.Struct, frozen=True):
    """``<symbol>@trade`` payload."""

    e: str  # event type, "trade"
    E: int  # event time, ms
    s: str  # symbol id, BTCUSDT
    t: int  # trade id
    p: str  # price
    q: str  # quantity
    T: int  # trade time, ms
    m: bool  # buyer is the maker: true when the taker sold
    M: bool  # ignore (always true)


class AggTradePayload(msgspec.Struct, frozen=True):
    """``<symbol>@aggTrade`` payload and ``GET /api/v3/aggTrades`` row (which lacks e, E, s)."""

    e: str  # event type, "aggTrade"
    E: int  # event time, ms
    s: str  # symbol id
    a: int  # aggregate trade id
    p: str  # price
    q: str  # quantity
    f: int  # first trade id
    l: int  # last trade id  # noqa: E741  (Binance's name)
    T: int  # trade time, ms
    m: bool  # buyer is the maker
    M: bool  # ignore


class BookTickerPayload(msgspec.Struct, frozen=True):
    """``<symbol>@bookTicker`` payload."""

    u: int  # order book update id
    s: str  # symbol id
    b: str  # best bid price
    B: str  # best bid quantity
    a: str  # best ask price
    A: str  # best ask quantity


class RestTrade(msgspec.Struct, frozen=True):
    """Row of ``GET /api/v3/trades`` and ``/api/v3/historicalTrades``."""

    id: int
    price: str
    qty: str
    quoteQty: str  # noqa: N815
    time: int
    isBuyerMaker: bool  # noqa: N815
    isBestMatch: bool  # noqa: N815


class RestAggTrade(msgspec.Struct, frozen=True):
    """Row of ``GET /api/v3/aggTrades``."""

    a: int  # aggregate trade id
    p: str  # price
    q: str  # quantity
    f: int  # first trade id
    l: int  # last trade id  # noqa: E741
    T: int  # trade time, ms
    m: bool  # buyer is the maker
    M: bool  # ignore


class StreamEnvelope(msgspec.Struct, frozen=True):
    """Combined-stream wrapper: ``{"stream": "btcusdt@trade", "data": {...}}``."""

    stream: str
    data: msgspec.Raw


encoder = msgspec.json.Encoder()


def stream_name(instrument: Instrument, kind: str) -> str:
    """``btcusdt@trade`` for ``BTC-USDT`` and ``trade``."""
    return f"{instrument.stream_id}@{kind}"


def combined(stream: str, payload: bytes) -> bytes:
    """Wrap one encoded payload for a combined-stream subscriber."""
    return encoder.encode(StreamEnvelope(stream, msgspec.Raw(payload)))


class WireFormatter(DecimalText):
    """Encodes one instrument's trades and quotes in Binance's formats."""

    def __init__(self, instrument: Instrument) -> None:
        super().__init__(instrument)
        self._id = instrument.venue_id

    def trade_payload(self, trade: SimTrade, event_ms: int) -> TradePayload:
        return TradePayload(
            "trade", event_ms, self._id, trade.trade_id, self.price(trade.price),
            self.size(trade.size), trade.time_ms, trade.buyer_is_maker, True,
        )  # fmt: skip

    def trades(self, trades: Iterable[SimTrade], event_ms: int) -> list[bytes]:
        """Encoded ``@trade`` payloads."""
        encode = encoder.encode
        return [encode(self.trade_payload(trade, event_ms)) for trade in trades]

    def agg_trade_payload(self, trade: SimTrade, event_ms: int) -> AggTradePayload:
        """Every simulated trade is its own aggregate: ``a == f == l == t``."""
        trade_id = trade.trade_id
        return AggTradePayload(
            "aggTrade", event_ms, self._id, trade_id, self.price(trade.price), self.size(trade.size),
            trade_id, trade_id, trade.time_ms, trade.buyer_is_maker, True,
        )  # fmt: skip

    def book_ticker_payload(self, quote: SimQuote) -> BookTickerPayload:
        return BookTickerPayload(
            quote.update_id, self._id, self.price(quote.bid_price), self.size(quote.bid_size),
            self.price(quote.ask_price), self.size(quote.ask_size),
        )  # fmt: skip

    def agg_trades(self, trades: Iterable[SimTrade], event_ms: int) -> list[bytes]:
        """Encoded ``@aggTrade`` payloads."""
        encode = encoder.encode
        return [encode(self.agg_trade_payload(trade, event_ms)) for trade in trades]

    def book_tickers(self, quotes: Iterable[SimQuote]) -> list[bytes]:
        """Encoded ``@bookTicker`` payloads."""
        encode = encoder.encode
        return [encode(self.book_ticker_payload(quote)) for quote in quotes]

    def rest_trade(self, trade: SimTrade) -> RestTrade:
        return RestTrade(
            trade.trade_id, self.price(trade.price), self.size(trade.size),
            self.price(trade.price * trade.size), trade.time_ms, trade.buyer_is_maker, True,
        )  # fmt: skip

    def rest_agg_trade(self, trade: SimTrade) -> RestAggTrade:
        return RestAggTrade(
            trade.trade_id, self.price(trade.price), self.size(trade.size), trade.trade_id,
            trade.trade_id, trade.time_ms, trade.buyer_is_maker, True,
        )  # fmt: skip
