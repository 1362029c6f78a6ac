"""Kraken ``GET /0/public/Assets`` and ``/0/public/AssetPairs`` objects, and how pairs are named.

Asset ids are Kraken's own: the assets Kraken lists with a legacy ``X``/``Z`` prefix keep it
(``XXBT``, altname ``XBT``, for BTC; ``XETH``; ``ZUSD``...), the others are their code (``USDT``,
``SOL``). ccxt's ``kraken`` maps them back to unified codes (``XXBT`` -> ``BTC``), so the
simulator's ``BTC-USDT`` loads as ``BTC/USDT``.

A pair's key and altname are the Binance-style id ``BTCUSDT`` (Kraken itself says ``XBTUSDT``)
and its wsname is ``BTC/USDT``, the websocket v2 symbol. A ``pair`` parameter may name a pair
by its key, by Kraken's spellings (``XBTUSDT``, ``XXBTUSDT``) or by its wsname, in any case;
answers are keyed by the pair key, as Kraken keys them by its canonical name.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Final

import msgspec

from connectors.simulator.instruments import Instrument, decimals_of

#: code -> (Kraken asset id, Kraken altname) for the assets Kraken names the legacy way.
LEGACY_ASSETS: Final = {
    "BTC": ("XXBT", "XBT"), "ETH": ("XETH", "ETH"), "XRP": ("XXRP", "XRP"), "DOGE": ("XXDG", "XDG"),
    "LTC": ("XLTC", "LTC"), "XLM": ("XXLM", "XLM"), "ETC": ("XETC", "ETC"), "USD": ("ZUSD", "USD"),
    "EUR": ("ZEUR", "EUR"), "GBP": ("ZGBP", "GBP"), "JPY": ("ZJPY", "JPY"), "CAD": ("ZCAD", "CAD"),
    "AUD": ("ZAUD", "AUD"),
}  # fmt: skip
FIAT: Final = frozenset({"USD", "EUR", "GBP", "JPY", "CAD", "AUD"})
#: Kraken's spot fee schedule: [30-day volume in USD, fee in percent] per tier.
TAKER_FEES: Final = ((0, 0.26), (50_000, 0.24), (100_000, 0.22), (250_000, 0.2), (500_000, 0.18),
                     (1_000_000, 0.16), (2_500_000, 0.14), (5_000_000, 0.12), (10_000_000, 0.1))  # fmt: skip
MAKER_FEES: Final = ((0, 0.16), (50_000, 0.14), (100_000, 0.12), (250_000, 0.1), (500_000, 0.08),
                     (1_000_000, 0.06), (2_500_000, 0.04), (5_000_000, 0.02), (10_000_000, 0.0))  # fmt: skip
MIN_COST: Final = "1"  # smallest order cost, in quote units


class Asset(msgspec.Struct, frozen=True):
    """One asset of ``GET /0/public/Assets``, keyed there by its asset id."""

    aclass: str  # asset class, "currency"
    altname: str  # "XBT" for XXBT
    decimals: int  # decimals of balances and amounts
    display_decimals: int
    status: str  # "enabled"


class AssetPair(msgspec.Struct, frozen=True):
    """One pair of ``GET /0/public/AssetPairs``, keyed there by its pair key."""

    altname: str  # "BTCUSDT"
    wsname: str  # websocket symbol, "BTC/USDT"
    aclass_base: str
    base: str  # asset id, "XXBT"
    aclass_quote: str
    quote: str  # asset id, "USDT"
    lot: str  # volume unit, "unit"
    cost_decimals: int
    pair_decimals: int  # price decimals (ccxt's price precision)
    lot_decimals: int  # volume decimals (ccxt's amount precision)
    lot_multiplier: int
    leverage_buy: list[int]  # empty: no margin
    leverage_sell: list[int]
    fees: tuple[tuple[int, float], ...]  # taker tiers
    fees_maker: tuple[tuple[int, float], ...]
    fee_volume_currency: str
    margin_call: int
    margin_stop: int
    ordermin: str  # smallest order volume, base units
    costmin: str  # smallest order cost, quote units
    tick_size: str  # price increment
    status: str  # "online"


def asset_id(code: str) -> str:
    """Kraken's asset id of a code: ``BTC`` -> ``XXBT``, ``USDT`` -> ``USDT``."""
    return LEGACY_ASSETS.get(code, (code, code))[0]


def asset_altname(code: str) -> str:
    """Kraken's altname of a code: ``BTC`` -> ``XBT``, ``USD`` -> ``USD``."""
    return LEGACY_ASSETS.get(code, (code, code))[1]


def pair_key(instrument: Instrument) -> str:
    """The pair's key and altname: the Binance-style id, ``BTCUSDT``."""
    return instrument.venue_id


def wsname(instrument: Instrument) -> str:
    """``BTC/USDT``: the websocket v2 symbol and ccxt's unified symbol."""
    return f"{instrument.base}/{instrument.quote}"


def pair_names(instrument: Instrument) -> frozenset[str]:
    """Every upper-case name a ``pair`` parameter may give the instrument."""
    base, quote = instrument.base, instrument.quote
    return frozenset({
        pair_key(instrument), wsname(instrument), asset_altname(base) + asset_altname(quote),
        asset_id(base) + asset_id(quote),
    })  # fmt: skip


@functools.cache
def pair_index(instruments: tuple[Instrument, ...]) -> dict[str, Instrument]:
    """Upper-case pair name -> instrument, built once per set of instruments."""
    return {name: instrument for instrument in instruments for name in pair_names(instrument)}


def find_pair(instruments: tuple[Instrument, ...], name: str) -> Instrument | None:
    """The instrument a ``pair`` parameter names (any spelling of :func:`pair_names`, any case)."""
    return pair_index(instruments).get(name.upper())


def increment(decimals: int) -> str:
    """A power-of-ten increment as Kraken writes it: 2 -> ``"0.01"``, 0 -> ``"1"``."""
    return f"{10.0**-decimals:.{decimals}f}"


def asset_pair(instrument: Instrument) -> AssetPair:
    """The pair object of an instrument; precision and order minimum come from its tick and step."""
    price_decimals, size_decimals = instrument.price_decimals, instrument.size_decimals
    return AssetPair(
        altname=pair_key(instrument),
        wsname=wsname(instrument),
        aclass_base="currency",
        base=asset_id(instrument.base),
        aclass_quote="currency",
        quote=asset_id(instrument.quote),
        lot="unit",
        cost_decimals=price_decimals + size_decimals,
        pair_decimals=price_decimals,
        lot_decimals=size_decimals,
        lot_multiplier=1,
        leverage_buy=[],
        leverage_sell=[],
        fees=TAKER_FEES,
        fees_maker=MAKER_FEES,
        fee_volume_currency="ZUSD",
        margin_call=80,
        margin_stop=40,
        ordermin=increment(size_decimals),
        costmin=MIN_COST,
        tick_size=increment(price_decimals),
        status="online",
    )


def asset_pairs(instruments: Iterable[Instrument]) -> dict[str, AssetPair]:
    """``AssetPairs``' result: pair key -> pair object."""
    return {pair_key(instrument): asset_pair(instrument) for instrument in instruments}


def assets(instruments: Iterable[Instrument]) -> dict[str, Asset]:
    """``Assets``' result: asset id -> asset, for every base and quote asset in order of appearance.

    An asset's ``decimals`` are Kraken's usual ones (10 for BTC and ETH, 8 for other crypto, 4 for
    fiat), raised where a pair quotes it finer, so ccxt never coarsens a pair's precision to them.
    """
    needed: dict[str, int] = {}
    for instrument in instruments:
        base, quote = instrument.base, instrument.quote
        needed[base] = max(needed.get(base, 0), decimals_of(instrument.step_size))
        needed[quote] = max(needed.get(quote, 0), decimals_of(instrument.tick_size))
    result: dict[str, Asset] = {}
    for code, finest in needed.items():
        fiat = code in FIAT
        usual = 4 if fiat else 10 if code in ("BTC", "ETH") else 8
        decimals = max(usual, finest)
        display = 2 if fiat else min(decimals, 5)
        result[asset_id(code)] = Asset("currency", asset_altname(code), decimals, display, "enabled")
    return result


def find_assets(instruments: tuple[Instrument, ...], names: Iterable[str]) -> dict[str, Asset] | None:
    """The assets an ``asset`` parameter names (asset id, altname or code, any case); ``None`` if one is unknown."""
    every = assets(instruments)
    by_name = {name: key for key, asset in every.items() for name in (key, asset.altname)}
    by_name |= {code: asset_id(code) for instrument in instruments for code in (instrument.base, instrument.quote)}
    keys = [by_name.get(name.strip().upper()) for name in names]
    if any(key is None for key in keys):
        return None
    return {key: every[key] for key in keys if key is not None}
