"""What every venue module shares: channels, symbol mapping, trade-id gaps, batched decoding.

Exact timestamps are in :mod:`connectors.venues.timestamps`.

Nothing here does I/O; everything is cheap enough for the hot path or cached so that it is.
"""

from __future__ import annotations

import enum
import re
import sys
from collections.abc import Callable, Collection, Sequence
from itertools import repeat
from typing import Annotated, Any, Final, TypeVar

import msgspec

from connectors.errors import ConnectorError, ParseError, SymbolError, VenueError
from nashipai.events import Event, Side

# Wire field types: msgspec checks these while decoding, so an event never carries a price of
# zero, a negative size or a NaN. Decoders run with ``strict=False`` so the venues' numeric strings
# ("0.001") become floats and integer strings ("1630048897897") become ints inside msgspec.
Price = Annotated[float, msgspec.Meta(gt=0.0, lt=sys.float_info.max)]
Size = Annotated[float, msgspec.Meta(ge=0.0, lt=sys.float_info.max)]
Millis = Annotated[int, msgspec.Meta(ge=0)]

# Enum member lookups cost ~100 ns in CPython 3.11; the hot paths use these instead.
BUY: Final = Side.BUY
SELL: Final = Side.SELL

NS_PER_MS: Final = 1_000_000
NS_PER_S: Final = 1_000_000_000


class Channel(enum.StrEnum):
    """The market data a venue module subscribes to."""

    TRADES = "trades"  # public trade prints -> Trade
    QUOTES = "quotes"  # best bid and ask (L1) -> Quote


ALL_CHANNELS: Final[tuple[Channel, ...]] = (Channel.TRADES, Channel.QUOTES)

_NORMALISED = re.compile(r"^([A-Z0-9]+)-([A-Z0-9]+)$")

#: Quote assets recognised when splitting a concatenated symbol (``BTCUSDT``), longest first so
#: ``BTCFDUSD`` splits as BTC-FDUSD, not BTCFD-USD. Symbols the connector subscribed to are
#: remembered exactly and never need this list.
# fmt: off
QUOTE_ASSETS: Final[tuple[str, ...]] = tuple(
    sorted(
        {
            "USDT", "USDC", "FDUSD", "BUSD", "TUSD", "USDP", "USDE", "USD1", "DAI", "USD",
            "BTC", "ETH", "BNB", "XRP", "TRX", "DOGE", "SOL",
            "EUR", "EURI", "AEUR", "TRY", "BRL", "GBP", "AUD", "JPY", "RUB", "UAH", "ZAR", "PLN",
            "RON", "ARS", "MXN", "COP", "IDR", "IDRT", "BIDR", "NGN", "CZK", "MNT", "BRZ",
        },
        key=lambda asset: (-len(asset), asset),
    )
)
# fmt: on


def split_normalised(symbol: str) -> tuple[str, str]:
    """``"BTC-USDT"`` -> ``("BTC", "USDT")``.

    Raises:
        SymbolError: ``symbol`` is not an upper-case ``BASE-QUOTE`` pair.
    """
    match = _NORMALISED.match(symbol)
    if match is None:
        raise SymbolError(f"{symbol!r} is not a normalised BASE-QUOTE symbol (e.g. 'BTC-USDT')")
    return match.group(1), match.group(2)


def check_normalised(symbol: str, venue: str, venue_symbol: str) -> str:
    """Return ``symbol`` if it is a valid normalised symbol, else raise :class:`SymbolError`."""
    if _NORMALISED.match(symbol) is None:
        raise SymbolError(f"{venue} symbol {venue_symbol!r} does not map to a BASE-QUOTE symbol")
    return symbol


def split_concatenated(venue_symbol: str, venue: str) -> str:
    """``"BTCUSDT"`` -> ``"BTC-USDT"`` by the longest known quote asset that ends it.

    Raises:
        SymbolError: no known quote asset ends ``venue_symbol`` (or nothing is left for the base).
    """
    upper = venue_symbol.upper()
    for quote in QUOTE_ASSETS:
        if upper.endswith(quote) and len(upper) > len(quote):
            return check_normalised(f"{upper[: -len(quote)]}-{quote}", venue, venue_symbol)
    raise SymbolError(
        f"{venue} symbol {venue_symbol!r} ends in no known quote asset; subscribe to it by its "
        "normalised name so it is remembered, or add its quote asset to QUOTE_ASSETS"
    )


class SymbolMap:
    """One venue's symbols both ways, remembering every pair it has mapped.

    ``separator`` is what the venue puts between base and quote: ``""`` (``BTCUSDT``, split back by
    :data:`QUOTE_ASSETS`), ``"/"`` (``BTC/USD``) or ``"-"`` (already ``BTC-USD``). Hot paths read
    :attr:`known` first and call :meth:`from_venue` only on a miss.
    """

    __slots__ = ("_separator", "_venue", "known")

    def __init__(self, venue: str, separator: str) -> None:
        self._venue = venue
        self._separator = separator
        #: venue symbol -> normalised symbol, filled as symbols are subscribed or met.
        self.known: dict[str, str] = {}

    def to_venue(self, symbol: str) -> str:
        """``"BTC-USDT"`` -> the venue's form, remembered for :meth:`from_venue`.

        Raises:
            SymbolError: ``symbol`` is not a normalised ``BASE-QUOTE`` pair.
        """
        base, quote = split_normalised(symbol)
        venue_symbol = f"{base}{self._separator}{quote}"
        self.known[venue_symbol] = symbol
        return venue_symbol

    def from_venue(self, venue_symbol: str) -> str:
        """The venue's form -> ``"BTC-USDT"``.

        Raises:
            SymbolError: not a remembered symbol and not mappable by the separator (or, with no
                separator, by a known quote asset).
        """
        symbol = self.known.get(venue_symbol)
        if symbol is None:
            symbol = self.known[venue_symbol] = self._normalise(venue_symbol)
        return symbol

    def _normalise(self, venue_symbol: str) -> str:
        separator = self._separator
        if not separator:
            return split_concatenated(venue_symbol, self._venue)
        normalised = venue_symbol.replace(separator, "-") if venue_symbol.count(separator) == 1 else ""
        return check_normalised(normalised, self._venue, venue_symbol)


def venue_channels(channels: Collection[Channel], trades: str, quotes: str) -> list[str]:
    """The venue's names (``trades``, ``quotes``) of the ``channels`` asked for, trades first."""
    return [name for channel, name in ((Channel.TRADES, trades), (Channel.QUOTES, quotes)) if channel in channels]


def symbol_channels(
    symbols: Sequence[str], channels: Collection[Channel], to_venue: Callable[[str], str], trades: str, quotes: str
) -> list[tuple[str, str]]:
    """``(venue symbol, venue channel name)`` for every symbol and channel asked for, symbol by symbol.

    Raises:
        SymbolError: as ``to_venue`` does.
    """
    names = venue_channels(channels, trades, quotes)
    return [(to_venue(symbol), name) for symbol in symbols for name in names]


def parse_each(
    parse: Callable[[bytes | str, int], list[Event]], frames: Sequence[bytes | str], received_ns: Sequence[int]
) -> list[Event]:
    """The events of many frames, parsed one by one (``received_ns[i]`` is frame i's receive time).

    Raises:
        ParseError, VenueError: as ``parse`` does, for the first frame that fails.
    """
    events: list[Event] = []
    for raw, ns in zip(frames, received_ns, strict=True):
        events += parse(raw, ns)
    return events


_T = TypeVar("_T")

#: What a batched ``parse_many`` path may raise before it falls back to :func:`parse_each`.
BATCH_ERRORS: Final = (msgspec.DecodeError, ValueError, TypeError, ConnectorError)

Frames = tuple[list[bytes], list[int]]  # frames and their receive times


def group_frames(
    parse: Callable[[bytes | str, int], list[Event]],
    frames: Sequence[bytes | str],
    received_ns: Sequence[int],
    kinds: Sequence[tuple[bytes, ...]],
) -> list[Frames] | None:
    """Sort a batch into one group per kind of data frame, a frame being of a kind if it starts with
    one of its prefixes (the prefixes ``parse`` takes its fast path on), for a batched decode.

    Frames of no kind are parsed with ``parse`` on the spot. Returns None, the caller then parsing
    the batch with :func:`parse_each`, if one of those fails or yields events (they would be out of
    order), or a frame is a ``str``.
    """
    try:
        for index, prefixes in enumerate(kinds):
            if all(map(bytes.startswith, frames, repeat(prefixes))):  # type: ignore[arg-type]
                groups: list[Frames] = [([], []) for _ in kinds]  # the usual batch: one kind only
                groups[index] = (frames, received_ns)  # type: ignore[assignment]
                return groups
        groups = [([], []) for _ in kinds]
        for raw, ns in zip(frames, received_ns, strict=True):
            for prefixes, (group, times) in zip(kinds, groups, strict=True):
                if raw.startswith(prefixes):  # type: ignore[arg-type]
                    group.append(raw)  # type: ignore[arg-type]
                    times.append(ns)
                    break
            else:
                if parse(raw, ns):
                    return None
    except (TypeError, ValueError, ConnectorError):
        return None
    return groups


def parse_by_kind(
    parse: Callable[[bytes | str, int], list[Event]],
    frames: Sequence[bytes | str],
    received_ns: Sequence[int],
    kinds: Sequence[tuple[bytes, ...]],
    steps: Sequence[tuple[msgspec.json.Decoder[Any], Callable[[list[Any], list[int]], list[Event]]]],
) -> list[Event]:
    """``parse_many`` of a venue whose data frames sort into kinds by prefix (see
    :func:`group_frames`): each kind's frames decoded in one call by its step's decoder and turned
    into events by its step's builder, kind after kind. Should anything fail, the frames are
    parsed one by one with ``parse``, so the result or the error is ``parse``'s.

    Raises:
        ParseError, VenueError: as ``parse`` does, for the first frame that fails.
    """
    groups = group_frames(parse, frames, received_ns, kinds)
    if groups is not None:
        try:
            events: list[Event] = []
            for (group, times), (decoder, build) in zip(groups, steps, strict=True):
                if group:
                    events += build(decode_batch(decoder, group), times)
        except BATCH_ERRORS:
            pass
        else:
            return events
    return parse_each(parse, frames, received_ns)


def decode_batch(decoder: msgspec.json.Decoder[_T], frames: list[bytes]) -> list[_T]:
    """Decode frames (each one JSON value of the decoder's type) in one call, as JSON lines.

    Raises:
        msgspec.DecodeError: some frame is not valid.
        ValueError: a broken frame swallowed its neighbour, or held two values (the counts differ).
    """
    decoded = decoder.decode_lines(b"\n".join(frames))
    if len(decoded) != len(frames):
        raise ValueError("frames do not match the decoded messages")
    return decoded


def to_json(message: Any) -> str:
    """A subscribe/unsubscribe/ping message as the text frame to send."""
    return msgspec.json.encode(message).decode()


def venue_error(
    venue: str,
    code: str,
    message: str | None,
    *,
    missing: str = "(no message)",
    retry_codes: Collection[str] = (),
    retry_words: Sequence[str] = (),
) -> VenueError:
    """The :class:`VenueError` for an error the venue reported.

    ``missing`` stands in for an absent ``message``. ``should_retry`` is set when ``code`` is one of
    ``retry_codes`` or the message holds one of ``retry_words`` (lower case, matched ignoring case).
    """
    text = message or missing
    retry = code in retry_codes or (bool(retry_words) and any(word in text.lower() for word in retry_words))
    return VenueError(venue, code, text, should_retry=retry)


def parse_error(venue: str, exc: Exception, raw: bytes | str) -> ParseError:
    """The :class:`ParseError` for a decoding or conversion failure, its reason saying which."""
    if isinstance(exc, msgspec.ValidationError):
        return ParseError(f"{venue}: invalid message: {exc}", raw)
    if isinstance(exc, msgspec.DecodeError):
        return ParseError(f"{venue}: not valid JSON: {exc}", raw)
    return ParseError(f"{venue}: {exc}", raw)
