"""Coinbase Exchange ``GET /products`` and ``GET /currencies`` objects, as ccxt's ``coinbaseexchange`` reads them."""

from __future__ import annotations

from typing import Final

import msgspec

from connectors.simulator.instruments import Instrument, decimals_of

FIAT: Final = frozenset({"USD", "EUR", "GBP"})
NAMES: Final = {
    "BTC": "Bitcoin", "ETH": "Ethereum", "SOL": "Solana", "XRP": "XRP", "DOGE": "Dogecoin",
    "ADA": "Cardano", "BNB": "BNB", "USDT": "Tether", "USDC": "USD Coin", "USD": "United States Dollar",
    "EUR": "Euro", "GBP": "British Pound",
}  # fmt: skip
MIN_MARKET_FUNDS: Final = "1"
MAX_MARKET_FUNDS: Final = "10000000"


class Product(msgspec.Struct, frozen=True):
    """One trading pair of ``GET /products`` (and ``GET /products/<id>``)."""

    id: str  # "BTC-USDT": ccxt splits it on "-" into base and quote
    base_currency: str
    quote_currency: str
    quote_increment: str  # price tick
    base_increment: str  # size step
    display_name: str  # "BTC/USDT"
    min_market_funds: str  # smallest market order, in quote units
    margin_enabled: bool
    post_only: bool
    limit_only: bool
    cancel_only: bool
    status: str  # "online"
    status_message: str
    trading_disabled: bool
    fx_stablecoin: bool
    max_slippage_percentage: str
    auction_mode: bool
    high_bid_limit_percentage: str


class CurrencyDetails(msgspec.Struct, frozen=True):
    type: str  # "crypto" or "fiat"
    symbol: str | None
    network_confirmations: int
    sort_order: int
    crypto_address_link: str
    crypto_transaction_link: str
    push_payment_methods: list[str]
    group_types: list[str]
    display_name: str | None
    processing_time_seconds: int | None
    min_withdrawal_amount: float
    max_withdrawal_amount: float


class Currency(msgspec.Struct, frozen=True):
    """One asset of ``GET /currencies``."""

    id: str
    name: str
    min_size: str
    status: str  # "online"
    message: str
    max_precision: str
    convertible_to: list[str]
    details: CurrencyDetails
    default_network: str
    supported_networks: list[str]  # empty: the simulator has no deposits or withdrawals
    display_name: str


def increment(value: float) -> str:
    """A power-of-ten increment as Coinbase writes it: ``0.01`` -> ``"0.01"``, ``1.0`` -> ``"1"``."""
    return f"{value:.{decimals_of(value)}f}"


def product(instrument: Instrument) -> Product:
    """The product object of an instrument; its id is the normalised symbol."""
    return Product(
        id=instrument.symbol,
        base_currency=instrument.base,
        quote_currency=instrument.quote,
        quote_increment=increment(instrument.tick_size),
        base_increment=increment(instrument.step_size),
        display_name=f"{instrument.base}/{instrument.quote}",
        min_market_funds=MIN_MARKET_FUNDS,
        margin_enabled=False,
        post_only=False,
        limit_only=False,
        cancel_only=False,
        status="online",
        status_message="",
        trading_disabled=False,
        fx_stablecoin=False,
        max_slippage_percentage="0.03000000",
        auction_mode=False,
        high_bid_limit_percentage="",
    )


def currency(code: str, sort_order: int) -> Currency:
    """The currency object of an asset code."""
    fiat = code in FIAT
    name = NAMES.get(code, code)
    return Currency(
        id=code,
        name=name,
        min_size="0.01" if fiat else "0.00000001",
        status="online",
        message="",
        max_precision="0.01" if fiat else "0.00000001",
        convertible_to=[],
        details=CurrencyDetails(
            type="fiat" if fiat else "crypto",
            symbol="$" if code == "USD" else None,
            network_confirmations=0 if fiat else 2,
            sort_order=sort_order,
            crypto_address_link="",
            crypto_transaction_link="",
            push_payment_methods=[],
            group_types=[],
            display_name=None,
            processing_time_seconds=None,
            min_withdrawal_amount=0.0,
            max_withdrawal_amount=0.0,
        ),
        default_network="" if fiat else code.lower(),
        supported_networks=[],
        display_name=code,
    )


def currencies(instruments: list[Instrument]) -> list[Currency]:
    """Every base and quote asset of ``instruments``, each once, in order of appearance."""
    codes = dict.fromkeys(code for instrument in instruments for code in (instrument.base, instrument.quote))
    return [currency(code, order) for order, code in enumerate(codes)]
