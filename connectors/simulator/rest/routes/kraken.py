"""Kraken Spot public endpoints under ``/kraken``: what ccxt's ``kraken`` needs.

``GET /kraken/0/public/Time``, ``/Assets?asset=``, ``/AssetPairs?pair=`` and
``/Trades?pair=&since=&count=`` (see :mod:`connectors.simulator.kraken.trades` for the cursor).
Trades come from the same history as the Binance and Coinbase endpoints, trades withheld from
the websockets by ``skip_ids`` included. Every answer is Kraken's ``{"error": [], "result": ..}``;
a refused request is ``{"error": ["EQuery:Unknown asset pair"]}`` with HTTP 200, as Kraken
answers, and an unknown path ``{"error": ["EGeneral:Unknown method"]}`` with 404.
"""

from __future__ import annotations

import time
from typing import Any, Final

import msgspec
from fastapi import APIRouter, Request

from connectors.simulator.instruments import Instrument
from connectors.simulator.kraken.assets import asset_pairs, assets, find_assets, find_pair, pair_key
from connectors.simulator.kraken.trades import DEFAULT_COUNT, MAX_COUNT, formatter_for, parse_since, trades_after
from connectors.simulator.rest.deps import VenueDep
from connectors.simulator.rest.errors import RefusalError
from connectors.simulator.rest.responses import MsgspecResponse
from connectors.simulator.venue import Venue

router = APIRouter(prefix="/kraken", default_response_class=MsgspecResponse)
UNKNOWN_PAIR: Final = "EQuery:Unknown asset pair"
UNKNOWN_ASSET: Final = "EQuery:Unknown asset"
INVALID_ARGUMENTS: Final = "EGeneral:Invalid arguments"  # ccxt: BadRequest
UNKNOWN_METHOD: Final = "EGeneral:Unknown method"


class ErrorBody(msgspec.Struct, frozen=True):
    error: list[str]


class KrakenError(RefusalError):
    """A refused request, answered as Kraken does: ``{"error": [message]}`` with HTTP ``status``."""

    def __init__(self, message: str, status: int = 200) -> None:
        super().__init__(message, status)

    def body(self) -> ErrorBody:
        return ErrorBody([self.message])


def ok(result: Any) -> MsgspecResponse:
    """Kraken's envelope around a result."""
    return MsgspecResponse({"error": [], "result": result})


def instruments_of(venue: Venue) -> tuple[Instrument, ...]:
    return tuple(book.instrument for book in venue.books.values())


def names_param(request: Request, name: str) -> list[str] | None:
    """A comma-separated list parameter (``pair=a,b``), ``None`` when absent or empty."""
    value = request.query_params.get(name)
    return [part for part in value.split(",") if part.strip()] if value else None


def count_param(request: Request) -> int:
    """``count``, :data:`DEFAULT_COUNT` when absent; above :data:`MAX_COUNT` it is capped.

    Raises:
        KrakenError: ``EGeneral:Invalid arguments`` when not a whole number of at least 1.
    """
    value = request.query_params.get("count")
    if value is None or value == "":
        return DEFAULT_COUNT
    if not value.isascii() or not value.isdigit() or len(value) > 18 or int(value) < 1:
        raise KrakenError(INVALID_ARGUMENTS)
    return min(int(value), MAX_COUNT)


@router.get("/0/public/Time")
async def server_time() -> MsgspecResponse:
    """``{"unixtime": seconds, "rfc1123": "Tue, 14 Nov 23 22:13:20 +0000"}``."""
    now = int(time.time())
    parts = time.gmtime(now)
    rfc1123 = time.strftime("%a, ", parts) + f"{parts.tm_mday:2d}" + time.strftime(" %b %y %H:%M:%S +0000", parts)
    return ok({"unixtime": now, "rfc1123": rfc1123})


@router.get("/0/public/Assets")
async def get_assets(request: Request, venue: VenueDep) -> MsgspecResponse:
    """Every base and quote asset, or those ``asset`` names."""
    names = names_param(request, "asset")
    if names is None:
        return ok(assets(instruments_of(venue)))
    chosen = find_assets(instruments_of(venue), names)
    if chosen is None:
        raise KrakenError(UNKNOWN_ASSET)
    return ok(chosen)


@router.get("/0/public/AssetPairs")
async def get_asset_pairs(request: Request, venue: VenueDep) -> MsgspecResponse:
    """Every pair, or those ``pair`` names (``info`` is accepted and ignored: the full object always)."""
    instruments = instruments_of(venue)
    names = names_param(request, "pair")
    if names is None:
        return ok(asset_pairs(instruments))
    chosen = [find_pair(instruments, name.strip()) for name in names]
    if any(instrument is None for instrument in chosen):
        raise KrakenError(UNKNOWN_PAIR)
    return ok(asset_pairs(instrument for instrument in chosen if instrument is not None))


@router.get("/0/public/Trades")
async def get_trades(request: Request, venue: VenueDep) -> MsgspecResponse:
    """Up to ``count`` trades after ``since`` (or the latest), oldest first, and the ``last`` cursor."""
    instrument = find_pair(instruments_of(venue), request.query_params.get("pair", "").strip())
    if instrument is None:
        raise KrakenError(UNKNOWN_PAIR)
    count = count_param(request)
    since = request.query_params.get("since")
    try:
        since_ns = parse_since(since) if since else None
    except ValueError:
        raise KrakenError(INVALID_ARGUMENTS) from None
    timed = trades_after(venue.books[instrument.symbol].history, since_ns, count)
    formatter = formatter_for(instrument)
    # An empty page hands back the since it was asked for (as nanoseconds), so polling with it stays put.
    last = timed[-1][1] if timed else since_ns or 0
    return ok({pair_key(instrument): [formatter.row(trade) for trade, _ in timed], "last": str(last)})


@router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE"], include_in_schema=False)
async def unknown_path(path: str) -> MsgspecResponse:
    """Anything else under ``/kraken``: 404 ``EGeneral:Unknown method``."""
    raise KrakenError(UNKNOWN_METHOD, 404)
