"""Reusable parameter types and the cross-field error of strategy parameters.

A ``Params`` model validates each field with the types here; a rule between fields
(``fast_period < slow_period``) raises :class:`ParamError` from a ``model_validator`` so the
config loader can name the offending field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Final

from pydantic import Field, ValidationError
from pydantic_core import ErrorDetails

from pipelines.strategies.base import StrategyParams

#: A look-back length in bars.
Period = Annotated[int, Field(ge=2, le=10_000)]
#: A positive, finite multiplier (e.g. Bollinger standard deviations).
Multiplier = Annotated[float, Field(gt=0.0, le=100.0, allow_inf_nan=False)]
#: An oscillator level strictly inside 0..100 (e.g. RSI thresholds).
Level = Annotated[float, Field(gt=0.0, lt=100.0, allow_inf_nan=False)]


class ParamError(ValueError):
    """A parameter that breaks a rule involving other parameters; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def require_less(params: object, low: str, high: str) -> None:
    """Raise :class:`ParamError` on ``low`` unless ``params.low < params.high``."""
    low_value = getattr(params, low)
    high_value = getattr(params, high)
    if not low_value < high_value:
        raise ParamError(low, f"must be < {high} ({high_value}), got {low_value}")


class ParamsValidationError(ValueError):
    """Parameters a ``Params`` model refused; ``problems`` lists ``(field, message)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = problems


def validate_params(model: type[StrategyParams], values: Mapping[str, Any]) -> StrategyParams:
    """``model(**values)``, with pydantic's errors turned into short field-named messages.

    Raises:
        ParamsValidationError: e.g. ``[("fast_period", "must be >= 2, got 1")]`` or
            ``[("fast_pariod", "unknown parameter; allowed: fast_period, slow_period")]``.
    """
    try:
        return model(**values)
    except ValidationError as error:
        allowed = ", ".join(model.model_fields) or "none"
        raise ParamsValidationError([_describe(item, allowed) for item in error.errors()]) from error


_BOUNDS: Final = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}


def _describe(item: ErrorDetails, allowed: str) -> tuple[str, str]:
    field = ".".join(str(part) for part in item["loc"]) or "params"
    kind = item["type"]
    context = item.get("ctx", {})
    got = f"got {item['input']!r}"
    cause = context.get("error")
    if isinstance(cause, ParamError):
        return cause.field, cause.message
    if kind == "extra_forbidden":
        return field, f"unknown parameter; allowed: {allowed}"
    if kind == "missing":
        return field, "missing (required)"
    if kind in _BOUNDS:
        bound = next(iter(context.values()))
        return field, f"must be {_BOUNDS[kind]} {bound}, {got}"
    if kind == "int_type":
        return field, f"must be an integer, {got}"
    if kind == "float_type":
        return field, f"must be a number, {got}"
    if kind == "finite_number":
        return field, f"must be finite, {got}"
    return field, f"{item['msg'].removeprefix('Value error, ')}, {got}"
