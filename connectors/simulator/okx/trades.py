"""OKX ``GET /api/v5/market/trades`` and ``/market/history-trades``, pure: rows and cursor pages.

A row is ``{"instId", "side", "sz", "px", "source", "tradeId", "ts"}``: ``side`` the **taker's**
(``"buy"``/``"sell"``), ``sz`` and ``px`` decimal text without trailing zeros, ``source`` ``"0"``
(a normal order), ``tradeId`` the venue's integer id and ``ts`` milliseconds, all as strings.
Pages run newest first.

Cursors (``history-trades``), on trade ids (``type=1``) or on times in ms (``type=2``): ``after``
keeps the records older than it, ``before`` those newer than it, both the records strictly
between; of what is kept, a page holds the newest ``limit``. So ``after`` alone gives the
``limit`` records right below the cursor (pass the page's oldest id back to walk backwards), and
``before`` alone the newest records, as OKX documents ("the latest data will be returned when
using before individually"), not the ones right after the cursor.
"""

from __future__ import annotations

import enum
import functools
from typing import Final

import msgspec

from connectors.simulator.history import TradeHistory
from connectors.simulator.instruments import DecimalText, Instrument
from connectors.simulator.model import SimTrade

DEFAULT_LIMIT: Final = 100
MAX_RECENT_LIMIT: Final = 500  # market/trades
MAX_HISTORY_LIMIT: Final = 100  # market/history-trades


class PageType(enum.Enum):
    """``history-trades``' ``type``: what ``after`` and ``before`` count in."""

    TRADE_ID = "1"
    TIMESTAMP = "2"


class TradeRow(msgspec.Struct, frozen=True, gc=False):
    """One trade of ``market/trades`` or ``market/history-trades``."""

    instId: str  # noqa: N815
    side: str  # the taker's: "buy" or "sell"
    sz: str  # size, base units
    px: str  # price
    source: str  # "0": a normal order ("1": an enhanced liquidity program order)
    tradeId: str  # noqa: N815
    ts: str  # ms since the epoch


def plain(text: str) -> str:
    """Fixed-point text without trailing zeros, as OKX writes numbers: ``"0.01230000"`` -> ``"0.0123"``."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def taker_side(trade: SimTrade) -> str:
    """``"sell"`` when the taker sold (the buyer was the maker), else ``"buy"``."""
    return "sell" if trade.buyer_is_maker else "buy"


class OkxFormatter(DecimalText):
    """Builds one instrument's trade rows."""

    def row(self, trade: SimTrade) -> TradeRow:
        return TradeRow(
            self.instrument.symbol, taker_side(trade), plain(self.size(trade.size)), plain(self.price(trade.price)),
            "0", str(trade.trade_id), str(trade.time_ms),
        )  # fmt: skip


@functools.cache
def formatter_for(instrument: Instrument) -> OkxFormatter:
    """The one formatter of an instrument (instruments are few and immutable)."""
    return OkxFormatter(instrument)


def _first_id_from(history: TradeHistory, time_ms: int) -> int:
    """Id of the first retained trade at ``time_ms`` or later; one past the last trade if none."""
    found = history.between(time_ms, None, 1)
    if found:
        return found[0].trade_id
    last = history.last
    return last.trade_id + 1 if last is not None else 0


def page(
    history: TradeHistory, after: int | None, before: int | None, limit: int, by: PageType = PageType.TRADE_ID
) -> list[SimTrade]:
    """The newest ``limit`` retained trades older than ``after`` and newer than ``before`` (either
    optional; trade ids or ms as ``by`` says), newest first.

    Raises:
        ValueError: ``limit`` below 1.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if by is PageType.TIMESTAMP:
        # Times are non-decreasing in id order, so a time range is an id range.
        after = None if after is None else _first_id_from(history, after)
        before = None if before is None else _first_id_from(history, before + 1) - 1
    last, first_id = history.last, history.first_id
    if last is None or first_id is None:
        return []
    high = last.trade_id if after is None else min(after - 1, last.trade_id)
    low = first_id if before is None else max(before + 1, first_id)
    start = max(low, high - limit + 1)
    if start > high:
        return []
    return history.from_id(start, high - start + 1)[::-1]
