"""Timeframe text <-> nanoseconds."""

from __future__ import annotations

import pytest

from pipelines.strategies import COMMON_TIMEFRAMES, format_timeframe, parse_timeframe

SECOND = 1_000_000_000


@pytest.mark.parametrize(
    ("text", "ns"),
    [("1s", SECOND), ("5s", 5 * SECOND), ("1m", 60 * SECOND), ("15m", 900 * SECOND), ("4h", 14_400 * SECOND),
     ("1d", 86_400 * SECOND), ("90s", 90 * SECOND)],
)  # fmt: skip
def test_parse_and_format_are_inverse(text: str, ns: int) -> None:
    assert parse_timeframe(text) == ns
    assert format_timeframe(ns) == text


def test_common_timeframes_round_trip() -> None:
    assert [format_timeframe(parse_timeframe(text)) for text in COMMON_TIMEFRAMES] == list(COMMON_TIMEFRAMES)


def test_format_uses_the_largest_whole_unit() -> None:
    assert format_timeframe(parse_timeframe("60m")) == "1h"
    assert format_timeframe(parse_timeframe("120s")) == "2m"


@pytest.mark.parametrize("text", ["", "m", "0m", "01m", "1M", "1min", "1.5h", "-1m", " 1m", "1w"])
def test_parse_refuses_anything_but_count_and_unit(text: str) -> None:
    with pytest.raises(ValueError, match="expected <count><unit>"):
        parse_timeframe(text)


@pytest.mark.parametrize("ns", [0, -SECOND, SECOND // 2, 1.0, True])
def test_format_refuses_non_positive_or_sub_second_lengths(ns: object) -> None:
    with pytest.raises(ValueError, match="positive whole number of seconds"):
        format_timeframe(ns)  # type: ignore[arg-type]
