"""``GET /api/v3/exchangeInfo`` in Binance's current spot shape, as ccxt's ``fetch_markets`` parses it."""

from __future__ import annotations

from typing import Any

from connectors.simulator.instruments import Instrument, format_decimal

ORDER_TYPES = ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"]
SELF_TRADE_PREVENTION_MODES = ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT"]
RATE_LIMITS: list[dict[str, Any]] = [
    {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
    {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
    {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200000},
    {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61000},
]
MIN_NOTIONAL = 5.0


def symbol_filters(instrument: Instrument) -> list[dict[str, Any]]:
    """The filters of one symbol; tick and step sizes come from the instrument."""
    price, size = instrument.price_decimals, instrument.size_decimals
    return [
        {
            "filterType": "PRICE_FILTER",
            "minPrice": format_decimal(instrument.tick_size, price),
            "maxPrice": format_decimal(instrument.start_price * 100_000, price),
            "tickSize": format_decimal(instrument.tick_size, price),
        },
        {
            "filterType": "LOT_SIZE",
            "minQty": format_decimal(instrument.step_size, size),
            "maxQty": format_decimal(9_000.0 if instrument.start_price > 1_000 else 9_000_000.0, size),
            "stepSize": format_decimal(instrument.step_size, size),
        },
        {"filterType": "ICEBERG_PARTS", "limit": 10},
        {
            "filterType": "MARKET_LOT_SIZE",
            "minQty": format_decimal(0.0, size),
            "maxQty": format_decimal(100.0 if instrument.start_price > 1_000 else 100_000.0, size),
            "stepSize": format_decimal(0.0, size),
        },
        {
            "filterType": "TRAILING_DELTA",
            "minTrailingAboveDelta": 10,
            "maxTrailingAboveDelta": 2000,
            "minTrailingBelowDelta": 10,
            "maxTrailingBelowDelta": 2000,
        },
        {
            "filterType": "PERCENT_PRICE_BY_SIDE",
            "bidMultiplierUp": "5",
            "bidMultiplierDown": "0.2",
            "askMultiplierUp": "5",
            "askMultiplierDown": "0.2",
            "avgPriceMins": 5,
        },
        {
            "filterType": "NOTIONAL",
            "minNotional": format_decimal(MIN_NOTIONAL, 8),
            "applyMinToMarket": True,
            "maxNotional": format_decimal(9_000_000.0, 8),
            "applyMaxToMarket": False,
            "avgPriceMins": 5,
        },
        {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
        {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5},
    ]


def symbol_info(instrument: Instrument) -> dict[str, Any]:
    """One entry of ``symbols``."""
    return {
        "symbol": instrument.venue_id,
        "status": "TRADING",
        "baseAsset": instrument.base,
        "baseAssetPrecision": 8,
        "quoteAsset": instrument.quote,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "baseCommissionPrecision": 8,
        "quoteCommissionPrecision": 8,
        "orderTypes": ORDER_TYPES,
        "icebergAllowed": True,
        "ocoAllowed": True,
        "otoAllowed": True,
        "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": True,
        "cancelReplaceAllowed": True,
        "amendAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": symbol_filters(instrument),
        "permissions": [],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": SELF_TRADE_PREVENTION_MODES,
    }


def exchange_info(instruments: list[Instrument], server_time_ms: int) -> dict[str, Any]:
    """The whole ``exchangeInfo`` document for ``instruments``."""
    return {
        "timezone": "UTC",
        "serverTime": server_time_ms,
        "rateLimits": RATE_LIMITS,
        "exchangeFilters": [],
        "symbols": [symbol_info(instrument) for instrument in instruments],
    }
