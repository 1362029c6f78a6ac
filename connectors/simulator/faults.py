"""Faults the simulator can inject: requests, their CLI spelling and the record of each one applied.

Kinds:

- ``drop``: close every websocket connection abruptly (TCP abort, no close frame), or with a
  close frame of ``close_code`` when one is given (1001 is what Binance sends on its 24 h cut).
- ``stall``: keep every socket open but send no data for ``seconds``; what is published
  meanwhile is lost (``backlog: false``) or delivered when the stall ends (``backlog: true``).
- ``malformed``: send one broken frame to every trade-stream subscriber (of ``symbol``, or all):
  ``invalid_json`` (a truncated payload) or ``missing_field`` (a trade payload without ``p``).
- ``skip_ids``: the next ``count`` trades of ``symbol`` (or of every symbol) are generated and
  kept in the REST history but never broadcast: subscribers see a gap in ``t``.

CLI spelling: ``KIND[:ARG]@WHEN[/EVERY]`` with times as ``10s``, ``500ms`` or ``2m``; ARG is
the stall's seconds, the skip count, the malformed variant or the drop's close code. Examples:
``drop@10s``, ``stall:5@20s``, ``skip_ids:100@5s/30s``, ``malformed:missing_field@3s``.
"""

from __future__ import annotations

import enum
import re

import msgspec


class FaultKind(enum.StrEnum):
    DROP = "drop"
    STALL = "stall"
    MALFORMED = "malformed"
    SKIP_IDS = "skip_ids"


class MalformedVariant(enum.StrEnum):
    INVALID_JSON = "invalid_json"
    MISSING_FIELD = "missing_field"


class FaultRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A fault to apply now (the JSON body of ``POST /sim/faults``); see the module docstring."""

    kind: FaultKind
    seconds: float = 5.0  # stall length
    backlog: bool = False  # stall: deliver what was held back when it ends
    count: int = 10  # skip_ids: trades to hide
    symbol: str | None = None  # skip_ids, malformed: one normalised symbol, default every symbol
    variant: MalformedVariant = MalformedVariant.INVALID_JSON
    close_code: int | None = None  # drop: None aborts the TCP connection

    def __post_init__(self) -> None:
        if self.seconds <= 0 or self.count < 1:
            raise ValueError("seconds must be > 0 and count >= 1")
        if self.close_code is not None and not 1000 <= self.close_code <= 4999:
            raise ValueError("close_code must be a websocket close code (1000-4999)")


class FaultRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A fault that was applied, with what it touched (connections, or trades hidden)."""

    request: FaultRequest
    at_ms: int
    affected: int


class ScheduledFault(msgspec.Struct, frozen=True, kw_only=True):
    """A fault to apply ``at_seconds`` after start, and then every ``every_seconds`` if set."""

    request: FaultRequest
    at_seconds: float
    every_seconds: float | None = None


_SPEC = re.compile(
    r"^(?P<kind>[a-z_]+)(?::(?P<arg>[\w.]+))?@(?P<when>[\d.]+(?:ms|s|m)?)(?:/(?P<every>[\d.]+(?:ms|s|m)?))?$"
)
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0}


def parse_duration(text: str) -> float:
    """``10s`` -> 10.0, ``500ms`` -> 0.5, ``2m`` -> 120.0, ``3`` -> 3.0 (seconds).

    Raises:
        ValueError: not a number with an optional unit.
    """
    match = re.fullmatch(r"([\d.]+)(ms|s|m)?", text.strip())
    if match is None:
        raise ValueError(f"not a duration: {text!r} (use e.g. 10s, 500ms, 2m)")
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


def parse_fault_spec(spec: str) -> ScheduledFault:
    """Parse the CLI spelling, e.g. ``stall:5@20s`` or ``skip_ids:100@5s/30s``.

    Raises:
        ValueError: unknown kind, bad argument or bad time (the message says which).
    """
    match = _SPEC.match(spec.strip())
    if match is None:
        raise ValueError(f"fault {spec!r} is not KIND[:ARG]@WHEN[/EVERY], e.g. drop@10s or stall:5@20s")
    kind = FaultKind(match.group("kind"))
    arg = match.group("arg")
    fields: dict[str, object] = {"kind": kind}
    if arg is not None:
        argument_field = {
            FaultKind.STALL: ("seconds", float),
            FaultKind.SKIP_IDS: ("count", int),
            FaultKind.MALFORMED: ("variant", MalformedVariant),
            FaultKind.DROP: ("close_code", int),
        }[kind]
        name, convert = argument_field
        fields[name] = convert(arg)
    every = match.group("every")
    return ScheduledFault(
        request=FaultRequest(**fields),  # type: ignore[arg-type]
        at_seconds=parse_duration(match.group("when")),
        every_seconds=parse_duration(every) if every else None,
    )
