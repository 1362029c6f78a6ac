"""Binance spot websocket-stream protocol, pure: URL paths and live subscription requests.

Paths: ``/ws`` or ``/ws/<stream>`` for raw payloads and ``/stream`` or
``/stream?streams=<a>/<b>`` for combined ones (``{"stream": .., "data": ..}``). Like Binance,
any stream name is accepted; a name that matches no simulated stream simply stays silent
(ccxt.pro connects to ``/ws/0`` and subscribes afterwards).

Requests: ``SUBSCRIBE`` / ``UNSUBSCRIBE`` (``params``: stream names), ``LIST_SUBSCRIPTIONS``,
``SET_PROPERTY ["combined", bool]`` and ``GET_PROPERTY ["combined"]``, each with an ``id``
(an integer, a string of at most 36 characters, or null) that the reply echoes:
``{"result": null, "id": 1}``. Errors use Binance's codes: 0 unknown property, 1 invalid value
type, 2 invalid request, 3 invalid JSON, as ``{"error": {"code": 2, "msg": ".."}, "id": ..}``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import msgspec

METHODS = ("SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS", "SET_PROPERTY", "GET_PROPERTY")
MAX_STREAMS_PER_CONNECTION = 1024
_MAX_STRING_ID = 36
_REQUEST_FIELDS = frozenset({"method", "params", "id"})

RequestId = int | str | None


class ErrorCode(enum.IntEnum):
    """Binance's websocket-stream error codes."""

    UNKNOWN_PROPERTY = 0
    INVALID_VALUE_TYPE = 1
    INVALID_REQUEST = 2
    INVALID_JSON = 3


class InvalidPathError(ValueError):
    """The URL path is not a Binance stream endpoint (the server answers HTTP 404)."""


@dataclass(slots=True)
class SessionState:
    """Subscriptions of one connection, in subscription order, and its ``combined`` property."""

    combined: bool
    streams: dict[str, None] = field(default_factory=dict)


class ResultReply(msgspec.Struct, frozen=True, omit_defaults=False):
    result: Any
    id: RequestId


class ErrorBody(msgspec.Struct, frozen=True):
    code: int
    msg: str


class ErrorReply(msgspec.Struct, frozen=True):
    error: ErrorBody
    id: RequestId


_encoder = msgspec.json.Encoder()


def parse_path(path: str) -> SessionState:
    """The initial state of a connection opened on ``path`` (with its query string).

    Raises:
        InvalidPathError: not ``/ws[/<stream>]`` nor ``/stream[?streams=..]``.
    """
    parts = urlsplit(path)
    route = parts.path.rstrip("/")
    if route == "/ws" or route.startswith("/ws/"):
        names = [name for name in route[len("/ws/") :].split("/") if name]
        return SessionState(combined=False, streams=dict.fromkeys(names))
    if route == "/stream":
        query = parse_qs(parts.query)
        names = [name for value in query.get("streams", []) for name in value.split("/") if name]
        return SessionState(combined=True, streams=dict.fromkeys(names))
    raise InvalidPathError(f"no stream endpoint at {parts.path!r}")


@dataclass(frozen=True, slots=True)
class RequestOutcome:
    """The reply to send and how the subscriptions changed."""

    reply: bytes
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def _error(code: ErrorCode, message: str, request_id: RequestId = None) -> RequestOutcome:
    return RequestOutcome(_encoder.encode(ErrorReply(ErrorBody(int(code), message), request_id)))


def _result(result: Any, request_id: RequestId) -> RequestOutcome:
    return RequestOutcome(_encoder.encode(ResultReply(result, request_id)))


def _valid_id(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -(2**63) <= value < 2**64
    return isinstance(value, str) and len(value) <= _MAX_STRING_ID


def handle_request(text: str | bytes, state: SessionState) -> RequestOutcome:
    """Apply one client request to ``state`` and build the reply."""
    try:
        request = msgspec.json.decode(text)
    except msgspec.DecodeError as error:
        return _error(ErrorCode.INVALID_JSON, f"Invalid JSON: {error}")
    if not isinstance(request, dict):
        return _error(ErrorCode.INVALID_REQUEST, "Invalid request: expected an object")
    request_id = request.get("id")
    if "id" not in request or not _valid_id(request_id):
        return _error(ErrorCode.INVALID_REQUEST, "Invalid request: request ID must be an unsigned integer")
    if set(request) - _REQUEST_FIELDS:
        return _error(ErrorCode.INVALID_REQUEST, "Invalid request: too many parameters", request_id)
    method = request.get("method")
    if method is None:
        return _error(ErrorCode.INVALID_REQUEST, "Invalid request: missing field `method`", request_id)
    if method not in METHODS:
        expected = ", ".join(f"`{name}`" for name in METHODS)
        message = f"Invalid request: unknown variant `{method}`, expected one of {expected}"
        return _error(ErrorCode.INVALID_REQUEST, message, request_id)
    params = request.get("params", [])
    if not isinstance(params, list):
        return _error(ErrorCode.INVALID_REQUEST, "Invalid request: params must be an array", request_id)
    if method in ("SUBSCRIBE", "UNSUBSCRIBE"):
        return _change_subscriptions(method, params, request_id, state)
    if method == "LIST_SUBSCRIPTIONS":
        return _result(list(state.streams), request_id)
    return _property(method, params, request_id, state)


def _change_subscriptions(method: str, params: list[Any], request_id: RequestId, state: SessionState) -> RequestOutcome:
    if not all(isinstance(name, str) and name for name in params):
        return _error(ErrorCode.INVALID_REQUEST, "Invalid request: stream names must be strings", request_id)
    if method == "SUBSCRIBE":
        added = tuple(name for name in dict.fromkeys(params) if name not in state.streams)
        if len(state.streams) + len(added) > MAX_STREAMS_PER_CONNECTION:
            message = f"Invalid request: more than {MAX_STREAMS_PER_CONNECTION} streams on one connection"
            return _error(ErrorCode.INVALID_REQUEST, message, request_id)
        state.streams.update(dict.fromkeys(added))
        return RequestOutcome(_result(None, request_id).reply, added=added)
    removed = tuple(name for name in dict.fromkeys(params) if name in state.streams)
    for name in removed:
        del state.streams[name]
    return RequestOutcome(_result(None, request_id).reply, removed=removed)


def _property(method: str, params: list[Any], request_id: RequestId, state: SessionState) -> RequestOutcome:
    if not params or not isinstance(params[0], str):
        return _error(ErrorCode.INVALID_REQUEST, "Invalid request: property name must be a string", request_id)
    if params[0] != "combined":
        return _error(ErrorCode.UNKNOWN_PROPERTY, "Unknown property", request_id)
    if method == "GET_PROPERTY":
        return _result(state.combined, request_id)
    if len(params) != 2 or not isinstance(params[1], bool):
        return _error(ErrorCode.INVALID_VALUE_TYPE, "Invalid value type: expected Boolean", request_id)
    state.combined = params[1]
    return _result(None, request_id)
