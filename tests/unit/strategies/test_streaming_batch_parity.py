"""Streaming (indicator states bar by bar) == batch (indicator arrays over the series), and
recovery (pickling a runner mid-stream) changes nothing."""

from __future__ import annotations

import pickle

import polars as pl
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from strategy_bars import assert_same_signals, bars_frame, random_bars, stream

from pipelines.strategies import StrategyConfig, StrategyRunner, batch_signals
from pipelines.strategies.base import StrategyParams
from pipelines.strategies.bollinger_breakout import BollingerBreakoutParams
from pipelines.strategies.ema_cross import EmaCrossParams
from pipelines.strategies.macd_cross import MacdCrossParams
from pipelines.strategies.rsi_reversion import RsiReversionParams

PARITY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def configs(draw: st.DrawFn) -> StrategyConfig:
    """A built-in with short random periods, so a few hundred bars give many signals."""
    fast = draw(st.integers(2, 8))
    slow = draw(st.integers(fast + 1, 16))
    params: StrategyParams = draw(
        st.sampled_from(
            [
                EmaCrossParams(fast_period=fast, slow_period=slow),
                MacdCrossParams(fast_period=fast, slow_period=slow, signal_period=draw(st.integers(2, 6))),
                RsiReversionParams(period=draw(st.integers(2, 10)), oversold=40.0, overbought=60.0),
                BollingerBreakoutParams(period=draw(st.integers(2, 12)), nbdev=draw(st.sampled_from([0.5, 1.0, 2.0]))),
            ]
        )
    )
    class_path = {
        EmaCrossParams: "ema_cross",
        MacdCrossParams: "macd_cross",
        RsiReversionParams: "rsi_reversion",
        BollingerBreakoutParams: "bollinger_breakout",
    }[type(params)]
    return StrategyConfig("under_test", class_path, "1m", ("*",), params)


@PARITY
@given(config=configs(), seed=st.integers(0, 2**32 - 1), n=st.integers(1, 300), grid=st.sampled_from([0.0, 0.5]))
def test_batch_signals_equal_streaming_signals(config: StrategyConfig, seed: int, n: int, grid: float) -> None:
    bars = random_bars(seed, n, grid=grid)
    streamed = stream(config.build(), bars)
    event("signals" if streamed else "no signal")

    assert_same_signals(batch_signals(bars_frame(bars), config), streamed)


@PARITY
@given(config=configs(), seed=st.integers(0, 2**32 - 1))
def test_batch_signals_treat_each_instrument_separately(config: StrategyConfig, seed: int) -> None:
    btc = random_bars(seed, 120, symbol="BTC-USDT")
    eth = random_bars(seed + 1, 90, exchange="kraken", symbol="ETH-USD")
    expected = sorted(
        stream(config.build(), btc) + stream(config.build(), eth),
        key=lambda signal: (signal.ts_event, signal.exchange, signal.symbol),
    )
    event("signals on both" if {signal.symbol for signal in expected} == {"BTC-USDT", "ETH-USD"} else "not on both")
    shuffled = bars_frame(btc + eth).sample(fraction=1.0, shuffle=True, seed=seed)

    assert_same_signals(batch_signals(shuffled, config), expected)


@PARITY
@given(config=configs(), seed=st.integers(0, 2**32 - 1), n=st.integers(2, 200), data=st.data())
def test_a_runner_pickled_mid_stream_continues_identically(
    config: StrategyConfig, seed: int, n: int, data: st.DataObject
) -> None:
    bars = random_bars(seed, n)
    cut = data.draw(st.integers(1, n - 1))
    runner = StrategyRunner(config.build())
    before = [signal for bar in bars[:cut] if (signal := runner.on_bar(bar)) is not None]

    restored: StrategyRunner = pickle.loads(pickle.dumps(runner))
    after = [signal for bar in bars[cut:] if (signal := restored.on_bar(bar)) is not None]

    assert before + after == stream(config.build(), bars)


def test_batch_signals_accept_datetime_bar_times() -> None:
    config = StrategyConfig("under_test", "ema_cross", "1m", ("*",), EmaCrossParams(fast_period=3, slow_period=7))
    bars = random_bars(7, 200)
    frame = bars_frame(bars)
    as_datetime = frame.with_columns(pl.from_epoch(pl.col("ts"), time_unit="ns").dt.replace_time_zone("UTC"))

    signals = batch_signals(as_datetime, config)
    assert signals
    assert_same_signals(signals, batch_signals(frame, config))
