"""Bybit v5 public spot market data: ``publicTrade.{symbol}`` and ``orderbook.1.{symbol}``.

Requests are ``{"op": "subscribe", "args": [topics], "req_id"}`` (at most 10 topics per
request on spot) and are answered by ``{"success", "ret_msg", "op", "conn_id", "req_id"}``.
Bybit drops a connection that is silent for 10 minutes and asks for ``{"op": "ping"}`` every
20 seconds.

- ``publicTrade``: ``S`` is the taker's side; ``T`` the trade time (ms) is ``ts_event``. Trade ids
  (``i``) increase but are not consecutive, so ``SEQUENTIAL_TRADE_IDS`` is False.
- ``orderbook.1``: Bybit documents level 1 as snapshot-only on spot (a snapshot is re-sent after
  3 s without change), so each message is the whole top of book and parsing stays pure. Should a
  ``delta`` arrive anyway, it is used when it carries a live level on both sides, otherwise it is
  a ParseError (it could not be applied without state). A snapshot with an empty side (a halted
  or delisted market) yields no Quote. ``ts_event`` is the matching engine's ``cts`` where sent,
  else the message ``ts``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Final, Literal

import msgspec

from connectors.errors import ParseError
from connectors.venues.common import (
    ALL_CHANNELS,
    BUY,
    SELL,
    Channel,
    Millis,
    Price,
    Size,
    SymbolMap,
    parse_by_kind,
    parse_error,
    symbol_channels,
    to_json,
    venue_error,
)
from nashipai.events import Event, Quote, Trade

NAME: Final = "bybit"
URL: Final = "wss://stream.bybit.com/v5/public/spot"
CCXT_ID: Final = "bybit"
SEQUENTIAL_TRADE_IDS: Final = False
PING_INTERVAL: Final[float | None] = 20.0
PING_MESSAGE: Final[str | None] = '{"op":"ping"}'
_TOPICS_PER_REQUEST: Final = 10


class PublicTrade(msgspec.Struct, frozen=True, gc=False):
    T: Millis  # trade time, ms
    s: str  # symbol, e.g. "BTCUSDT"
    S: Literal["Buy", "Sell"]  # the taker's side
    v: Size  # trade size
    p: Price  # trade price
    i: str  # trade id
    BT: bool = False  # block trade


class TradeMessage(msgspec.Struct, frozen=True, gc=False):
    topic: str
    type: str  # "snapshot"
    ts: Millis  # when Bybit generated the message
    data: list[PublicTrade]


class Level(msgspec.Struct, frozen=True, gc=False, array_like=True, forbid_unknown_fields=True):
    """A book level, exactly ``[price, size]``: checked as a 2-tuple would be, but, unlike a tuple,
    not tracked by the garbage collector."""

    price: Price
    size: Size  # "0" deletes the level in a delta


class Book(msgspec.Struct, frozen=True, gc=False):
    s: str  # symbol
    b: list[Level]  # bids, best first
    a: list[Level]  # asks, best first
    u: int  # update id; 1 after a Bybit restart
    seq: int = 0  # cross sequence


class BookMessage(msgspec.Struct, frozen=True, gc=False):
    topic: str
    type: Literal["snapshot", "delta"]
    ts: Millis  # when Bybit generated the message
    data: Book
    cts: Millis | None = None  # matching engine time of this book, ms


class Envelope(msgspec.Struct, frozen=True, gc=False):
    topic: str | None = None
    op: str | None = None  # on responses: "subscribe", "unsubscribe", "ping", "pong"
    success: bool | None = None
    ret_msg: str | None = None


_trade_decoder: Final = msgspec.json.Decoder(TradeMessage, strict=False)
_book_decoder: Final = msgspec.json.Decoder(BookMessage, strict=False)
_envelope_decoder: Final = msgspec.json.Decoder(Envelope)
_trades_decoder: Final = msgspec.json.Decoder(TradeMessage, strict=False)
_books_decoder: Final = msgspec.json.Decoder(BookMessage, strict=False)
_KINDS: Final = ((b'{"topic":"publicTrade.',), (b'{"topic":"orderbook.1.',))
_SYMBOLS: Final = SymbolMap(NAME, "")
_NORMALISED: Final = _SYMBOLS.known


#: ``"BTC-USDT"`` <-> ``"BTCUSDT"``; a symbol never subscribed is split by its quote asset.
#: Raises SymbolError for a symbol that does not map (see :class:`SymbolMap`).
to_venue_symbol: Final = _SYMBOLS.to_venue
from_venue_symbol: Final = _SYMBOLS.from_venue


def _messages(op: str, symbols: Sequence[str], channels: Collection[Channel]) -> list[str]:
    pairs = symbol_channels(symbols, channels, to_venue_symbol, "publicTrade.", "orderbook.1.")
    topics = [prefix + venue_symbol for venue_symbol, prefix in pairs]
    return [
        to_json({"op": op, "args": topics[start : start + _TOPICS_PER_REQUEST], "req_id": f"{op}-{number}"})
        for number, start in enumerate(range(0, len(topics), _TOPICS_PER_REQUEST), start=1)
    ]


def subscribe_messages(symbols: Sequence[str], channels: Collection[Channel] = ALL_CHANNELS) -> list[str]:
    """``subscribe`` requests of at most 10 topics each."""
    return _messages("subscribe", symbols, channels)


def unsubscribe_messages(symbols: Sequence[str], channels: Collection[Channel] = ALL_CHANNELS) -> list[str]:
    """``unsubscribe`` requests of at most 10 topics each."""
    return _messages("unsubscribe", symbols, channels)


def _trades(message: TradeMessage, received_ns: int) -> list[Event]:
    return [
        Trade(
            exchange="bybit",
            symbol=_NORMALISED.get(trade.s) or from_venue_symbol(trade.s),
            price=trade.p,
            size=trade.v,
            side=BUY if trade.S == "Buy" else SELL,
            trade_id=trade.i,
            ts_event=trade.T * 1_000_000,
            ts_recv=received_ns,
        )
        for trade in message.data
    ]


def _quote(message: BookMessage, raw: bytes | str, received_ns: int) -> list[Event]:
    book = message.data
    bids, asks = book.b, book.a
    if message.type == "delta":
        bids = [level for level in bids if level.size > 0]
        asks = [level for level in asks if level.size > 0]
        if not bids or not asks:
            raise ParseError(f"{NAME}: orderbook.1 delta without a live level on both sides", raw)
    elif not bids or not asks:
        return []  # one side of the book is empty: no top of book to report
    bid, ask = bids[0], asks[0]
    return [
        Quote(
            exchange="bybit",
            symbol=_NORMALISED.get(book.s) or from_venue_symbol(book.s),
            bid_price=bid.price,
            bid_size=bid.size,
            ask_price=ask.price,
            ask_size=ask.size,
            ts_event=(message.ts if message.cts is None else message.cts) * 1_000_000,
            ts_recv=received_ns,
        )
    ]


def parse(raw: bytes | str, received_ns: int) -> list[Event]:
    """Turn one websocket message into kernel events.

    Returns:
        Trades for ``publicTrade``, one Quote for ``orderbook.1``, ``[]`` for acks and pongs.

    Raises:
        VenueError: a response with ``"success": false`` (``ret_msg`` says why).
        ParseError: not JSON, a missing or mistyped field, an unknown symbol or message.
    """
    data = raw.encode() if isinstance(raw, str) else raw
    try:
        if data.startswith(b'{"topic":"publicTrade.'):
            return _trades(_trade_decoder.decode(data), received_ns)
        if data.startswith(b'{"topic":"orderbook.1.'):
            return _quote(_book_decoder.decode(data), raw, received_ns)
        envelope = _envelope_decoder.decode(data)
        if envelope.success is False:
            raise venue_error(NAME, "", envelope.ret_msg, missing="(no ret_msg)")
        if envelope.op is not None:
            return []  # subscribe/unsubscribe ack, or a pong in either of Bybit's two forms
        topic = envelope.topic or ""
        if topic.startswith("publicTrade."):
            return _trades(_trade_decoder.decode(data), received_ns)
        if topic.startswith("orderbook.1."):
            return _quote(_book_decoder.decode(data), raw, received_ns)
        raise ParseError(f"{NAME}: unexpected message (topic {envelope.topic!r})", raw)
    except (msgspec.DecodeError, ValueError) as exc:
        raise parse_error(NAME, exc, raw) from None


def parse_many(frames: Sequence[bytes | str], received_ns: Sequence[int]) -> list[Event]:
    """The events of many frames (``received_ns[i]`` is frame i's receive time): Trades in order,
    then Quotes in order.

    ``publicTrade`` and ``orderbook.1`` frames are joined into one JSON array per kind and decoded
    in one call; other frames go through :func:`parse`. Should anything fail, the frames are parsed
    one by one.

    Raises:
        ParseError, VenueError: as :func:`parse` does, for the first frame that fails.
    """
    return parse_by_kind(parse, frames, received_ns, _KINDS,
                         ((_trades_decoder, _many_trades), (_books_decoder, _many_quotes)))


def _many_trades(messages: list[TradeMessage], times: list[int]) -> list[Event]:
    normalised = _NORMALISED.get
    return [
        Trade(
            exchange="bybit",
            symbol=normalised(trade.s) or from_venue_symbol(trade.s),
            price=trade.p,
            size=trade.v,
            side=BUY if trade.S == "Buy" else SELL,
            trade_id=trade.i,
            ts_event=trade.T * 1_000_000,
            ts_recv=ns,
        )
        for message, ns in zip(messages, times, strict=True)
        for trade in message.data
    ]


def _many_quotes(messages: list[BookMessage], times: list[int]) -> list[Event]:
    normalised = _NORMALISED.get
    events: list[Event] = []
    append = events.append
    for message, ns in zip(messages, times, strict=True):
        book = message.data
        bids, asks = book.b, book.a
        if message.type != "snapshot" or not bids or not asks:
            events += _quote(message, b"", ns)  # a delta, or an empty side: the frame-by-frame way
            continue
        bid, ask = bids[0], asks[0]
        append(
            Quote(
                exchange="bybit",
                symbol=normalised(book.s) or from_venue_symbol(book.s),
                bid_price=bid.price,
                bid_size=bid.size,
                ask_price=ask.price,
                ask_size=ask.size,
                ts_event=(message.ts if message.cts is None else message.cts) * 1_000_000,
                ts_recv=ns,
            )
        )
    return events
