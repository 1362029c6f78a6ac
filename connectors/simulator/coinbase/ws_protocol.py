"""Coinbase Advanced Trade market-data requests, pure: subscribe and unsubscribe, one channel each.

A request is ``{"type": "subscribe"|"unsubscribe", "channel": .., "product_ids": [..]}``; other
fields (``jwt``, ``timestamp``...) are ignored, as the simulator checks no credentials. Channels:
``market_trades`` and ``ticker`` (``product_ids`` required to subscribe; an unsubscribe without
them leaves the channel entirely) and ``heartbeats`` (``product_ids`` ignored). A request that
names an unknown type, channel or product, or is not JSON, changes nothing and is answered with
``{"type": "error", "message": ..}``.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from typing import Final

import msgspec

from connectors.simulator.coinbase.wire import HEARTBEATS, MARKET_TRADES, TICKER

PRODUCT_CHANNELS: Final = (MARKET_TRADES, TICKER)
CHANNELS: Final = (*PRODUCT_CHANNELS, HEARTBEATS)
REQUEST_TYPES: Final = ("subscribe", "unsubscribe")


class Request(msgspec.Struct, frozen=True):
    type: str
    channel: str | None = None
    product_ids: list[str] | None = None


_request_decoder: Final = msgspec.json.Decoder(Request)


@dataclass(slots=True)
class CoinbaseSession:
    """One connection's subscriptions (in subscription order) and its next ``sequence_num``."""

    products: dict[str, dict[str, None]] = field(default_factory=lambda: {name: {} for name in PRODUCT_CHANNELS})
    heartbeats: bool = False
    next_sequence: int = 0

    def take_sequence(self) -> int:
        """The number of the next message sent (or missed) on this connection."""
        number = self.next_sequence
        self.next_sequence += 1
        return number

    def subscriptions(self) -> dict[str, list[str]]:
        """The ``subscriptions`` event's map: every channel with a subscription."""
        current = {name: list(products) for name, products in self.products.items() if products}
        if self.heartbeats:
            current[HEARTBEATS] = [HEARTBEATS]
        return current


@dataclass(frozen=True, slots=True)
class RequestOutcome:
    """What a request did: an error, or the products it added to or removed from ``channel``."""

    error: str | None = None
    channel: str = ""
    subscribe: bool = True
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def handle_request(text: str | bytes, session: CoinbaseSession, products: Container[str]) -> RequestOutcome:
    """Apply one client request to ``session``; ``products`` are the listed product ids."""
    try:
        request = _request_decoder.decode(text)
    except msgspec.ValidationError as error:
        return RequestOutcome(error=f"Failed to parse request: {error}")
    except msgspec.DecodeError as error:
        return RequestOutcome(error=f"Failed to parse request: malformed JSON ({error})")
    if request.type not in REQUEST_TYPES:
        return RequestOutcome(error=f"Unsupported message type {request.type!r}; use 'subscribe' or 'unsubscribe'")
    subscribe = request.type == "subscribe"
    verb = request.type
    channel = request.channel
    if channel not in CHANNELS:
        named = "no channel" if channel is None else f"channel {channel!r}"
        return RequestOutcome(error=f"Failed to {verb}: {named} is not available (use one of {', '.join(CHANNELS)})")
    if channel == HEARTBEATS:
        changed = session.heartbeats != subscribe
        session.heartbeats = subscribe
        names = (HEARTBEATS,) if changed else ()
        if subscribe:
            return RequestOutcome(channel=channel, added=names)
        return RequestOutcome(channel=channel, subscribe=False, removed=names)
    return _change_products(verb, channel, request.product_ids or [], session, products)


def _change_products(
    verb: str, channel: str, product_ids: list[str], session: CoinbaseSession, products: Container[str]
) -> RequestOutcome:
    subscribed = session.products[channel]
    unknown = [product_id for product_id in product_ids if product_id not in products]
    if unknown:
        return RequestOutcome(error=f"Failed to {verb}: {', '.join(unknown)} is not a valid product")
    if verb == "subscribe":
        if not product_ids:
            return RequestOutcome(error=f"Failed to subscribe: {channel} needs product_ids")
        added = tuple(product_id for product_id in dict.fromkeys(product_ids) if product_id not in subscribed)
        subscribed.update(dict.fromkeys(added))
        return RequestOutcome(channel=channel, added=added)
    leaving = product_ids or list(subscribed)
    removed = tuple(product_id for product_id in dict.fromkeys(leaving) if product_id in subscribed)
    for product_id in removed:
        del subscribed[product_id]
    return RequestOutcome(channel=channel, subscribe=False, removed=removed)
