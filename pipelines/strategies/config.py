"""Declarative strategy config: a TOML file of ``[[strategy]]`` blocks.

.. code-block:: toml

    [[strategy]]
    name = "fast_ema"                  # instance name, used in signal ids; unique
    class = "ema_cross"                # a built-in short name or package.module:ClassName
    timeframe = "1m"                   # <count><unit>, unit one of s, m, h, d
    instruments = ["binance:BTC-USDT"] # "exchange:SYMBOL", "exchange:*" or "*"
    [strategy.params]                  # optional; validated by the class's Params model
    fast_period = 5
    slow_period = 20

Every error is one :class:`StrategyConfigError` naming the file, the block (0-based index and
name) and the field, and saying what is allowed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, NoReturn

from pipelines.strategies.base import Strategy, StrategyParams
from pipelines.strategies.params import ParamsValidationError, validate_params
from pipelines.strategies.registry import BUILTINS, StrategyLoadError, load_strategy_class
from pipelines.strategies.timeframes import parse_timeframe

#: The config the product runs when given none (equal to ``default.toml`` next to this module).
DEFAULT_CONFIG_PATH: Final = Path(__file__).with_name("default.toml")

_BLOCK_KEYS: Final = ("name", "class", "timeframe", "instruments", "params")
_REQUIRED_KEYS: Final = ("name", "class", "timeframe", "instruments")
_NAME: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_INSTRUMENT: Final = re.compile(r"\*|[a-z0-9_]+:(\*|[A-Z0-9]+-[A-Z0-9]+)")


class StrategyConfigError(ValueError):
    """A strategy config that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class StrategyConfig:
    """One configured strategy instance: which class, with which parameters, on what.

    ``instruments`` holds ``"exchange:SYMBOL"``, ``"exchange:*"`` (every symbol of a venue)
    or ``"*"`` (everything); ``params`` is an instance of the class's ``Params`` model.
    """

    name: str
    class_path: str
    timeframe: str
    instruments: tuple[str, ...]
    params: StrategyParams

    @property
    def strategy_class(self) -> type[Strategy]:
        """The Strategy subclass ``class_path`` names (raises StrategyLoadError if it does not)."""
        return load_strategy_class(self.class_path)

    @property
    def timeframe_ns(self) -> int:
        """The bar length in nanoseconds."""
        return parse_timeframe(self.timeframe)

    def build(self) -> Strategy:
        """A fresh strategy instance (one per instrument and timeframe), named after this config."""
        return self.strategy_class(self.params, self.name)

    def applies_to(self, exchange: str, symbol: str) -> bool:
        """Whether this strategy runs on ``exchange``'s ``symbol``."""
        return any(pattern in ("*", f"{exchange}:*", f"{exchange}:{symbol}") for pattern in self.instruments)


def load_config(path: str | Path) -> list[StrategyConfig]:
    """Read and validate a strategy config file.

    Raises:
        StrategyConfigError: unreadable file, not TOML, or any invalid block or field.
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise StrategyConfigError(f"{source}: cannot read: {error}") from error
    return loads_config(text, source)


def loads_config(text: str, source: str = "<string>") -> list[StrategyConfig]:
    """Validate a strategy config given as TOML text; ``source`` names it in errors."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StrategyConfigError(f"{source}: not valid TOML: {error}") from error
    return config_from_document(document, source)


def config_from_document(document: Mapping[str, Any], source: str) -> list[StrategyConfig]:
    """Validate an already parsed config (``{"strategy": [block, ...]}``)."""
    unknown = sorted(set(document) - {"strategy"})
    if unknown:
        raise StrategyConfigError(
            f"{source}: unknown top-level key {unknown[0]!r}; only [[strategy]] blocks are allowed"
        )
    blocks = document.get("strategy")
    if not isinstance(blocks, list) or not blocks or not all(isinstance(block, dict) for block in blocks):
        raise StrategyConfigError(f"{source}: expected one or more [[strategy]] blocks (an array of tables)")
    configs: list[StrategyConfig] = []
    first_index: dict[str, int] = {}
    for index, block in enumerate(blocks):
        config = _parse_block(block, _Where(source, index, block.get("name")))
        if config.name in first_index:
            _Where(source, index, config.name).fail("name", f"duplicate of strategy[{first_index[config.name]}]")
        first_index[config.name] = index
        configs.append(config)
    return configs


def default_config() -> list[StrategyConfig]:
    """The product's default run: every built-in, default parameters, 1m bars, all instruments."""
    blocks = [{"name": name, "class": name, "timeframe": "1m", "instruments": ["*"]} for name in sorted(BUILTINS)]
    return config_from_document({"strategy": blocks}, "<default config>")


@dataclass(frozen=True)
class _Where:
    source: str
    index: int
    name: object

    def error(self, detail: str) -> StrategyConfigError:
        """The error ``detail`` (``field: message``) located in this block."""
        label = f" {self.name!r}" if isinstance(self.name, str) else ""
        return StrategyConfigError(f"{self.source}: strategy[{self.index}]{label}: {detail}")

    def fail(self, field: str, message: str) -> NoReturn:
        """Raise the error of ``field`` in this block."""
        raise self.error(f"{field}: {message}")


def _parse_block(block: Mapping[str, Any], where: _Where) -> StrategyConfig:
    for key in block:
        if key not in _BLOCK_KEYS:
            where.fail(key, f"unknown key; allowed keys are {', '.join(_BLOCK_KEYS)}")
    for key in _REQUIRED_KEYS:
        if key not in block:
            where.fail(key, "missing (required)")
    name = block["name"]
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        where.fail("name", f"must be letters, digits, '_', '.' or '-' (no ':'), got {name!r}")
    class_path = _string(block, "class", where)
    try:
        strategy_class = load_strategy_class(class_path)
    except StrategyLoadError as error:
        raise where.error(f"class: {error}") from error
    timeframe = _string(block, "timeframe", where)
    try:
        parse_timeframe(timeframe)
    except ValueError as error:
        raise where.error(f"timeframe: {error}") from error
    return StrategyConfig(
        name=name,
        class_path=class_path,
        timeframe=timeframe,
        instruments=_instruments(block["instruments"], where),
        params=_params(strategy_class, block.get("params", {}), where),
    )


def _string(block: Mapping[str, Any], key: str, where: _Where) -> str:
    value = block[key]
    if not isinstance(value, str):
        where.fail(key, f"must be a string, got {value!r}")
    return str(value)


def _instruments(value: object, where: _Where) -> tuple[str, ...]:
    allowed = '"exchange:BASE-QUOTE" (e.g. "binance:BTC-USDT"), "exchange:*" or "*"'
    if not isinstance(value, list) or not value:
        where.fail("instruments", f"must be a non-empty list of {allowed}, got {value!r}")
    for position, item in enumerate(value):
        if not isinstance(item, str) or not _INSTRUMENT.fullmatch(item):
            where.fail(f"instruments[{position}]", f"must be {allowed}, got {item!r}")
    return tuple(value)


def _params(strategy_class: type[Strategy], value: object, where: _Where) -> StrategyParams:
    if not isinstance(value, dict):
        where.fail("params", f"must be a table ([strategy.params]), got {value!r}")
    try:
        return validate_params(strategy_class.Params, value)
    except ParamsValidationError as error:
        raise where.error("; ".join(f"params.{field}: {message}" for field, message in error.problems)) from error
