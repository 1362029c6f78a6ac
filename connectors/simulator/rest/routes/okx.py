"""OKX v5 public endpoints under ``/okx``: what ccxt's ``okx`` needs for spot markets and trades.

``GET /okx/api/v5/public/time``, ``/public/instruments?instType=&instId=``,
``/market/trades?instId=&limit=`` and ``/market/history-trades?instId=&type=&after=&before=&limit=``
(see :mod:`connectors.simulator.okx.trades` for the cursors). Trades come from the same history
as the other dialects, trades withheld from the websockets by ``skip_ids`` included. Every answer
is OKX's ``{"code": "0", "msg": "", "data": [..]}``; a refused request carries OKX's code and
message with the HTTP status OKX documents for it (51001 unknown instrument: 200; 50014 missing
and 51000 bad parameter: 400); an unknown path is 404 with code ``"404"`` (the simulator's own).
"""

from __future__ import annotations

import time
from typing import Any, Final

import msgspec
from fastapi import APIRouter, Request

from connectors.simulator.instruments import Instrument
from connectors.simulator.okx.instruments import INSTRUMENT_TYPES, SPOT, find_instrument, okx_instruments
from connectors.simulator.okx.trades import (
    DEFAULT_LIMIT,
    MAX_HISTORY_LIMIT,
    MAX_RECENT_LIMIT,
    PageType,
    formatter_for,
    page,
)
from connectors.simulator.rest.deps import VenueDep
from connectors.simulator.rest.errors import UNSIGNED, RefusalError
from connectors.simulator.rest.responses import MsgspecResponse
from connectors.simulator.venue import Venue

router = APIRouter(prefix="/okx", default_response_class=MsgspecResponse)
PARAMETER_EMPTY: Final = "50014"  # ccxt: BadRequest
PARAMETER_ERROR: Final = "51000"  # ccxt: BadRequest
UNKNOWN_INSTRUMENT: Final = "51001"  # ccxt: BadSymbol


class ErrorBody(msgspec.Struct, frozen=True):
    code: str
    msg: str
    data: list[Any]


class OkxError(RefusalError):
    """A refused request, answered as OKX does: ``{"code", "msg", "data": []}`` with HTTP ``status``."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message, status)
        self.code = code

    def body(self) -> ErrorBody:
        return ErrorBody(self.code, self.message, [])


def ok(data: Any) -> MsgspecResponse:
    """OKX's envelope around the data."""
    return MsgspecResponse({"code": "0", "msg": "", "data": data})


def required(request: Request, name: str) -> str:
    """A mandatory parameter.

    Raises:
        OkxError: 50014 (HTTP 400) when missing or empty.
    """
    value = request.query_params.get(name)
    if not value:
        raise OkxError(PARAMETER_EMPTY, f"Parameter {name} can not be empty.", 400)
    return value


def bad_parameter(name: str) -> OkxError:
    return OkxError(PARAMETER_ERROR, f"Parameter {name} error", 400)


def unsigned_param(request: Request, name: str) -> int | None:
    """An optional unsigned integer (a trade id or ms cursor).

    Raises:
        OkxError: 51000 (HTTP 400) when not digits.
    """
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    if not UNSIGNED.match(value):
        raise bad_parameter(name)
    return int(value)


def limit_param(request: Request, maximum: int) -> int:
    """``limit``, :data:`DEFAULT_LIMIT` when absent; above ``maximum`` it is capped.

    Raises:
        OkxError: 51000 (HTTP 400) when not a whole number of at least 1.
    """
    limit = unsigned_param(request, "limit")
    if limit == 0:
        raise bad_parameter("limit")
    return DEFAULT_LIMIT if limit is None else min(limit, maximum)


def instruments_of(venue: Venue) -> tuple[Instrument, ...]:
    return tuple(book.instrument for book in venue.books.values())


def instrument_param(request: Request, venue: Venue) -> Instrument:
    """The instrument ``instId`` names.

    Raises:
        OkxError: 50014 (HTTP 400) when missing, 51001 (HTTP 200) when not listed.
    """
    instrument = find_instrument(instruments_of(venue), required(request, "instId"))
    if instrument is None:
        raise OkxError(UNKNOWN_INSTRUMENT, "Instrument ID does not exist", 200)
    return instrument


@router.get("/api/v5/public/time")
async def server_time() -> MsgspecResponse:
    """``[{"ts": ms}]``."""
    return ok([{"ts": str(time.time_ns() // 1_000_000)}])


@router.get("/api/v5/public/instruments")
async def get_instruments(request: Request, venue: VenueDep) -> MsgspecResponse:
    """Every spot instrument, or the one ``instId`` names; other instrument types have none."""
    inst_type = required(request, "instType")
    if inst_type not in INSTRUMENT_TYPES:
        raise bad_parameter("instType")
    if inst_type != SPOT:
        return ok([])
    if request.query_params.get("instId"):
        return ok(okx_instruments([instrument_param(request, venue)]))
    return ok(okx_instruments(instruments_of(venue)))


@router.get("/api/v5/market/trades")
async def get_trades(request: Request, venue: VenueDep) -> MsgspecResponse:
    """The latest ``limit`` trades (default 100, at most 500), newest first."""
    instrument = instrument_param(request, venue)
    limit = limit_param(request, MAX_RECENT_LIMIT)
    trades = page(venue.books[instrument.symbol].history, None, None, limit)
    formatter = formatter_for(instrument)
    return ok([formatter.row(trade) for trade in trades])


@router.get("/api/v5/market/history-trades")
async def get_history_trades(request: Request, venue: VenueDep) -> MsgspecResponse:
    """Up to ``limit`` (default and at most 100) trades older than ``after`` and newer than
    ``before``, by trade id (``type=1``, the default) or ms (``type=2``), newest first."""
    instrument = instrument_param(request, venue)
    try:
        by = PageType(request.query_params.get("type") or PageType.TRADE_ID.value)
    except ValueError:
        raise bad_parameter("type") from None
    after, before = unsigned_param(request, "after"), unsigned_param(request, "before")
    limit = limit_param(request, MAX_HISTORY_LIMIT)
    trades = page(venue.books[instrument.symbol].history, after, before, limit, by)
    formatter = formatter_for(instrument)
    return ok([formatter.row(trade) for trade in trades])


@router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE"], include_in_schema=False)
async def unknown_path(path: str) -> MsgspecResponse:
    """Anything else under ``/okx``: 404."""
    raise OkxError("404", "Not Found", 404)
