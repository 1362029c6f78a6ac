"""Simulator control: ``GET /sim/stats`` and ``POST /sim/faults``.

``POST /sim/faults`` takes a :class:`~connectors.simulator.faults.FaultRequest` as JSON, e.g.
``{"kind": "skip_ids", "count": 5, "symbol": "BTC-USDT"}``, applies it at once and answers the
:class:`~connectors.simulator.faults.FaultRecord`; a bad body gets HTTP 400 with
``{"code": -1102, "msg": ..}``.
"""

from __future__ import annotations

import msgspec
from fastapi import APIRouter, Request

from connectors.simulator.faults import FaultRequest
from connectors.simulator.rest.deps import ControllerDep, VenueDep
from connectors.simulator.rest.errors import BinanceError, ErrorCode
from connectors.simulator.rest.responses import MsgspecResponse

router = APIRouter(prefix="/sim", default_response_class=MsgspecResponse)
_fault_decoder = msgspec.json.Decoder(FaultRequest)


@router.get("/stats")
async def stats(controller: ControllerDep) -> MsgspecResponse:
    """Counts per symbol, connections and faults applied (see ``SimulatorStats``)."""
    return MsgspecResponse(controller.stats())


@router.post("/faults")
async def inject_fault(request: Request, controller: ControllerDep, venue: VenueDep) -> MsgspecResponse:
    """Apply one fault now and answer what it touched."""
    try:
        fault = _fault_decoder.decode(await request.body())
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise BinanceError(ErrorCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED, f"Invalid fault: {error}") from error
    if fault.symbol is not None and fault.symbol not in venue.books:
        raise BinanceError(ErrorCode.BAD_SYMBOL, f"Invalid symbol {fault.symbol!r}; use e.g. BTC-USDT.")
    return MsgspecResponse(controller.apply_fault(fault))
