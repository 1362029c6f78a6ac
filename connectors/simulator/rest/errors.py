"""Binance's REST error format (``{"code": -1121, "msg": "Invalid symbol."}``) and parameter parsing.

Parameters are read from the query string by hand rather than by FastAPI's validation, so a
bad request gets Binance's code and message instead of a 422 in FastAPI's shape.
"""

from __future__ import annotations

import enum
import re

import msgspec
from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import QueryParams


class ErrorCode(enum.IntEnum):
    """Binance spot REST error codes the simulator uses."""

    UNKNOWN = -1000
    ILLEGAL_CHARS = -1100
    MANDATORY_PARAM_EMPTY_OR_MALFORMED = -1102
    INVALID_INTERVAL = -1120
    BAD_SYMBOL = -1121
    INVALID_PARAMETER = -1130
    BAD_RANGE = -1127
    OPTIONAL_PARAMS_BAD_COMBO = -1128


class RefusalError(Exception):
    """A refused request, answered in its venue's error format: :meth:`body` with HTTP ``status``.

    Each dialect subclasses it; one handler (:func:`refusal_handler`) renders them all.
    """

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def body(self) -> msgspec.Struct:
        """The JSON body the venue sends."""
        raise NotImplementedError


async def refusal_handler(request: Request, error: Exception) -> Response:
    """FastAPI exception handler rendering any :class:`RefusalError`."""
    assert isinstance(error, RefusalError)
    return Response(msgspec.json.encode(error.body()), status_code=error.status, media_type="application/json")


class ErrorBody(msgspec.Struct, frozen=True):
    code: int
    msg: str


class BinanceError(RefusalError):
    """A request error answered as Binance does: HTTP ``status`` with ``{"code", "msg"}``."""

    def __init__(self, code: ErrorCode, message: str, status: int = 400) -> None:
        super().__init__(message, status)
        self.code = code

    def body(self) -> ErrorBody:
        return ErrorBody(int(self.code), self.message)


#: An unsigned integer parameter as Binance and OKX accept it.
UNSIGNED = re.compile(r"^[0-9]{1,20}$")


def required(params: QueryParams, name: str) -> str:
    """A mandatory parameter.

    Raises:
        BinanceError: -1102 when missing or empty.
    """
    value = params.get(name)
    if not value:
        raise BinanceError(
            ErrorCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED,
            f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.",
        )
    return value


def optional_int(params: QueryParams, name: str, low: int = 0, high: int | None = None) -> int | None:
    """An optional unsigned integer parameter within ``[low, high]``.

    Raises:
        BinanceError: -1100 when not digits, -1130 when out of range.
    """
    value = params.get(name)
    if value is None or value == "":
        return None
    if not UNSIGNED.match(value):
        raise BinanceError(
            ErrorCode.ILLEGAL_CHARS,
            f"Illegal characters found in parameter '{name}'; legal range is '^[0-9]{{1,20}}$'.",
        )
    number = int(value)
    if number < low or (high is not None and number > high):
        raise BinanceError(ErrorCode.INVALID_PARAMETER, f"Data sent for parameter '{name}' is not valid.")
    return number


def limit_param(params: QueryParams, default: int, maximum: int) -> int:
    """``limit`` with Binance's default and maximum for the endpoint."""
    limit = optional_int(params, "limit", 1, maximum)
    return default if limit is None else limit
