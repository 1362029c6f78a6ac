"""Coinbase Exchange public endpoints under ``/coinbase``: what ccxt's ``coinbaseexchange`` needs.

``GET /coinbase/time``, ``/coinbase/currencies``, ``/coinbase/products``,
``/coinbase/products/<id>`` and ``/coinbase/products/<id>/trades?limit=&before=&after=``
(cursor pagination on trade ids, see :mod:`connectors.simulator.coinbase.pagination`, with the
``CB-BEFORE`` and ``CB-AFTER`` headers). Trades come from the same history as the Binance
endpoints, trades withheld from the websockets by ``skip_ids`` included. Errors are Coinbase's
``{"message": ..}``: 404 ``NotFound`` for an unknown product or path, 400 for bad parameters.
"""

from __future__ import annotations

import re
import time

import msgspec
from fastapi import APIRouter, Request

from connectors.simulator.coinbase.pagination import DEFAULT_LIMIT, MAX_LIMIT, trade_page
from connectors.simulator.coinbase.products import currencies, product
from connectors.simulator.coinbase.wire import formatter_for
from connectors.simulator.rest.deps import VenueDep
from connectors.simulator.rest.errors import RefusalError
from connectors.simulator.rest.responses import MsgspecResponse
from connectors.simulator.venue import SymbolBook, Venue

router = APIRouter(prefix="/coinbase", default_response_class=MsgspecResponse)
_DIGITS = re.compile(r"^[0-9]{1,18}$")


class ErrorBody(msgspec.Struct, frozen=True):
    message: str


class CoinbaseError(RefusalError):
    """A request error answered as Coinbase Exchange does: HTTP ``status`` with ``{"message": ..}``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message, status)

    def body(self) -> ErrorBody:
        return ErrorBody(self.message)


def not_found() -> CoinbaseError:
    return CoinbaseError("NotFound", 404)


def book_of(venue: Venue, product_id: str) -> SymbolBook:
    """The book of a product id such as ``BTC-USDT`` (any case).

    Raises:
        CoinbaseError: 404 ``NotFound`` when not listed.
    """
    book = venue.books.get(product_id.upper())
    if book is None:
        raise not_found()
    return book


def int_param(request: Request, name: str, low: int, high: int | None = None) -> int | None:
    """An optional integer query parameter within ``[low, high]``.

    Raises:
        CoinbaseError: 400 when not a whole number in range.
    """
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    if not _DIGITS.match(value) or int(value) < low or (high is not None and int(value) > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise CoinbaseError(f"Invalid {name}: {value!r} is not a whole number {bound}")
    return int(value)


@router.get("/time")
async def server_time() -> MsgspecResponse:
    """``{"iso": RFC 3339, "epoch": seconds as a float}``."""
    now_ms = time.time_ns() // 1_000_000
    iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now_ms // 1000)) + f".{now_ms % 1000:03d}Z"
    return MsgspecResponse({"iso": iso, "epoch": now_ms / 1000})


@router.get("/currencies")
async def get_currencies(venue: VenueDep) -> MsgspecResponse:
    """Every base and quote asset of the simulated products."""
    return MsgspecResponse(currencies([book.instrument for book in venue.books.values()]))


@router.get("/products")
async def get_products(venue: VenueDep) -> MsgspecResponse:
    """Every simulated product."""
    return MsgspecResponse([product(book.instrument) for book in venue.books.values()])


@router.get("/products/{product_id}")
async def get_product(product_id: str, venue: VenueDep) -> MsgspecResponse:
    """One product."""
    return MsgspecResponse(product(book_of(venue, product_id).instrument))


@router.get("/products/{product_id}/trades")
async def get_trades(product_id: str, request: Request, venue: VenueDep) -> MsgspecResponse:
    """A page of trades, newest first; ``CB-BEFORE``/``CB-AFTER`` carry its first and last trade id."""
    book = book_of(venue, product_id)
    limit = int_param(request, "limit", 1, MAX_LIMIT)
    before, after = int_param(request, "before", 0), int_param(request, "after", 0)
    if before is not None and after is not None:
        raise CoinbaseError("Invalid cursors: before and after cannot be combined")
    trades = trade_page(book.history, DEFAULT_LIMIT if limit is None else limit, before, after)
    formatter = formatter_for(book.instrument)
    headers = {"CB-BEFORE": str(trades[0].trade_id), "CB-AFTER": str(trades[-1].trade_id)} if trades else {}
    return MsgspecResponse([formatter.rest_trade(trade) for trade in trades], headers=headers)


@router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE"], include_in_schema=False)
async def unknown_path(path: str) -> MsgspecResponse:
    """Anything else under ``/coinbase``: 404 ``NotFound``, as Coinbase answers."""
    raise not_found()
