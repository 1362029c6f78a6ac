"""What the simulator reports about itself (``GET /sim/stats`` and the final summary)."""

from __future__ import annotations

import msgspec

from connectors.simulator.faults import FaultRecord
from connectors.simulator.venue import SymbolStats


class SimulatorStats(msgspec.Struct, kw_only=True):
    """Counts since start.

    Attributes:
        symbols: per normalised symbol: trades emitted into the market (including the ones
            kept off the websockets by ``skip_ids``), trades skipped, quotes, last trade id.
        connections: websocket connections open now.
        connections_total: websocket connections accepted since start.
        frames_sent: websocket data frames written (all subscribers together).
        slow_consumers_cut: connections cut because their send buffer overflowed.
        faults: every fault applied, in order.
        uptime_seconds: seconds since start.
        done: every symbol reached ``max_trades`` or the end of its replay.
    """

    symbols: dict[str, SymbolStats]
    connections: int
    connections_total: int
    frames_sent: int
    slow_consumers_cut: int
    faults: list[FaultRecord]
    uptime_seconds: float
    done: bool
