"""Replay of a recorded trade file instead of the synthetic model.

The file is JSON lines; each line is one trade in any of these forms:

- a kernel :class:`nashipai.events.Trade` (``{"exchange":..,"symbol":"BTC-USDT",..,"ts_event":ns}``);
- a Binance trade payload (``{"e":"trade","s":"BTCUSDT","t":..,"p":"..","q":"..","T":ms,"m":..}``);
- a Binance combined-stream envelope around one (``{"stream":"btcusdt@trade","data":{..}}``).

Blank lines are skipped. Trades play at their recorded spacing divided by ``speed``, the first
trade of the file at the replay's start. Trade ids are renumbered 1, 2, 3... per symbol, so the
venue's invariants hold (a gap in a recording would otherwise be unrecoverable by a backfill).
Each trade is followed by a synthetic L1 quote one tick wide at the trade price.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from connectors.simulator.instruments import Instrument, make_instrument, split_venue_id
from connectors.simulator.model import SimQuote, SimTrade
from nashipai.events import Side, Trade


class BinanceTradeRecord(msgspec.Struct, frozen=True):
    """A recorded Binance ``@trade`` payload (only the fields the replay needs)."""

    s: str  # symbol id, BTCUSDT
    p: str  # price
    q: str  # quantity
    T: int  # trade time, ms
    m: bool  # buyer is maker: the taker sold


@dataclass(frozen=True, slots=True)
class RecordedTrade:
    """One trade of a recording, times in ms since the epoch."""

    symbol: str
    price: float
    size: float
    buyer_is_maker: bool
    time_ms: float


class ReplayFormatError(ValueError):
    """A line of the replay file is none of the accepted forms."""


def _parse_line(line: bytes, number: int) -> RecordedTrade:
    try:
        raw: Any = msgspec.json.decode(line)
        if isinstance(raw, dict) and "data" in raw and "stream" in raw:
            raw = raw["data"]
        if isinstance(raw, dict) and "trade_id" in raw:
            trade = msgspec.convert(raw, Trade)
            return RecordedTrade(trade.symbol, trade.price, trade.size, trade.side is Side.SELL, trade.ts_event / 1e6)
        record = msgspec.convert(raw, BinanceTradeRecord)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise ReplayFormatError(f"line {number}: {error}") from error
    base, quote = split_venue_id(record.s)
    return RecordedTrade(f"{base}-{quote}", float(record.p), float(record.q), record.m, float(record.T))


def load_recording(path: Path) -> dict[str, list[RecordedTrade]]:
    """Read a replay file into per-symbol trade lists, each sorted by time.

    Raises:
        ReplayFormatError: a line is not a trade in an accepted form (the message names it).
        OSError: the file cannot be read.
    """
    by_symbol: dict[str, list[RecordedTrade]] = {}
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                trade = _parse_line(line, number)
                by_symbol.setdefault(trade.symbol, []).append(trade)
    if not by_symbol:
        raise ReplayFormatError(f"{path} holds no trades")
    for trades in by_symbol.values():
        trades.sort(key=lambda trade: trade.time_ms)
    return by_symbol


class ReplaySource:
    """Plays one symbol's recorded trades on the simulator's clock.

    Same interface as :class:`~connectors.simulator.model.MarketModel`: ``advance_to``,
    ``next_time_ms``, ``last_trade_id``, ``instrument``.
    """

    def __init__(self, trades: list[RecordedTrade], origin_ms: float, start_ms: int, speed: float) -> None:
        if speed <= 0:
            raise ValueError("replay speed must be positive")
        self.instrument: Instrument = make_instrument(trades[0].symbol, trades[0].price)
        self._trades = trades
        self._origin_ms = origin_ms
        self._start_ms = start_ms
        self._speed = speed
        self._index = 0

    @property
    def next_time_ms(self) -> float:
        """When the next recorded trade plays (``inf`` once the recording is exhausted)."""
        if self._index >= len(self._trades):
            return math.inf
        return self._play_time(self._trades[self._index])

    @property
    def last_trade_id(self) -> int:
        return self._index

    def rebase(self, start_ms: int) -> None:
        """Move the replay's start (only before the first trade played).

        Raises:
            RuntimeError: trades were already played.
        """
        if self._index:
            raise RuntimeError("cannot rebase a replay that already played trades")
        self._start_ms = start_ms

    def _play_time(self, trade: RecordedTrade) -> float:
        return self._start_ms + (trade.time_ms - self._origin_ms) / self._speed

    def advance_to(self, time_ms: float, max_trades: int | None = None) -> list[tuple[SimTrade, SimQuote]]:
        """Every recorded trade due by ``time_ms``, with its synthetic quote."""
        events: list[tuple[SimTrade, SimQuote]] = []
        tick = self.instrument.tick_size
        decimals = self.instrument.price_decimals
        while self._index < len(self._trades) and (max_trades is None or len(events) < max_trades):
            recorded = self._trades[self._index]
            play_ms = self._play_time(recorded)
            if play_ms > time_ms:
                break
            self._index += 1
            at_ms = int(play_ms)
            trade = SimTrade(self._index, recorded.price, recorded.size, recorded.buyer_is_maker, at_ms)
            if recorded.buyer_is_maker:  # taker sold: the print is the bid
                bid, ask = recorded.price, round(recorded.price + tick, decimals)
            else:
                bid, ask = round(recorded.price - tick, decimals), recorded.price
            events.append((trade, SimQuote(self._index, bid, recorded.size, ask, recorded.size, at_ms)))
        return events


def replay_sources(path: Path, start_ms: int, speed: float) -> list[ReplaySource]:
    """One :class:`ReplaySource` per symbol of the file, sharing the file's time origin."""
    recording = load_recording(path)
    origin_ms = min(trades[0].time_ms for trades in recording.values())
    return [ReplaySource(trades, origin_ms, start_ms, speed) for trades in recording.values()]
