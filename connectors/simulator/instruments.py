"""Instruments of the simulated venue: normalised symbols, Binance ids, tick and lot sizes."""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Start prices used when a symbol is given without one (``BTC-USDT`` rather than ``BTC-USDT=65000``).
DEFAULT_START_PRICES: dict[str, float] = {
    "BTC": 65_000.0,
    "ETH": 3_200.0,
    "BNB": 580.0,
    "SOL": 150.0,
    "XRP": 0.55,
    "DOGE": 0.15,
    "ADA": 0.45,
}
FALLBACK_START_PRICE = 100.0

#: Quote assets recognised when splitting a Binance id such as ``BTCUSDT``; longest first.
KNOWN_QUOTES: tuple[str, ...] = (
    "FDUSD", "USDT", "USDC", "BUSD", "TUSD", "EUR", "TRY", "BRL", "BTC", "ETH", "BNB", "DAI",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Instrument:
    """One spot instrument of the simulator.

    Attributes:
        base: base asset, e.g. ``BTC``.
        quote: quote asset, e.g. ``USDT``.
        start_price: the first mid price, in quote units.
        tick_size: price increment (Binance ``PRICE_FILTER.tickSize``).
        step_size: quantity increment (Binance ``LOT_SIZE.stepSize``).
    """

    base: str
    quote: str
    start_price: float
    tick_size: float
    step_size: float

    @property
    def symbol(self) -> str:
        """Normalised ``BASE-QUOTE`` symbol."""
        return f"{self.base}-{self.quote}"

    @property
    def venue_id(self) -> str:
        """Binance's id, ``BTCUSDT``."""
        return f"{self.base}{self.quote}"

    @property
    def stream_id(self) -> str:
        """Binance's lower-case id used in stream names, ``btcusdt``."""
        return self.venue_id.lower()

    @property
    def price_decimals(self) -> int:
        return decimals_of(self.tick_size)

    @property
    def size_decimals(self) -> int:
        return decimals_of(self.step_size)


def decimals_of(increment: float) -> int:
    """Number of decimals of a power-of-ten increment: ``0.01`` -> 2, ``1`` -> 0."""
    return max(0, round(-math.log10(increment)))


def default_tick_size(price: float) -> float:
    """A Binance-like tick: about seven significant digits of the price (65000 -> 0.01)."""
    return 10.0 ** (math.floor(math.log10(price)) - 6)


def default_step_size(price: float) -> float:
    """A Binance-like lot step: one step is worth between 0.1 and 1 quote units (65000 -> 1e-5)."""
    return 10.0 ** (-(math.floor(math.log10(price)) + 1))


def make_instrument(symbol: str, start_price: float | None = None) -> Instrument:
    """Build an instrument from a normalised ``BASE-QUOTE`` symbol.

    Raises:
        ValueError: the symbol is not ``BASE-QUOTE`` of upper-case letters and digits, or the
            start price is not positive.
    """
    parts = symbol.split("-")
    if len(parts) != 2 or not all(part.isalnum() and part == part.upper() for part in parts):
        raise ValueError(f"symbol {symbol!r} is not a normalised BASE-QUOTE symbol such as BTC-USDT")
    base, quote = parts
    price = start_price if start_price is not None else DEFAULT_START_PRICES.get(base, FALLBACK_START_PRICE)
    if not price > 0:
        raise ValueError(f"start price of {symbol} must be positive, got {price}")
    return Instrument(base, quote, price, default_tick_size(price), default_step_size(price))


def parse_symbol_spec(spec: str) -> Instrument:
    """Parse ``BTC-USDT`` or ``BTC-USDT=65000`` (symbol with a start price).

    Raises:
        ValueError: malformed symbol or price.
    """
    symbol, sep, price_text = spec.strip().partition("=")
    price = float(price_text) if sep else None
    return make_instrument(symbol.strip().upper(), price)


def parse_symbol_list(specs: str) -> list[Instrument]:
    """Parse a comma-separated list of symbol specs; duplicates are an error."""
    instruments = [parse_symbol_spec(spec) for spec in specs.split(",") if spec.strip()]
    symbols = [instrument.symbol for instrument in instruments]
    if len(set(symbols)) != len(symbols):
        raise ValueError(f"duplicate symbols in {specs!r}")
    if not instruments:
        raise ValueError("no symbols given")
    return instruments


def split_venue_id(venue_id: str) -> tuple[str, str]:
    """Split a Binance id such as ``BTCUSDT`` into ``("BTC", "USDT")``.

    Raises:
        ValueError: no known quote asset ends the id.
    """
    upper = venue_id.upper()
    for quote in KNOWN_QUOTES:
        if upper.endswith(quote) and len(upper) > len(quote):
            return upper[: -len(quote)], quote
    raise ValueError(f"cannot split {venue_id!r} into base and quote assets")


def format_decimal(value: float, decimals: int) -> str:
    """Binance's fixed-point text: spot prices and sizes carry 8 decimals (``"0.00100000"``)."""
    return f"{value:.{max(decimals, 8)}f}"


class DecimalText:
    """One instrument's prices and sizes as the venue's fixed-point text (see :func:`format_decimal`)."""

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self._price_decimals = instrument.price_decimals
        self._size_decimals = instrument.size_decimals

    def price(self, value: float) -> str:
        return format_decimal(value, self._price_decimals)

    def size(self, value: float) -> str:
        return format_decimal(value, self._size_decimals)
