"""Strategy classes by name: the built-ins by short name, any other by dotted path.

A new built-in is one module and one line in :data:`BUILTINS`; a strategy living elsewhere
is referenced as ``package.module:ClassName`` (or ``package.module.ClassName``).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping
from typing import Final

from pipelines.strategies.base import Strategy, StrategyParams
from pipelines.strategies.bollinger_breakout import BollingerBreakout
from pipelines.strategies.ema_cross import EmaCross
from pipelines.strategies.macd_cross import MacdCross
from pipelines.strategies.rsi_reversion import RsiReversion

#: The built-in strategies by short name.
BUILTINS: Final[Mapping[str, type[Strategy]]] = {
    cls.name: cls for cls in (BollingerBreakout, EmaCross, MacdCross, RsiReversion)
}


class StrategyLoadError(ValueError):
    """A strategy class reference that does not resolve to a usable Strategy subclass."""


def load_strategy_class(reference: str) -> type[Strategy]:
    """The Strategy subclass named by ``reference``: a built-in short name or a dotted path.

    Raises:
        StrategyLoadError: unknown short name, module not importable, attribute missing, or
            the object is not a concrete Strategy subclass with a StrategyParams ``Params``.
    """
    if reference in BUILTINS:
        return BUILTINS[reference]
    if "." not in reference and ":" not in reference:
        raise StrategyLoadError(
            f"unknown strategy {reference!r}; built-ins are {', '.join(sorted(BUILTINS))}, "
            "or give a dotted path (package.module:ClassName)"
        )
    module_name, attribute_path = _split(reference)
    try:
        target: object = importlib.import_module(module_name)
    except ImportError as error:
        raise StrategyLoadError(f"cannot import module {module_name!r} of {reference!r}: {error}") from error
    for attribute in attribute_path.split("."):
        if not hasattr(target, attribute):
            raise StrategyLoadError(f"{reference!r}: {module_name!r} has no attribute {attribute_path!r}")
        target = getattr(target, attribute)
    return _check_strategy_class(reference, target)


def _split(reference: str) -> tuple[str, str]:
    if ":" in reference:
        module_name, _, attribute_path = reference.partition(":")
    else:
        module_name, _, attribute_path = reference.rpartition(".")
    if not module_name or not attribute_path:
        raise StrategyLoadError(f"invalid dotted path {reference!r}; expected package.module:ClassName")
    return module_name, attribute_path


def _check_strategy_class(reference: str, target: object) -> type[Strategy]:
    if not (isinstance(target, type) and issubclass(target, Strategy)):
        raise StrategyLoadError(f"{reference!r} is not a Strategy subclass (got {target!r})")
    if inspect.isabstract(target):
        raise StrategyLoadError(f"{reference!r} is abstract: it must implement indicators() and on_bar()")
    if not isinstance(getattr(target, "name", None), str):
        raise StrategyLoadError(f"{reference!r} must set a class attribute name: str")
    if not (isinstance(target.Params, type) and issubclass(target.Params, StrategyParams)):
        raise StrategyLoadError(f"{reference!r}: Params must be a StrategyParams subclass")
    return target
