"""Coinbase wire formats the simulator sends: Advanced Trade websocket messages and Exchange REST rows.

Every websocket message is ``{"channel", "client_id", "timestamp", "sequence_num", "events"}``
and ``sequence_num`` counts the messages of one connection, so a message is encoded once up to
its number (:class:`Framed`) and numbered per connection. Field names are Coinbase's own.
Prices and sizes are decimal strings (eight decimals at least, like the Binance side); trade
times are RFC 3339 UTC with microseconds, message timestamps with nanoseconds. A trade's
``side`` is the **maker's** side (``"SELL"`` when the taker bought): upper case on the
websocket, lower case over REST.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import msgspec

from connectors.simulator.coinbase.day_stats import RollingDay
from connectors.simulator.instruments import DecimalText, Instrument
from connectors.simulator.model import SimQuote, SimTrade

MARKET_TRADES: Final = "market_trades"
TICKER: Final = "ticker"
HEARTBEATS: Final = "heartbeats"
SUBSCRIPTIONS: Final = "subscriptions"
SNAPSHOT: Final = "snapshot"
UPDATE: Final = "update"
NS_PER_S: Final = 1_000_000_000


class MarketTrade(msgspec.Struct, frozen=True, gc=False):
    """One trade of a ``market_trades`` event."""

    trade_id: str
    product_id: str
    price: str
    size: str
    side: str  # the maker's side: "BUY" when the taker sold
    time: str  # RFC 3339, microseconds


class TradesEvent(msgspec.Struct, frozen=True, gc=False):
    """The event of a ``market_trades`` message: trades newest first."""

    type: str  # "snapshot" (on subscribe) or "update"
    trades: list[MarketTrade]


class TickerRow(msgspec.Struct, frozen=True, gc=False):
    """One product's ticker."""

    type: str  # always "ticker"
    product_id: str
    price: str  # last trade price
    volume_24_h: str
    low_24_h: str
    high_24_h: str
    low_52_w: str
    high_52_w: str
    price_percent_chg_24_h: str
    best_bid: str
    best_bid_quantity: str
    best_ask: str
    best_ask_quantity: str


class TickerEvent(msgspec.Struct, frozen=True, gc=False):
    type: str  # "snapshot" (on subscribe) or "update"
    tickers: list[TickerRow]


class SubscriptionsEvent(msgspec.Struct, frozen=True, gc=False):
    subscriptions: dict[str, list[str]]  # channel -> product ids ("heartbeats": ["heartbeats"])


class HeartbeatEvent(msgspec.Struct, frozen=True, gc=False):
    current_time: str  # Go's time.String(): "2023-06-23 20:31:56.121961769 +0000 UTC m=+91717.525857105"
    heartbeat_counter: int


class ErrorMessage(msgspec.Struct, frozen=True, gc=False):
    """A refused request: ``{"type": "error", "message": ..}`` (outside the numbered sequence)."""

    type: str
    message: str


class RestTrade(msgspec.Struct, frozen=True, gc=False):
    """Row of Exchange ``GET /products/<id>/trades``."""

    trade_id: int
    side: str  # the maker's side, "buy" or "sell"
    size: str
    price: str
    time: str  # RFC 3339, microseconds


encoder: Final = msgspec.json.Encoder()
_SECOND_PREFIXES: dict[int, str] = {}


def _second_prefix(seconds: int) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` of a second since the epoch, cached (a clock moves on slowly)."""
    prefix = _SECOND_PREFIXES.get(seconds)
    if prefix is None:
        if len(_SECOND_PREFIXES) >= 4096:
            _SECOND_PREFIXES.clear()
        prefix = _SECOND_PREFIXES[seconds] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return prefix


def timestamp_ns(ns: int) -> str:
    """RFC 3339 UTC with nanoseconds: ``1675973975396251350`` -> ``"2023-02-09T19:39:35.396251350Z"``."""
    seconds, fraction = divmod(ns, NS_PER_S)
    return f"{_second_prefix(seconds)}.{fraction:09d}Z"


def trade_time(time_ms: int) -> str:
    """RFC 3339 UTC with microseconds, as Coinbase writes trade times: ``"...T19:39:35.396000Z"``."""
    seconds, millis = divmod(time_ms, 1000)
    return f"{_second_prefix(seconds)}.{millis * 1000:06d}Z"


def go_time(ns: int, monotonic_seconds: float) -> str:
    """A heartbeat's ``current_time``: Go's ``time.String()`` with its monotonic clock reading."""
    seconds, fraction = divmod(ns, NS_PER_S)
    date_time = _second_prefix(seconds).replace("T", " ")
    return f"{date_time}.{fraction:09d} +0000 UTC m=+{monotonic_seconds:.9f}"


def maker_side(trade: SimTrade) -> str:
    """``"BUY"`` when the maker bought (the taker sold), else ``"SELL"``."""
    return "BUY" if trade.buyer_is_maker else "SELL"


@dataclass(frozen=True, slots=True)
class Framed:
    """A websocket message encoded up to its ``sequence_num``; :meth:`stamp` numbers it."""

    head: bytes
    tail: bytes

    def stamp(self, sequence_num: int) -> bytes:
        """The frame with its number."""
        return b"%s%d%s" % (self.head, sequence_num, self.tail)


def encode_message(channel: str, timestamp: str, events: Sequence[msgspec.Struct] | Sequence[dict[str, Any]]) -> Framed:
    """Encode a message of ``channel`` once, leaving its number open.

    ``channel`` comes first, as Coinbase sends it (and as a decoder may test for by prefix).
    ``channel`` and ``timestamp`` are plain ASCII the simulator made, so they need no escaping.
    """
    head = b'{"channel":"%s","client_id":"","timestamp":"%s","sequence_num":' % (channel.encode(), timestamp.encode())
    return Framed(head, b',"events":' + encoder.encode(events) + b"}")


def error_frame(message: str) -> bytes:
    """``{"type":"error","message":..}``."""
    return encoder.encode(ErrorMessage("error", message))


class CoinbaseFormatter(DecimalText):
    """Builds one instrument's Coinbase payloads."""

    def __init__(self, instrument: Instrument) -> None:
        super().__init__(instrument)
        self.product_id = instrument.symbol  # Coinbase product ids are BASE-QUOTE already

    def market_trade(self, trade: SimTrade) -> MarketTrade:
        return MarketTrade(
            str(trade.trade_id), self.product_id, self.price(trade.price), self.size(trade.size),
            maker_side(trade), trade_time(trade.time_ms),
        )  # fmt: skip

    def trades_event(self, kind: str, trades: Sequence[SimTrade]) -> TradesEvent:
        """A ``market_trades`` event of ``trades`` given oldest first (sent newest first)."""
        return TradesEvent(kind, [self.market_trade(trade) for trade in reversed(trades)])

    def ticker(self, price: float, quote: SimQuote, day: RollingDay) -> TickerRow:
        """The ticker after a trade at ``price`` left ``quote`` on top of the book."""
        format_price, format_size = self.price, self.size
        return TickerRow(
            "ticker", self.product_id, format_price(price), format_size(day.volume), format_price(day.low),
            format_price(day.high), format_price(day.low_all), format_price(day.high_all),
            f"{day.change_percent(price):.8f}", format_price(quote.bid_price), format_size(quote.bid_size),
            format_price(quote.ask_price), format_size(quote.ask_size),
        )  # fmt: skip

    def rest_trade(self, trade: SimTrade) -> RestTrade:
        return RestTrade(
            trade.trade_id, maker_side(trade).lower(), self.size(trade.size), self.price(trade.price),
            trade_time(trade.time_ms),
        )  # fmt: skip


@functools.cache
def formatter_for(instrument: Instrument) -> CoinbaseFormatter:
    """The one formatter of an instrument (instruments are few and immutable)."""
    return CoinbaseFormatter(instrument)
