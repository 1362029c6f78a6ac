"""Kraken spot market data over websocket v2: the ``trade`` and ``ticker`` channels.

Messages are ``{"channel", "type": "snapshot"|"update", "data": [...]}``; requests are answered
by ``{"method", "success", "result"|"error", "req_id", "time_in", "time_out"}``. Prices and sizes
are JSON numbers. Kraken sends ``heartbeat`` messages once a second while subscribed; an
application ``ping`` every :data:`PING_INTERVAL` seconds proves the path both ways.

- ``trade``: ``side`` is the taker's; ``trade_id`` is a sequence number per book, so ids are
  consecutive; ``ts_event`` is the RFC 3339 ``timestamp`` (microseconds).
- ``ticker`` with ``event_trigger: "bbo"``: an update on every best bid/offer change; the Quote
  comes from ``bid``/``bid_qty``/``ask``/``ask_qty``. ``ts_event`` is the ticker's ``timestamp``
  where Kraken sends one, else the receive time.

Symbols are ``BTC/USD`` (v2 uses ``BTC``, not the REST API's ``XBT``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Final, final

import msgspec

from connectors.errors import ParseError
from connectors.venues.common import (
    ALL_CHANNELS,
    Channel,
    Price,
    Size,
    SymbolMap,
    parse_by_kind,
    parse_error,
    to_json,
    venue_error,
)
from connectors.venues.timestamps import iso_to_ns, iso_to_ns_many
from nashipai.events import Event, Quote, SideName, Trade

NAME: Final = "kraken"
URL: Final = "wss://ws.kraken.com/v2"
CCXT_ID: Final = "kraken"
SEQUENTIAL_TRADE_IDS: Final = True
PING_INTERVAL: Final[float | None] = 30.0
PING_MESSAGE: Final[str | None] = '{"method":"ping"}'


@final  # so that ``type(x) is KrakenTrade`` narrows (isinstance is slow on a Struct class: ~70 ns on a miss)
class KrakenTrade(msgspec.Struct, frozen=True, gc=False):
    symbol: str  # e.g. "BTC/USD"
    side: SideName  # the taker's side
    price: Price
    qty: Size
    ord_type: str  # the taker's order type, "market" or "limit"
    trade_id: int  # sequence number per book
    timestamp: str  # RFC 3339


class TradeMessage(msgspec.Struct, frozen=True, gc=False):
    type: str  # "snapshot" or "update"
    data: list[KrakenTrade]


class KrakenTicker(msgspec.Struct, frozen=True, gc=False):
    symbol: str
    bid: Price
    bid_qty: Size
    ask: Price
    ask_qty: Size
    timestamp: str | None = None  # RFC 3339; only in newer versions of the feed


class TickerMessage(msgspec.Struct, frozen=True, gc=False):
    type: str  # "snapshot" or "update"
    data: list[KrakenTicker]


class Envelope(msgspec.Struct, frozen=True, gc=False):
    channel: str | None = None  # data, "heartbeat" or "status"
    method: str | None = None  # on responses: "subscribe", "unsubscribe", "pong"
    success: bool | None = None
    error: str | None = None


class TradeItem(TradeMessage, frozen=True, gc=False, tag_field="channel", tag="trade"):
    """A trade message in a batch, told from a ticker by its ``channel``."""


class TickerItem(TickerMessage, frozen=True, gc=False, tag_field="channel", tag="ticker"):
    """A ticker message in a batch."""


_trade_decoder: Final = msgspec.json.Decoder(TradeMessage)
_batch_decoder: Final = msgspec.json.Decoder(TradeItem | TickerItem)
_DATA_PREFIXES: Final = ((b'{"channel":"trade",', b'{"channel":"ticker",'),)
_ticker_decoder: Final = msgspec.json.Decoder(TickerMessage)
_envelope_decoder: Final = msgspec.json.Decoder(Envelope)
_CONTROL_CHANNELS: Final = frozenset({"heartbeat", "status"})
# Error texts after which a retry may succeed (rate limits, Kraken-side trouble).
_RETRYABLE_WORDS: Final = ("rate", "unavailable", "internal", "timeout", "busy")
_SYMBOLS: Final = SymbolMap(NAME, "/")
_NORMALISED: Final = _SYMBOLS.known


#: ``"BTC-USD"`` <-> ``"BTC/USD"``.
#: Raises SymbolError for a symbol that does not map (see :class:`SymbolMap`).
to_venue_symbol: Final = _SYMBOLS.to_venue
from_venue_symbol: Final = _SYMBOLS.from_venue


def _messages(method: str, symbols: Sequence[str], channels: Collection[Channel]) -> list[str]:
    venue_symbols = [to_venue_symbol(symbol) for symbol in symbols]
    messages = []
    if Channel.TRADES in channels:
        params: dict[str, object] = {"channel": "trade", "symbol": venue_symbols}
        if method == "subscribe":
            params["snapshot"] = True  # the last 50 trades: lets gap detection see across a reconnect
        messages.append(to_json({"method": method, "params": params, "req_id": 1}))
    if Channel.QUOTES in channels:
        params = {"channel": "ticker", "symbol": venue_symbols}
        if method == "subscribe":
            params["event_trigger"] = "bbo"
        messages.append(to_json({"method": method, "params": params, "req_id": 2}))
    return messages


def subscribe_messages(symbols: Sequence[str], channels: Collection[Channel] = ALL_CHANNELS) -> list[str]:
    """One ``subscribe`` per channel: ``trade`` (with snapshot) and ``ticker`` on ``bbo``."""
    return _messages("subscribe", symbols, channels)


def unsubscribe_messages(symbols: Sequence[str], channels: Collection[Channel] = ALL_CHANNELS) -> list[str]:
    """One ``unsubscribe`` per channel."""
    return _messages("unsubscribe", symbols, channels)


def _trades(message: TradeMessage, received_ns: int) -> list[Event]:
    return [
        Trade(
            exchange="kraken",
            symbol=_NORMALISED.get(trade.symbol) or from_venue_symbol(trade.symbol),
            price=trade.price,
            size=trade.qty,
            side=trade.side,
            trade_id=str(trade.trade_id),
            ts_event=iso_to_ns(trade.timestamp),
            ts_recv=received_ns,
        )
        for trade in message.data
    ]


def _quotes(message: TickerMessage, received_ns: int) -> list[Event]:
    return [
        Quote(
            exchange="kraken",
            symbol=_NORMALISED.get(ticker.symbol) or from_venue_symbol(ticker.symbol),
            bid_price=ticker.bid,
            bid_size=ticker.bid_qty,
            ask_price=ticker.ask,
            ask_size=ticker.ask_qty,
            ts_event=received_ns if ticker.timestamp is None else iso_to_ns(ticker.timestamp),
            ts_recv=received_ns,
        )
        for ticker in message.data
    ]


def parse(raw: bytes | str, received_ns: int) -> list[Event]:
    """Turn one websocket message into kernel events.

    Returns:
        Trades for ``trade``, Quotes for ``ticker``, ``[]`` for heartbeats, status, pongs and
        successful acks.

    Raises:
        VenueError: a response with ``"success": false`` (e.g. an unknown pair).
        ParseError: not JSON, a missing or mistyped field, a bad timestamp, an unknown message.
    """
    data = raw.encode() if isinstance(raw, str) else raw
    try:
        if data.startswith(b'{"channel":"trade",'):
            return _trades(_trade_decoder.decode(data), received_ns)
        if data.startswith(b'{"channel":"ticker",'):
            return _quotes(_ticker_decoder.decode(data), received_ns)
        envelope = _envelope_decoder.decode(data)
        if envelope.success is False or envelope.error is not None:
            raise venue_error(NAME, "", envelope.error, missing="(no error text)", retry_words=_RETRYABLE_WORDS)
        if envelope.channel in _CONTROL_CHANNELS or envelope.method is not None:
            return []
        if envelope.channel == "trade":
            return _trades(_trade_decoder.decode(data), received_ns)
        if envelope.channel == "ticker":
            return _quotes(_ticker_decoder.decode(data), received_ns)
        raise ParseError(f"{NAME}: unexpected message (channel {envelope.channel!r})", raw)
    except (msgspec.DecodeError, ValueError) as exc:
        raise parse_error(NAME, exc, raw) from None


def parse_many(frames: Sequence[bytes | str], received_ns: Sequence[int]) -> list[Event]:
    """The events of many frames (``received_ns[i]`` is frame i's receive time), in order.

    Trade and ticker frames are joined into one JSON array and decoded in one call; heartbeats and
    other frames go through :func:`parse`. Should anything fail, the frames are parsed one by one.

    Raises:
        ParseError, VenueError: as :func:`parse` does, for the first frame that fails.
    """
    return parse_by_kind(parse, frames, received_ns, _DATA_PREFIXES, ((_batch_decoder, _many),))


def _many(messages: list[TradeItem | TickerItem], times: list[int]) -> list[Event]:
    # Flattened first, so that the timestamps convert in one call.
    items: list[KrakenTrade | KrakenTicker] = []
    item_times: list[int] = []
    add_item, add_time = items.append, item_times.append
    for message, ns in zip(messages, times, strict=True):
        for item in message.data:
            add_item(item)
            add_time(ns)
    stamps = [item.timestamp for item in items if item.timestamp is not None]
    next_ts_event = iter(iso_to_ns_many(stamps)).__next__
    normalised = _NORMALISED.get
    return [
        Trade(
            exchange="kraken",
            symbol=normalised(item.symbol) or from_venue_symbol(item.symbol),
            price=item.price,
            size=item.qty,
            side=item.side,
            trade_id=str(item.trade_id),
            ts_event=next_ts_event(),
            ts_recv=ns,
        )
        if type(item) is KrakenTrade
        else Quote(
            exchange="kraken",
            symbol=normalised(item.symbol) or from_venue_symbol(item.symbol),
            bid_price=item.bid,
            bid_size=item.bid_qty,
            ask_price=item.ask,
            ask_size=item.ask_qty,
            ts_event=ns if item.timestamp is None else next_ts_event(),
            ts_recv=ns,
        )
        for item, ns in zip(items, item_times, strict=True)
    ]
