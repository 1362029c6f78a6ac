"""Exact RFC 3339 timestamps: ``iso_to_ns`` and its batched twin ``iso_to_ns_many``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.venues.timestamps import iso_to_ns, iso_to_ns_many

GOOD = [
    ("1970-01-01T00:00:00Z", 0),
    ("2019-08-14T20:42:27.265Z", 1_565_815_347_265_000_000),
    ("2019-08-14T20:42:27.265000Z", 1_565_815_347_265_000_000),
    ("2023-02-09T20:19:35.39625135Z", 1_675_973_975_396_251_350),
    ("2023-02-09T20:30:37.167359596Z", 1_675_974_637_167_359_596),
    ("2023-02-09T20:30:37.000000001+00:00", 1_675_974_637_000_000_001),
    ("2024-06-10T06:13:20.9Z", 1_718_000_000_900_000_000),
    ("2024-02-29T23:59:59Z", 1_709_251_199_000_000_000),
    ("1969-12-31T23:59:59.999999999Z", -1),
    ("2000-02-29T00:00:00+00:00", 951_782_400_000_000_000),
    ("1800-01-01T00:00:00Z", -5_364_662_400_000_000_000),
    ("2199-12-31T23:59:59.999999999Z", 7_258_118_399_999_999_999),
    ("1600-03-01T00:00:00Z", -11_670_912_000_000_000_000),  # beyond int64 ns: left to iso_to_ns
    ("9999-12-31T23:59:59Z", 253_402_300_799_000_000_000),
]
BAD = [
    "2023-02-09T20:19:35",
    "2023-02-09T20:19:35.Z",
    "2023-02-09T20:19:35,5Z",
    "2023-02-09T20:19:35.1234567891Z",
    "2023-13-09T20:19:35Z",
    "2023-02-29T20:19:35Z",
    "2023-04-31T20:19:35Z",
    "2023-02-09T24:00:00Z",
    "2023-02-09T20:60:35Z",
    "2023-02-09T20:19:60Z",
    "0000-01-01T00:00:00Z",
    "2023-02-09 20:19:35Z",
    "20230209T201935Z",
    "2023-02-09T20:19:35.12a4Z",
    "2023-02-09T20:19:35.+124Z",
    "2023-02-09T20:19:35.1_24Z",
    "2023-02-09T20:19:35.124",
    "2023-02-09T20:19:35.124+01:00",
    "2023-02-09T20:19:35.124Zx",
    "2023-02-09T20:19:35.124ZZ",
    "2023-02-09t20:19:35Z",
    "\uff12\uff10\uff12\uff13-02-09T20:19:35Z",  # full-width digits
    "2023-02-09T20:19:35.\ud800Z",  # a lone surrogate: not even UTF-8
    "",
]
# Not plain ASCII, yet iso_to_ns takes it (str.isdigit and int read Arabic-Indic digits); the kernel
# leaves it to iso_to_ns like anything unusual, so a batch takes it too.
ODD = ["2023-02-09T20:19:35.\u0661\u0662\u0663Z"]


@pytest.mark.parametrize(("text", "ns"), GOOD)
def test_iso_timestamps_convert_exactly_to_nanoseconds(text: str, ns: int) -> None:
    assert iso_to_ns(text) == ns
    assert iso_to_ns(text) == ns  # cached date part gives the same answer


@pytest.mark.parametrize("text", BAD)
def test_bad_iso_timestamps_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        iso_to_ns(text)


def _outcome(convert: Callable[[list[str]], list[int]], texts: list[str]) -> list[int] | tuple[type, str]:
    try:
        return convert(texts)
    except ValueError as exc:
        return ValueError, str(exc)


def _one_by_one(texts: list[str]) -> list[int]:
    return [iso_to_ns(text) for text in texts]


def test_a_batch_converts_as_one_by_one() -> None:
    texts = [text for text, _ in GOOD] * 3
    assert iso_to_ns_many(texts) == [ns for _, ns in GOOD] * 3
    assert iso_to_ns_many([]) == []
    assert iso_to_ns_many(texts[:2]) == [ns for _, ns in GOOD[:2]]


@pytest.mark.parametrize("bad", [*BAD, *ODD])
def test_a_bad_timestamp_in_a_batch_is_what_iso_to_ns_makes_of_it(bad: str) -> None:
    """Whatever the kernel refuses goes to iso_to_ns: the same value, or the same error."""
    good = [text for text, _ in GOOD]
    for texts in ([*good, bad, *good], [bad, *good], [*good, bad], [bad] * 5):
        assert _outcome(iso_to_ns_many, texts) == _outcome(_one_by_one, texts)


@pytest.mark.parametrize(
    "texts",
    [
        ["2023-02-09T20:19:35Z,2023-02-09T20:19:36Z", *["2023-02-09T20:19:37Z"] * 5],  # a separator inside
        ["2023-02-09T20:19:35.1,2Z", *["2023-02-09T20:19:37Z"] * 5],
        [",", "", ",,", *["2023-02-09T20:19:37Z"] * 5],
    ],
)
def test_a_separator_inside_a_timestamp_does_not_shift_the_others(texts: list[str]) -> None:
    assert _outcome(iso_to_ns_many, texts) == _outcome(_one_by_one, texts)


_DATES = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59))


@st.composite
def _timestamps(draw: st.DrawFn) -> tuple[str, int]:
    """A valid RFC 3339 UTC timestamp with 0 to 9 fractional digits, and its exact epoch ns."""
    when = draw(_DATES).replace(microsecond=0)
    digits = draw(st.integers(0, 9))
    fraction = draw(st.integers(0, 10**digits - 1))
    suffix = draw(st.sampled_from(["Z", "+00:00"]))
    text = when.isoformat() + (f".{fraction:0{digits}d}" if digits else "") + suffix
    seconds = int((when.replace(tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())
    return text, seconds * 10**9 + fraction * 10 ** (9 - digits)


@given(st.lists(_timestamps(), max_size=40))
def test_batches_of_valid_timestamps_convert_exactly(pairs: list[tuple[str, int]]) -> None:
    texts = [text for text, _ in pairs]
    assert iso_to_ns_many(texts) == [ns for _, ns in pairs] == [iso_to_ns(text) for text in texts]


@given(st.lists(st.one_of(_timestamps().map(lambda pair: pair[0]), st.text(max_size=40), st.sampled_from(BAD + ODD))))
def test_any_batch_converts_or_fails_as_one_by_one(texts: list[str]) -> None:
    assert _outcome(iso_to_ns_many, texts) == _outcome(_one_by_one, texts)


@given(
    st.lists(_timestamps(), min_size=1, max_size=3),
    st.lists(
        st.tuples(st.integers(0, 2), st.sampled_from([".5Z", "Z", ".123456789Z", "+00:00", ".Z", "z", ".5", ""])),
        max_size=30,
    ),
)
def test_timestamps_sharing_their_second_convert_as_one_by_one(
    bases: list[tuple[str, int]], entries: list[tuple[int, str]]
) -> None:
    # The kernel reuses the date part of the last good timestamp when the next one starts alike:
    # whatever follows that shared second (another fraction, a bad suffix) is still read afresh.
    texts = [bases[index % len(bases)][0][:19] + suffix for index, suffix in entries]
    assert _outcome(iso_to_ns_many, texts) == _outcome(_one_by_one, texts)
