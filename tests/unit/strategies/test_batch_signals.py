"""batch_signals: which rows it reads, optional columns and refusals."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl
import pytest
from strategy_bars import MINUTE_NS, bars_frame, closes_to_bars, random_bars, stream

import indicators
from nashipai.events import Bar, Side, Signal
from pipelines.strategies import IndicatorSpec, Strategy, StrategyConfig, batch_signals
from pipelines.strategies.batch import indicator_arrays
from pipelines.strategies.ema_cross import EmaCrossParams

EMA_CROSS = StrategyConfig("fast_ema", "ema_cross", "1m", ("*",), EmaCrossParams(fast_period=2, slow_period=3))
CROSSING_CLOSES = [10, 10, 10, 10, 10, 12, 8]  # a buy on bar 5, a sell on bar 6 (see the built-in tests)


def test_only_the_config_timeframe_and_instruments_are_read() -> None:
    config = StrategyConfig("fast_ema", "ema_cross", "1m", ("binance:BTC-USDT",), EMA_CROSS.params)
    frame = pl.concat(
        [
            bars_frame(closes_to_bars(CROSSING_CLOSES)),
            bars_frame(closes_to_bars(CROSSING_CLOSES, symbol="ETH-USDT")),
            bars_frame(closes_to_bars(CROSSING_CLOSES, timeframe="5m")),
        ]
    )
    signals = batch_signals(frame, config)
    assert [(s.symbol, s.timeframe, s.side) for s in signals] == [
        ("BTC-USDT", "1m", Side.BUY),
        ("BTC-USDT", "1m", Side.SELL),
    ]


def test_the_highest_revision_of_a_bar_wins() -> None:
    frame = bars_frame(closes_to_bars(CROSSING_CLOSES)).with_columns(revision=pl.lit(0))
    superseded = frame.filter(pl.col("ts") == 5 * MINUTE_NS).with_columns(close=pl.lit(10.0), revision=pl.lit(1))
    signals = batch_signals(pl.concat([frame, superseded]), EMA_CROSS)
    # Bar 5 corrected to 10: no buy there; the drop to 8 on bar 6 still crosses below.
    assert [(s.ts_event, s.side) for s in signals] == [(6 * MINUTE_NS, Side.SELL)]


def test_two_rows_for_one_bar_without_revision_are_refused() -> None:
    frame = bars_frame(closes_to_bars(CROSSING_CLOSES))
    with pytest.raises(ValueError, match=f"binance:BTC-USDT has several bars at ts {2 * MINUTE_NS}"):
        batch_signals(pl.concat([frame, frame.slice(2, 1)]), EMA_CROSS)


def test_missing_columns_and_bad_ts_types_are_refused() -> None:
    frame = bars_frame(closes_to_bars(CROSSING_CLOSES))
    with pytest.raises(ValueError, match=r"lack columns \['vwap'\]"):
        batch_signals(frame.drop("vwap"), EMA_CROSS)
    with pytest.raises(ValueError, match="ts must be integer ns or a Datetime, got String"):
        batch_signals(frame.with_columns(pl.col("ts").cast(pl.String)), EMA_CROSS)


def test_receive_time_defaults_to_the_bar_close_and_run_id_can_be_set() -> None:
    frame = bars_frame(closes_to_bars(CROSSING_CLOSES)).drop("ts_recv")
    buy, _ = batch_signals(frame, EMA_CROSS, run_id="backtest-1")
    assert (buy.ts_event, buy.ts_recv, buy.run_id) == (5 * MINUTE_NS, 6 * MINUTE_NS, "backtest-1")
    assert buy.signal_id == "fast_ema:binance:BTC-USDT:1m:300000000000"


class HlcFactoryOnly(Strategy):
    """A custom strategy whose spec has a factory and no batch function: sells when ATR rises above 1."""

    name = "atr_above_one"

    def __init__(self, params: object = None, instance: str | None = None) -> None:
        super().__init__(None, instance)
        self.previous = float("nan")

    def indicators(self) -> Mapping[str, IndicatorSpec]:
        return {"atr": IndicatorSpec(lambda: indicators.ATR(timeperiod=3), ("atr",), "hlc")}

    def on_bar(self, bar: Bar, values: Mapping[str, float]) -> Signal | None:
        previous, self.previous = self.previous, values["atr"]
        if previous <= 1.0 < values["atr"]:
            return self.signal(bar, Side.SELL, values)
        return None


def test_a_spec_without_batch_function_runs_as_one_array_update() -> None:
    config = StrategyConfig("atr", f"{__name__}:HlcFactoryOnly", "1m", ("*",), HlcFactoryOnly.Params())
    bars = random_bars(3, 300)
    streamed = stream(config.build(), bars)
    assert streamed
    assert batch_signals(bars_frame(bars), config) == streamed


def test_indicator_arrays_match_the_library_batch_function() -> None:
    close = np.linspace(1.0, 50.0, 60)
    spec = IndicatorSpec.of("macd", ("m", "s", "h"), fastperiod=3, slowperiod=8, signalperiod=4)
    arrays = indicator_arrays(spec, {"close": close})
    for name, expected in zip("msh", indicators.macd(close, 3, 8, 4), strict=True):
        np.testing.assert_array_equal(arrays[name], expected)


def test_indicator_spec_of_checks_names_and_arity() -> None:
    with pytest.raises(ValueError, match="unknown indicator 'emaa'"):
        IndicatorSpec.of("emaa", ("x",))
    with pytest.raises(ValueError, match="atr: takes 3 inputs"):
        IndicatorSpec.of("atr", ("atr",), "close")
    with pytest.raises(ValueError, match="macd: has 3 outputs"):
        IndicatorSpec.of("macd", ("macd",))
