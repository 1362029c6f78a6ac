"""Kraken ``GET /0/public/Trades``, pure: trade rows and the ``since``/``last`` cursor.

A row is ``[price, volume, time, side, ordertype, misc, trade_id]``: decimal strings, ``time`` in
seconds with four decimals, ``side`` the **taker's** (``"b"``/``"s"``), ``ordertype`` always
``"m"`` (a simulated taker crosses the spread, as a market order would), ``misc`` empty and
``trade_id`` the venue's integer id. Rows run oldest first.

Cursor: a trade's Kraken time in nanoseconds is its millisecond time plus its rank among the
trades of that millisecond (0, 1, 2... ns), so every trade has its own, increasing, nanosecond
time. ``last`` is that of the page's last trade. ``since`` below 10^12 is seconds (fractions
allowed), otherwise nanoseconds; either way a page holds the trades strictly after it, so passing
``last`` back as ``since`` continues exactly after the page. No ``since``: the latest trades.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Final

import msgspec

from connectors.simulator.history import TradeHistory
from connectors.simulator.instruments import DecimalText, Instrument
from connectors.simulator.model import SimTrade

DEFAULT_COUNT: Final = 1000
MAX_COUNT: Final = 1000
NS_PER_MS: Final = 1_000_000
NS_PER_S: Final = 1_000_000_000
SECONDS_BELOW: Final = 10**12  # a smaller since is in seconds, a larger one in nanoseconds
_SINCE = re.compile(r"^[0-9]{1,20}(\.[0-9]{1,9})?$")


class TradeRow(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """One row of ``Trades``, encoded as a JSON array."""

    price: str
    volume: str
    time: msgspec.Raw  # seconds with four decimals, a JSON number: 1700000000.1230
    side: str  # the taker's side: "b" buy, "s" sell
    ordertype: str  # "m" market, "l" limit
    misc: str
    trade_id: int


def kraken_time(time_ms: int) -> msgspec.Raw:
    """A trade time as Kraken writes it, seconds with four decimals: ``1700000000123`` -> ``1700000000.1230``."""
    seconds, millis = divmod(time_ms, 1000)
    return msgspec.Raw(b"%d.%03d0" % (seconds, millis))


def taker_side(trade: SimTrade) -> str:
    """``"s"`` when the taker sold (the buyer was the maker), else ``"b"``."""
    return "s" if trade.buyer_is_maker else "b"


class KrakenFormatter(DecimalText):
    """Builds one instrument's trade rows."""

    def row(self, trade: SimTrade) -> TradeRow:
        return TradeRow(
            self.price(trade.price), self.size(trade.size), kraken_time(trade.time_ms), taker_side(trade), "m", "",
            trade.trade_id,
        )  # fmt: skip


@functools.cache
def formatter_for(instrument: Instrument) -> KrakenFormatter:
    """The one formatter of an instrument (instruments are few and immutable)."""
    return KrakenFormatter(instrument)


def parse_since(text: str) -> int:
    """The nanosecond time a page must start strictly after.

    Seconds (below 10^12, fractions allowed) mean "after that time": every trade of the
    millisecond that holds it is excluded too. Nanoseconds are compared with the trades'
    nanosecond times as they are.

    Raises:
        ValueError: not an unsigned number, or nanoseconds with a fraction.
    """
    if not _SINCE.match(text):
        raise ValueError(f"since {text!r} is not a UNIX timestamp")
    value = Decimal(text)
    if value >= SECONDS_BELOW:
        if "." in text:
            raise ValueError(f"since {text!r} in nanoseconds has a fraction")
        return int(value)
    millisecond = int(value * NS_PER_S) // NS_PER_MS
    return millisecond * NS_PER_MS + NS_PER_MS - 1


def _first_rank(history: TradeHistory, trade: SimTrade) -> int:
    """How many retained trades share ``trade``'s millisecond and come before it."""
    return trade.trade_id - history.between(trade.time_ms, trade.time_ms)[0].trade_id


def with_times(history: TradeHistory, trades: Sequence[SimTrade]) -> list[tuple[SimTrade, int]]:
    """Each of ``trades`` (consecutive, from ``history``) with its nanosecond time."""
    if not trades:
        return []
    timed: list[tuple[SimTrade, int]] = []
    rank, previous_ms = _first_rank(history, trades[0]), trades[0].time_ms
    for trade in trades:
        if trade.time_ms != previous_ms:
            rank, previous_ms = 0, trade.time_ms
        timed.append((trade, trade.time_ms * NS_PER_MS + rank))
        rank += 1
    return timed


def trades_after(history: TradeHistory, since_ns: int | None, count: int) -> list[tuple[SimTrade, int]]:
    """Up to ``count`` trades with a nanosecond time strictly after ``since_ns``, oldest first, with
    their times; ``None``: the latest ``count``. A ``since_ns`` older than the retained history
    starts at the oldest retained trade.

    Raises:
        ValueError: ``count`` below 1.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    if since_ns is None:
        return with_times(history, history.recent(count))
    millisecond, rank = divmod(since_ns, NS_PER_MS)
    skip = min(rank + 1, len(history.between(millisecond, millisecond)))
    return with_times(history, history.between(millisecond, None, skip + count)[skip:])
