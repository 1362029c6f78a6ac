"""``parse_many`` of the venues with a batched decode: the events and the errors of ``parse``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

import pytest

from connectors import ConnectorError, ParseError, VenueError
from connectors.venues import binance, bybit, coinbase, kraken, okx
from connectors.venues.common import parse_each
from connectors.venues.timestamps import iso_to_ns
from nashipai.events import Event, Quote, Trade

FIXTURES = Path(__file__).parent / "fixtures"
RECEIVED_NS = 1_718_000_000_999_000_000
IN_ORDER = (kraken, coinbase)  # one decode for every kind: the events come in frame order
GROUPED = (bybit, okx)  # Trades in order, then Quotes in order
BATCHED = (*IN_ORDER, *GROUPED)


def _fixtures(venue: ModuleType) -> list[bytes]:
    paths = sorted(path for path in (FIXTURES / venue.NAME).iterdir() if path.suffix in (".json", ".txt"))
    return [path.read_bytes().rstrip(b"\n") for path in paths]


def _outcome(
    parse_many: Callable[[Sequence[bytes | str], list[int]], list[Event]],
    frames: Sequence[bytes | str],
    times: list[int],
) -> list[Event] | tuple[type, str, object]:
    try:
        return parse_many(frames, times)
    except ConnectorError as exc:
        return type(exc), str(exc), getattr(exc, "raw", None)


def _each(venue: ModuleType) -> Callable[[Sequence[bytes | str], list[int]], list[Event]]:
    return lambda frames, times: parse_each(venue.parse, frames, times)


def _kinds(events: list[Event]) -> list[Event]:
    return [e for e in events if isinstance(e, Trade)] + [e for e in events if isinstance(e, Quote)]


@pytest.mark.parametrize("venue", BATCHED, ids=lambda venue: venue.NAME)
def test_parse_many_gives_the_events_of_parse(venue: ModuleType, session: Callable[[str], list[bytes]]) -> None:
    frames = session(venue.NAME) * 3
    times = [RECEIVED_NS + index for index in range(len(frames))]
    one_by_one = parse_each(venue.parse, frames, times)
    many = venue.parse_many(frames, times)
    assert many == (one_by_one if venue in IN_ORDER else _kinds(one_by_one))
    assert one_by_one


@pytest.mark.parametrize("venue", BATCHED, ids=lambda venue: venue.NAME)
def test_parse_many_of_one_kind_and_of_str_frames(venue: ModuleType, session: Callable[[str], list[bytes]]) -> None:
    for frame in session(venue.NAME):
        for frames in ([frame] * 5, [frame.decode()] * 5):
            times = list(range(RECEIVED_NS, RECEIVED_NS + 5))
            assert _outcome(venue.parse_many, frames, times) == _outcome(_each(venue), frames, times)


@pytest.mark.parametrize("venue", BATCHED, ids=lambda venue: venue.NAME)
def test_parse_many_raises_as_parse_does(venue: ModuleType, session: Callable[[str], list[bytes]]) -> None:
    """Every fixture, then broken frames, amid a session: the same events or the same error."""
    good = session(venue.NAME)
    broken = [good[-1][:-1], good[-1] + b"x", good[-1].replace(b'"', b"'", 3), b"", b"[]", b"{}", b"null"]
    broken += [good[-1] + b"\n" + good[-1], good[-1][:-1] + b"\n"]  # two values in one frame; a cut one
    for bad in [*_fixtures(venue), *broken]:
        for frames in ([*good, bad, *good], [bad, *good], [*good, bad]):
            times = [RECEIVED_NS] * len(frames)
            expected = _outcome(_each(venue), frames, times)
            got = _outcome(venue.parse_many, frames, times)
            if isinstance(expected, list) and venue in GROUPED:
                expected = _kinds(expected)
            assert got == expected, bad


def test_binance_parse_many_batches_raw_trades(wire: Callable[[str, str], bytes]) -> None:
    frames = [wire("binance", "trade.json")] * 3 + [wire("binance", "book_ticker.json")]
    times = [RECEIVED_NS + index for index in range(len(frames))]
    assert _kinds(binance.parse_many(frames, times)) == _kinds(parse_each(binance.parse, frames, times))
    with pytest.raises(ParseError):
        binance.parse_many([*frames, frames[0][:-1]], [*times, RECEIVED_NS])
    with pytest.raises(VenueError):
        binance.parse_many([*frames, wire("binance", "error.json")], [*times, RECEIVED_NS])


@pytest.mark.parametrize(
    "text",
    [
        "2023-02-09T20:19:35.Z",
        "2023-02-09T20:19:35.1234567891Z",
        "2023-02-09T20:19:35.12a4Z",
        "2023-02-09T20:19:35.+124Z",
        "2023-02-09T20:19:35.1_24Z",
        "2023-02-09T20:19:35. 124Z",
        "2023-02-09T20:19:35.124",
        "2023-02-09T20:19:35.124+01:00",
    ],
)
def test_bad_iso_timestamps_raise_with_their_second_cached(text: str) -> None:
    assert iso_to_ns("2023-02-09T20:19:35.5Z") == 1_675_973_975_500_000_000
    with pytest.raises(ValueError):
        iso_to_ns(text)


@pytest.mark.parametrize("events", [b"[]", b'[{"type":"update","tickers":[]}]'])
def test_coinbase_parse_many_checks_the_timestamp_of_a_ticker_without_tickers(
    events: bytes, wire: Callable[[str, str], bytes]
) -> None:
    bad = b'{"channel":"ticker","client_id":"","timestamp":"2023-02-09T20:30:37.1Z+","sequence_num":0,"events":%b}'
    frames = [wire("coinbase", "market_trades_update.json")] * 4 + [bad % events]
    times = [RECEIVED_NS] * len(frames)
    assert _outcome(coinbase.parse_many, frames, times) == _outcome(_each(coinbase), frames, times)
    assert isinstance(_outcome(coinbase.parse_many, frames, times), tuple)
    good = bad.replace(b"Z+", b"Z")
    assert coinbase.parse_many([*frames[:4], good % events], times) == parse_each(coinbase.parse, frames[:4], times[:4])


def test_coinbase_error_typed_frames_give_what_parse_gives(session: Callable[[str], list[bytes]]) -> None:
    # Coinbase batches decode every channel as one tagged union; frames that parse treats as
    # errors (or not) by where "channel" and "type" stand must still come out as parse says.
    good = session("coinbase")
    ticker = (FIXTURES / "coinbase" / "ticker.json").read_bytes().rstrip(b"\n")
    odd = [
        ticker.replace(b'{"channel":"ticker",', b'{"channel":"ticker","type":"error","message":"x",', 1),
        ticker.replace(b'{"channel":"ticker",', b'{"type":"error","message":"x","channel":"ticker",', 1),
        b'{"channel":"heartbeats","type":"error","message":"rate limited"}',
        b'{"channel":"heartbeats","message":5}',
        b'{"channel":"status","events":[]}',
    ]
    for bad in odd:
        frames = [*good, bad, *good]
        times = [RECEIVED_NS] * len(frames)
        assert _outcome(coinbase.parse_many, frames, times) == _outcome(_each(coinbase), frames, times), bad


def test_coinbase_messages_of_another_shape_give_what_parse_gives(session: Callable[[str], list[bytes]]) -> None:
    # Batches decode the shape Coinbase sends (one event a message, one ticker an event); any other
    # shape falls back to parse, so more or fewer events and tickers still give parse's events.
    good = session("coinbase")
    ticker = (FIXTURES / "coinbase" / "ticker.json").read_bytes().rstrip(b"\n")
    trades = (FIXTURES / "coinbase" / "market_trades_snapshot.json").read_bytes().rstrip(b"\n")
    one_ticker = ticker[ticker.index(b'{"type":"ticker"') : ticker.rindex(b"]}]}")]
    trades_event = trades[trades.index(b'[{"type":"snapshot"') + 1 : trades.rindex(b"]}")]
    odd = [  # (frame, the events it holds)
        (ticker.replace(one_ticker, one_ticker + b"," + one_ticker.replace(b"BTC-USD", b"ETH-USD")), 2),
        (ticker.replace(b'"events":[{', b'"events":[{"type":"update","tickers":[]},{', 1), 1),
        (trades.replace(trades_event, trades_event + b"," + trades_event), 4),
        (trades.replace(b'"events":[' + trades_event, b'"events":[', 1), 0),
    ]
    around = len(parse_each(coinbase.parse, good, [RECEIVED_NS] * len(good)))
    for bad, count in odd:
        frames = [*good, bad, *good]
        times = [RECEIVED_NS] * len(frames)
        events = coinbase.parse_many(frames, times)
        assert events == parse_each(coinbase.parse, frames, times), bad
        assert len(events) == 2 * around + count, bad
