"""OKX ``GET /api/v5/public/instruments`` objects for the simulator's spot instruments.

``instId`` is the simulator's normalised symbol, ``BTC-USDT``, which is OKX's own spelling of a
spot instrument. ``tickSz`` and ``lotSz`` are the instrument's tick and step (ccxt's price and
amount precision), ``minSz`` one step; the pairs are spot only (``lever`` empty: no margin).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Final

import msgspec

from connectors.simulator.instruments import Instrument

SPOT: Final = "SPOT"
#: The instrument types OKX knows; the simulator lists instruments of SPOT only.
INSTRUMENT_TYPES: Final = frozenset({SPOT, "MARGIN", "SWAP", "FUTURES", "OPTION"})
LIST_TIME: Final = "1548133413000"  # a fixed listing time (ms): the simulator has no listing history
MAX_LIMIT_SIZE: Final = "9999999999"  # largest limit order, base units
MAX_MARKET_SIZE: Final = "1000000"  # largest market order (quote units for a buy, as OKX reports)
MAX_LIMIT_AMOUNT: Final = "20000000"  # largest limit order value, in USD
MAX_MARKET_AMOUNT: Final = "1000000"


class OkxInstrument(msgspec.Struct, frozen=True):
    """One instrument of ``GET /api/v5/public/instruments``; contract and option fields are empty for spot."""

    instType: str  # "SPOT"  # noqa: N815
    instId: str  # "BTC-USDT"  # noqa: N815
    uly: str  # underlying, derivatives only
    instFamily: str  # noqa: N815
    baseCcy: str  # noqa: N815
    quoteCcy: str  # noqa: N815
    settleCcy: str  # noqa: N815
    ctVal: str  # contract value, derivatives only  # noqa: N815
    ctMult: str  # noqa: N815
    ctValCcy: str  # noqa: N815
    ctType: str  # linear or inverse, derivatives only  # noqa: N815
    optType: str  # call or put, options only  # noqa: N815
    stk: str  # strike price, options only
    alias: str  # this_week, quarter...: futures only
    listTime: str  # ms  # noqa: N815
    expTime: str  # ms, derivatives only  # noqa: N815
    lever: str  # max leverage; empty: no margin trading
    tickSz: str  # price increment  # noqa: N815
    lotSz: str  # size increment, base units  # noqa: N815
    minSz: str  # smallest order size, base units  # noqa: N815
    maxLmtSz: str  # largest limit order, base units  # noqa: N815
    maxMktSz: str  # largest market order  # noqa: N815
    maxLmtAmt: str  # largest limit order value, USD  # noqa: N815
    maxMktAmt: str  # largest market order value, USD  # noqa: N815
    ruleType: str  # "normal"  # noqa: N815
    state: str  # "live"


def increment(decimals: int) -> str:
    """A power-of-ten increment as OKX writes it: 2 -> ``"0.01"``, 0 -> ``"1"``."""
    return f"{10.0**-decimals:.{decimals}f}"


def okx_instrument(instrument: Instrument) -> OkxInstrument:
    """The spot instrument object of an instrument."""
    step = increment(instrument.size_decimals)
    return OkxInstrument(
        instType=SPOT, instId=instrument.symbol, uly="", instFamily="", baseCcy=instrument.base,
        quoteCcy=instrument.quote, settleCcy="", ctVal="", ctMult="", ctValCcy="", ctType="", optType="", stk="",
        alias="", listTime=LIST_TIME, expTime="", lever="", tickSz=increment(instrument.price_decimals), lotSz=step,
        minSz=step, maxLmtSz=MAX_LIMIT_SIZE, maxMktSz=MAX_MARKET_SIZE, maxLmtAmt=MAX_LIMIT_AMOUNT,
        maxMktAmt=MAX_MARKET_AMOUNT, ruleType="normal", state="live",
    )  # fmt: skip


def okx_instruments(instruments: Iterable[Instrument]) -> list[OkxInstrument]:
    """``public/instruments``' data for ``instType=SPOT``, in the venue's order."""
    return [okx_instrument(instrument) for instrument in instruments]


@functools.cache
def instrument_index(instruments: tuple[Instrument, ...]) -> dict[str, Instrument]:
    """``instId`` -> instrument, built once per set of instruments."""
    return {instrument.symbol: instrument for instrument in instruments}


def find_instrument(instruments: tuple[Instrument, ...], inst_id: str) -> Instrument | None:
    """The instrument an ``instId`` names; OKX ids are upper case and matched exactly."""
    return instrument_index(instruments).get(inst_id)
