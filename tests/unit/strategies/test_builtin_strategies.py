"""Each built-in strategy on crafted closes: the expected signal on the expected bar, none in warm-up."""

from __future__ import annotations

import math

import pytest
from strategy_bars import MINUTE_NS, closes_to_bars, stream

from nashipai.events import Side
from pipelines.strategies import BUILTINS, Strategy, signal_id
from pipelines.strategies.bollinger_breakout import BollingerBreakout, BollingerBreakoutParams
from pipelines.strategies.ema_cross import EmaCross, EmaCrossParams
from pipelines.strategies.macd_cross import MacdCross, MacdCrossParams
from pipelines.strategies.rsi_reversion import RsiReversion, RsiReversionParams


def test_ema_cross_buys_on_the_cross_above_and_sells_on_the_cross_below() -> None:
    # EMA(2) and EMA(3) sit at 10; a jump to 12 lifts the fast one above, a drop to 8 below.
    strategy = EmaCross(EmaCrossParams(fast_period=2, slow_period=3), instance="fast_ema")
    buy, sell = stream(strategy, closes_to_bars([10, 10, 10, 10, 10, 12, 8]))

    assert buy.signal_id == "fast_ema:binance:BTC-USDT:1m:300000000000"
    assert buy.signal_id == signal_id("fast_ema", "binance", "BTC-USDT", "1m", 5 * MINUTE_NS)
    assert (buy.side, buy.strategy, buy.price, buy.ts_event) == (Side.BUY, "fast_ema", 12.0, 5 * MINUTE_NS)
    assert buy.indicators == pytest.approx({"ema_fast": 10 + 2 / 3 * 2, "ema_slow": 11.0})
    assert buy.strength == pytest.approx((34 / 3 - 11) / 11)
    assert sell.ts_event == 6 * MINUTE_NS
    assert sell.side is Side.SELL
    assert sell.indicators == pytest.approx({"ema_fast": 82 / 9, "ema_slow": 9.5})


def test_ema_cross_does_not_signal_on_the_first_bar_both_emas_exist() -> None:
    # On bar 2 the fast EMA (11.33) is above the slow one (10.67) but there was no "before".
    assert stream(EmaCross(EmaCrossParams(fast_period=2, slow_period=3)), closes_to_bars([10, 10, 12])) == []


def test_rsi_reversion_buys_leaving_oversold_and_sells_leaving_overbought() -> None:
    # RSI(3): 0, 0, then 33.3 on bar 5 (up through 30); 91.2 on bar 10, then 60.8 on bar 11.
    closes = [10, 9, 8, 7, 6, 7, 8, 9, 10, 11, 12, 11, 10]
    buy, sell = stream(RsiReversion(RsiReversionParams(period=3)), closes_to_bars(closes))

    assert (buy.side, buy.ts_event) == (Side.BUY, 5 * MINUTE_NS)
    assert buy.indicators["rsi"] == pytest.approx(100 / 3)
    assert buy.strength == pytest.approx(1 / 3)
    assert buy.signal_id == "rsi_reversion:binance:BTC-USDT:1m:300000000000"
    assert (sell.side, sell.ts_event) == (Side.SELL, 11 * MINUTE_NS)
    assert sell.indicators["rsi"] == pytest.approx(60.81390032007315)


def test_rsi_reversion_ignores_moves_that_stay_between_the_thresholds() -> None:
    closes = [10, 10.1, 10, 10.1, 10, 10.1, 10, 10.1, 10, 10.1]
    assert stream(RsiReversion(RsiReversionParams(period=3)), closes_to_bars(closes)) == []


def test_macd_cross_buys_and_sells_on_the_signal_line_crossings() -> None:
    strategy = MacdCross(MacdCrossParams(fast_period=2, slow_period=3, signal_period=2))
    buy, sell = stream(strategy, closes_to_bars([10, 10, 10, 10, 10, 10, 12, 12, 8, 8]))

    assert (buy.side, buy.ts_event) == (Side.BUY, 6 * MINUTE_NS)
    assert buy.indicators == pytest.approx({"macd": 1 / 3, "macd_signal": 2 / 9, "macd_hist": 1 / 9})
    assert buy.strength == pytest.approx((1 / 9) / 12)
    assert (sell.side, sell.ts_event) == (Side.SELL, 8 * MINUTE_NS)
    assert sell.indicators["macd_hist"] == pytest.approx(-0.25)


def test_bollinger_breakout_buys_above_the_upper_band_and_sells_below_the_lower() -> None:
    strategy = BollingerBreakout(BollingerBreakoutParams(period=3, nbdev=1.0))
    buy, sell = stream(strategy, closes_to_bars([10, 10, 10, 10, 13, 6]))

    # Bar 4: window 10, 10, 13 -> middle 11, deviation sqrt(2); the close 13 is above 11 + sqrt(2).
    assert (buy.side, buy.ts_event, buy.price) == (Side.BUY, 4 * MINUTE_NS, 13.0)
    assert buy.indicators == pytest.approx(
        {"bb_upper": 11 + math.sqrt(2), "bb_middle": 11.0, "bb_lower": 11 - math.sqrt(2)}
    )
    assert buy.strength == pytest.approx((2 - math.sqrt(2)) / (2 * math.sqrt(2)))
    assert (sell.side, sell.ts_event, sell.price) == (Side.SELL, 5 * MINUTE_NS, 6.0)


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_builtins_never_signal_during_warm_up(name: str) -> None:
    # Wild swings from the first bar: a strategy must wait until its indicators (and their
    # previous values) exist. Default periods: MACD is the longest at 26 + 9 - 2 bars.
    closes = [100.0 + (30.0 if index % 2 else -30.0) * (index % 5) for index in range(34)]
    strategy = BUILTINS[name]()
    warm_up = {"ema_cross": 26, "rsi_reversion": 15, "macd_cross": 34, "bollinger_breakout": 20}[name]
    assert all(signal.ts_event >= warm_up * MINUTE_NS for signal in stream(strategy, closes_to_bars(closes)))


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_builtins_ignore_nan_values(name: str) -> None:
    strategy: Strategy = BUILTINS[name]()
    names = [output for spec in strategy.indicators().values() for output in spec.outputs]
    bar = closes_to_bars([100.0])[0]
    assert [strategy.on_bar(bar, dict.fromkeys(names, math.nan)) for _ in range(3)] == [None, None, None]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        (lambda: EmaCrossParams(fast_period=26, slow_period=26), "fast_period"),
        (lambda: MacdCrossParams(fast_period=30), "fast_period"),
        (lambda: RsiReversionParams(oversold=70, overbought=30), "oversold"),
        (lambda: BollingerBreakoutParams(nbdev=0), "nbdev"),
        (lambda: EmaCrossParams(fast_period=1), "fast_period"),
    ],
)
def test_params_refuse_inconsistent_values(params: object, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        params()  # type: ignore[operator]


def test_a_strategy_refuses_params_of_another_class() -> None:
    with pytest.raises(TypeError, match="EmaCross needs EmaCrossParams, got RsiReversionParams"):
        EmaCross(RsiReversionParams())
