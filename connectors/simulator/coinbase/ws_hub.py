"""The Coinbase Advanced Trade market-data endpoint (``/coinbase``) of the simulator's websocket server.

Coinbase connections live in the shared :class:`~connectors.simulator.ws_server.StreamHub`, so
drops, stalls, slow-consumer cuts and the counts treat them like Binance ones; this hub keeps
their Coinbase subscriptions and numbers their messages. ``sequence_num`` counts every message
of a connection from 0 across channels; each message is encoded once per product and step and
only its number differs per connection. Messages lost to a stall without backlog, and each step
whose trades a ``skip_ids`` fault withheld (one ``market_trades`` message per step and product),
use up a number, so the client sees the jump it would see on Coinbase. Replies (snapshots,
``subscriptions``, errors) are held during a stall rather than lost, so every connection gets its
numbers in order.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Final

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from connectors.simulator.coinbase.day_stats import RollingDay
from connectors.simulator.coinbase.wire import (
    HEARTBEATS,
    MARKET_TRADES,
    SNAPSHOT,
    SUBSCRIPTIONS,
    TICKER,
    UPDATE,
    Framed,
    HeartbeatEvent,
    SubscriptionsEvent,
    TickerEvent,
    encode_message,
    error_frame,
    formatter_for,
    go_time,
    timestamp_ns,
)
from connectors.simulator.coinbase.ws_protocol import CoinbaseSession, RequestOutcome, handle_request
from connectors.simulator.faults import MalformedVariant
from connectors.simulator.venue import BookUpdate, SymbolBook, Venue
from connectors.simulator.ws_protocol import SessionState
from connectors.simulator.ws_server import StreamHub, Subscriber

#: Recent trades in a ``market_trades`` snapshot.
SNAPSHOT_TRADES: Final = 50
HEARTBEAT_SECONDS: Final = 1.0

Outgoing = defaultdict[Subscriber, list[bytes]]


class CoinbaseHub:
    """Coinbase sessions over a :class:`StreamHub`: requests, snapshots, updates, heartbeats, faults.

    Call :meth:`attach` with the venue before connections arrive, :meth:`publish` with every
    step's updates (it also keeps each product's 24 h statistics for the ticker), and run
    :meth:`run_heartbeats` as a task.
    """

    def __init__(self, hub: StreamHub) -> None:
        self.hub = hub
        self.sessions: dict[Subscriber, CoinbaseSession] = {}
        self.heartbeat_counter = 0
        self._venue: Venue | None = None
        self._by_channel: dict[str, defaultdict[str, set[Subscriber]]] = {
            MARKET_TRADES: defaultdict(set),
            TICKER: defaultdict(set),
        }
        self._heartbeats: set[Subscriber] = set()
        self._days: defaultdict[str, RollingDay] = defaultdict(RollingDay)
        self._started = time.monotonic()

    def attach(self, venue: Venue) -> None:
        """Serve ``venue``'s books (its normalised symbols are the product ids)."""
        self._venue = venue

    @property
    def venue(self) -> Venue:
        if self._venue is None:
            raise RuntimeError("CoinbaseHub.attach was not called")
        return self._venue

    async def handle(self, connection: ServerConnection) -> None:
        """Serve one ``/coinbase`` connection until it closes."""
        # A Coinbase connection carries an empty Binance session: it has no Binance streams.
        subscriber = Subscriber(connection, SessionState(combined=False))
        self.hub.add(subscriber)
        self.sessions[subscriber] = CoinbaseSession()
        try:
            async for message in connection:
                self.on_request(subscriber, message)
        except ConnectionClosed:
            pass  # the client went away or a drop fault cut it
        finally:
            self.hub.remove(subscriber)
            self._forget(subscriber)

    def on_request(self, subscriber: Subscriber, message: str | bytes) -> None:
        """Apply a request and send its replies (snapshots of what it added, then ``subscriptions``)."""
        session = self.sessions[subscriber]
        outcome = handle_request(message, session, self.venue.books)
        if outcome.error is not None:
            self.hub.deliver({subscriber: [error_frame(outcome.error)]}, hold=True)
            return
        self._index(subscriber, outcome)
        timestamp = timestamp_ns(time.time_ns())
        frames = [snapshot.stamp(session.take_sequence()) for snapshot in self._snapshots(outcome, timestamp)]
        subscriptions = encode_message(SUBSCRIPTIONS, timestamp, [SubscriptionsEvent(session.subscriptions())])
        frames.append(subscriptions.stamp(session.take_sequence()))
        self.hub.deliver({subscriber: frames}, hold=True)

    def _index(self, subscriber: Subscriber, outcome: RequestOutcome) -> None:
        if outcome.channel == HEARTBEATS:
            if outcome.subscribe:
                self._heartbeats.add(subscriber)
            else:
                self._heartbeats.discard(subscriber)
            return
        index = self._by_channel[outcome.channel]
        for product_id in outcome.added:
            index[product_id].add(subscriber)
            self.hub.first_subscription.set()
        for product_id in outcome.removed:
            index[product_id].discard(subscriber)

    def _forget(self, subscriber: Subscriber) -> None:
        session = self.sessions.pop(subscriber)
        self._heartbeats.discard(subscriber)
        for channel, products in session.products.items():
            for product_id in products:
                self._by_channel[channel][product_id].discard(subscriber)

    def _snapshots(self, outcome: RequestOutcome, timestamp: str) -> Iterable[Framed]:
        """One snapshot message per product the request added (none for a ticker before any trade)."""
        if outcome.channel == HEARTBEATS:
            return
        for product_id in outcome.added:
            book = self.venue.books[product_id]
            formatter = formatter_for(book.instrument)
            if outcome.channel == MARKET_TRADES:
                trades = formatter.trades_event(SNAPSHOT, book.history.recent(SNAPSHOT_TRADES))
                yield encode_message(MARKET_TRADES, timestamp, [trades])
            elif outcome.channel == TICKER:
                last, quote, day = book.history.last, book.last_quote, self._days[product_id]
                if last is not None and quote is not None and len(day):
                    ticker = TickerEvent(SNAPSHOT, [formatter.ticker(last.price, quote, day)])
                    yield encode_message(TICKER, timestamp, [ticker])

    def publish(self, updates: list[BookUpdate], now_ns: int) -> None:
        """Send a step's ``market_trades`` updates (one message per product) and tickers (one per quote)."""
        outgoing: Outgoing = defaultdict(list)
        timestamp = timestamp_ns(now_ns)
        for update in updates:
            self._publish_update(update, timestamp, outgoing)
        if outgoing:
            self.hub.deliver(outgoing)

    def _publish_update(self, update: BookUpdate, timestamp: str, outgoing: Outgoing) -> None:
        product_id = update.book.instrument.symbol
        formatter = formatter_for(update.book.instrument)
        sessions = self.sessions
        trade_subscribers = self._by_channel[MARKET_TRADES].get(product_id)
        if trade_subscribers:
            if update.withheld:  # the message of the withheld trades: sent, as far as numbers go, and lost
                for subscriber in trade_subscribers:
                    sessions[subscriber].take_sequence()
            if update.trades:
                message = encode_message(MARKET_TRADES, timestamp, [formatter.trades_event(UPDATE, update.trades)])
                for subscriber in trade_subscribers:
                    outgoing[subscriber].append(message.stamp(sessions[subscriber].take_sequence()))
        day = self._days[product_id]
        ticker_subscribers = self._by_channel[TICKER].get(product_id)
        for trade, quote in zip([*update.withheld, *update.trades], update.quotes, strict=True):
            day.add(trade.time_ms, trade.price, trade.size)
            if ticker_subscribers:
                event = TickerEvent(UPDATE, [formatter.ticker(trade.price, quote, day)])
                message = encode_message(TICKER, timestamp, [event])
                for subscriber in ticker_subscribers:
                    outgoing[subscriber].append(message.stamp(sessions[subscriber].take_sequence()))

    def heartbeat(self, now_ns: int) -> None:
        """Count one heartbeat and send it to every connection subscribed to ``heartbeats``."""
        self.heartbeat_counter += 1
        if not self._heartbeats:
            return
        event = HeartbeatEvent(go_time(now_ns, time.monotonic() - self._started), self.heartbeat_counter)
        message = encode_message(HEARTBEATS, timestamp_ns(now_ns), [event])
        sessions = self.sessions
        self.hub.deliver(
            {subscriber: [message.stamp(sessions[subscriber].take_sequence())] for subscriber in self._heartbeats}
        )

    async def run_heartbeats(self, interval: float = HEARTBEAT_SECONDS) -> None:
        """Send a heartbeat every ``interval`` seconds until cancelled."""
        while True:
            await asyncio.sleep(interval)
            self.heartbeat(time.time_ns())

    def send_malformed(self, variant: MalformedVariant, symbol: str | None) -> int:
        """Send one broken ``market_trades`` message to each subscriber of ``symbol`` (or of any).

        It takes its connection's next number like any message. Returns how many connections got it.
        """
        books = [self.venue.books[symbol]] if symbol else list(self.venue.books.values())
        outgoing: Outgoing = defaultdict(list)
        timestamp = timestamp_ns(time.time_ns())
        for book in books:
            for subscriber in self._by_channel[MARKET_TRADES].get(book.instrument.symbol, ()):
                if not outgoing[subscriber]:  # one broken message per connection
                    number = self.sessions[subscriber].take_sequence()
                    outgoing[subscriber].append(malformed_frame(book, variant, timestamp, number))
        self.hub.deliver(outgoing, hold=True)
        return len(outgoing)


def malformed_frame(book: SymbolBook, variant: MalformedVariant, timestamp: str, sequence_num: int) -> bytes:
    """A ``market_trades`` update the connector must refuse: cut off in a price, or without one."""
    formatter = formatter_for(book.instrument)
    last = book.history.last
    trade = formatter.market_trade(last) if last is not None else None
    fields = {
        "trade_id": trade.trade_id if trade else "0",
        "product_id": formatter.product_id,
        "price": trade.price if trade else "1.0",
        "size": trade.size if trade else "1.0",
        "side": trade.side if trade else "BUY",
        "time": trade.time if trade else "1970-01-01T00:00:00.000000Z",
    }
    if variant is MalformedVariant.MISSING_FIELD:
        del fields["price"]
    frame = encode_message(MARKET_TRADES, timestamp, [{"type": UPDATE, "trades": [fields]}]).stamp(sequence_num)
    if variant is MalformedVariant.INVALID_JSON:
        cut = frame.index(b'"price":"') + len(b'"price":"') + 1
        return frame[:cut]
    return frame
