"""Klines (``GET /api/v3/klines``) aggregated from a symbol's trade history, pure."""

from __future__ import annotations

from typing import Any

from connectors.simulator.history import TradeHistory
from connectors.simulator.wire import WireFormatter

_SECOND, _MINUTE, _HOUR, _DAY = 1_000, 60_000, 3_600_000, 86_400_000
#: Binance's spot intervals (except ``1M``) in ms.
INTERVALS: dict[str, int] = {
    "1s": _SECOND, "1m": _MINUTE, "3m": 3 * _MINUTE, "5m": 5 * _MINUTE, "15m": 15 * _MINUTE,
    "30m": 30 * _MINUTE, "1h": _HOUR, "2h": 2 * _HOUR, "4h": 4 * _HOUR, "6h": 6 * _HOUR,
    "8h": 8 * _HOUR, "12h": 12 * _HOUR, "1d": _DAY, "3d": 3 * _DAY, "1w": 7 * _DAY,
}  # fmt: skip
#: Weekly klines open on Monday 00:00 UTC; the epoch was a Thursday.
_WEEK_OFFSET = 4 * _DAY


def open_time(time_ms: int, interval_ms: int) -> int:
    """Open time of the kline of ``interval_ms`` that holds ``time_ms``."""
    offset = _WEEK_OFFSET if interval_ms == INTERVALS["1w"] else 0
    return (time_ms - offset) // interval_ms * interval_ms + offset


def klines(
    history: TradeHistory,
    formatter: WireFormatter,
    interval_ms: int,
    now_ms: int,
    start_ms: int | None = None,
    end_ms: int | None = None,
    limit: int = 500,
) -> list[list[Any]]:
    """Binance kline rows, oldest first, over the retained history.

    Without ``start_ms`` the last ``limit`` klines up to ``end_ms`` (or now) are returned. A
    kline with no trades repeats the previous close with zero volume; klines before the oldest
    retained trade are left out.
    """
    first_trade = history.first
    if first_trade is None:
        return []
    last_open = open_time(min(end_ms, now_ms) if end_ms is not None else now_ms, interval_ms)
    if start_ms is not None:
        first_open = open_time(start_ms, interval_ms)
        last_open = min(last_open, first_open + (limit - 1) * interval_ms)
    else:
        first_open = last_open - (limit - 1) * interval_ms
    first_open = max(first_open, open_time(first_trade.time_ms, interval_ms))
    trades = history.between(first_open, last_open + interval_ms - 1)
    rows: list[list[Any]] = []
    index, previous_close = 0, trades[0].price if trades else first_trade.price
    for bucket in range(first_open, last_open + 1, interval_ms):
        high = low = close = open_ = previous_close
        volume = quote_volume = taker_volume = taker_quote = 0.0
        count = 0
        while index < len(trades) and trades[index].time_ms < bucket + interval_ms:
            trade = trades[index]
            if count == 0:
                open_ = high = low = trade.price
            high, low, close = max(high, trade.price), min(low, trade.price), trade.price
            volume += trade.size
            quote_volume += trade.price * trade.size
            if not trade.buyer_is_maker:
                taker_volume += trade.size
                taker_quote += trade.price * trade.size
            count += 1
            index += 1
        previous_close = close
        price, size = formatter.price, formatter.size
        rows.append([
            bucket, price(open_), price(high), price(low), price(close), size(volume),
            bucket + interval_ms - 1, price(quote_volume), count, size(taker_volume), price(taker_quote), "0",
        ])  # fmt: skip
    return rows
