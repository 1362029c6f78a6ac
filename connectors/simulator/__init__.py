"""The local exchange simulator: a Binance-spot-, Coinbase-, Kraken- and OKX-compatible venue on localhost.

It speaks Binance's spot websocket streams (``/ws/<stream>``, ``/stream?streams=..``, live
SUBSCRIBE/UNSUBSCRIBE) and the public REST endpoints ccxt's binance client needs, and, over the
same market, Coinbase Advanced Trade market data (websocket ``/coinbase``) and the Coinbase
Exchange public REST endpoints (``/coinbase/...``, :mod:`.coinbase`), Kraken Spot's public
market data REST endpoints (``/kraken/0/public/...``, :mod:`.kraken`) and OKX v5's
(``/okx/api/v5/...``, :mod:`.okx`), over a seeded synthetic market (:mod:`.model`) or a
replayed recording (:mod:`.replay`), with fault injection (:mod:`.faults`) and counts
(``GET /sim/stats``).

Entry points: :class:`Simulator` (async, in-process), :class:`SimulatorThread` (a background
thread for synchronous code), :func:`binance_client_config`, :func:`coinbase_client_config`,
:func:`kraken_client_config` and :func:`okx_client_config` (ccxt configs pointing at it) and the
typer ``app`` in :mod:`.cli`.
"""

from connectors.simulator.ccxt_urls import (
    binance_client_config,
    coinbase_client_config,
    kraken_client_config,
    okx_client_config,
)
from connectors.simulator.config import SimulatorConfig
from connectors.simulator.faults import FaultKind, FaultRecord, FaultRequest, MalformedVariant, ScheduledFault
from connectors.simulator.instruments import Instrument, make_instrument, parse_symbol_list
from connectors.simulator.model import MarketModel, ModelParams, SimQuote, SimTrade
from connectors.simulator.simulator import Simulator
from connectors.simulator.stats import SimulatorStats
from connectors.simulator.threaded import SimulatorThread

__all__ = [
    "FaultKind",
    "FaultRecord",
    "FaultRequest",
    "Instrument",
    "MalformedVariant",
    "MarketModel",
    "ModelParams",
    "ScheduledFault",
    "SimQuote",
    "SimTrade",
    "Simulator",
    "SimulatorConfig",
    "SimulatorStats",
    "SimulatorThread",
    "binance_client_config",
    "coinbase_client_config",
    "kraken_client_config",
    "make_instrument",
    "okx_client_config",
    "parse_symbol_list",
]
