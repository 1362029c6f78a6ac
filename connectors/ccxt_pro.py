"""The generic connector: any exchange ccxt.pro supports, as kernel Trade and Quote events.

:class:`CcxtProSource` watches trades (``watch_trades_for_symbols``, else ``watch_trades`` per
symbol) and the best bid and ask (``watch_bids_asks``, else ``watch_tickers``, else
``watch_ticker`` per symbol) and yields lists of events. The conversions from ccxt's unified
dicts are pure functions, tested without a network:

- symbols: ccxt ``"BTC/USDT"`` <-> ``"BTC-USDT"``; derivatives (``"BTC/USDT:USDT"``) are refused;
- times: ccxt's millisecond ``timestamp`` -> integer ns (``ms * 1_000_000``, no float);
  without one, ``ts_event`` is the receive time;
- a trade ccxt could not fully parse (no side, no price) becomes a
  :class:`~nashipai.events.DeadLetter` in the yielded list: errors are values in the stream.

Errors that end a watch are raised from the iterator, mapped to the connectors' hierarchy:
``ccxt.NetworkError`` -> :class:`ConnectionLost` (retry: ccxt reconnects on the next watch
call), ``ccxt.BadSymbol`` -> :class:`SymbolError`, ``ccxt.ExchangeError`` -> :class:`VenueError`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, Final

import ccxt
import ccxt.pro
import msgspec

from connectors.errors import ConnectionLost, ConnectorError, ParseError, SymbolError, VenueError
from connectors.venues.common import ALL_CHANNELS, BUY, SELL, Channel, check_normalised, split_normalised
from nashipai.events import DeadLetter, Event, Quote, SideName, Trade

_SIDES: Final[dict[str, SideName]] = {"buy": BUY, "sell": SELL}
_NORMALISED: dict[str, str] = {}


def to_ccxt_symbol(symbol: str) -> str:
    """``"BTC-USDT"`` -> ``"BTC/USDT"``.

    Raises:
        SymbolError: not a normalised ``BASE-QUOTE`` symbol.
    """
    base, quote = split_normalised(symbol)
    return f"{base}/{quote}"


def from_ccxt_symbol(ccxt_symbol: str) -> str:
    """``"BTC/USDT"`` -> ``"BTC-USDT"``.

    Raises:
        SymbolError: a derivative (``"BTC/USDT:USDT"``) or not ``BASE/QUOTE``.
    """
    symbol = _NORMALISED.get(ccxt_symbol)
    if symbol is None:
        candidate = ccxt_symbol.replace("/", "-") if ccxt_symbol.count("/") == 1 else ""
        symbol = _NORMALISED[ccxt_symbol] = check_normalised(candidate, "ccxt", ccxt_symbol)
    return symbol


def _ns(timestamp: object, received_ns: int) -> int:
    if timestamp is None:
        return received_ns
    if isinstance(timestamp, int | float) and not isinstance(timestamp, bool) and timestamp >= 0:
        return int(timestamp) * 1_000_000
    raise ParseError(f"ccxt timestamp {timestamp!r} is not milliseconds since the epoch")


def _positive(value: object, field: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < float("inf"):
        return float(value)
    raise ParseError(f"ccxt {field} {value!r} is not a positive number")


def _size(value: object, field: str) -> float:
    if value is None:
        return 0.0  # some exchanges' tickers carry no sizes
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < float("inf"):
        return float(value)
    raise ParseError(f"ccxt {field} {value!r} is not a non-negative number")


def trade_from_ccxt(exchange: str, trade: Mapping[str, Any], received_ns: int) -> Trade:
    """One ccxt unified trade -> a kernel Trade.

    ``side`` is ccxt's (the taker's); ``trade_id`` is ccxt's ``id``, or
    ``"<timestamp>:<price>:<amount>"`` where the exchange gives none, so a replay dedups.

    Raises:
        ParseError: no usable symbol, side, price or amount (``reason`` names which).
    """
    try:
        symbol = from_ccxt_symbol(str(trade.get("symbol")))
    except SymbolError as exc:
        raise ParseError(str(exc)) from None
    side_name = trade.get("side")
    side = _SIDES.get(side_name) if isinstance(side_name, str) else None
    if side is None:
        raise ParseError(f"ccxt trade side {trade.get('side')!r} is neither 'buy' nor 'sell'")
    price = _positive(trade.get("price"), "trade price")
    amount = _size(trade.get("amount"), "trade amount")
    timestamp = trade.get("timestamp")
    trade_id = trade.get("id")
    return Trade(
        exchange=exchange,
        symbol=symbol,
        price=price,
        size=amount,
        side=side,
        trade_id=str(trade_id) if trade_id is not None else f"{timestamp}:{price!r}:{amount!r}",
        ts_event=_ns(timestamp, received_ns),
        ts_recv=received_ns,
    )


def quote_from_ccxt(exchange: str, ticker: Mapping[str, Any], received_ns: int) -> Quote | None:
    """One ccxt unified ticker (or bid/ask) -> a kernel Quote, or None without a bid and an ask.

    Sizes are ``bidVolume``/``askVolume``, 0.0 where the exchange sends none.

    Raises:
        ParseError: an unusable symbol, price or size.
    """
    if ticker.get("bid") is None or ticker.get("ask") is None:
        return None
    try:
        symbol = from_ccxt_symbol(str(ticker.get("symbol")))
    except SymbolError as exc:
        raise ParseError(str(exc)) from None
    return Quote(
        exchange=exchange,
        symbol=symbol,
        bid_price=_positive(ticker["bid"], "bid"),
        bid_size=_size(ticker.get("bidVolume"), "bidVolume"),
        ask_price=_positive(ticker["ask"], "ask"),
        ask_size=_size(ticker.get("askVolume"), "askVolume"),
        ts_event=_ns(ticker.get("timestamp"), received_ns),
        ts_recv=received_ns,
    )


def _dead_letter(exchange: str, reason: str, item: Mapping[str, Any], received_ns: int) -> DeadLetter:
    payload = msgspec.json.encode({key: value for key, value in item.items() if key != "info"}, enc_hook=repr)
    return DeadLetter(
        source=f"connector:ccxt:{exchange}",
        reason=reason,
        payload=payload.decode(),
        exchange=exchange,
        ts_recv=received_ns,
    )


def events_from_trades(exchange: str, trades: Iterable[Mapping[str, Any]], received_ns: int) -> list[Event]:
    """ccxt trades -> Trades, with a DeadLetter in place of each one that could not be used."""
    events: list[Event] = []
    for trade in trades:
        try:
            events.append(trade_from_ccxt(exchange, trade, received_ns))
        except ParseError as exc:
            events.append(_dead_letter(exchange, exc.reason, trade, received_ns))
    return events


def events_from_tickers(exchange: str, tickers: Iterable[Mapping[str, Any]], received_ns: int) -> list[Event]:
    """ccxt tickers -> Quotes (none for a ticker without bid and ask), DeadLetters for bad ones."""
    events: list[Event] = []
    for ticker in tickers:
        try:
            quote = quote_from_ccxt(exchange, ticker, received_ns)
        except ParseError as exc:
            events.append(_dead_letter(exchange, exc.reason, ticker, received_ns))
            continue
        if quote is not None:
            events.append(quote)
    return events


def connector_error(exchange: str, exc: ccxt.BaseError) -> ConnectorError:
    """A ccxt exception as the connectors' own: network -> retry, exchange -> venue error."""
    if isinstance(exc, ccxt.NetworkError):
        return ConnectionLost(f"{exchange}: {type(exc).__name__}: {exc}")
    if isinstance(exc, ccxt.BadSymbol):
        return SymbolError(f"{exchange}: {exc}")
    retry = not isinstance(exc, ccxt.ExchangeError) and isinstance(exc, ccxt.OperationFailed)
    return VenueError(exchange, type(exc).__name__, str(exc), should_retry=retry)


_Watch = Callable[[], Awaitable[list[Event]]]


class CcxtProSource:
    """An async source of kernel events from one ccxt.pro exchange.

    Usage::

        source = CcxtProSource("kucoin", ["BTC-USDT", "ETH-USDT"])
        try:
            async for events in source.stream():
                ...  # list[Event]: Trades, Quotes, DeadLetters
        finally:
            await source.close()

    ``stream()`` raises a :class:`ConnectorError` when a watch fails; if ``should_retry``, call
    ``stream()`` again (ccxt.pro reconnects on the next watch call).

    Args:
        exchange_id: the ccxt exchange id, also the ``exchange`` of every event (``"kucoin"``).
        symbols: normalised symbols (``"BTC-USDT"``).
        channels: which of trades and quotes to watch.
        exchange: an existing ccxt.pro exchange object (tests pass a fake); by default one is
            made with ``config`` and ``newUpdates`` on, so each watch returns only new data.
        clock: the receive clock, ns since the epoch.

    Raises:
        KeyError: ccxt.pro has no exchange ``exchange_id``.
        SymbolError: a symbol is not normalised.
    """

    def __init__(
        self,
        exchange_id: str,
        symbols: Sequence[str],
        channels: Collection[Channel] = ALL_CHANNELS,
        *,
        exchange: Any = None,
        config: Mapping[str, Any] | None = None,
        clock: Callable[[], int] = time.time_ns,
    ) -> None:
        if exchange is None:
            if exchange_id not in ccxt.pro.exchanges:
                raise KeyError(f"ccxt.pro has no exchange {exchange_id!r}")
            exchange = getattr(ccxt.pro, exchange_id)({"newUpdates": True, **(config or {})})
        self.name = exchange_id
        self.symbols = [to_ccxt_symbol(symbol) for symbol in symbols]
        self.channels = frozenset(channels)
        self._exchange = exchange
        self._clock = clock

    def _watchers(self) -> list[_Watch]:
        has: Mapping[str, Any] = self._exchange.has
        watchers: list[_Watch] = []
        if Channel.TRADES in self.channels:
            if has.get("watchTradesForSymbols"):
                watchers.append(self._watch_trades_for_symbols)
            else:
                watchers += [_bind(self._watch_trades, symbol) for symbol in self.symbols]
        if Channel.QUOTES in self.channels:
            if has.get("watchBidsAsks"):
                watchers.append(self._watch_bids_asks)
            elif has.get("watchTickers"):
                watchers.append(self._watch_tickers)
            else:
                watchers += [_bind(self._watch_ticker, symbol) for symbol in self.symbols]
        return watchers

    async def _watch_trades_for_symbols(self) -> list[Event]:
        trades = await self._exchange.watch_trades_for_symbols(self.symbols)
        return events_from_trades(self.name, trades, self._clock())

    async def _watch_trades(self, symbol: str) -> list[Event]:
        trades = await self._exchange.watch_trades(symbol)
        return events_from_trades(self.name, trades, self._clock())

    async def _watch_bids_asks(self) -> list[Event]:
        tickers = await self._exchange.watch_bids_asks(self.symbols)
        return events_from_tickers(self.name, tickers.values(), self._clock())

    async def _watch_tickers(self) -> list[Event]:
        tickers = await self._exchange.watch_tickers(self.symbols)
        return events_from_tickers(self.name, tickers.values(), self._clock())

    async def _watch_ticker(self, symbol: str) -> list[Event]:
        ticker = await self._exchange.watch_ticker(symbol)
        return events_from_tickers(self.name, [ticker], self._clock())

    async def _pump(self, watch: _Watch, queue: asyncio.Queue[list[Event] | ConnectorError]) -> None:
        while True:
            try:
                events = await watch()
            except ccxt.BaseError as exc:
                await queue.put(connector_error(self.name, exc))
                return
            if events:
                await queue.put(events)

    async def stream(self) -> AsyncIterator[list[Event]]:
        """Yield lists of events as the watches return them, until one fails.

        Raises:
            ConnectionLost: a network error (retry).
            VenueError: the exchange refused (``should_retry`` says whether to retry).
            SymbolError: ccxt does not know a symbol on this exchange.
        """
        queue: asyncio.Queue[list[Event] | ConnectorError] = asyncio.Queue(maxsize=1024)
        tasks = [asyncio.create_task(self._pump(watch, queue)) for watch in self._watchers()]
        try:
            while True:
                item = await queue.get()
                if isinstance(item, ConnectorError):
                    raise item
                yield item
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def close(self) -> None:
        """Close the exchange's websocket connections."""
        await self._exchange.close()


def _bind(watch: Callable[[str], Awaitable[list[Event]]], symbol: str) -> _Watch:
    async def bound() -> list[Event]:
        return await watch(symbol)

    return bound
