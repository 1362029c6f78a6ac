"""Trade-id bookkeeping and REST backfill: never a trade twice, never a gap unreported.

:class:`TradeTracker` is pure: it remembers, per symbol, the last trade id and the ids reported
missing (venues with consecutive ids) or a bounded window of recent ids (other venues). Live
trades pass :meth:`TradeTracker.admit_live`, which drops duplicates and, where ids are
consecutive integers, reports each jump as a :class:`Gap`; backfilled trades pass
:meth:`TradeTracker.admit_backfill`, which admits only what is still missing. The state lives
as long as the run, so a gap across a reconnect is found too.

:class:`SequenceTracker` is pure too: it checks the numbers a venue gives every message of a
connection (Coinbase's ``sequence_num``) and reports each jump as a :class:`SequenceGap`. Such
a gap says messages were lost, not which trades; the runner then backfills every symbol from
its last trade id (:meth:`TradeTracker.resume_gaps`).

:class:`Backfiller` closes a gap over REST with the venue's ccxt async client, paging by trade
id (Binance: ``fetch_trades(symbol, params={"fromId": first_missing})``; Coinbase:
``params={"before": first_missing - 1}``). Its ccxt config is injectable so tests point it at
the simulator (:func:`connectors.simulator.binance_client_config`).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import ccxt
import ccxt.async_support

from connectors.ccxt_pro import events_from_trades, to_ccxt_symbol
from nashipai.events import DeadLetter, Event, Trade

#: Recent trade ids remembered per symbol for de-duplication where ids are not consecutive (a
#: duplicate older than this many trades is not recognised), and missing ranges kept where they are.
DEFAULT_WINDOW: Final = 100_000
PAGE_LIMIT: Final = 1000


#: Why an open gap (one whose end only the backfill finds) is backfilled, as its GAP event says.
MISSED_DISCONNECTED: Final = "trades missed while disconnected"
MISSED_IN_SEQUENCE_GAP: Final = "trades missed in a jump of the connection's message numbers"


@dataclass(frozen=True, slots=True)
class Gap:
    """Missing trade ids ``first..last`` (inclusive) of ``symbol``; ``last`` None: up to now.

    ``cause`` says, for an open gap, why trades may be missing. ``after_ns`` is the exchange
    time of the last trade admitted before the gap, where known: venues whose REST pages trades
    by time (Kraken) start there.
    """

    symbol: str
    first: int
    last: int | None = None
    cause: str = MISSED_DISCONNECTED
    after_ns: int | None = field(default=None, compare=False)

    @property
    def size(self) -> int | None:
        """How many ids are missing (None for an open gap)."""
        return None if self.last is None else self.last - self.first + 1


@dataclass(slots=True)
class _SymbolState:
    last_id: int | None = None  # sequential venues: the highest id admitted
    last_ns: int | None = None  # the exchange time of the trade with last_id (or newest)
    missing: list[list[int]] = field(default_factory=list)  # sequential: reported [first, last] not yet filled
    seen: set[str] = field(default_factory=set)  # other venues: the recent ids...
    order: deque[str] = field(default_factory=deque)  # ...in arrival order, to forget the oldest
    newest: str | None = None  # other venues: the last live id, or a later backfilled one


def _take_missing(missing: list[list[int]], number: int) -> bool:
    """Remove ``number`` from the missing ranges; False if it was not missing (so a duplicate)."""
    for index, (first, last) in enumerate(missing):
        if first <= number <= last:
            pieces = [piece for piece in ([first, number - 1], [number + 1, last]) if piece[0] <= piece[1]]
            missing[index : index + 1] = pieces
            return True
    return False


def _later(trade_id: str, newest: str | None) -> bool:
    """``trade_id`` is an integer above ``newest`` (or nothing is known yet)."""
    return newest is None or (trade_id.isdigit() and newest.isdigit() and int(trade_id) > int(newest))


class TradeTracker:
    """Per-symbol trade-id state of one run: de-duplication and gap detection.

    Where ids are consecutive integers (``sequential``), an id above the last one is new (a jump
    is a :class:`Gap`, remembered as missing) and an id at or below it is new only if it is still
    missing: exact, at the cost of one comparison a trade. Elsewhere the last ``window`` ids per
    symbol are remembered and an id among them is a duplicate.

    Args:
        sequential: the venue's trade ids are consecutive integers per symbol
            (``venue.SEQUENTIAL_TRADE_IDS``); only then are gaps reported.
        window: ids remembered per symbol (other venues), or missing ranges kept (sequential).
    """

    def __init__(self, sequential: bool, window: int = DEFAULT_WINDOW) -> None:
        if window < 1:
            raise ValueError("window must be at least 1")
        self.sequential = sequential
        self.window = window
        self.duplicates = 0
        self._symbols: dict[str, _SymbolState] = {}
        self._awaiting: dict[str, tuple[int, int | None]] = {}  # symbol -> its last id and time at a loss

    def _state(self, symbol: str) -> _SymbolState:
        state = self._symbols.get(symbol)
        if state is None:
            state = self._symbols[symbol] = _SymbolState()
        return state

    def _is_new(self, state: _SymbolState, trade_id: str) -> bool:
        """The window test of non-sequential venues (remembering ``trade_id`` if new)."""
        if trade_id in state.seen:
            return False
        state.seen.add(trade_id)
        state.order.append(trade_id)
        if len(state.order) > self.window:
            state.seen.discard(state.order.popleft())
        return True

    def _advance(self, state: _SymbolState, trade: Trade, number: int, gaps: list[Gap] | None) -> None:
        """A sequential id above the last: note the jump as missing (and as a gap if asked)."""
        last = state.last_id
        if last is not None and number != last + 1:
            state.missing.append([last + 1, number - 1])
            if len(state.missing) > self.window:
                del state.missing[0]
            if gaps is not None:
                gaps.append(Gap(trade.symbol, last + 1, number - 1, after_ns=state.last_ns))
        state.last_id = number
        state.last_ns = trade.ts_event

    def last_id(self, symbol: str) -> int | None:
        """The highest trade id admitted for ``symbol`` (sequential venues), if any."""
        state = self._symbols.get(symbol)
        return None if state is None else state.last_id

    def admit_live(self, events: Iterable[Event]) -> tuple[list[Event], list[Gap]]:
        """Filter a batch of live events: duplicate trades out, gaps found; others pass as they are.

        Raises:
            ValueError: a sequential venue sent a trade id that is not an integer.
        """
        kept: list[Event] = []
        gaps: list[Gap] = []
        symbols = self._symbols
        for event in events:
            if type(event) is not Trade:
                kept.append(event)
                continue
            symbol = event.symbol
            state = symbols.get(symbol) or self._state(symbol)
            if self.sequential:
                number = int(event.trade_id)
                last = state.last_id
                if last is not None and number == last + 1:
                    state.last_id = number  # the common case
                    state.last_ns = event.ts_event
                elif last is None or number > last:
                    self._advance(state, event, number, gaps)
                elif not _take_missing(state.missing, number):
                    self.duplicates += 1
                    continue
                if self._awaiting:
                    self._awaiting.pop(symbol, None)
            elif self._is_new(state, event.trade_id):
                state.newest = event.trade_id
                state.last_ns = event.ts_event
            else:
                self.duplicates += 1
                continue
            kept.append(event)
        return kept, gaps

    def admit_backfill(self, trades: Iterable[Trade], gap: Gap) -> list[Trade]:
        """The backfilled trades not yet admitted, inside the gap (an open gap moves the last id)."""
        kept: list[Trade] = []
        for trade in trades:
            state = self._state(trade.symbol)
            if not self.sequential:
                if self._is_new(state, trade.trade_id):
                    kept.append(trade)
                    if _later(trade.trade_id, state.newest):  # so the next resume starts after it
                        state.newest = trade.trade_id
                        state.last_ns = trade.ts_event
                else:
                    self.duplicates += 1
                continue
            number = int(trade.trade_id)
            if number < gap.first or (gap.last is not None and number > gap.last):
                continue
            if state.last_id is None or number > state.last_id:
                if gap.last is not None:
                    continue  # beyond what live trades reached: they will come live
                self._advance(state, trade, number, None)
            elif not _take_missing(state.missing, number):
                self.duplicates += 1
                continue
            kept.append(trade)
        return kept

    def connection_lost(self) -> None:
        """Note every symbol's last id: trades may be missing until the next one is seen live."""
        self._awaiting = {
            symbol: (state.last_id, state.last_ns)
            for symbol, state in self._symbols.items()
            if state.last_id is not None
        }

    def open_gaps(self) -> list[Gap]:
        """Open gaps of symbols with no live trade since :meth:`connection_lost` (then forgets them).

        When the market went quiet (or ended) during an outage, no later trade will reveal what
        was missed; the caller backfills from the last id up to now.
        """
        gaps = [
            Gap(symbol, last + 1, after_ns=last_ns)
            for symbol, (last, last_ns) in self._awaiting.items()
            if self.last_id(symbol) == last
        ]
        self._awaiting = {}
        return gaps

    def resume_gaps(self, cause: str = MISSED_DISCONNECTED) -> list[Gap]:
        """An open gap after the last trade id of every symbol whose ids are integers.

        For venues whose ids increase but skip (Coinbase): after a reconnect or a jump in the
        message numbers, any trade after the last one seen may be missing; the backfill fetches
        from there on and :meth:`admit_backfill` drops what came live.
        """
        gaps: list[Gap] = []
        for symbol, state in self._symbols.items():
            if self.sequential:
                if state.last_id is not None:
                    gaps.append(Gap(symbol, state.last_id + 1, cause=cause, after_ns=state.last_ns))
            elif state.newest is not None and state.newest.isdigit():
                gaps.append(Gap(symbol, int(state.newest) + 1, cause=cause, after_ns=state.last_ns))
        return gaps


@dataclass(frozen=True, slots=True)
class SequenceGap:
    """Message numbers ``first..last`` (inclusive) of a connection never arrived."""

    first: int
    last: int

    @property
    def size(self) -> int:
        """How many messages are missing."""
        return self.last - self.first + 1


class SequenceTracker:
    """The message numbers of one connection (Coinbase's ``sequence_num``): a jump is a gap.

    The first number after :meth:`reset` is taken as it comes (numbering is per connection). A
    number at or below the last one is counted in ``out_of_order`` and otherwise ignored.
    """

    def __init__(self) -> None:
        self.last: int | None = None
        self.out_of_order = 0

    def reset(self) -> None:
        """A new connection: its numbering starts afresh."""
        self.last = None

    def observe(self, numbers: Iterable[int]) -> list[SequenceGap]:
        """Take the next numbers in arrival order; returns the gaps among them."""
        gaps: list[SequenceGap] = []
        last = self.last
        for number in numbers:
            if last is None or number == last + 1:
                last = number
            elif number > last:
                gaps.append(SequenceGap(last + 1, number - 1))
                last = number
            else:
                self.out_of_order += 1
        self.last = last
        return gaps


# -- REST backfill ------------------------------------------------------------------------------


@dataclass(slots=True)
class BackfillResult:
    """What a backfill fetched: trades (not yet de-duplicated), unusable rows, and how it ended."""

    gap: Gap
    trades: list[Trade] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    complete: bool = False
    error: str | None = None


GapParams = Callable[[int, Mapping[str, Any]], dict[str, Any]]


def binance_gap_params(first_id: int, config: Mapping[str, Any]) -> dict[str, Any]:
    """Binance: ``fromId`` paging. With an API key, ``historicalTrades`` (ids are trade ids on the
    real venue); without one ccxt's default ``aggTrades``, whose ids are checked to be trade ids."""
    params: dict[str, Any] = {"fromId": first_id}
    if config.get("apiKey"):
        params["fetchTradesMethod"] = "publicGetHistoricalTrades"
    return params


def coinbase_gap_params(first_id: int, config: Mapping[str, Any]) -> dict[str, Any]:
    """Coinbase Exchange: the cursor ``before`` asks for the page of trades newer than an id."""
    return {"before": first_id - 1}


#: How each venue's ccxt client fetches trades from a trade id on.
GAP_PARAMS: Final[Mapping[str, GapParams]] = {"binance": binance_gap_params, "coinbase": coinbase_gap_params}

#: Where a time-paged backfill starts before the last trade seen: trades sharing its time (REST
#: times are coarser than ids) must not be skipped; the ones already admitted are dropped again.
TIME_OVERLAP_NS: Final = 1_000_000_000

TimeCursor = Callable[[Sequence[Mapping[str, Any]]], str | None]


def kraken_cursor(rows: Sequence[Mapping[str, Any]]) -> str | None:
    """Kraken: the ``last`` of a Trades response (a nanosecond time), the ``since`` of the next
    page. ccxt appends it to the raw row of the newest trade (its ``info[7]``)."""
    for row in reversed(rows):
        info = row.get("info")
        if isinstance(info, list) and len(info) > 7:
            return str(info[7])
    return None


#: Venues whose ccxt client pages trades by time, and how to read the next page's cursor. The
#: first page starts :data:`TIME_OVERLAP_NS` before the gap's ``after_ns`` (``params={"since": ns}``).
TIME_CURSORS: Final[Mapping[str, TimeCursor]] = {"kraken": kraken_cursor}


@dataclass(frozen=True, slots=True)
class NewestFirst:
    """A venue whose trade history pages from the newest trade back, by id (OKX's ``after``).

    ``params`` select the history endpoint; ``after`` then names the oldest id of the last page.
    """

    params: Mapping[str, str]
    limit: int
    cursor: str = "after"


#: Venues whose ccxt client pages trades from the newest back: a gap is walked back to its first id.
NEWEST_FIRST: Final[Mapping[str, NewestFirst]] = {
    "okx": NewestFirst({"method": "publicGetMarketHistoryTrades", "type": "1"}, limit=100),
}


def can_backfill(exchange: str) -> bool:
    """The venue's REST pages trades by id, forward (:data:`GAP_PARAMS`) or back
    (:data:`NEWEST_FIRST`), or by time (:data:`TIME_CURSORS`)."""
    return exchange in GAP_PARAMS or exchange in TIME_CURSORS or exchange in NEWEST_FIRST


def _check_single_trade(row: Mapping[str, Any]) -> None:
    info = row.get("info")
    if isinstance(info, Mapping) and "a" in info and not (str(info.get("f")) == str(info["a"]) == str(info.get("l"))):
        raise ValueError(
            "aggTrades returned an aggregate of several trades (its id is not a trade id); "
            "give the backfill client an apiKey so historicalTrades is used"
        )


class Backfiller:
    """Fetches missing trades of one venue over REST with ccxt's async client.

    Args:
        exchange: the venue name that goes into events (``"binance"``).
        ccxt_id: the ccxt exchange id (``venue.CCXT_ID``).
        config: the ccxt client config (``binance_client_config(...)`` for the simulator).
        client: an existing ccxt async client (tests may pass a fake); made from ``config`` if None.
        page_limit: trades per request.
        max_pages: give up an open gap after this many pages.

    Raises:
        KeyError: the venue pages trades neither by id nor by time (see :func:`can_backfill`),
            or ccxt lacks ``ccxt_id``.
    """

    def __init__(
        self,
        exchange: str,
        ccxt_id: str,
        config: Mapping[str, Any] | None = None,
        *,
        client: Any = None,
        page_limit: int = PAGE_LIMIT,
        max_pages: int = 100,
    ) -> None:
        self.exchange = exchange
        self._config = dict(config or {})
        if not can_backfill(exchange):
            raise KeyError(f"{exchange}: no trade paging by id or time is known for its REST")
        self._gap_params = GAP_PARAMS.get(exchange)
        self._time_cursor = TIME_CURSORS.get(exchange)
        self._newest_first = NEWEST_FIRST.get(exchange)
        if client is None:
            client = getattr(ccxt.async_support, ccxt_id)(self._config)
        self._client = client
        self._page_limit = page_limit
        self._max_pages = max_pages

    async def fetch(self, gap: Gap) -> BackfillResult:
        """Page through trades from ``gap.first`` until ``gap.last`` (or, open, until none are left).

        By id where the venue pages so; else by time from the gap's ``after_ns``, following the
        venue's cursor. Never raises for a venue or network failure: the result carries
        ``error`` and what was fetched before it, so the caller reports a partial backfill.
        """
        if self._newest_first is not None:
            return await self._fetch_back(gap, self._newest_first)
        result = BackfillResult(gap)
        symbol = to_ccxt_symbol(gap.symbol)
        next_id = gap.first
        cursor: str | None = None  # set when the venue pages by time
        time_cursor = self._time_cursor
        if time_cursor is not None:
            if gap.after_ns is None:
                result.error = "no trade time to page from (no trade of this symbol was seen)"
                return result
            cursor = str(gap.after_ns - TIME_OVERLAP_NS)
        for _page in range(self._max_pages):
            params = {"since": cursor} if cursor is not None else self._id_params(next_id)
            try:
                rows = await self._client.fetch_trades(symbol, limit=self._page_limit, params=params)
            except ccxt.BaseError as exc:
                result.error = f"{type(exc).__name__}: {exc}"
                return result
            try:
                for row in rows:
                    _check_single_trade(row)
            except ValueError as exc:
                result.error = str(exc)
                return result
            highest = next_id - 1
            for event in events_from_trades(self.exchange, rows, time.time_ns()):
                if isinstance(event, Trade):
                    highest = max(highest, int(event.trade_id))
                    result.trades.append(event)
                elif isinstance(event, DeadLetter):
                    result.dead_letters.append(event)
            if gap.last is not None and highest >= gap.last:
                result.complete = True
                return result
            if time_cursor is not None and cursor is not None:  # a page older than the gap still moves it on
                if not rows or len(rows) < self._page_limit:
                    result.complete = gap.last is None  # an open gap ends where the history ends
                    return result
                following = time_cursor(rows)
                if following is None or following == cursor:
                    result.error = f"the venue gave no cursor after {cursor}"
                    return result
                cursor = following
            elif not rows or highest < next_id or (gap.last is None and len(rows) < self._page_limit):
                result.complete = gap.last is None
                return result
            next_id = max(next_id, highest + 1)
        result.error = f"gave up after {self._max_pages} pages"
        return result

    async def _fetch_back(self, gap: Gap, paging: NewestFirst) -> BackfillResult:
        """From the newest trade back until ``gap.first`` is reached: the trades inside the gap."""
        result = BackfillResult(gap)
        symbol = to_ccxt_symbol(gap.symbol)
        cursor: int | None = None
        kept: dict[int, Trade] = {}
        for _page in range(self._max_pages):
            params = dict(paging.params) | ({} if cursor is None else {paging.cursor: str(cursor)})
            try:
                rows = await self._client.fetch_trades(symbol, limit=paging.limit, params=params)
            except ccxt.BaseError as exc:
                result.error = f"{type(exc).__name__}: {exc}"
                break
            lowest: int | None = None
            for event in events_from_trades(self.exchange, rows, time.time_ns()):
                if isinstance(event, Trade):
                    number = int(event.trade_id)
                    lowest = number if lowest is None else min(lowest, number)
                    if number >= gap.first and (gap.last is None or number <= gap.last):
                        kept[number] = event
                elif isinstance(event, DeadLetter):
                    result.dead_letters.append(event)
            if lowest is not None and lowest <= gap.first:
                result.complete = True  # walked back past the gap's first id
                break
            if lowest is None or (cursor is not None and lowest >= cursor):
                break  # the history ends before the gap starts
            cursor = lowest
        else:
            result.error = f"gave up after {self._max_pages} pages"
        result.trades = [kept[number] for number in sorted(kept)]
        return result

    def _id_params(self, next_id: int) -> dict[str, Any]:
        assert self._gap_params is not None  # a venue pages by time (cursor) or by id
        return self._gap_params(next_id, self._config)

    async def close(self) -> None:
        """Close the ccxt client's HTTP session."""
        await self._client.close()
