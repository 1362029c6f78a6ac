"""Bar timeframes: ``"<count><unit>"`` text (``"1s"``, ``"5m"``, ``"4h"``, ``"1d"``) <-> nanoseconds.

The text form is canonical: a positive count without leading zeros and one unit of ``s``,
``m``, ``h`` or ``d``, so ``format_timeframe(parse_timeframe(text)) == text`` whenever the
count is not a whole multiple of a larger unit (``"60m"`` formats back as ``"1h"``).
"""

from __future__ import annotations

import re
from typing import Final

SECOND_NS: Final = 1_000_000_000

#: Nanoseconds per unit, largest first.
UNITS_NS: Final[dict[str, int]] = {"d": 86_400 * SECOND_NS, "h": 3_600 * SECOND_NS, "m": 60 * SECOND_NS, "s": SECOND_NS}

#: The timeframes the product offers by default.
COMMON_TIMEFRAMES: Final = ("1s", "5s", "1m", "5m", "15m", "1h", "4h", "1d")

_PATTERN: Final = re.compile(r"([1-9][0-9]*)([smhd])")
ALLOWED: Final = "<count><unit>: a positive integer and one of s, m, h, d (e.g. 1s, 5m, 4h, 1d)"


def parse_timeframe(text: str) -> int:
    """The length of a timeframe in nanoseconds: ``parse_timeframe("5m") == 300_000_000_000``.

    Raises:
        ValueError: ``text`` is not ``<count><unit>``; the message says what is allowed.
    """
    match = _PATTERN.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"invalid timeframe {text!r}; expected {ALLOWED}")
    return int(match.group(1)) * UNITS_NS[match.group(2)]


def format_timeframe(ns: int) -> str:
    """The canonical text of a timeframe of ``ns`` nanoseconds, in its largest whole unit.

    ``format_timeframe(3_600_000_000_000) == "1h"``, ``format_timeframe(90 * 10**9) == "90s"``.

    Raises:
        ValueError: ``ns`` is not a positive whole number of seconds.
    """
    if isinstance(ns, bool) or not isinstance(ns, int) or ns <= 0 or ns % SECOND_NS:
        raise ValueError(f"a timeframe must be a positive whole number of seconds in ns, got {ns!r}")
    for unit, unit_ns in UNITS_NS.items():
        if ns % unit_ns == 0:
            return f"{ns // unit_ns}{unit}"
    raise AssertionError("unreachable: every whole second divides by the 's' unit")
