"""Test doubles for the connector runner: a producer that records, a ccxt client that pages."""

from __future__ import annotations

from typing import Any

import ccxt
import msgspec

from nashipai.events import EVENT_TYPES, Event


class RecordingProducer:
    """Stands in for :class:`~nashipai.kafka.EventProducer`: keeps (topic, key, value)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None, bytes]] = []
        self.flushed = 0

    def send_raw(self, topic: str, value: bytes, key: bytes | None = None) -> None:
        self.sent.append((topic, key, value))

    def flush(self, timeout: float = 30.0) -> None:
        self.flushed += 1

    def events(self, topic: str, event_type: str) -> list[Any]:
        decoder = msgspec.json.Decoder(EVENT_TYPES[event_type])
        return [decoder.decode(value) for name, _key, value in self.sent if name == topic]

    def keys(self, topic: str) -> list[bytes | None]:
        return [key for name, key, _value in self.sent if name == topic]


def ccxt_trade(trade_id: int, symbol: str = "BTC/USDT", timestamp: int = 1_700_000_000_000) -> dict[str, Any]:
    """A ccxt unified trade as binance's aggTrades parse gives it (a == f == l)."""
    return {
        "id": str(trade_id), "symbol": symbol, "side": "buy", "price": 100.0 + trade_id, "amount": 0.5,
        "timestamp": timestamp + trade_id, "info": {"a": trade_id, "f": trade_id, "l": trade_id},
    }  # fmt: skip


class _HistoryClient:
    """A ccxt async client over a trade history (``ccxt_trade`` rows, oldest first) that records
    its calls; subclasses page it as one venue does."""

    def __init__(self, history: list[dict[str, Any]]) -> None:
        self.history = history
        self.calls: list[dict[str, Any]] = []
        self.closed = False

    async def fetch_trades(
        self, symbol: str, since: int | None = None, limit: int | None = None, params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        params = params or {}
        self.calls.append({"symbol": symbol, "limit": limit, **params})
        return self.page(params, limit)

    def page(self, params: dict[str, Any], limit: int | None) -> list[dict[str, Any]]:
        raise NotImplementedError

    async def close(self) -> None:
        self.closed = True


class PagingClient(_HistoryClient):
    """Pages like binance: ``fromId`` and ``limit``; fails with a NetworkError after ``fail_after`` calls."""

    def __init__(self, history: list[dict[str, Any]], fail_after: int | None = None) -> None:
        super().__init__(history)
        self.fail_after = fail_after

    def page(self, params: dict[str, Any], limit: int | None) -> list[dict[str, Any]]:
        if self.fail_after is not None and len(self.calls) > self.fail_after:
            raise ccxt.NetworkError("connection reset")
        return [row for row in self.history if int(row["id"]) >= params["fromId"]][: limit or 500]


class TimePagingClient(_HistoryClient):
    """Pages like kraken: ``params["since"]`` (ns) -> the trades after that time, at most
    ``limit``, with the next cursor (the newest trade's time in ns) appended to the newest row's
    raw ``info``, as ccxt's kraken appends Kraken's ``last``. A row's ``timestamp`` (ms) is its time."""

    def page(self, params: dict[str, Any], limit: int | None) -> list[dict[str, Any]]:
        after = int(params["since"])
        rows = [row for row in self.history if row["timestamp"] * 1_000_000 > after][: limit or 1000]
        if rows:
            newest = rows[-1]
            rows[-1] = newest | {"info": [newest["price"], newest["amount"], 0, "b", "l", "", int(newest["id"]),
                                          str(newest["timestamp"] * 1_000_000)]}  # fmt: skip
        return rows


class NewestFirstClient(_HistoryClient):
    """Pages like okx's history-trades: the ``limit`` trades below ``params["after"]`` (or the
    latest), newest first on the venue, oldest first as ccxt returns them."""

    def page(self, params: dict[str, Any], limit: int | None) -> list[dict[str, Any]]:
        older = [row for row in self.history if "after" not in params or int(row["id"]) < int(params["after"])]
        return older[-(limit or 100) :]


def events_of(sent: list[Event], kind: type[Event]) -> list[Event]:
    return [event for event in sent if isinstance(event, kind)]
