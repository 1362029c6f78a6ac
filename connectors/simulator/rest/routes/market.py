"""Market endpoints: ``/api/v3/klines``, ``/depth``, ``/ticker/bookTicker``, ``/ticker/price``, ``/ticker/24hr``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from connectors.simulator.klines import INTERVALS, klines
from connectors.simulator.rest.deps import BookDep, VenueDep
from connectors.simulator.rest.errors import BinanceError, ErrorCode, limit_param, optional_int, required
from connectors.simulator.rest.responses import MsgspecResponse
from connectors.simulator.rest.routes.general import now_ms, requested_instruments
from connectors.simulator.venue import SymbolBook, Venue

router = APIRouter(prefix="/api/v3", default_response_class=MsgspecResponse)
DAY_MS = 86_400_000


@router.get("/klines")
async def get_klines(request: Request, book: BookDep) -> MsgspecResponse:
    """Kline rows ``[openTime, o, h, l, c, volume, closeTime, quoteVolume, count, takerBase, takerQuote, "0"]``."""
    params = request.query_params
    interval = INTERVALS.get(required(params, "interval"))
    if interval is None:
        raise BinanceError(ErrorCode.INVALID_INTERVAL, "Invalid interval.")
    rows = klines(
        book.history, book.formatter, interval, now_ms(),
        optional_int(params, "startTime"), optional_int(params, "endTime"), limit_param(params, 500, 1000),
    )  # fmt: skip
    return MsgspecResponse(rows)


@router.get("/depth")
async def depth(request: Request, book: BookDep) -> MsgspecResponse:
    """A small synthetic book around the current L1: ``limit`` levels a tick apart (default 100)."""
    limit = limit_param(request.query_params, 100, 5000)
    quote = book.last_quote
    if quote is None:
        return MsgspecResponse({"lastUpdateId": 0, "bids": [], "asks": []})
    tick, price, size = book.instrument.tick_size, book.formatter.price, book.formatter.size
    bids = [[price(quote.bid_price - level * tick), size(quote.bid_size * (1 + level))] for level in range(limit)]
    asks = [[price(quote.ask_price + level * tick), size(quote.ask_size * (1 + level))] for level in range(limit)]
    bids = [level for level in bids if float(level[0]) > 0]
    return MsgspecResponse({"lastUpdateId": quote.update_id, "bids": bids, "asks": asks})


def _books(request: Request, venue: Venue) -> tuple[list[SymbolBook], bool]:
    """The books asked for and whether one object (``symbol=``) rather than a list is wanted."""
    books = [venue.books[instrument.symbol] for instrument in requested_instruments(request, venue)]
    return books, "symbol" in request.query_params


def _book_ticker(book: SymbolBook) -> dict[str, Any]:
    quote, price, size = book.last_quote, book.formatter.price, book.formatter.size
    bid, bid_size, ask, ask_size = (
        (quote.bid_price, quote.bid_size, quote.ask_price, quote.ask_size) if quote else (0.0, 0.0, 0.0, 0.0)
    )
    return {
        "symbol": book.instrument.venue_id,
        "bidPrice": price(bid), "bidQty": size(bid_size), "askPrice": price(ask), "askQty": size(ask_size),
    }  # fmt: skip


def _last_price(book: SymbolBook) -> float:
    last = book.history.last
    return last.price if last is not None else book.instrument.start_price


@router.get("/ticker/bookTicker")
async def book_ticker(request: Request, venue: VenueDep) -> MsgspecResponse:
    """Best bid and ask of ``symbol`` (an object), of ``symbols`` or of all (a list)."""
    books, single = _books(request, venue)
    rows = [_book_ticker(book) for book in books]
    return MsgspecResponse(rows[0] if single else rows)


@router.get("/ticker/price")
async def ticker_price(request: Request, venue: VenueDep) -> MsgspecResponse:
    """Last price of ``symbol`` (an object), of ``symbols`` or of all (a list)."""
    books, single = _books(request, venue)
    rows = [{"symbol": book.instrument.venue_id, "price": book.formatter.price(_last_price(book))} for book in books]
    return MsgspecResponse(rows[0] if single else rows)


def _ticker_24h(book: SymbolBook, now: int) -> dict[str, Any]:
    trades = book.history.between(now - DAY_MS, None)
    price, size = book.formatter.price, book.formatter.size
    last = _last_price(book)
    open_price = trades[0].price if trades else last
    volume = sum(trade.size for trade in trades)
    quote_volume = sum(trade.size * trade.price for trade in trades)
    return {
        **_book_ticker(book),
        "priceChange": price(last - open_price),
        "priceChangePercent": f"{(last / open_price - 1) * 100:.3f}",
        "weightedAvgPrice": price(quote_volume / volume if volume else last),
        "prevClosePrice": price(open_price),
        "lastPrice": price(last),
        "lastQty": size(trades[-1].size if trades else 0.0),
        "openPrice": price(open_price),
        "highPrice": price(max((trade.price for trade in trades), default=last)),
        "lowPrice": price(min((trade.price for trade in trades), default=last)),
        "volume": size(volume),
        "quoteVolume": price(quote_volume),
        "openTime": now - DAY_MS,
        "closeTime": now,
        "firstId": trades[0].trade_id if trades else -1,
        "lastId": trades[-1].trade_id if trades else -1,
        "count": len(trades),
    }


@router.get("/ticker/24hr")
async def ticker_24h(request: Request, venue: VenueDep) -> MsgspecResponse:
    """Rolling 24 h statistics over the retained history."""
    books, single = _books(request, venue)
    now = now_ms()
    rows = [_ticker_24h(book, now) for book in books]
    return MsgspecResponse(rows[0] if single else rows)
