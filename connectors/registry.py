"""Venue name -> venue module, and the :class:`Venue` protocol every module satisfies.

A new exchange is one module in ``connectors/venues/`` and one line in :data:`VENUES`; mypy
checks the module against :class:`Venue` through that line.

How the runner drives a venue (all I/O is the runner's; everything below is pure):

1. connect to ``venue.URL``;
2. send every text frame of ``venue.subscribe_messages(symbols, channels)``;
3. if ``venue.PING_INTERVAL`` is not None, send ``venue.PING_MESSAGE`` every that many seconds;
4. parse the frames received so far (each stamped ``time.time_ns()`` on arrival) with
   ``venue.parse_many(frames, received_ns)`` and publish the events; if that raises, parse them
   one by one with ``venue.parse``: on :class:`~connectors.errors.ParseError` dead-letter the
   frame with ``reason`` and go on; on :class:`~connectors.errors.VenueError` dead-letter it,
   then reconnect if ``should_retry``, else stop with that error;
5. where ``venue.SEQUENTIAL_TRADE_IDS``, compare each trade id with the previous one of its
   symbol (:class:`connectors.backfill.TradeTracker`) and backfill a gap over REST with
   ccxt's ``venue.CCXT_ID`` exchange;
6. where the venue numbers the messages of a connection (:data:`SEQUENCED`), parse with
   ``parse_many_numbered`` instead and check the numbers
   (:class:`connectors.backfill.SequenceTracker`): a jump, or a reconnect, backfills every
   symbol from its last trade id;
7. on any reconnect, start again from 1 (subscriptions do not survive a connection).

The runner is :mod:`connectors.runner`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Final, Protocol

from connectors.venues import binance, bybit, coinbase, kraken, okx
from connectors.venues.common import ALL_CHANNELS, Channel
from nashipai.events import Event

__all__ = ["ALL_CHANNELS", "SEQUENCED", "VENUES", "Channel", "SequencedVenue", "Venue", "get_venue"]


class Venue(Protocol):
    """What the runner relies on; every module in ``connectors/venues/`` provides it.

    Members are module-level constants and pure functions; none does I/O.
    """

    @property
    def NAME(self) -> str:  # noqa: N802
        """The venue name in events and Kafka keys, lower case (``"binance"``)."""

    @property
    def URL(self) -> str:  # noqa: N802
        """The default websocket URL of the public market data feed."""

    @property
    def CCXT_ID(self) -> str:  # noqa: N802
        """The ccxt exchange id to use for REST backfill of this venue's trades."""

    @property
    def SEQUENTIAL_TRADE_IDS(self) -> bool:  # noqa: N802
        """True when trade ids are consecutive integers per symbol, so a jump is a gap."""

    @property
    def PING_INTERVAL(self) -> float | None:  # noqa: N802
        """Seconds between application-level pings, or None when the venue needs none."""

    @property
    def PING_MESSAGE(self) -> str | None:  # noqa: N802
        """The text frame to send as a ping (None when ``PING_INTERVAL`` is None)."""

    def subscribe_messages(self, symbols: Sequence[str], channels: Collection[Channel] = ALL_CHANNELS) -> list[str]:
        """The text frames that subscribe ``channels`` for normalised ``symbols``, in order.

        Raises:
            SymbolError: a symbol is not a normalised ``BASE-QUOTE`` pair.
        """

    def unsubscribe_messages(self, symbols: Sequence[str], channels: Collection[Channel] = ALL_CHANNELS) -> list[str]:
        """The text frames that undo :meth:`subscribe_messages` for those symbols."""

    def to_venue_symbol(self, symbol: str) -> str:
        """``"BTC-USDT"`` -> the venue's form (``"BTCUSDT"``, ``"BTC/USD"``, ...).

        Raises:
            SymbolError: ``symbol`` is not a normalised ``BASE-QUOTE`` pair.
        """

    def from_venue_symbol(self, venue_symbol: str) -> str:
        """The venue's form -> ``"BTC-USDT"``.

        Raises:
            SymbolError: the venue symbol cannot be mapped (e.g. an unknown quote asset).
        """

    def parse(self, raw: bytes | str, received_ns: int) -> list[Event]:
        """One received websocket frame -> kernel events (Trade, Quote), possibly none.

        ``received_ns`` is the receive time in ns since the epoch; it becomes ``ts_recv`` (and
        ``ts_event`` where the venue sends no event time). Control messages (acks, heartbeats,
        pongs) return ``[]``.

        Raises:
            VenueError: the message is the venue reporting an error.
            ParseError: the message is malformed or unknown; ``reason`` says what is wrong.
        """

    def parse_many(self, frames: Sequence[bytes | str], received_ns: Sequence[int]) -> list[Event]:
        """The events of many frames, ``received_ns[i]`` being frame i's receive time.

        Equal to concatenating :meth:`parse` of each frame, except that a venue may group the
        events by kind (Trades in order, Quotes in order). Modules without a faster way use
        :func:`connectors.venues.common.parse_each`.

        Raises:
            ParseError, VenueError: some frame failed (the runner then parses them one by one).
        """


class SequencedVenue(Venue, Protocol):
    """A venue that numbers every message of a connection (Coinbase's ``sequence_num``), so a
    jump in the numbers means messages were lost."""

    def parse_many_numbered(
        self, frames: Sequence[bytes | str], received_ns: Sequence[int]
    ) -> tuple[list[Event], list[int]]:
        """:meth:`Venue.parse_many`'s events, and the sequence number of every frame that has one.

        Raises:
            ParseError, VenueError: some frame failed (the runner then parses them one by one).
        """

    def sequence_number(self, raw: bytes | str) -> int | None:
        """The sequence number of one frame; None for one without (an error, not JSON)."""


#: Every native venue by name.
VENUES: Final[Mapping[str, Venue]] = {
    binance.NAME: binance,
    bybit.NAME: bybit,
    coinbase.NAME: coinbase,
    kraken.NAME: kraken,
    okx.NAME: okx,
}

#: The native venues whose connections number their messages, by name.
SEQUENCED: Final[Mapping[str, SequencedVenue]] = {coinbase.NAME: coinbase}


def get_venue(name: str) -> Venue:
    """The native venue module called ``name``.

    Raises:
        KeyError: no native module; use :mod:`connectors.ccxt_pro` for other exchanges.
    """
    try:
        return VENUES[name]
    except KeyError:
        raise KeyError(
            f"no native connector for {name!r} (native: {', '.join(sorted(VENUES))}); use connectors.ccxt_pro"
        ) from None
