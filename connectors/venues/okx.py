"""OKX v5 public market data: the ``trades`` and ``bbo-tbt`` channels.

Requests are ``{"op": "subscribe", "args": [{"channel", "instId"}, ...]}``; the answers are
``{"event": "subscribe"|"unsubscribe"|"error"|"notice"|"channel-conn-count", ...}``. OKX closes a
connection that is silent for 30 s, so the runner sends the text frame ``ping`` every
:data:`PING_INTERVAL` seconds and OKX answers ``pong`` (also plain text).

- ``trades``: ``side`` is the taker's; ``ts`` (ms, as a string) is ``ts_event``. OKX may
  aggregate several fills into one push (``count`` fills, ``tradeId`` being the last), so ids
  are not consecutive on this channel and ``SEQUENTIAL_TRADE_IDS`` is False.
- ``bbo-tbt``: the best bid and ask tick by tick, ``[price, size, "0", orders]``; the symbol is
  the subscription's ``arg.instId``; ``ts`` is ``ts_event``. A side with no level yields no Quote.

Spot instrument ids are already ``BASE-QUOTE`` (``BTC-USDT``); derivatives (``BTC-USDT-SWAP``)
are refused by the symbol mapping.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Final

import msgspec

from connectors.errors import ParseError
from connectors.venues.common import (
    ALL_CHANNELS,
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
from nashipai.events import Event, Quote, SideName, Trade

NAME: Final = "okx"
URL: Final = "wss://ws.okx.com:8443/ws/v5/public"
CCXT_ID: Final = "okx"
SEQUENTIAL_TRADE_IDS: Final = False
PING_INTERVAL: Final[float | None] = 25.0
PING_MESSAGE: Final[str | None] = "ping"
# Error codes after which reconnecting may succeed: too many requests, internal error, a
# service upgrade about to close the connection, system busy.
_RETRYABLE_CODES: Final = frozenset({"60014", "63999", "64008", "50001", "50011", "50013"})


class Arg(msgspec.Struct, frozen=True, gc=False):
    channel: str
    instId: str  # instrument id, e.g. "BTC-USDT"  # noqa: N815


class OkxTrade(msgspec.Struct, frozen=True, gc=False):
    instId: str  # noqa: N815
    tradeId: str  # the last fill's id when several are aggregated  # noqa: N815
    px: Price  # price
    sz: Size  # size
    side: SideName  # the taker's side
    ts: Millis  # trade time, ms (a string on the wire)
    count: int = 1  # fills aggregated into this push


class TradeMessage(msgspec.Struct, frozen=True, gc=False):
    arg: Arg
    data: list[OkxTrade]


class Level(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """A book level ``[price, size, liquidated, orders]``, of which only price and size are read:
    the rest is skipped, which costs ~40 ns a message less than decoding it (and a level OKX
    lengthens one day still decodes). Not tracked by the garbage collector, unlike a tuple."""

    price: Price
    size: Size


class Bbo(msgspec.Struct, frozen=True, gc=False):
    asks: list[Level]
    bids: list[Level]
    ts: Millis  # when OKX generated it, ms (its ``seqId`` is skipped: an L1 snapshot needs no gap check)


class BboMessage(msgspec.Struct, frozen=True, gc=False):
    arg: Arg
    data: list[Bbo]


class Envelope(msgspec.Struct, frozen=True, gc=False):
    event: str | None = None  # "subscribe", "unsubscribe", "error", "notice", "channel-conn-count"
    arg: Arg | None = None
    code: str | None = None
    msg: str | None = None


_trade_decoder: Final = msgspec.json.Decoder(TradeMessage, strict=False)
_bbo_decoder: Final = msgspec.json.Decoder(BboMessage, strict=False)
_envelope_decoder: Final = msgspec.json.Decoder(Envelope, strict=False)
_trades_decoder: Final = msgspec.json.Decoder(TradeMessage, strict=False)
_bbos_decoder: Final = msgspec.json.Decoder(BboMessage, strict=False)
_KINDS: Final = ((b'{"arg":{"channel":"trades",',), (b'{"arg":{"channel":"bbo-tbt",',))
_CONTROL_EVENTS: Final = frozenset({"subscribe", "unsubscribe", "channel-conn-count"})
_SYMBOLS: Final = SymbolMap(NAME, "-")
_NORMALISED: Final = _SYMBOLS.known


#: ``"BTC-USDT"`` <-> ``"BTC-USDT"``; derivatives (``"BTC-USDT-SWAP"``) raise SymbolError.
#: Raises SymbolError for a symbol that does not map (see :class:`SymbolMap`).
to_venue_symbol: Final = _SYMBOLS.to_venue
from_venue_symbol: Final = _SYMBOLS.from_venue


def _messages(op: str, symbols: Sequence[str], channels: Collection[Channel]) -> list[str]:
    pairs = symbol_channels(symbols, channels, to_venue_symbol, "trades", "bbo-tbt")
    args = [{"channel": name, "instId": inst_id} for inst_id, name in pairs]
    return [to_json({"op": op, "args": args})]


def subscribe_messages(symbols: Sequence[str], channels: Collection[Channel] = ALL_CHANNELS) -> list[str]:
    """One ``subscribe`` request for every channel and instrument."""
    return _messages("subscribe", symbols, channels)


def unsubscribe_messages(symbols: Sequence[str], channels: Collection[Channel] = ALL_CHANNELS) -> list[str]:
    """One ``unsubscribe`` request for the same."""
    return _messages("unsubscribe", symbols, channels)


def _trades(message: TradeMessage, received_ns: int) -> list[Event]:
    return [
        Trade(
            exchange="okx",
            symbol=_NORMALISED.get(trade.instId) or from_venue_symbol(trade.instId),
            price=trade.px,
            size=trade.sz,
            side=trade.side,
            trade_id=trade.tradeId,
            ts_event=trade.ts * 1_000_000,
            ts_recv=received_ns,
        )
        for trade in message.data
    ]


def _quotes(message: BboMessage, received_ns: int) -> list[Event]:
    inst_id = message.arg.instId
    symbol = _NORMALISED.get(inst_id) or from_venue_symbol(inst_id)
    return [
        Quote(
            exchange="okx",
            symbol=symbol,
            bid_price=bbo.bids[0].price,
            bid_size=bbo.bids[0].size,
            ask_price=bbo.asks[0].price,
            ask_size=bbo.asks[0].size,
            ts_event=bbo.ts * 1_000_000,
            ts_recv=received_ns,
        )
        for bbo in message.data
        if bbo.bids and bbo.asks
    ]


def parse(raw: bytes | str, received_ns: int) -> list[Event]:
    """Turn one websocket message into kernel events.

    Returns:
        Trades for ``trades``, Quotes for ``bbo-tbt``, ``[]`` for ``pong``, subscription acks and
        connection counts.

    Raises:
        VenueError: ``{"event": "error"|"notice", "code", "msg"}``; ``should_retry`` for rate
            limits, internal errors and the service-upgrade notice (64008).
        ParseError: not JSON, a missing or mistyped field, an unknown symbol or message.
    """
    data = raw.encode() if isinstance(raw, str) else raw
    try:
        if data.startswith(b'{"arg":{"channel":"trades",'):
            return _trades(_trade_decoder.decode(data), received_ns)
        if data.startswith(b'{"arg":{"channel":"bbo-tbt",'):
            return _quotes(_bbo_decoder.decode(data), received_ns)
        if data == b"pong":
            return []
        envelope = _envelope_decoder.decode(data)
        if envelope.event in ("error", "notice"):
            raise venue_error(NAME, envelope.code or "", envelope.msg, missing="(no msg)", retry_codes=_RETRYABLE_CODES)
        if envelope.event in _CONTROL_EVENTS:
            return []
        channel = envelope.arg.channel if envelope.event is None and envelope.arg is not None else None
        if channel == "trades":
            return _trades(_trade_decoder.decode(data), received_ns)
        if channel == "bbo-tbt":
            return _quotes(_bbo_decoder.decode(data), received_ns)
        raise ParseError(f"{NAME}: unexpected message (event {envelope.event!r}, channel {channel!r})", raw)
    except (msgspec.DecodeError, ValueError) as exc:
        raise parse_error(NAME, exc, raw) from None


def parse_many(frames: Sequence[bytes | str], received_ns: Sequence[int]) -> list[Event]:
    """The events of many frames (``received_ns[i]`` is frame i's receive time): Trades in order,
    then Quotes in order.

    ``trades`` and ``bbo-tbt`` frames are joined into one JSON array per kind and decoded in one
    call; other frames (``pong``, acks) go through :func:`parse`. Should anything fail, the frames
    are parsed one by one.

    Raises:
        ParseError, VenueError: as :func:`parse` does, for the first frame that fails.
    """
    return parse_by_kind(parse, frames, received_ns, _KINDS,
                         ((_trades_decoder, _many_trades), (_bbos_decoder, _many_quotes)))


def _many_trades(messages: list[TradeMessage], times: list[int]) -> list[Event]:
    normalised = _NORMALISED.get
    return [
        Trade(
            exchange="okx",
            symbol=normalised(trade.instId) or from_venue_symbol(trade.instId),
            price=trade.px,
            size=trade.sz,
            side=trade.side,
            trade_id=trade.tradeId,
            ts_event=trade.ts * 1_000_000,
            ts_recv=ns,
        )
        for message, ns in zip(messages, times, strict=True)
        for trade in message.data
    ]


def _many_quotes(messages: list[BboMessage], times: list[int]) -> list[Event]:
    normalised = _NORMALISED.get
    events: list[Event] = []
    append = events.append
    for message, ns in zip(messages, times, strict=True):
        inst_id = message.arg.instId
        symbol = normalised(inst_id) or from_venue_symbol(inst_id)  # even with no live level, as _quotes
        for bbo in message.data:
            bids, asks = bbo.bids, bbo.asks
            if bids and asks:
                bid, ask = bids[0], asks[0]
                append(
                    Quote(
                        exchange="okx",
                        symbol=symbol,
                        bid_price=bid.price,
                        bid_size=bid.size,
                        ask_price=ask.price,
                        ask_size=ask.size,
                        ts_event=bbo.ts * 1_000_000,
                        ts_recv=ns,
                    )
                )
    return events
