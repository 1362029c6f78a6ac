"""FastAPI dependencies of the simulator's REST app: the venue, the controller and a symbol's book."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends, Request

from connectors.simulator.faults import FaultRecord, FaultRequest
from connectors.simulator.rest.errors import BinanceError, ErrorCode, required
from connectors.simulator.stats import SimulatorStats
from connectors.simulator.venue import SymbolBook, Venue


class Controller(Protocol):
    """What the control routes (``/sim/*``) need from the running simulator."""

    def stats(self) -> SimulatorStats: ...

    def apply_fault(self, request: FaultRequest) -> FaultRecord: ...


def get_venue(request: Request) -> Venue:
    venue: Venue = request.app.state.venue
    return venue


def get_controller(request: Request) -> Controller:
    controller: Controller = request.app.state.controller
    return controller


def get_book(request: Request) -> SymbolBook:
    """The book named by the mandatory ``symbol`` parameter (Binance id, e.g. ``BTCUSDT``).

    Raises:
        BinanceError: -1102 when missing, -1121 when not listed.
    """
    book = get_venue(request).book_by_venue_id(required(request.query_params, "symbol"))
    if book is None:
        raise BinanceError(ErrorCode.BAD_SYMBOL, "Invalid symbol.")
    return book


VenueDep = Annotated[Venue, Depends(get_venue)]
ControllerDep = Annotated[Controller, Depends(get_controller)]
BookDep = Annotated[SymbolBook, Depends(get_book)]
