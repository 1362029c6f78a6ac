"""A resumed instrument follows the current strategy config without losing unchanged state."""

from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from pipelines.signals import Chunk, InstrumentLogic, SignalsOptions, load_kernels
from pipelines.strategies.config import loads_config
from tests.unit.pipelines.test_bars import random_trades

EMA = """
[[strategy]]
name = "ema"
class = "ema_cross"
timeframe = "1s"
instruments = ["*"]
params = { fast_period = 3, slow_period = 8 }
"""
RSI_5S = """
[[strategy]]
name = "rsi"
class = "rsi_reversion"
timeframe = "5s"
instruments = ["*"]
params = { period = 5 }
"""


def _options(text: str) -> SignalsOptions:
    return SignalsOptions(strategies=tuple(loads_config(text, "test.toml")), timeframes=("1s",), quiet_timeout=None)


def test_resume_with_a_changed_config_keeps_unchanged_strategies_and_adds_new_ones() -> None:
    trades = random_trades(400, seed=3)
    logic = InstrumentLogic("binance:BTC-USDT", _options(EMA), None, None)
    logic.on_item(Chunk(trades[:300], list(range(300)), "md.trades/0"))
    snapshot = pickle.loads(pickle.dumps(logic.snapshot()))
    ema_state_before = pickle.dumps(snapshot.runners[0].feeds)

    resumed = InstrumentLogic("binance:BTC-USDT", _options(EMA + RSI_5S), None, snapshot)
    names = [runner.strategy.instance for runner in resumed.state.runners]
    assert names == ["ema", "rsi"]
    assert pickle.dumps(resumed.state.runners[0].feeds) == ema_state_before  # kept, not rebuilt
    assert [label for label, _ in resumed.state.builder.timeframes] == ["1s", "5s"]
    emissions, _ = resumed.on_item(Chunk(trades[300:], list(range(300, 400)), "md.trades/0"))
    assert {bar.timeframe for emission in emissions for bar in emission.bars} == {"1s", "5s"}

    dropped = InstrumentLogic("binance:BTC-USDT", _options(RSI_5S), None, pickle.loads(pickle.dumps(snapshot)))
    assert [runner.strategy.instance for runner in dropped.state.runners] == ["rsi"]


def test_uninterrupted_and_resumed_runs_give_the_same_signals() -> None:
    trades = random_trades(2_000, seed=8, spacing_ms=300)
    whole = InstrumentLogic("binance:BTC-USDT", _options(EMA), None, None)
    expected = [s.signal_id for e in whole.on_item(Chunk(trades, list(range(2_000)), "p"))[0] for s in e.signals]

    first = InstrumentLogic("binance:BTC-USDT", _options(EMA), None, None)
    got = [s.signal_id for e in first.on_item(Chunk(trades[:900], list(range(900)), "p"))[0] for s in e.signals]
    state = pickle.loads(pickle.dumps(first.snapshot()))
    second = InstrumentLogic("binance:BTC-USDT", _options(EMA), None, state)
    got += [s.signal_id for e in second.on_item(Chunk(trades[900:], list(range(900, 2_000)), "p"))[0]
            for s in e.signals]
    assert got == expected and len(expected) > 5


def test_kernel_loading_runs_every_strategy_even_those_trading_other_instruments() -> None:
    only_btc = EMA.replace('instruments = ["*"]', 'instruments = ["binance:BTC-USDT"]')
    options = _options(only_btc + RSI_5S)
    # Synthetic trades close bars of every timeframe: both strategies see 40 bars and the EMA
    # crossover of the zigzag prices fires; nothing reaches Kafka or QuestDB (no settings).
    assert load_kernels(options) > 0


def test_a_quiet_bar_is_due_after_the_timeout_never_before_and_then_closes() -> None:
    options = replace(_options(EMA), quiet_timeout=timedelta(seconds=2))
    logic = InstrumentLogic("binance:BTC-USDT", options, None, None)
    assert logic.notify_at() is None  # nothing open yet
    trades = random_trades(50, seed=5)
    for start in range(0, 50, 10):
        logic.on_item(Chunk(trades[start : start + 10], list(range(start, start + 10)), "p"))
        due = logic.notify_at()
        assert due is not None
        last = datetime.fromtimestamp(logic.state.last_item_wall, UTC)
        assert last + timedelta(seconds=2) <= due <= last + timedelta(seconds=2, milliseconds=50)

    open_start = logic.state.builder.open_starts()[0]
    emissions, _ = logic.on_notify()  # the bars of these (old) trades ended long before now
    closed = [bar for emission in emissions for bar in emission.bars]
    assert [bar.ts_event for bar in closed] == [open_start]
    assert logic.notify_at() is None  # nothing left open
