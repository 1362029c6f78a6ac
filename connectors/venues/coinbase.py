"""Coinbase Advanced Trade market data: the ``market_trades`` and ``ticker`` channels.

One subscribe message per channel, plus ``heartbeats`` (Coinbase closes quiet subscriptions
after 60-90 s; the heartbeats keep them open, so no application-level ping is needed). Every
message is ``{"channel", "client_id", "timestamp", "sequence_num", "events": [...]}``;
``sequence_num`` counts messages per connection across channels.

- ``market_trades``: a snapshot of recent trades on subscribe, then updates. Trades come newest
  first, batched over 250 ms; they are emitted oldest first. ``ts_event`` is the trade's
  ``time``. The wire ``side`` is the **maker's** side, as on Coinbase's legacy Exchange feed
  (NautilusTrader's Coinbase adapter reads it so too; ccxt passes it through unflipped), so a
  Trade's ``side`` is its opposite: ``"SELL"`` on the wire is a taker buy.
- ``ticker``: ``best_bid``/``best_bid_quantity``/``best_ask``/``best_ask_quantity`` give the
  Quote; ``ts_event`` is the message ``timestamp`` (nanosecond RFC 3339), as tickers carry none.

``-USDC`` products other than USDT-USDC and EURC-USDC are served as the ``-USD`` product on these
channels: subscribe to ``BTC-USD``. Trade ids are integers increasing per product, but Coinbase
does not promise them consecutive on this feed, so ``SEQUENTIAL_TRADE_IDS`` is False.

Gaps are found from ``sequence_num`` instead: :func:`parse_many_numbered` returns it for every
frame, and a jump means the connection lost messages (see
:class:`connectors.backfill.SequenceTracker`). The missed trades are then fetched by trade id
with ccxt's ``coinbaseexchange`` (``before`` pages forward from the last id seen).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Final, Literal, final

import msgspec

from connectors.errors import ParseError
from connectors.venues.common import (
    ALL_CHANNELS,
    BATCH_ERRORS,
    BUY,
    SELL,
    Channel,
    Price,
    Size,
    SymbolMap,
    decode_batch,
    parse_each,
    parse_error,
    to_json,
    venue_channels,
    venue_error,
)
from connectors.venues.timestamps import iso_to_ns, iso_to_ns_many
from nashipai.events import Event, Quote, Trade

NAME: Final = "coinbase"
URL: Final = "wss://advanced-trade-ws.coinbase.com"
#: For REST backfill ccxt's ``coinbaseexchange`` pages public trades by trade id; ``coinbase``
#: (Advanced Trade REST) only returns the latest trades.
CCXT_ID: Final = "coinbaseexchange"
SEQUENTIAL_TRADE_IDS: Final = False
PING_INTERVAL: Final[float | None] = None
PING_MESSAGE: Final[str | None] = None


@final  # so that ``type(x) is MarketTrade`` narrows (isinstance is slow on a Struct class: ~70 ns on a miss)
class MarketTrade(msgspec.Struct, frozen=True, gc=False):
    trade_id: str
    product_id: str  # e.g. "BTC-USD"
    price: Price
    size: Size
    side: Literal["BUY", "SELL"]  # the maker's side
    time: str  # RFC 3339, 3 to 9 fractional digits


class TradesEvent(msgspec.Struct, frozen=True, gc=False):
    trades: list[MarketTrade]  # its "type" ("snapshot" or "update") is skipped: trades are trades


class TradesMessage(msgspec.Struct, frozen=True, gc=False):
    # "timestamp" is skipped: trades carry their own times.
    events: list[TradesEvent]


class Ticker(msgspec.Struct, frozen=True, gc=False):
    product_id: str
    best_bid: Price
    best_bid_quantity: Size
    best_ask: Price
    best_ask_quantity: Size


class TickerEvent(msgspec.Struct, frozen=True, gc=False):
    tickers: list[Ticker]


class TickerMessage(msgspec.Struct, frozen=True, gc=False):
    timestamp: str  # when Coinbase sent it, RFC 3339 with nanoseconds
    events: list[TickerEvent]


class Envelope(msgspec.Struct, frozen=True, gc=False):
    channel: str | None = None
    sequence_num: int | None = None
    type: str | None = None  # "error" on errors
    message: str | None = None  # the error text


class OneTickerEvent(msgspec.Struct, frozen=True, gc=False):
    tickers: tuple[Ticker]  # exactly one


# The batch items read the one shape Coinbase sends on these channels: one event a message, and
# one ticker a ticker event. Anything else fails the batch decode, and parse takes those frames.
# Fixed-length tuples spare the lists and the loops: ~90 ns a ticker message.


@final
class TradesItem(msgspec.Struct, frozen=True, gc=False, tag_field="channel", tag="market_trades"):
    """A ``market_trades`` message in a batch, told from the others by its ``channel``."""

    sequence_num: int
    events: tuple[TradesEvent]
    # Absent on data: any value fails the batch decode, and parse (which raises for "error") decides.
    type: None = None


@final
class TickerItem(msgspec.Struct, frozen=True, gc=False, tag_field="channel", tag="ticker"):
    """A ``ticker`` message in a batch."""

    sequence_num: int
    timestamp: str
    events: tuple[OneTickerEvent]
    type: None = None


class _Control(msgspec.Struct, frozen=True, gc=False):
    sequence_num: int
    type: str | None = None  # checked as the Envelope that parse reads them with
    message: str | None = None


@final
class HeartbeatsItem(_Control, frozen=True, gc=False, tag_field="channel", tag="heartbeats"):
    """A ``heartbeats`` message in a batch: no events."""


@final
class SubscriptionsItem(_Control, frozen=True, gc=False, tag_field="channel", tag="subscriptions"):
    """A ``subscriptions`` acknowledgement in a batch: no events."""


_trades_decoder: Final = msgspec.json.Decoder(TradesMessage, strict=False)
# Every channel is a tagged member, so a batch decodes in one call with no sorting of frames.
_batch_decoder: Final = msgspec.json.Decoder(
    TradesItem | TickerItem | HeartbeatsItem | SubscriptionsItem, strict=False
)
_ticker_decoder: Final = msgspec.json.Decoder(TickerMessage, strict=False)
_envelope_decoder: Final = msgspec.json.Decoder(Envelope)
_CONTROL_CHANNELS: Final = frozenset({"heartbeats", "subscriptions"})
_SYMBOLS: Final = SymbolMap(NAME, "-")
_NORMALISED: Final = _SYMBOLS.known


#: ``"BTC-USD"`` <-> ``"BTC-USD"`` (Coinbase product ids are already ``BASE-QUOTE``).
#: Raises SymbolError for a symbol that does not map (see :class:`SymbolMap`).
to_venue_symbol: Final = _SYMBOLS.to_venue
from_venue_symbol: Final = _SYMBOLS.from_venue


def _messages(kind: str, symbols: Sequence[str], channels: Collection[Channel]) -> list[str]:
    product_ids = [to_venue_symbol(symbol) for symbol in symbols]
    messages = [
        to_json({"type": kind, "product_ids": product_ids, "channel": name})
        for name in venue_channels(channels, "market_trades", "ticker")
    ]
    if kind == "subscribe":
        messages.append(to_json({"type": kind, "channel": "heartbeats"}))
    return messages


def subscribe_messages(symbols: Sequence[str], channels: Collection[Channel] = ALL_CHANNELS) -> list[str]:
    """One message per channel, then the ``heartbeats`` subscription that keeps them open."""
    return _messages("subscribe", symbols, channels)


def unsubscribe_messages(symbols: Sequence[str], channels: Collection[Channel] = ALL_CHANNELS) -> list[str]:
    """One message per channel (heartbeats stay on)."""
    return _messages("unsubscribe", symbols, channels)


def _trades(message: TradesMessage, received_ns: int) -> list[Event]:
    events: list[Event] = []
    for event in message.events:
        for trade in reversed(event.trades):  # newest first on the wire
            events.append(
                Trade(
                    exchange="coinbase",
                    symbol=_NORMALISED.get(trade.product_id) or from_venue_symbol(trade.product_id),
                    price=trade.price,
                    size=trade.size,
                    side=SELL if trade.side == "BUY" else BUY,  # wire side is the maker's
                    trade_id=trade.trade_id,
                    ts_event=iso_to_ns(trade.time),
                    ts_recv=received_ns,
                )
            )
    return events


def _quotes(message: TickerMessage, received_ns: int) -> list[Event]:
    ts_event = iso_to_ns(message.timestamp)
    return [
        Quote(
            exchange="coinbase",
            symbol=_NORMALISED.get(ticker.product_id) or from_venue_symbol(ticker.product_id),
            bid_price=ticker.best_bid,
            bid_size=ticker.best_bid_quantity,
            ask_price=ticker.best_ask,
            ask_size=ticker.best_ask_quantity,
            ts_event=ts_event,
            ts_recv=received_ns,
        )
        for event in message.events
        for ticker in event.tickers
    ]


def parse(raw: bytes | str, received_ns: int) -> list[Event]:
    """Turn one websocket message into kernel events.

    Returns:
        Trades (oldest first) for ``market_trades``, Quotes for ``ticker``, ``[]`` for
        ``heartbeats`` and ``subscriptions``.

    Raises:
        VenueError: ``{"type": "error", "message": ...}``.
        ParseError: not JSON, a missing or mistyped field, a bad timestamp, an unknown channel.
    """
    data = raw.encode() if isinstance(raw, str) else raw
    try:
        if data.startswith(b'{"channel":"market_trades"'):
            return _trades(_trades_decoder.decode(data), received_ns)
        if data.startswith(b'{"channel":"ticker"'):
            return _quotes(_ticker_decoder.decode(data), received_ns)
        envelope = _envelope_decoder.decode(data)
        if envelope.type == "error":
            raise venue_error(NAME, "", envelope.message)
        if envelope.channel in _CONTROL_CHANNELS:
            return []
        if envelope.channel == "market_trades":
            return _trades(_trades_decoder.decode(data), received_ns)
        if envelope.channel == "ticker":
            return _quotes(_ticker_decoder.decode(data), received_ns)
        raise ParseError(f"{NAME}: unexpected message (channel {envelope.channel!r}, type {envelope.type!r})", raw)
    except (msgspec.DecodeError, ValueError) as exc:
        raise parse_error(NAME, exc, raw) from None


def parse_many(frames: Sequence[bytes | str], received_ns: Sequence[int]) -> list[Event]:
    """The events of many frames (``received_ns[i]`` is frame i's receive time), in order.

    The frames are decoded in one call, every channel being a member of one tagged union of the
    shape Coinbase sends (one event a message, one ticker a ticker event). Should anything fail
    (an error message, an unknown channel, another shape, a bad frame, ``str`` frames), the
    frames are parsed one by one, so the result or the error is :func:`parse`'s.

    Raises:
        ParseError, VenueError: as :func:`parse` does, for the first frame that fails.
    """
    return parse_many_numbered(frames, received_ns)[0]


def parse_many_numbered(frames: Sequence[bytes | str], received_ns: Sequence[int]) -> tuple[list[Event], list[int]]:
    """:func:`parse_many`'s events, and the ``sequence_num`` of every frame that carries one, in order.

    Raises:
        ParseError, VenueError: as :func:`parse` does, for the first frame that fails.
    """
    try:
        messages = decode_batch(_batch_decoder, frames)  # type: ignore[arg-type]
        events = _many(messages, received_ns)
    except BATCH_ERRORS:
        return parse_each(parse, frames, received_ns), [
            number for number in map(sequence_number, frames) if number is not None
        ]
    return events, [message.sequence_num for message in messages]


def sequence_number(raw: bytes | str) -> int | None:
    """The ``sequence_num`` of one frame; None for a frame without one (an error) or not JSON."""
    try:
        return _envelope_decoder.decode(raw).sequence_num
    except msgspec.DecodeError:
        return None


_BatchItem = TradesItem | TickerItem | HeartbeatsItem | SubscriptionsItem


def _flatten(
    messages: list[_BatchItem], times: Sequence[int]
) -> tuple[list[MarketTrade | Ticker], list[int], list[str]]:
    """Every trade (oldest first, as :func:`_trades`) and ticker, its receive time and its timestamp.

    Raises:
        ValueError: a heartbeat or subscription says ``"type": "error"`` (:func:`parse` raises).
    """
    items: list[MarketTrade | Ticker] = []
    item_times: list[int] = []
    stamps: list[str] = []
    add_item, add_time, add_stamp = items.append, item_times.append, stamps.append
    for message, ns in zip(messages, times, strict=True):
        if type(message) is TickerItem:
            add_item(message.events[0].tickers[0])
            add_time(ns)
            add_stamp(message.timestamp)
        elif type(message) is TradesItem:
            trades = message.events[0].trades
            if len(trades) == 1:  # the usual update: spare the loop (~50 ns)
                trade = trades[0]
                add_item(trade)
                add_time(ns)
                add_stamp(trade.time)
                continue
            for trade in reversed(trades):  # newest first on the wire
                add_item(trade)
                add_time(ns)
                add_stamp(trade.time)
        elif message.type == "error":  # a control message that parse raises a VenueError for
            raise ValueError("an error message in the batch")
    return items, item_times, stamps


def _many(messages: list[_BatchItem], times: Sequence[int]) -> list[Event]:
    items, item_times, stamps = _flatten(messages, times)  # so that the timestamps convert in one call
    normalised = _NORMALISED.get
    return [
        Trade(
            exchange="coinbase",
            symbol=normalised(item.product_id) or from_venue_symbol(item.product_id),
            price=item.price,
            size=item.size,
            side=SELL if item.side == "BUY" else BUY,  # wire side is the maker's
            trade_id=item.trade_id,
            ts_event=ts_event,
            ts_recv=ns,
        )
        if type(item) is MarketTrade
        else Quote(
            exchange="coinbase",
            symbol=normalised(item.product_id) or from_venue_symbol(item.product_id),
            bid_price=item.best_bid,
            bid_size=item.best_bid_quantity,
            ask_price=item.best_ask,
            ask_size=item.best_ask_quantity,
            ts_event=ts_event,
            ts_recv=ns,
        )
        for item, ns, ts_event in zip(items, item_times, iso_to_ns_many(stamps), strict=True)
    ]
