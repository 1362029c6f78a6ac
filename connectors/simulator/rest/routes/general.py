"""General endpoints: ``/api/v3/ping``, ``/api/v3/time``, ``/api/v3/exchangeInfo``."""

from __future__ import annotations

import time

import msgspec
from fastapi import APIRouter, Request

from connectors.simulator.exchange_info import exchange_info
from connectors.simulator.instruments import Instrument
from connectors.simulator.rest.deps import VenueDep
from connectors.simulator.rest.errors import BinanceError, ErrorCode
from connectors.simulator.rest.responses import MsgspecResponse
from connectors.simulator.venue import Venue

router = APIRouter(prefix="/api/v3", default_response_class=MsgspecResponse)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def requested_instruments(request: Request, venue: Venue) -> list[Instrument]:
    """Instruments named by ``symbol`` or ``symbols`` (a JSON list), or all of them.

    Raises:
        BinanceError: -1121 for an unlisted symbol, -1100 for a malformed ``symbols``.
    """
    params = request.query_params
    if "symbol" in params:
        names = [params["symbol"]]
    elif "symbols" in params:
        try:
            names = msgspec.json.decode(params["symbols"], type=list[str])
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            raise BinanceError(ErrorCode.ILLEGAL_CHARS, "Illegal characters found in parameter 'symbols'.") from error
    else:
        return [book.instrument for book in venue.books.values()]
    instruments = []
    for name in names:
        book = venue.book_by_venue_id(name)
        if book is None:
            raise BinanceError(ErrorCode.BAD_SYMBOL, "Invalid symbol.")
        instruments.append(book.instrument)
    return instruments


@router.get("/ping")
async def ping() -> MsgspecResponse:
    """Connectivity check: ``{}``."""
    return MsgspecResponse({})


@router.get("/time")
async def server_time() -> MsgspecResponse:
    """``{"serverTime": ms}``."""
    return MsgspecResponse({"serverTime": now_ms()})


@router.get("/exchangeInfo")
async def get_exchange_info(request: Request, venue: VenueDep) -> MsgspecResponse:
    """Symbols with status, assets, precisions, filters and permission sets."""
    return MsgspecResponse(exchange_info(requested_instruments(request, venue), now_ms()))
