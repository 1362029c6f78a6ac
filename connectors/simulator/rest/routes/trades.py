"""Trade endpoints: ``/api/v3/trades``, ``/api/v3/historicalTrades``, ``/api/v3/aggTrades``.

Each simulated trade is its own aggregate trade (``a == f == l == t``), so a backfill by id
works through ccxt's default ``fetch_trades`` (aggTrades, ``params={"fromId": id}``) as well as
through ``fetchTradesMethod="publicGetHistoricalTrades"``. Only the retained history (the last
``history_size`` trades per symbol) can be served: an older ``fromId`` starts at the oldest one.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from connectors.simulator.rest.deps import BookDep
from connectors.simulator.rest.errors import BinanceError, ErrorCode, limit_param, optional_int
from connectors.simulator.rest.responses import MsgspecResponse

router = APIRouter(prefix="/api/v3", default_response_class=MsgspecResponse)
MAX_AGG_WINDOW_MS = 3_600_000


@router.get("/trades")
async def recent_trades(request: Request, book: BookDep) -> MsgspecResponse:
    """The last ``limit`` trades (default 500, max 1000), oldest first."""
    limit = limit_param(request.query_params, 500, 1000)
    return MsgspecResponse([book.formatter.rest_trade(trade) for trade in book.history.recent(limit)])


@router.get("/historicalTrades")
async def historical_trades(request: Request, book: BookDep) -> MsgspecResponse:
    """Up to ``limit`` trades from ``fromId`` inclusive (default: the most recent ones)."""
    params = request.query_params
    limit = limit_param(params, 500, 1000)
    from_id = optional_int(params, "fromId")
    trades = book.history.recent(limit) if from_id is None else book.history.from_id(from_id, limit)
    return MsgspecResponse([book.formatter.rest_trade(trade) for trade in trades])


@router.get("/aggTrades")
async def aggregate_trades(request: Request, book: BookDep) -> MsgspecResponse:
    """Aggregate trades by ``fromId`` or by ``startTime``/``endTime`` (at most one hour apart)."""
    params = request.query_params
    limit = limit_param(params, 500, 1000)
    from_id = optional_int(params, "fromId")
    start_ms, end_ms = optional_int(params, "startTime"), optional_int(params, "endTime")
    if from_id is not None and (start_ms is not None or end_ms is not None):
        raise BinanceError(ErrorCode.OPTIONAL_PARAMS_BAD_COMBO, "Combination of optional parameters invalid.")
    if start_ms is not None and end_ms is not None and end_ms - start_ms > MAX_AGG_WINDOW_MS:
        raise BinanceError(ErrorCode.BAD_RANGE, "More than 1 hours between startTime and endTime.")
    if from_id is not None:
        trades = book.history.from_id(from_id, limit)
    elif start_ms is not None or end_ms is not None:
        trades = book.history.between(start_ms, end_ms, limit)
    else:
        trades = book.history.recent(limit)
    return MsgspecResponse([book.formatter.rest_agg_trade(trade) for trade in trades])
