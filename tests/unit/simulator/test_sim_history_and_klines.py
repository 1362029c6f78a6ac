"""Bounded trade history and klines aggregated from it."""

from __future__ import annotations

from connectors.simulator.history import TradeHistory
from connectors.simulator.instruments import make_instrument
from connectors.simulator.klines import INTERVALS, klines, open_time
from connectors.simulator.model import SimTrade
from connectors.simulator.wire import WireFormatter

T0 = 1_700_000_040_000  # a minute boundary


def trades(first_id: int, count: int, start_ms: int = T0, spacing_ms: int = 1000) -> list[SimTrade]:
    return [
        SimTrade(trade_id, 100.0 + trade_id % 7, 0.5, trade_id % 2 == 0, start_ms + (trade_id - first_id) * spacing_ms)
        for trade_id in range(first_id, first_id + count)
    ]


def test_history_keeps_the_last_capacity_trades() -> None:
    history = TradeHistory(capacity=100)
    for chunk in range(10):
        history.extend(trades(chunk * 50 + 1, 50))
    assert len(history) == 100 and history.first_id == 401 and history.last is not None
    assert history.last.trade_id == 500
    assert [trade.trade_id for trade in history.recent(3)] == [498, 499, 500]


def test_history_from_id_and_between() -> None:
    history = TradeHistory(capacity=100)
    history.extend(trades(1, 300))
    assert [trade.trade_id for trade in history.from_id(250, 5)] == [250, 251, 252, 253, 254]
    assert history.from_id(5, 2)[0].trade_id == 201  # older than retained: from the oldest
    assert history.from_id(301, 10) == []
    window = history.between(T0 + 210_000, T0 + 212_000)
    assert [trade.trade_id for trade in window] == [211, 212, 213]
    assert len(history.between(None, None, limit=7)) == 7


def test_week_klines_open_on_monday() -> None:
    assert open_time(1_700_000_000_000, INTERVALS["1w"]) == 1_699_833_600_000  # Mon 2023-11-13 00:00 UTC


def test_klines_aggregate_and_fill_empty_intervals() -> None:
    history = TradeHistory()
    history.extend(trades(1, 60, spacing_ms=1000))  # one minute of trades
    history.extend(trades(61, 1, start_ms=T0 + 180_000))  # then a lone trade three minutes in
    formatter = WireFormatter(make_instrument("SOL-USDT", 100.0))
    rows = klines(history, formatter, INTERVALS["1m"], now_ms=T0 + 200_000, start_ms=T0)
    assert [row[0] for row in rows] == [T0, T0 + 60_000, T0 + 120_000, T0 + 180_000]
    first = rows[0]
    assert first[6] == T0 + 59_999 and first[8] == 60
    assert float(first[5]) == 30.0 and float(first[9]) == 15.0  # volume, taker-buy volume
    assert float(first[2]) == 106.0 and float(first[3]) == 100.0
    assert rows[1][8] == 0 and rows[1][1] == rows[1][4] == first[4]  # empty: previous close
    assert rows[3][8] == 1
    latest = klines(history, formatter, INTERVALS["1m"], now_ms=T0 + 200_000, limit=2)
    assert [row[0] for row in latest] == [T0 + 120_000, T0 + 180_000]
