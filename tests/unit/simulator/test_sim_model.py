"""The synthetic market model: determinism, ids, book invariants and statistical sanity."""

from __future__ import annotations

import math

import numpy as np
import pytest

from connectors.simulator.instruments import make_instrument
from connectors.simulator.model import SECONDS_PER_YEAR, MarketModel, ModelParams

START_MS = 1_700_000_000_000
BTC = make_instrument("BTC-USDT")


def run(params: ModelParams, seconds: float, seed: int = 1, steps: int = 1) -> list[tuple[object, object]]:
    model = MarketModel(BTC, params, seed, START_MS)
    events = []
    for step in range(1, steps + 1):
        events.extend(model.advance_to(START_MS + seconds * 1000 * step / steps))
    return events


def test_same_seed_gives_same_market() -> None:
    assert run(ModelParams(rate=50), 20, seed=3) == run(ModelParams(rate=50), 20, seed=3)


def test_different_seeds_give_different_markets() -> None:
    assert run(ModelParams(rate=50), 20, seed=3) != run(ModelParams(rate=50), 20, seed=4)


def test_events_do_not_depend_on_how_the_clock_is_advanced() -> None:
    assert run(ModelParams(rate=50), 20, steps=1) == run(ModelParams(rate=50), 20, steps=997)


def test_symbols_get_independent_streams_from_one_seed() -> None:
    btc = MarketModel(BTC, ModelParams(rate=50), 1, START_MS).advance_to(START_MS + 5_000)
    eth = MarketModel(make_instrument("ETH-USDT"), ModelParams(rate=50), 1, START_MS).advance_to(START_MS + 5_000)
    assert [trade.time_ms for trade, _ in btc] != [trade.time_ms for trade, _ in eth]


def test_trade_ids_are_sequential_from_one_and_times_non_decreasing() -> None:
    events = run(ModelParams(rate=200), 30, steps=50)
    trades = [trade for trade, _ in events]
    assert [trade.trade_id for trade in trades] == list(range(1, len(trades) + 1))
    assert [quote.update_id for _, quote in events] == list(range(1, len(trades) + 1))
    times = [trade.time_ms for trade in trades]
    assert times == sorted(times) and times[0] >= START_MS


def test_max_trades_bounds_one_call() -> None:
    model = MarketModel(BTC, ModelParams(rate=1000), 1, START_MS)
    assert len(model.advance_to(START_MS + 10_000, max_trades=7)) == 7
    assert model.last_trade_id == 7


def test_spread_is_positive_and_trades_print_at_the_touch() -> None:
    events = run(ModelParams(rate=500, volatility=2.0, jumps_per_day=5000, jump_stdev=0.02), 60)
    assert len(events) > 10_000
    for trade, quote in events:
        assert quote.ask_price > quote.bid_price > 0
        assert trade.price == (quote.bid_price if trade.buyer_is_maker else quote.ask_price)
        assert trade.size > 0 and quote.bid_size > 0 and quote.ask_size > 0
        ticks = trade.price / BTC.tick_size
        assert abs(ticks - round(ticks)) < 1e-6


def test_mean_rate_matches_configuration_and_arrivals_are_bursty() -> None:
    events = run(ModelParams(rate=100, branching=0.7, decay=5.0), 600)
    assert len(events) / 600 == pytest.approx(100, rel=0.15)
    seconds = np.array([(trade.time_ms - START_MS) // 1000 for trade, _ in events])
    counts = np.bincount(seconds, minlength=600)
    assert counts.var() > 2 * counts.mean()  # a Poisson process would give var == mean


def test_poisson_arrivals_without_branching() -> None:
    events = run(ModelParams(rate=100, branching=0.0), 300)
    seconds = np.array([(trade.time_ms - START_MS) // 1000 for trade, _ in events])
    counts = np.bincount(seconds, minlength=300)
    assert counts.mean() == pytest.approx(100, rel=0.05)
    assert counts.var() == pytest.approx(counts.mean(), rel=0.3)


def test_log_returns_match_drift_and_volatility() -> None:
    drift, volatility = 40.0, 8.0  # per year: large, so a short simulated run measures them
    params = ModelParams(rate=0.5, branching=0.0, drift=drift, volatility=volatility, jumps_per_day=0)
    model = MarketModel(BTC, params, 5, START_MS)
    dt = 60.0
    log_mids = [math.log(model.mid)]
    for minute in range(1, 2001):
        model.advance_to(START_MS + minute * dt * 1000)
        log_mids.append(math.log(model.mid))
    returns = np.diff(log_mids)
    dt_years = dt / SECONDS_PER_YEAR
    assert returns.std() / math.sqrt(dt_years) == pytest.approx(volatility, rel=0.1)
    expected_mean = (drift - volatility**2 / 2) * dt_years
    assert abs(returns.mean() - expected_mean) < 4 * returns.std() / math.sqrt(len(returns))


def test_jump_count_matches_intensity() -> None:
    params = ModelParams(rate=5, jumps_per_day=86_400 / 10, volatility=0.0)  # one jump per 10 s
    model = MarketModel(BTC, params, 9, START_MS)
    model.advance_to(START_MS + 3_600_000)
    assert model.jumps == pytest.approx(360, rel=0.2)


def test_zero_rate_yields_nothing() -> None:
    model = MarketModel(BTC, ModelParams(rate=0), 1, START_MS)
    assert model.advance_to(START_MS + 10**9) == [] and math.isinf(model.next_time_ms)


@pytest.mark.parametrize("bad", [{"rate": -1}, {"branching": 1.0}, {"mean_spread_ticks": 0.5}, {"decay": 0}])
def test_invalid_parameters_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        ModelParams(**bad)
