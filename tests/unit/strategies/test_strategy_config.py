"""The TOML strategy config: what it accepts, what it builds, and errors naming file, block and field."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

from pipelines.strategies import (
    DEFAULT_CONFIG_PATH,
    StrategyConfig,
    StrategyConfigError,
    default_config,
    load_config,
    loads_config,
)
from pipelines.strategies.ema_cross import EmaCross, EmaCrossParams
from pipelines.strategies.rsi_reversion import RsiReversionParams

TWO_BLOCKS = """
[[strategy]]
name = "slow_ema"
class = "ema_cross"
timeframe = "5m"
instruments = ["binance:BTC-USDT", "kraken:*"]

[[strategy]]
name = "fast_rsi"
class = "rsi_reversion"
timeframe = "1m"
instruments = ["*"]
[strategy.params]
period = 7
oversold = 25
"""


def block(**fields: str) -> str:
    """One [[strategy]] block: a valid ema_cross block with ``fields`` replaced (raw TOML values)."""
    values = {"name": '"fast_ema"', "class": '"ema_cross"', "timeframe": '"1m"', "instruments": '["*"]'} | fields
    return "[[strategy]]\n" + "".join(f"{key} = {value}\n" for key, value in values.items() if value)


def config_error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "strategies.toml"
    path.write_text(text)
    with pytest.raises(StrategyConfigError) as error:
        load_config(path)
    return str(error.value).replace(str(tmp_path) + "/", "")


def test_load_config_returns_validated_frozen_configs(tmp_path: Path) -> None:
    path = tmp_path / "strategies.toml"
    path.write_text(TWO_BLOCKS)
    slow, fast = load_config(path)

    assert slow == StrategyConfig("slow_ema", "ema_cross", "5m", ("binance:BTC-USDT", "kraken:*"), EmaCrossParams())
    assert fast.params == RsiReversionParams(period=7, oversold=25.0, overbought=70.0)
    assert slow.timeframe_ns == 300_000_000_000
    with pytest.raises(AttributeError):
        slow.name = "other"  # type: ignore[misc]


def test_build_gives_a_fresh_named_instance() -> None:
    config = loads_config(block(params="{ fast_period = 5, slow_period = 9 }"))[0]
    first, second = config.build(), config.build()
    assert isinstance(first, EmaCross)
    assert first is not second
    assert (first.instance, first.params) == ("fast_ema", EmaCrossParams(fast_period=5, slow_period=9))


def test_applies_to_matches_exact_venue_wide_and_global_patterns() -> None:
    slow, fast = loads_config(TWO_BLOCKS)
    assert slow.applies_to("binance", "BTC-USDT")
    assert slow.applies_to("kraken", "ETH-USD")
    assert not slow.applies_to("binance", "ETH-USDT")
    assert not slow.applies_to("okx", "BTC-USDT")
    assert fast.applies_to("okx", "SOL-USDT")


def test_default_config_runs_every_builtin_on_1m_everywhere_and_equals_default_toml() -> None:
    configs = default_config()
    assert [c.name for c in configs] == ["bollinger_breakout", "ema_cross", "macd_cross", "rsi_reversion"]
    assert all(c.timeframe == "1m" and c.instruments == ("*",) for c in configs)
    assert all(c.params == c.strategy_class.Params() for c in configs)
    assert load_config(DEFAULT_CONFIG_PATH) == configs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            block(**{"class": '"ema_crosss"'}),
            "strategies.toml: strategy[0] 'fast_ema': class: unknown strategy 'ema_crosss'; built-ins are "
            "bollinger_breakout, ema_cross, macd_cross, rsi_reversion, or give a dotted path",
        ),
        (
            block(**{"class": '"no_such_package.module:Thing"'}),
            "strategies.toml: strategy[0] 'fast_ema': class: cannot import module 'no_such_package.module'",
        ),
        (
            block(**{"class": '"collections:OrderedDict"'}),
            "strategies.toml: strategy[0] 'fast_ema': class: 'collections:OrderedDict' is not a Strategy subclass",
        ),
        (
            block(timeframe='"1min"'),
            "strategies.toml: strategy[0] 'fast_ema': timeframe: invalid timeframe '1min'; expected <count><unit>: "
            "a positive integer and one of s, m, h, d",
        ),
        (
            block(params="{ fast_period = 12, slow_priod = 30 }"),
            "strategies.toml: strategy[0] 'fast_ema': params.slow_priod: unknown parameter; "
            "allowed: fast_period, slow_period",
        ),
        (
            block(params="{ fast_period = 30 }"),
            "strategies.toml: strategy[0] 'fast_ema': params.fast_period: must be < slow_period (26), got 30",
        ),
        (
            block(params="{ fast_period = 1 }"),
            "strategies.toml: strategy[0] 'fast_ema': params.fast_period: must be >= 2, got 1",
        ),
        (
            block(params='{ fast_period = "5" }'),
            "strategies.toml: strategy[0] 'fast_ema': params.fast_period: must be an integer, got '5'",
        ),
        (
            block() + block(name='"fast_rsi"', **{"class": '"rsi_reversion"'}) + block(),
            "strategies.toml: strategy[2] 'fast_ema': name: duplicate of strategy[0]",
        ),
        (block(timeframe=""), "strategies.toml: strategy[0] 'fast_ema': timeframe: missing (required)"),
        (block(name=""), "strategies.toml: strategy[0]: name: missing (required)"),
        (block(name='"a:b"'), "strategies.toml: strategy[0] 'a:b': name: must be letters, digits"),
        (
            block(instruments='["binance:btc-usdt"]'),
            "strategies.toml: strategy[0] 'fast_ema': instruments[0]: must be \"exchange:BASE-QUOTE\"",
        ),
        (block(instruments="[]"), "strategies.toml: strategy[0] 'fast_ema': instruments: must be a non-empty list"),
        (block(instrument='["*"]'), "strategies.toml: strategy[0] 'fast_ema': instrument: unknown key; allowed keys"),
        (block(params="5"), "strategies.toml: strategy[0] 'fast_ema': params: must be a table"),
        ("[[strategy]\nname = 1", "strategies.toml: not valid TOML: "),
        ("", "strategies.toml: expected one or more [[strategy]] blocks"),
        ("[strategy]\nname = 'x'", "strategies.toml: expected one or more [[strategy]] blocks"),
        (block() + "[strategies]\n", "strategies.toml: unknown top-level key 'strategies'"),
    ],
)
def test_config_errors_name_file_block_and_field(tmp_path: Path, text: str, expected: str) -> None:
    assert config_error(tmp_path, text).startswith(expected)


def test_all_parameter_problems_of_a_block_are_reported_together(tmp_path: Path) -> None:
    message = config_error(tmp_path, block(params="{ fast_period = 0, slow_period = 100000 }"))
    assert re.fullmatch(
        r"strategies\.toml: strategy\[0\] 'fast_ema': params\.fast_period: must be >= 2, got 0; "
        r"params\.slow_period: must be <= 10000, got 100000",
        message,
    )


def test_an_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(StrategyConfigError, match=r"missing\.toml: cannot read"):
        load_config(tmp_path / "missing.toml")


def test_config_errors_are_value_errors() -> None:
    assert issubclass(StrategyConfigError, ValueError)


def test_configs_pickle_for_the_dataflow() -> None:
    configs = default_config()
    assert pickle.loads(pickle.dumps(configs)) == configs
