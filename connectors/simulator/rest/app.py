"""The simulator's REST app: Binance's public spot endpoints, Coinbase Exchange's public ones under
``/coinbase``, Kraken Spot's and OKX's public market data under ``/kraken`` and ``/okx``, and the
``/sim`` control routes.

Seam for signed endpoints: a later ``routes/orders.py`` (``POST /api/v3/order``, ``GET
/api/v3/account``...) is one more module in :data:`ROUTERS`, with its signature check as a
dependency in ``deps.py``; the venue object is where its matching engine would hang.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.requests import Request
from fastapi.responses import Response

from connectors.simulator.rest.deps import Controller
from connectors.simulator.rest.errors import BinanceError, ErrorCode, RefusalError, refusal_handler
from connectors.simulator.rest.routes import coinbase, control, general, kraken, market, okx, trades
from connectors.simulator.venue import Venue

#: Every router of the app, one per concern.
ROUTERS: tuple[APIRouter, ...] = (
    general.router,
    trades.router,
    market.router,
    coinbase.router,
    kraken.router,
    okx.router,
    control.router,
)


async def _validation_error(request: Request, error: Exception) -> Response:
    """FastAPI's own validation (rarely reached: parameters are parsed by hand) in Binance's format."""
    return await refusal_handler(
        request, BinanceError(ErrorCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED, f"Malformed request: {error}")
    )


def create_app(venue: Venue, controller: Controller) -> FastAPI:
    """Build the REST app over a venue; ``controller`` serves ``/sim/stats`` and ``/sim/faults``."""
    title = "Nashipai exchange simulator (Binance spot, Coinbase, Kraken, OKX)"
    app = FastAPI(title=title, docs_url="/sim/docs", redoc_url=None)
    app.state.venue = venue
    app.state.controller = controller
    app.add_exception_handler(RefusalError, refusal_handler)  # every dialect's own error format
    app.add_exception_handler(RequestValidationError, _validation_error)
    for router in ROUTERS:
        app.include_router(router)
    return app
