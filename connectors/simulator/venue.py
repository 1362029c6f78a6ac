"""The simulated venue's state: one book per symbol with its trade source, history and counts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

import msgspec

from connectors.simulator.history import TradeHistory
from connectors.simulator.instruments import Instrument
from connectors.simulator.model import SimQuote, SimTrade
from connectors.simulator.wire import WireFormatter


class TradeSource(Protocol):
    """What drives a symbol: the synthetic :class:`~connectors.simulator.model.MarketModel` or a
    :class:`~connectors.simulator.replay.ReplaySource`."""

    instrument: Instrument

    @property
    def next_time_ms(self) -> float: ...

    def advance_to(self, time_ms: float, max_trades: int | None = None) -> list[tuple[SimTrade, SimQuote]]: ...

    def rebase(self, start_ms: int) -> None: ...


class SymbolStats(msgspec.Struct, kw_only=True):
    """Counts of one symbol, as ``GET /sim/stats`` reports them.

    ``trades_emitted`` counts every trade generated into the market (so also the ones a
    ``skip_ids`` fault kept off the websockets); ``trades_skipped`` counts those, and
    ``batches_skipped`` the steps they fell in: each is one Coinbase ``market_trades`` message
    (one ``sequence_num``) that every subscriber of the symbol misses.
    """

    trades_emitted: int = 0
    trades_skipped: int = 0
    batches_skipped: int = 0
    quotes_emitted: int = 0
    last_trade_id: int = 0


@dataclass(slots=True)
class SymbolBook:
    """One symbol of the venue."""

    source: TradeSource
    history: TradeHistory
    max_trades: int | None
    formatter: WireFormatter = field(init=False)
    stats: SymbolStats = field(default_factory=SymbolStats)
    last_quote: SimQuote | None = None
    skip_pending: int = 0

    def __post_init__(self) -> None:
        self.formatter = WireFormatter(self.source.instrument)

    @property
    def instrument(self) -> Instrument:
        return self.source.instrument

    @property
    def done(self) -> bool:
        """No more trades will come: ``max_trades`` reached or the source exhausted."""
        capped = self.max_trades is not None and self.stats.trades_emitted >= self.max_trades
        return capped or math.isinf(self.source.next_time_ms)


@dataclass(frozen=True, slots=True)
class BookUpdate:
    """What one step produced for one symbol: the trades to broadcast and every new quote.

    ``withheld`` are the trades of the step that a ``skip_ids`` fault keeps off the websockets
    (they come before ``trades``, and ``withheld + trades`` pairs one to one with ``quotes``):
    the Coinbase dialect counts them as a market_trades message its subscribers missed.
    """

    book: SymbolBook
    trades: list[SimTrade]
    quotes: list[SimQuote]
    withheld: list[SimTrade] = field(default_factory=list)


class Venue:
    """All symbols of the simulated exchange, advanced together on the wall clock.

    Args:
        sources: one trade source per symbol.
        history_size: trades kept per symbol for the REST endpoints.
        max_trades: stop generating a symbol after this many trades (``None``: no bound).
    """

    def __init__(self, sources: list[TradeSource], history_size: int = 100_000, max_trades: int | None = None):
        self.books: dict[str, SymbolBook] = {}
        for source in sources:
            symbol = source.instrument.symbol
            if symbol in self.books:
                raise ValueError(f"two sources for {symbol}")
            self.books[symbol] = SymbolBook(source, TradeHistory(history_size), max_trades)
        self._by_venue_id = {book.instrument.venue_id: book for book in self.books.values()}

    def book_by_venue_id(self, venue_id: str) -> SymbolBook | None:
        """The book of a Binance id such as ``BTCUSDT``, if listed."""
        return self._by_venue_id.get(venue_id)

    @property
    def done(self) -> bool:
        """Every symbol is done (see :attr:`SymbolBook.done`)."""
        return all(book.done for book in self.books.values())

    @property
    def next_time_ms(self) -> float:
        """When the earliest next trade of any unfinished symbol is due."""
        return min((book.source.next_time_ms for book in self.books.values() if not book.done), default=math.inf)

    def rebase(self, start_ms: int) -> None:
        """Start every symbol's clock at ``start_ms`` (only before any trade)."""
        for book in self.books.values():
            book.source.rebase(start_ms)

    def step(self, now_ms: float) -> list[BookUpdate]:
        """Generate every trade due by ``now_ms``; record all of them, return what to broadcast."""
        updates: list[BookUpdate] = []
        for book in self.books.values():
            stats = book.stats
            room = None if book.max_trades is None else book.max_trades - stats.trades_emitted
            if room is not None and room <= 0:
                continue
            events = book.source.advance_to(now_ms, room)
            if not events:
                continue
            trades = [trade for trade, _ in events]
            quotes = [quote for _, quote in events]
            book.history.extend(trades)
            book.last_quote = quotes[-1]
            stats.trades_emitted += len(trades)
            stats.quotes_emitted += len(quotes)
            stats.last_trade_id = trades[-1].trade_id
            withheld: list[SimTrade] = []
            if book.skip_pending:
                hidden = min(book.skip_pending, len(trades))
                book.skip_pending -= hidden
                stats.trades_skipped += hidden
                stats.batches_skipped += 1
                withheld, trades = trades[:hidden], trades[hidden:]
            updates.append(BookUpdate(book, trades, quotes, withheld))
        return updates

    def skip_ids(self, count: int, symbol: str | None = None) -> None:
        """Keep the next ``count`` trades of ``symbol`` (or of every symbol) off the websockets.

        They still enter the history, so ``/api/v3/historicalTrades`` and ``/api/v3/aggTrades``
        with ``fromId`` (and Coinbase's ``/coinbase/products/<id>/trades``) return them: a
        subscriber sees a gap in ``t`` (and a Coinbase one in ``sequence_num``) that a backfill
        can close.

        Raises:
            KeyError: the symbol is not listed.
        """
        books = [self.books[symbol]] if symbol is not None else list(self.books.values())
        for book in books:
            book.skip_pending += count
