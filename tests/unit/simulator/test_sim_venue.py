"""The venue: max_trades bounds, skip_ids hiding trades from broadcast but not from history, rebasing."""

from __future__ import annotations

import pytest

from connectors.simulator.instruments import make_instrument
from connectors.simulator.model import MarketModel, ModelParams
from connectors.simulator.venue import Venue

T0 = 1_700_000_000_000


def venue(max_trades: int | None = None) -> Venue:
    sources = [
        MarketModel(make_instrument(symbol), ModelParams(rate=100), 1, T0) for symbol in ("BTC-USDT", "ETH-USDT")
    ]
    return Venue(sources, history_size=1000, max_trades=max_trades)


def test_max_trades_stops_each_symbol_exactly() -> None:
    market = venue(max_trades=250)
    for second in range(1, 20):
        market.step(T0 + second * 1000)
    assert market.done
    for book in market.books.values():
        assert book.stats.trades_emitted == 250 == book.stats.last_trade_id == len(book.history)


def test_skip_ids_hides_trades_from_broadcast_but_keeps_them_in_history() -> None:
    market = venue()
    market.step(T0 + 1000)
    market.skip_ids(5, "BTC-USDT")
    broadcast: list[int] = []
    for millisecond in range(1001, 3000, 7):
        for update in market.step(T0 + millisecond):
            if update.book.instrument.symbol == "BTC-USDT":
                broadcast.extend(trade.trade_id for trade in update.trades)
    btc = market.books["BTC-USDT"]
    first = btc.history.from_id(1, 10_000)
    hidden = sorted(
        {trade.trade_id for trade in first} - set(broadcast) - {t.trade_id for t in first if t.time_ms <= T0 + 1000}
    )
    assert len(hidden) == 5 and hidden == list(range(hidden[0], hidden[0] + 5))
    assert btc.stats.trades_skipped == 5 and market.books["ETH-USDT"].stats.trades_skipped == 0


def test_rebase_moves_the_clock_only_before_the_first_trade() -> None:
    market = venue()
    market.rebase(T0 + 60_000)
    assert market.step(T0 + 59_000) == []
    assert market.step(T0 + 61_000)
    with pytest.raises(RuntimeError):
        market.rebase(T0)
    with pytest.raises(KeyError):
        market.skip_ids(1, "DOGE-USDT")
